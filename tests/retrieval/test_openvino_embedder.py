"""The default embedder on a CPU with bf16: the bundled MiniLM in bf16 on OpenVINO, faithful to fp32."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embedders import BF16, INT8, make_embedder
from retrieval.embedders import openvino_minilm
from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder

needs_bf16 = pytest.mark.skipif(not openvino_minilm.available(), reason="OpenVINO with a bf16 CPU")

from test_onnx_embedder import QUERIES, SENTENCES as _SIX

SENTENCES = [*_SIX,  # nine texts: a batch of 8+ runs in two halves on two streams
             "Wash your hands with soap and water for at least 20 seconds.",
             "High blood pressure often has no symptoms, so have it checked.",
             "Low-dose aspirin lowers the risk of a second heart attack."]


def test_default_is_bf16_where_the_cpu_has_it_else_int8(monkeypatch):
    monkeypatch.setattr(openvino_minilm, "available", lambda: False)
    e = make_embedder(None, threads=1)
    assert type(e) is OnnxMiniLMEmbedder and e.name.startswith("onnx:")
    assert type(make_embedder(INT8, threads=1)) is OnnxMiniLMEmbedder
    from retrieval.errors import UserError

    with pytest.raises(UserError, match="minilm-int8"):
        make_embedder(BF16)


@needs_bf16
def test_bf16_matches_torch_fp32_and_ranks_the_same():
    from retrieval.embedders.sentence_transformer import SentenceTransformerEmbedder

    ov = make_embedder(None, threads=2)
    assert ov.name == openvino_minilm.NAME and ov.config()["precision"] == "bf16"
    ref = SentenceTransformerEmbedder(None, threads=1)
    a = ov.embed(SENTENCES)  # 9 texts: two halves on two streams
    b = np.asarray(ref.embed(SENTENCES), dtype=np.float32)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert np.sum(a * b, axis=1).min() > 0.999
    one_by_one = np.stack([ov.embed_query(s) for s in SENTENCES])  # one text, one stream
    assert np.sum(a * one_by_one, axis=1).min() > 0.9999
    qa = np.stack([ov.embed_query(q) for q in QUERIES])
    assert list((qa @ a.T).argmax(axis=1)) == [0, 1, 4, 3]


def test_an_int8_home_is_re_embedded_with_bf16_never_mixed(tmp_path):
    """A home embedded with the int8 MiniLM, opened where the default is bf16: chunks kept, vectors redone."""
    from retrieval.config import IndexConfig
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical
    from retrieval_fakes import FakeEmbedder

    minilm = {"model": "all-MiniLM-L6-v2", "max_seq_length": 64}

    class Named(FakeEmbedder):
        def __init__(self, name, **extra):
            super().__init__(name=name)
            self.extra = extra

        def config(self):
            return {**minilm, **self.extra}

    (tmp_path / "a.txt").write_text("Wash your hands with soap and water. Hand hygiene prevents infections.")
    cfg = IndexConfig(home=tmp_path / "home", collection="medline", store="embedded", auto_build=False, auto_fill=False)
    index = LiteratureIndex(cfg, Named("onnx:all-MiniLM-L6-v2-fused-int8"))
    ingest_lexical(index, [tmp_path / "a.txt"])
    index.catalog.mark_embedded([r[0] for r in index.catalog.pending(100)])
    chunks = index.catalog.counts()["chunks"]
    index.close()
    index = LiteratureIndex(cfg, Named(openvino_minilm.NAME, precision="bf16"))
    assert index.upgraded and "fused-int8" in index.upgraded and openvino_minilm.NAME in index.upgraded
    assert index.catalog.counts()["chunks"] == chunks > 0 and index.catalog.counts()["embedded"] == 0
    index.close()


@needs_bf16
def test_bf16_embedder_serves_threads_at_once():
    """Web chat turns and its warm-up share one embedder: concurrent calls neither fail nor mix rows,
    and threads that meet the uncompiled batch model together leave the process locale alone."""
    import locale
    from concurrent.futures import ThreadPoolExecutor

    before = locale.setlocale(locale.LC_ALL)
    ov = make_embedder(None, threads=2)
    alone = [ov.embed_query(q) for q in QUERIES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        queries = list(pool.map(ov.embed_query, QUERIES * 4))
        batches = list(pool.map(lambda _: ov.embed(SENTENCES), range(4)))
    for i, v in enumerate(queries):
        assert float(np.dot(v, alone[i % len(QUERIES)])) > 0.9999
    for b in batches:
        assert np.allclose(b, batches[0], atol=1e-5)
    assert locale.setlocale(locale.LC_ALL) == before
