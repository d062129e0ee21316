"""The default embedder: the bundled MiniLM built into a fused int8 ONNX file, faithful to torch fp32."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.embedders import onnx_build
from retrieval.embedders.onnx_minilm import NAME, OnnxMiniLMEmbedder
from retrieval.embedders.sentence_transformer import bundled_model_path
from retrieval.errors import UserError

SENTENCES = [
    "Sudden numbness or weakness of the face, arm or leg is a warning sign of stroke.",
    "Metformin is the usual first medicine for type 2 diabetes.",
    "Aspirin 75-100 mg daily is recommended after a myocardial infarction.",
    "Children with dehydration may have a dry mouth and few wet diapers.",
    "Hepatitis C spreads through contact with the blood of an infected person.",
    "Ear infections in children often follow a cold.",
]
QUERIES = ["signs of a stroke", "diabetes medicine", "how does hepatitis C spread", "dehydrated child"]


def test_default_embedder_matches_torch_fp32_and_ranks_the_same():
    from retrieval.embedders.sentence_transformer import SentenceTransformerEmbedder

    onnx = OnnxMiniLMEmbedder(threads=1)
    assert onnx.name == NAME and onnx.model_path.name == onnx_build.FILENAME
    assert onnx.config()["weights"] == onnx_build.source_digest(bundled_model_path())
    ref = SentenceTransformerEmbedder(None, threads=1)
    a, b = onnx.embed(SENTENCES), np.asarray(ref.embed(SENTENCES), dtype=np.float32)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    cos = np.sum(a * b, axis=1)
    assert cos.min() > 0.98, cos
    qa = np.stack([onnx.embed_query(q) for q in QUERIES])
    qb = np.asarray(ref.embed(QUERIES), dtype=np.float32)
    assert list((qa @ a.T).argmax(axis=1)) == list((qb @ b.T).argmax(axis=1)) == [0, 1, 4, 3]


def _fake_build(calls):
    def build(model_dir, dest):
        calls.append(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"onnx")
        onnx_build._stamp(dest).write_text(json.dumps({"source": onnx_build.source_digest(model_dir), "size": 4}))
        return dest
    return build


def test_built_once_then_reused_and_a_stale_stamp_rebuilds(tmp_path, monkeypatch):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "model.safetensors").write_bytes(b"weights v1")
    monkeypatch.setattr(onnx_build, "cache_dirs", lambda: [tmp_path / "share", tmp_path / "user"])
    calls: list = []
    monkeypatch.setattr(onnx_build, "build", _fake_build(calls))
    first = onnx_build.ensure_built(model_dir)
    assert first == tmp_path / "share" / onnx_build.FILENAME and len(calls) == 1
    assert onnx_build.ensure_built(model_dir) == first and len(calls) == 1  # reused
    (model_dir / "model.safetensors").write_bytes(b"weights v2 (another model)")
    assert onnx_build.built_path(model_dir) is None  # the stamp names other weights
    onnx_build.ensure_built(model_dir)
    assert len(calls) == 2
    first.write_bytes(b"truncated")  # size no longer matches the stamp
    assert onnx_build.built_path(model_dir) is None


def test_no_writable_cache_is_one_clear_error(tmp_path, monkeypatch):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    monkeypatch.setattr(onnx_build, "cache_dirs", lambda: [tmp_path / "a", tmp_path / "b"])

    def denied(model_dir, dest):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(onnx_build, "build", denied)
    with pytest.raises(UserError, match=r"cannot write the default embedder: .*a: Permission denied; .*b: Permission denied"):
        onnx_build.ensure_built(model_dir)
