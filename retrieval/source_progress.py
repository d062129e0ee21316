"""How far each source (document kind) of a home is searchable by meaning, counted cheaply.

The dense fill keeps a tally per kind in `kinds.json` beside each collection's catalog, updated
as each block of vectors is written, so a status line reads a small file instead of counting
every chunk. The tally is trusted only while it agrees with the catalog (same generation, same
number of chunks and of chunks with a vector: one quick query); otherwise, as in a home built
before the tally existed, it is counted once from the catalog (under a second for 100k chunks)
and written back when no fill is running.

`sources_line(home)` turns it into words: "NIH consumer answers 16,407/16,407 · MedlinePlus 16/16
· guidelines 1,968/1,968 · USPSTF 131/131 · MEDLINE abstracts 3,072/75,070 (filling, about 40 min left)".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

TALLY_FILE = "kinds.json"

# Each kind of document in words, in the order sources are listed.
KIND_LABELS = {
    "medquad": "NIH consumer answers",
    "medlineplus": "MedlinePlus",
    "labs": "lab tests guide",
    "guideline": "guidelines",
    "uspstf": "USPSTF",
    "pubmed": "MEDLINE abstracts",
    "pmc": "PMC articles",
    "file": "your files",
}


def label(kind: str) -> str:
    """A document kind in words (an unknown kind is shown by its name)."""
    return KIND_LABELS.get(kind, kind)


def ordered(kinds) -> list[str]:
    """Kinds in listing order: the known ones as in `KIND_LABELS`, then others by name."""
    known = [k for k in KIND_LABELS if k in kinds]
    return known + sorted(k for k in kinds if k not in KIND_LABELS)


def count_kinds(catalog) -> dict[str, dict[str, int]]:
    """{kind: {"documents", "chunks", "embedded"}} counted from a catalog (one query over every chunk)."""
    rows = catalog.db.execute(
        "SELECT d.kind, COUNT(DISTINCT d.doc_id), COUNT(c.id), COALESCE(SUM(c.embedded), 0) FROM chunks c "
        "JOIN docs d ON d.doc_id = c.doc_id GROUP BY d.kind").fetchall()
    return {kind: {"documents": int(docs), "chunks": int(chunks), "embedded": int(done)}
            for kind, docs, chunks, done in rows}


def read_tally(root: Path) -> dict[str, Any] | None:
    """The tally file of a collection folder, or None when missing or unreadable."""
    try:
        data = json.loads((Path(root) / TALLY_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("kinds"), dict) else None


def write_tally(root: Path, generation: int, kinds: dict[str, dict[str, int]]) -> None:
    """Write the tally atomically (readers never see half a file)."""
    root = Path(root)
    tmp = root / f"{TALLY_FILE}.tmp{os.getpid()}"
    try:
        tmp.write_text(json.dumps({"generation": generation, "kinds": kinds}))
        os.replace(tmp, root / TALLY_FILE)
    except OSError:  # a read-only or full home: the next reader counts again
        tmp.unlink(missing_ok=True)


def agrees(tally: dict[str, Any] | None, generation: int, done: int, total: int) -> bool:
    """Whether a tally describes a catalog of this generation with these counts."""
    if not tally or tally.get("generation") != generation:
        return False
    kinds = tally["kinds"].values()
    return sum(int(k.get("chunks", 0)) for k in kinds) == total and sum(int(k.get("embedded", 0)) for k in kinds) == done


def collection_kinds(root: Path, catalog, write: bool = True) -> dict[str, dict[str, int]]:
    """Per-kind progress of one collection: its tally when it agrees with the catalog, else counted.

    Args:
        root: the collection's folder (holds the catalog and the tally).
        catalog: its `Catalog`.
        write: store a fresh count as the tally (False while a fill, the tally's writer, runs).
    """
    generation = catalog.generation
    done, total = catalog.embedded_total()
    tally = read_tally(root)
    if agrees(tally, generation, done, total):
        return tally["kinds"]
    kinds = count_kinds(catalog)
    if write:
        write_tally(root, generation, kinds)
    return kinds


class KindTally:
    """The fill's running tally of one collection: seeded from the catalog, moved on as vectors are written.

    Args:
        root: the collection's folder.
        catalog: a `Catalog` the caller may use from the writing thread.
    """

    def __init__(self, root: Path, catalog):
        self.root = Path(root)
        self.catalog = catalog
        self.seed()

    def seed(self) -> None:
        """Count the catalog once and write the tally."""
        self.generation = self.catalog.generation
        self.kinds = count_kinds(self.catalog)
        write_tally(self.root, self.generation, self.kinds)

    def written(self, kinds: list[str]) -> None:
        """Chunks of these kinds (one entry per chunk) now have vectors; an ingest since the seed recounts."""
        if self.catalog.generation != self.generation:
            self.seed()
            return
        for kind in kinds:
            entry = self.kinds.setdefault(kind, {"documents": 0, "chunks": 0, "embedded": 0})
            entry["embedded"] = min(entry["embedded"] + 1, entry["chunks"])
        write_tally(self.root, self.generation, self.kinds)


def merge(parts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Per-kind progress of several collections added up."""
    out: dict[str, dict[str, int]] = {}
    for part in parts:
        for kind, p in part.items():
            agg = out.setdefault(kind, {"documents": 0, "chunks": 0, "embedded": 0})
            for key in agg:
                agg[key] += int(p.get(key, 0))
    return out


def eta_words(seconds: float | None) -> str:
    """Seconds left in words ("about 40 min left"); empty when unknown."""
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute left"
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60} min left"


def filling_kinds(kinds: dict[str, dict[str, int]], first: set[str]) -> list[str]:
    """The kinds a running fill of one collection works on now: the pending ones of `first` (the fill
    takes those before the rest), else every pending kind."""
    pending = [k for k, p in kinds.items() if p["embedded"] < p["chunks"]]
    head = [k for k in pending if k in first]
    return head or pending


def kind_etas(kinds: dict[str, dict[str, int]], now: list[str], eta_s: float | None) -> dict[str, float | None]:
    """Seconds until each kind being filled is done: the collection's ETA shared out by pending chunks."""
    if eta_s is None:
        return {k: None for k in now}
    pending_all = sum(max(p["chunks"] - p["embedded"], 0) for p in kinds.values())
    pending_now = sum(max(kinds[k]["chunks"] - kinds[k]["embedded"], 0) for k in now)
    share = pending_now / pending_all if pending_all else 1.0
    return {k: eta_s * share for k in now}


def source_words(kinds: dict[str, dict[str, int]], filling: dict[str, float | None] | None = None,
                 queued: bool = False) -> list[str]:
    """One entry per source: "MEDLINE abstracts 3,072/75,070 (filling, about 40 min left)".

    Args:
        kinds: per-kind progress.
        filling: kinds being filled now, with their seconds left (None: unknown).
        queued: a fill runs, so the other incomplete kinds wait their turn ("queued").
    """
    filling = filling or {}
    order = ordered(kinds)
    # kinds filled together finish together: their time left is said once, after the last of them
    together = [k for k in order if k in filling]
    same = len(together) > 1 and len({eta_words(filling[k]) for k in together}) == 1
    out = []
    for kind in order:
        p = kinds[kind]
        words = f"{label(kind)} {p['embedded']:,}/{p['chunks']:,}"
        if kind in filling:
            left = eta_words(filling[kind]) if not same or kind == together[-1] else ""
            if left and same:
                left += " for both" if len(together) == 2 else f" for all {_COUNT.get(len(together), len(together))}"
            words += f" (filling{', ' + left if left else ''})"
        elif queued and p["embedded"] < p["chunks"]:
            words += " (queued)"
        out.append(words)
    return out


_COUNT = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
