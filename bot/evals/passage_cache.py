"""A file cache of retrieved passages per question, so reruns (other models, adapters, scorers)
read the same passages from the same index without searching again.

The cache key holds the corpus description (collection, store, embedder, document and vector
counts), `k` and the query text: a changed index gives new keys and is searched afresh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class CachedPassage:
    """The parts of a passage a prompt needs."""

    text: str
    source: dict[str, Any] = field(default_factory=dict)


def cache_key(corpus: Any, k: int, query: str) -> str:
    """A stable key for one search."""
    raw = json.dumps([corpus, k, query], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class PassageCache:
    """Wraps `search(query, k=...)`; hits come from (and misses are appended to) a JSONL file.

    Args:
        path: the JSONL file (created on the first miss); unreadable lines are ignored.
        search: the retriever's search.
        corpus: description of the index (part of every key), or a function that returns it,
            called at the first search.
    """

    def __init__(self, path: Path, search: Callable[..., list[Any]], corpus: Any):
        self.path = Path(path)
        self.search = search
        self._corpus = corpus
        self.hits = 0
        self.misses = 0
        self.entries: dict[str, list[CachedPassage]] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    row = json.loads(line)
                    self.entries[row["key"]] = [CachedPassage(p["text"], p.get("source") or {}) for p in row["passages"]]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue

    @property
    def corpus(self) -> Any:
        if callable(self._corpus):
            self._corpus = self._corpus()
        return self._corpus

    def __call__(self, query: str, k: int = 5) -> list[CachedPassage]:
        key = cache_key(self.corpus, k, query)
        if key in self.entries:
            self.hits += 1
            return self.entries[key]
        self.misses += 1
        found = [CachedPassage(str(getattr(p, "text", "")), _small_source(getattr(p, "source", None)))
                 for p in self.search(query, k=k)]
        self.entries[key] = found
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": key, "passages": [{"text": p.text, "source": p.source} for p in found]},
                                ensure_ascii=False) + "\n")
        return found


def _small_source(source: Any) -> dict[str, Any]:
    """The JSON-able scalar fields of a passage's source."""
    if not isinstance(source, dict):
        return {}
    return {k: v for k, v in source.items() if v is None or isinstance(v, (str, int, float, bool))}
