"""The settings `retrieval` needs, as its own dataclass (the application maps its config onto it)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

# The one collection of bundled knowledge, MEDLINE abstracts and the user's files is named for what it
# holds. Homes built before it had this name keep theirs (`LEGACY_COLLECTION`): see `resolve_collection`.
DEFAULT_COLLECTION = "knowledge"
LEGACY_COLLECTION = "medline"


@dataclass(frozen=True)
class IndexConfig:
    """Where an index lives and how it is searched.

    Attributes:
        home: the data folder; collections live under `home/literature/`.
        collection: collection name (3-64 letters, digits, '.', '_' or '-'). The default
            (`DEFAULT_COLLECTION`) reads as `LEGACY_COLLECTION` in a home that holds only that one.
        chroma_url: `http://HOST:PORT` of an external Chroma server; None for the home's own store.
        store: how the home's own store is opened: "server" (default: one supervised `chroma run`
            per home, every process a client) or "embedded" (in-process; one process at a time).
        embedder: None or "minilm" (default: MiniLM in bf16 on OpenVINO where the CPU has bf16, else
            int8 on onnxruntime), "minilm-bf16", "minilm-int8", "minilm-torch", a `.onnx`
            file or a sentence-transformers folder.
        threads: CPU threads for embedding; None for the library default.
        k: passages returned by default.
        min_similarity: dense cosine below which a passage is "not relevant".
        evidence_max_age_years: evidence older than this is flagged as old.
        auto_build: the first search on an empty index builds BM25 of the default corpus.
        auto_fill: start the background dense fill when vectors are missing.
        unreachable_s: seconds to retry the home's running server before reporting that this
            process cannot reach it (another network namespace is reported at once).
    """

    home: Path
    collection: str = DEFAULT_COLLECTION
    chroma_url: str | None = None
    store: str = "server"
    embedder: str | None = None
    threads: int | None = None
    k: int = 5
    min_similarity: float = 0.40
    evidence_max_age_years: int = 10
    auto_build: bool = True
    auto_fill: bool = True
    unreachable_s: float = 6.0

    @classmethod
    def coerce(cls, obj: Any) -> "IndexConfig":
        """An `IndexConfig` from itself or from an application settings object.

        The settings object needs `home` and `threads` and a `retrieval` section with the other
        fields (any missing field keeps its default).
        """
        if isinstance(obj, cls):
            return obj
        section = getattr(obj, "retrieval", None)
        if section is None:
            raise TypeError(f"expected IndexConfig or settings with a 'retrieval' section, got {type(obj).__name__}")
        values: dict[str, Any] = {"home": Path(obj.home), "threads": getattr(obj, "threads", None)}
        for f in fields(cls):
            if f.name not in values and hasattr(section, f.name):
                values[f.name] = getattr(section, f.name)
        return cls(**values)
