"""The Reader protocol: one module per file format, each turning a file into Documents."""

from __future__ import annotations

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
