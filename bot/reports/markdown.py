"""Render a `Report` as Markdown (pure function; images are linked relative to the report)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.reports.model import Report


def _link(path: Path, out_dir: Path | None) -> str:
    if out_dir is None:
        return str(path)
    try:
        return os.path.relpath(path, out_dir)
    except ValueError:  # another drive
        return str(path)


def citation_line(c: dict) -> str:
    """'[PMID:1] Title. Journal, 2020. URL' from a citation record."""
    parts = [f"[{c.get('id', '')}]", (c.get("title") or "").rstrip(".") + "."]
    meta = ", ".join(str(x) for x in (c.get("journal"), c.get("year")) if x)
    if meta:
        parts.append(meta + ".")
    if c.get("url"):
        parts.append(c["url"])
    return " ".join(p for p in parts if p.strip(" ."))


def render_markdown(report: Report, out_dir: Path | None = None) -> str:
    """The report as Markdown.

    Args:
        report: the content.
        out_dir: folder the Markdown file will live in (image links are made relative to it).
    """
    lines = [f"# {report.title}", "",
             f"- **Status:** preliminary (machine-drafted, not reviewed)",
             f"- **Source:** {report.source}",
             f"- **Created:** {report.created}"]
    if report.subject:
        lines.append(f"- **Patient:** {report.subject}")
    if report.effective:
        lines.append(f"- **Record date:** {report.effective}")
    if report.model:
        lines.append(f"- **Drafted with:** {report.model}")
    lines += ["", "## Findings", ""]
    lines += [f + "\n" for f in report.findings] or ["No findings recorded.\n"]
    if report.pharmacogenomics:
        from genomics_tools.pgx.render import to_markdown

        lines += [to_markdown(report.pharmacogenomics), ""]
    if report.scores:
        from bot.cases.scores import clinician_markdown

        lines += [clinician_markdown(report.scores).strip(), ""]
    if report.tables or report.images or report.files:
        lines += ["## Tool outputs", ""]
        for title, table in report.tables.items():
            lines += [f"### {title}", "", table.strip(), ""]
        for img in report.images:
            lines += [f"### {img.title}", "", f"![{img.title}]({_link(img.path, out_dir)})", ""]
        for title, path in report.files.items():
            lines.append(f"- {title}: `{Path(path).name}`")
        if report.files:
            lines.append("")
    lines += ["## Conclusion", "", report.conclusion.strip() or "No conclusion drafted.", ""]
    lines += ["## Citations", ""]
    lines += [f"{i}. {citation_line(c)}" for i, c in enumerate(report.citations, 1)] or ["None."]
    lines += ["", "## Disclaimer", "", report.disclaimer, ""]
    return "\n".join(lines)
