"""The Reader protocol: one module per file format, each turning a file into Documents."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar, Iterator, Protocol

from retrieval.types import Document


class Reader(Protocol):
    """Turns one file into documents.

    Attributes:
        suffixes: lower-case file endings handled (".xml.gz", ".nxml"...).
    """

    suffixes: ClassVar[tuple[str, ...]]

    def read(self, path: Path) -> Iterator[Document]:
        """Yield the documents of `path`.

        Raises:
            UserError: the file is corrupt, empty, encrypted or not of this format (one line).
        """
        ...


def file_digest(path: Path) -> str:
    """sha256 of the file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
