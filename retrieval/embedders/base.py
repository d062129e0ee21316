"""The Embedder protocol: what the store and the dense index need from a text encoder."""

from __future__ import annotations

from typing import Any, Protocol, Sequence


class Embedder(Protocol):
    """A text encoder that can describe itself.

    Attributes:
        name: identifies the model ("sentence-transformers:all-MiniLM-L6-v2"); stored in the
            collection metadata with `config()`, and compared on every open.
        dim: embedding size.
        max_tokens: longest input in tokens, special tokens included; chunks are sized to it.
    """

    name: str
    dim: int
    max_tokens: int

    def config(self) -> dict[str, Any]:
        """JSON-able settings that change the vectors (model files digest, pooling, normalisation)."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text, without special tokens (cheap: no model load)."""
        ...

    def embed(self, texts: Sequence[str], batch_size: int = 64):
        """Unit-length float32 vectors, shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str):
        """One unit-length query vector, shape (dim,)."""
        ...
