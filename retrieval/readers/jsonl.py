"""JSON Lines corpora: one `{"id", "text", "metadata"}` object per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar, Iterator

from retrieval.errors import UserError
from retrieval.readers.text import decode_text
from retrieval.types import Document, Section


class JsonlReader:
    """Reader for `.jsonl` files; `metadata` may carry title, pmid, journal, year, pub_types, page."""

    suffixes: ClassVar[tuple[str, ...]] = (".jsonl",)

    def read(self, path: Path) -> Iterator[Document]:
        text = decode_text(path)
        docs = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{n}: invalid JSON: {exc.msg}") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj.get("id"):
                raise UserError(f"{path}:{n}: each line needs a string 'text' and an 'id'")
            meta = obj.get("metadata") or {}
            if not isinstance(meta, dict):
                raise UserError(f"{path}:{n}: 'metadata' must be an object")
            meta = dict(meta)
            title = str(meta.pop("title", "") or "")
            pmid = meta.get("pmid")
            kind = "pubmed" if pmid else "file"
            if isinstance(meta.get("pub_types"), str):
                meta["pub_types"] = [meta["pub_types"]]
            if meta.get("year") is not None:
                try:
                    meta["year"] = int(meta["year"])
                except (TypeError, ValueError):
                    raise UserError(f"{path}:{n}: 'year' must be a number") from None
            meta.setdefault("path", str(path))
            docs.append(Document(doc_id=f"pmid:{pmid}" if pmid else f"jsonl:{obj['id']}", kind=kind,
                                 title=title or str(obj["id"]), sections=[Section(text=obj["text"], page=meta.get("page"))],
                                 meta=meta))
        if not docs:
            raise UserError(f"{path}: no records")
        yield from docs
