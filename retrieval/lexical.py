"""BM25 index (bm25s) over the catalog's chunks, saved beside the vector store.

The index is rebuilt from the catalog (seconds for the default corpus) whenever the catalog's
generation moved, so it always holds the same chunks as the catalog. Year and publication-type
arrays saved with it let filters become a score mask.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.catalog import Catalog

STOPWORDS = "en"
FORMAT = 3  # 2: document kinds saved (collection filter), "type 2" glued to "type2"; 3: only after words naming a kind by number; older indexes are rebuilt


def _quiet() -> None:
    import logging

    logging.getLogger("bm25s").setLevel(logging.WARNING)


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str], stemmer, show_progress: bool = False):
    """bm25s tokenization shared by indexing and querying (settings are not saved with the index)."""
    import bm25s

    from retrieval.query_terms import glue_numbers

    texts = [glue_numbers(t) for t in texts]
    return bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=stemmer, show_progress=show_progress, return_ids=True)


@dataclass
class LexicalHit:
    """One BM25 result: chunk id, 1-based rank and BM25 score."""

    id: str
    rank: int
    score: float


class LexicalIndex:
    """A loaded BM25 index plus the chunk ids, years and publication types aligned with it."""

    def __init__(self, folder: Path):
        import bm25s
        import numpy as np

        _quiet()
        self.folder = Path(folder)
        state = json.loads((self.folder / "state.json").read_text())
        self.generation = int(state["generation"])
        self.n = int(state["n"])
        self.ids = json.loads((self.folder / "ids.json").read_text())
        self.years = np.load(self.folder / "years.npy")
        self.pub_types = json.loads((self.folder / "pub_types.json").read_text())
        self.kinds = json.loads((self.folder / "kinds.json").read_text())
        self.bm25 = bm25s.BM25.load(str(self.folder / "bm25"), mmap=False) if self.n else None
        self.stemmer = _stemmer()

    def mask(self, filters: dict | None):
        """Float mask (1 keep, 0 drop) for year_min/year_max/pub_types/collections filters, or None for no filter."""
        import numpy as np

        if not filters or self.n == 0:
            return None
        keep = np.ones(self.n, dtype=bool)
        if filters.get("year_min") is not None:
            keep &= self.years >= int(filters["year_min"])
        if filters.get("year_max") is not None:
            keep &= (self.years <= int(filters["year_max"])) & (self.years > 0)
        types = [t.lower() for t in (filters.get("pub_types") or [])]
        if types:
            table = [any(t in s.lower() for t in types) for s in self.pub_types]
            keep &= np.array(table, dtype=bool)
        if filters.get("collections"):
            from retrieval.collections import collection_of

            wanted = set(filters["collections"])
            keep &= np.array([collection_of(k) in wanted for k in self.kinds], dtype=bool)
        return keep.astype(np.float32)

    def search(self, query: str, k: int, filters: dict | None = None) -> list[LexicalHit]:
        """Top-k chunks by BM25 (only those with a positive score).

        Args:
            query: free text.
            k: how many hits at most.
            filters: year_min, year_max, pub_types (any of, case-insensitive substring), collections.
        """
        if self.n == 0 or self.bm25 is None:
            return []
        import bm25s

        from retrieval.query_terms import glue_numbers

        toks = bm25s.tokenize([glue_numbers(query)], stopwords=STOPWORDS, stemmer=self.stemmer, show_progress=False, return_ids=False)
        vocab = self.bm25.vocab_dict
        words = [w for w in toks[0] if w in vocab]
        if not words:
            return []
        mask = self.mask(filters)
        if mask is not None and not mask.any():
            return []
        docs, scores = self.bm25.retrieve([words], k=min(k, self.n), show_progress=False, weight_mask=mask)
        hits = []
        for rank, (i, s) in enumerate(zip(docs[0].tolist(), scores[0].tolist()), 1):
            if s <= 0:
                break
            hits.append(LexicalHit(id=self.ids[i], rank=rank, score=float(s)))
        return hits


def build_lexical_index(catalog: Catalog, folder: Path, show_progress: bool = False) -> int:
    """Rebuild the BM25 index of all catalog chunks into `folder`, replacing it atomically.

    Returns:
        The number of chunks indexed.
    """
    import bm25s
    import numpy as np

    _quiet()
    generation = catalog.generation
    ids, texts, years, pub_types, kinds = [], [], [], [], []
    for cid, text, year, pts, kind in catalog.iter_lexical():
        ids.append(cid)
        texts.append(text)
        years.append(year or 0)
        pub_types.append(pts)
        kinds.append(kind)
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{int(time.time() * 1000)}")
    tmp.mkdir()
    if ids:
        model = bm25s.BM25()
        model.index(tokenize(texts, _stemmer(), show_progress), show_progress=show_progress)
        model.save(str(tmp / "bm25"))
    (tmp / "ids.json").write_text(json.dumps(ids))
    np.save(tmp / "years.npy", np.array(years, dtype=np.int16))
    (tmp / "pub_types.json").write_text(json.dumps(pub_types))
    (tmp / "kinds.json").write_text(json.dumps(kinds))
    (tmp / "state.json").write_text(json.dumps({"generation": generation, "n": len(ids), "format": FORMAT,
                                                "built_at": time.time()}))
    old = None
    if folder.exists():
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}-{int(time.time() * 1000)}")
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return len(ids)


def lexical_generation(folder: Path) -> int | None:
    """Catalog generation the saved index was built from (None if there is none, or in an older format)."""
    try:
        state = json.loads((Path(folder) / "state.json").read_text())
        return int(state["generation"]) if int(state.get("format", 1)) >= FORMAT else None
    except (OSError, ValueError, KeyError):
        return None
