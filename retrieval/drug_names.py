"""Brand names to generic names before search, from `drug-named-entity-recognition` (MIT).

The package ships 107k drug names (brands, synonyms, generics from DrugBank, MeSH and others)
in one pickled dictionary. Importing the package builds fuzzy-match tables (seconds), so this
module reads its dictionary as data once, keeps the variant -> generic table as a small JSON
cache (per package version), and matches whole words and two- or three-word names.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

DISTRIBUTION = "drug-named-entity-recognition"
DATA_FILE = "drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2"
MAX_WORDS = 3
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")


def _distribution():
    from importlib import metadata

    try:
        return metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def build_table(data_file: Path) -> dict[str, list[str]]:
    """variant (lower case) -> generic names, for every variant that is not itself a generic name."""
    import bz2
    import pickle

    with bz2.open(data_file, "rb") as fh:
        d = pickle.load(fh)  # noqa: S301 - the installed package's own data file
    canon = d["drug_canonical_to_data"]
    names = {c: (canon.get(c) or {}).get("name") or c for c in canon}
    generic_lower = {n.lower() for n in names.values()} | set(names)
    table: dict[str, list[str]] = {}
    for variant, canonicals in d["drug_variant_to_canonical"].items():
        v = variant.lower().strip()
        if not v or v in generic_lower or len(v) < 4 or len(v.split()) > MAX_WORDS:
            continue
        generics = list(dict.fromkeys(names.get(c, c) for c in canonicals))[:2]
        if generics:
            table[v] = generics
    return table


class DrugNames:
    """Finds brand names in text and gives their generic names.

    Args:
        cache_dir: where the derived table is kept (None: rebuilt in memory on each load).
        table: a ready table (tests); skips the package data.
    """

    def __init__(self, cache_dir: Path | None = None, table: dict[str, list[str]] | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._table = table
        self._generics: set[str] | None = None

    @property
    def table(self) -> dict[str, list[str]]:
        if self._table is None:
            self._table = self._load()
        return self._table

    def _load(self) -> dict[str, list[str]]:
        dist = _distribution()
        if dist is None:
            return {}
        data = Path(str(dist.locate_file(DATA_FILE)))
        if not data.is_file():
            return {}
        cache = self.cache_dir / f"drug_names-{dist.version}.json" if self.cache_dir else None
        if cache is not None and cache.is_file():
            try:
                return json.loads(cache.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass
        table = build_table(data)
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f"{cache.name}.tmp-{os.getpid()}")
                tmp.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
                os.replace(tmp, cache)
            except OSError:
                pass
        return table

    def find(self, text: str) -> list[tuple[str, list[str]]]:
        """(name as written, its generic names) for each brand or synonym found, longest names first."""
        words = _WORD.findall(text)
        table = self.table
        found: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                cand = " ".join(words[i:i + n])
                hit = table.get(cand.lower())
                if hit:
                    found.append((cand, hit))
                    i += n
                    break
            else:
                i += 1
        return found

    def generics_in(self, text: str) -> set[str]:
        """Generic names (lower case) of every drug the text names, by brand, synonym or generic name."""
        if self._generics is None:
            self._generics = {g.lower() for gs in self.table.values() for g in gs}
        found = {g.lower() for _, gs in self.find(text) for g in gs}
        low = [w.lower() for w in _WORD.findall(text)]
        grams = {" ".join(low[i:i + n]) for n in range(1, MAX_WORDS + 1) for i in range(len(low) - n + 1)}
        return found | (grams & self._generics)

    def mentions_drug(self, text: str) -> bool:
        """Whether the text names a drug, by brand or by generic name."""
        if self._generics is None:
            self._generics = {g.lower() for gs in self.table.values() for g in gs}
        low = [w.lower() for w in _WORD.findall(text)]
        grams = {" ".join(low[i:i + n]) for n in range(1, MAX_WORDS + 1) for i in range(len(low) - n + 1)}
        return bool(self.find(text)) or bool(grams & self._generics)

    def normalise(self, query: str) -> str:
        """The query with the generic name of each brand added after it ("Tylenol (acetaminophen) overdose")."""
        out = query
        for surface, generics in self.find(query):
            new = [g.lower() for g in generics if g.lower() not in out.lower()]
            if new:
                out = re.sub(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", lambda m: f"{m.group(0)} ({' '.join(new)})",
                             out, count=1)
        return out
