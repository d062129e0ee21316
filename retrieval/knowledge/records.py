"""The bundled sources' data files: gzipped JSON lines, one record a line."""

from __future__ import annotations

import gzip
import json
from typing import Any, Iterator

from retrieval.errors import UserError


def read_gz_jsonl(src, name: str) -> Iterator[dict[str, Any]]:
    """Records of a gzipped JSON-lines file (a Path or an importlib.resources Traversable).

    Args:
        src: the file.
        name: what it holds, for messages ("MedQuAD").

    Raises:
        UserError: the file is missing or not valid JSON lines.
    """
    try:
        with src.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise UserError(f"{src}:{n}: invalid JSON: {exc.msg}") from None
    except FileNotFoundError:
        raise UserError(f"{src}: the {name} data file is missing from this install") from None
    except (OSError, EOFError) as exc:
        raise UserError(f"{src}: cannot read: {exc}") from None
