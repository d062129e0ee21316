"""Deterministic stand-ins for the retrieval tests (also imported by the kill -9 worker)."""

from __future__ import annotations

import hashlib
import re
import time

import numpy as np

from retrieval.chunking import approx_token_counter

_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"the", "a", "an", "of", "in", "and", "or", "to", "for", "with", "after", "by", "on", "is", "are", "was", "be"}


class FakeEmbedder:
    """Hashed bag of words: texts sharing words get close vectors; same text, same vector."""

    def __init__(self, dim: int = 256, max_tokens: int = 64, delay: float = 0.0, name: str = "fake:hashed-words"):
        self.dim = dim
        self.max_tokens = max_tokens
        self.delay = delay
        self.name = name
        self.calls = 0

    def config(self):
        return {"dim": self.dim, "max_tokens": self.max_tokens}

    def count_tokens(self, texts):
        return approx_token_counter(texts)

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in _WORD.findall(text.lower()):
            if w in _STOP:
                continue
            w = w[:-1] if len(w) > 4 and w.endswith("s") else w
            h = int(hashlib.md5(w.encode()).hexdigest(), 16)
            v[h % self.dim] += 1.0 if (h >> 64) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0:
            v[0] = 1.0
            return v
        return v / n

    def embed(self, texts, batch_size: int = 64):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay * len(texts))
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vec(t) for t in texts])

    def embed_query(self, text: str):
        return self._vec(text)
