"""PDF files (text layer via pypdf): one section per page, so passages cite their page."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section


def file_doc_id(path: Path) -> str:
    """Stable id of a user file: its content hash, so moving the file keeps the id."""
    from retrieval.readers.base import file_digest

    return "file:" + file_digest(path)[:16]


class PdfReader:
    """Reader for PDF files with a text layer (scanned PDFs have none and are refused)."""

    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)

    def read(self, path: Path) -> Iterator[Document]:
        import logging

        from pypdf import PdfReader as _Pdf
        from pypdf.errors import PdfReadError

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        if path.stat().st_size == 0:
            raise UserError(f"{path}: empty file")
        try:
            pdf = _Pdf(str(path))
            if pdf.is_encrypted:
                try:
                    ok = pdf.decrypt("")
                except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                    ok = 0
                if not ok:
                    raise UserError(f"{path}: encrypted PDF (needs a password)")
            pages = [(i + 1, " ".join((page.extract_text() or "").split())) for i, page in enumerate(pdf.pages)]
            info = pdf.metadata
            title = str(info.title).strip() if info is not None and info.title else ""
        except UserError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise UserError(f"{path}: corrupt PDF: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        sections = [Section(text=t, page=n) for n, t in pages if t]
        if not sections:
            raise UserError(f"{path}: no extractable text (empty or scanned PDF)")
        yield Document(doc_id=file_doc_id(path), kind="file", title=title or path.stem.replace("_", " "),
                       sections=sections, meta={"path": str(path)})
