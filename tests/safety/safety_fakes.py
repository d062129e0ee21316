"""Test doubles for the safety tests: a bag-of-words encoder and a fixed-passage retriever."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np


def bow_encoder(dim: int = 256):
    """Deterministic hashed bag-of-words embeddings, L2-normalised."""
    def encode(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z']+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)
    return encode


@dataclass
class Doc:
    id: str
    text: str
    score: float = 1.0
    similarity: float | None = 0.9
    source: dict[str, Any] = field(default_factory=dict)


class StaticRetriever:
    """Returns every stored passage for any query (so a planted document always reaches the prompt)."""

    def __init__(self, passages):
        self.passages = list(passages)

    def search(self, query, k=5, filters=None, prefer=None):
        return self.passages[:k]

    def is_relevant(self, passages):
        return bool(passages)
