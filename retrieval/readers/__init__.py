"""Corpus readers and their registry (suffix -> reader), plus file discovery.

Readers import their parsing libraries inside `read`, so importing this package is cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

from retrieval.readers.base import Reader, file_digest
from retrieval.readers.jsonl import JsonlReader
from retrieval.readers.medline import MedlineReader
from retrieval.readers.pdf import PdfReader
from retrieval.readers.pmc import PmcReader
from retrieval.readers.text import TextReader
from retrieval.types import Document
from retrieval.errors import UserError

READERS: tuple[Reader, ...] = (MedlineReader(), PmcReader(), PdfReader(), TextReader(), JsonlReader())


def reader_for(path: Path) -> Reader:
    """The reader for `path` by its ending.

    Raises:
        UserError: no reader handles this ending.
    """
    name = path.name.lower()
    for reader in READERS:
        if any(name.endswith(s) for s in reader.suffixes):
            return reader
    known = ", ".join(s for r in READERS for s in r.suffixes)
    raise UserError(f"{path}: unsupported file type (known: {known})")


def supported(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for r in READERS for s in r.suffixes)


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into the files to read.

    Folders are walked recursively (sorted, hidden entries skipped) and keep only supported
    files; a file named explicitly is kept whatever its ending, so that it gets its own error.

    Returns:
        (files, errors): files in a stable order, one-line messages for unreadable paths.
    """
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        if p.is_dir():
            if not os.access(p, os.R_OK | os.X_OK):
                errors.append(f"{p}: cannot read folder")
                continue
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    f = Path(root) / n
                    if not n.startswith(".") and supported(f):
                        files.append(f)
        elif p.exists():
            files.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, errors


def read_documents(path: Path) -> list[Document]:
    """All documents of one file, read completely (so a bad file adds nothing).

    Raises:
        UserError: one line naming the file and the problem.
    """

    if not os.access(path, os.R_OK):
        raise UserError(f"{path}: permission denied")
    reader = reader_for(path)
    try:
        return list(reader.read(path))
    except UserError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, EOFError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: cannot read: {msg}") from None


__all__ = ["READERS", "Reader", "discover", "reader_for", "read_documents", "supported", "file_digest"]
