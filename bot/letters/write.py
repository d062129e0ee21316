"""Write a letter as Markdown or PDF (reportlab), through a temporary file and a rename."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from bot.errors import UserError

FORMATS = ("md", "pdf")


def _inline(text: str) -> str:
    t = escape(text)
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    return re.sub(r"(?<![\w*])_(.+?)_(?![\w*])", r"<i>\1</i>", t)


def _pdf(markdown: str, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(str(path), pagesize=A4, title="A letter about your health record",
                            author="medbot (machine-drafted)", leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm)
    story, bullets = [], []

    def flush() -> None:
        if bullets:
            story.append(ListFlowable([ListItem(Paragraph(_inline(b), styles["BodyText"])) for b in bullets],
                                      bulletType="bullet", leftIndent=12))
            bullets.clear()

    for line in markdown.splitlines():
        if line.startswith("- "):
            bullets.append(line[2:])
            continue
        flush()
        if line.startswith("# "):
            story.append(Paragraph(_inline(line[2:]), styles["Title"]))
        elif line.startswith("## "):
            story.append(Paragraph(_inline(line[3:]), styles["Heading2"]))
        elif line.strip():
            story.append(Paragraph(_inline(line), styles["BodyText"]))
        else:
            story.append(Spacer(1, 4))
    flush()
    doc.build(story)


def write_letter(markdown: str, out: Path, fmt: str = "md") -> Path:
    """Write the letter to `out` (owner-only) and return the path.

    Raises:
        UserError: unknown format, missing or unwritable folder, `out` is a folder.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown letter format '{fmt}' (choose md or pdf)")
    out = Path(out).expanduser()
    if out.is_dir():
        raise UserError(f"cannot write {out}: it is a folder (give a file path)")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: no such folder {out.parent}")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "pdf":
            _pdf(markdown, tmp)
        else:
            tmp.write_text(markdown, encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out
