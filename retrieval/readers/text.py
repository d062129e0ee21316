"""Markdown and plain-text files; Markdown headings become sections."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def decode_text(path: Path) -> str:
    """The file as UTF-8 text.

    Raises:
        UserError: binary content (NUL bytes or invalid UTF-8) or an empty file.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise UserError(f"{path}: empty file")
    if b"\x00" in raw[:8192]:
        raise UserError(f"{path}: binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (binary file?)") from None


def split_markdown(text: str) -> tuple[str, list[Section]]:
    """(title, sections): the first H1 is the title; each heading starts a section."""
    title = ""
    sections: list[Section] = []
    name, buf = "", []

    def flush():
        body = "\n".join(buf).strip()
        if body:
            sections.append(Section(text=body, name=name))

    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            flush()
            buf = []
            if m.group(1) == "#" and not title:
                title, name = m.group(2), ""
            else:
                name = m.group(2)
        else:
            buf.append(line)
    flush()
    return title, sections


class TextReader:
    """Reader for `.md`, `.markdown` and `.txt` files."""

    suffixes: ClassVar[tuple[str, ...]] = (".md", ".markdown", ".txt")

    def read(self, path: Path) -> Iterator[Document]:
        from retrieval.readers.pdf import file_doc_id

        text = decode_text(path)
        if path.suffix.lower() == ".txt":
            title, sections = "", [Section(text=p.strip()) for p in re.split(r"\n\s*\n", text) if p.strip()]
        else:
            title, sections = split_markdown(text)
        if not sections and not title:
            raise UserError(f"{path}: no text")
        yield Document(doc_id=file_doc_id(path), kind="file", title=title or path.stem.replace("_", " "),
                       sections=sections, meta={"path": str(path)})
