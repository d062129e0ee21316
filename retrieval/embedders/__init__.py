"""Embedders and their factory. The default is the bundled all-MiniLM-L6-v2."""

from __future__ import annotations

from retrieval.embedders.base import Embedder


def make_embedder(spec: str | None = None, threads: int | None = None) -> Embedder:
    """The embedder named by the `retrieval.embedder` setting.

    Args:
        spec: a sentence-transformers model folder; None = the bundled all-MiniLM-L6-v2.
        threads: torch CPU threads.

    Raises:
        UserError: the folder does not exist or is not a sentence-transformers model.
    """
    from retrieval.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(spec, threads=threads)


__all__ = ["Embedder", "make_embedder"]
