"""Render a `Report` as PDF with reportlab (tables as grids, images scaled to the page)."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from bot.reports.markdown import citation_line
from bot.reports.model import Report


def _inline(text: str) -> str:
    """Markdown emphasis to reportlab's mini-HTML (after escaping)."""
    t = escape(text.replace("\\|", "|").replace("\\*", "*"))
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    t = re.sub(r"(?<![\w*])_(.+?)_(?![\w*])", r"<i>\1</i>", t)
    t = re.sub(r"`(.+?)`", r"<font face='Courier'>\1</font>", t)
    return t


def parse_table(md: str) -> list[list[str]]:
    """Rows of a Markdown pipe table (the separator row dropped)."""
    rows = []
    for line in md.strip().splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return rows


def write_pdf(report: Report, out: Path) -> None:
    """Write the report to `out` (a PDF file)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    doc = SimpleDocTemplate(str(out), pagesize=A4, title=report.title, author="medbot (machine-drafted)",
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    width = A4[0] - 36 * mm
    story = [Paragraph(_inline(report.title), styles["Title"]),
             Paragraph(_inline("**Status:** preliminary (machine-drafted, not reviewed)"), styles["BodyText"]),
             Paragraph(_inline(f"**Source:** {report.source} — **Created:** {report.created}"), styles["BodyText"])]
    if report.subject:
        story.append(Paragraph(_inline(f"**Patient:** {report.subject}"), styles["BodyText"]))
    if report.effective:
        story.append(Paragraph(_inline(f"**Record date:** {report.effective}"), styles["BodyText"]))
    if report.model:
        story.append(Paragraph(_inline(f"**Drafted with:** {report.model}"), styles["BodyText"]))

    def paragraphs(md: str) -> None:
        for para in re.split(r"\n\s*\n", md.strip()):
            if para.lstrip().startswith("|"):
                table(para)
                continue
            for line in para.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    story.append(Paragraph(_inline(line[2:]), styles["BodyText"], bulletText="•"))
                elif line:
                    story.append(Paragraph(_inline(line), styles["BodyText"]))

    def table(md: str) -> None:
        rows = parse_table(md)
        if not rows:
            return
        cells = [[Paragraph(_inline(c), small) for c in r] for r in rows]
        ncol = max(len(r) for r in cells)
        cells = [r + [""] * (ncol - len(r)) for r in cells]
        t = Table(cells, colWidths=[width / ncol] * ncol, repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.extend([t, Spacer(1, 4 * mm)])

    story.append(Paragraph("Findings", styles["Heading2"]))
    for f in report.findings or ["No findings recorded."]:
        paragraphs(f)
    if report.pharmacogenomics:
        from genomics_tools.pgx.render import to_markdown

        story.append(Paragraph("Pharmacogenomics", styles["Heading2"]))
        body = to_markdown(report.pharmacogenomics).split("\n", 1)[1]
        paragraphs(re.sub(r"(?m)^#+\s*(.+)$", r"**\1**", body))
    if report.scores:
        from bot.cases.scores import clinician_markdown

        story.append(Paragraph("Clinical scores", styles["Heading2"]))
        body = clinician_markdown(report.scores).split("\n", 1)[1]
        paragraphs(re.sub(r"(?m)^#+\s*(.+)$", r"**\1**", body))
    if report.tables or report.images or report.files:
        story.append(Paragraph("Tool outputs", styles["Heading2"]))
        for title, md in report.tables.items():
            story.append(Paragraph(_inline(title), styles["Heading3"]))
            table(md)
        for img in report.images:
            story.append(Paragraph(_inline(img.title), styles["Heading3"]))
            from reportlab.lib.utils import ImageReader

            iw, ih = ImageReader(str(img.path)).getSize()
            scale = min(width / iw, 110 * mm / ih, 1.0 if iw > 200 else width / iw)
            story.extend([Image(str(img.path), width=iw * scale, height=ih * scale), Spacer(1, 4 * mm)])
        for title, path in report.files.items():
            story.append(Paragraph(_inline(f"{title}: `{Path(path).name}`"), styles["BodyText"], bulletText="•"))
    story.append(Paragraph("Conclusion", styles["Heading2"]))
    paragraphs(report.conclusion or "No conclusion drafted.")
    story.append(Paragraph("Citations", styles["Heading2"]))
    for i, c in enumerate(report.citations, 1):
        story.append(Paragraph(_inline(f"{i}. {citation_line(c)}"), styles["BodyText"]))
    if not report.citations:
        story.append(Paragraph("None.", styles["BodyText"]))
    story.append(Paragraph("Disclaimer", styles["Heading2"]))
    story.append(Paragraph(_inline(report.disclaimer), styles["BodyText"]))
    doc.build(story)
