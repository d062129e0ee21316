"""One owner of the vector store: many searching processes while a fill writes, through the home's server."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval_fakes import FakeEmbedder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TOPICS = ["aspirin", "statin", "insulin", "asthma", "vaccine", "sepsis", "stroke", "anemia"]


def _corpus(path: Path, n: int) -> Path:
    with open(path, "w") as fh:
        for i in range(n):
            t = TOPICS[i % len(TOPICS)]
            fh.write(json.dumps({"id": f"r{i}", "text": f"Record {i} studies {t} in {i % 50 + 10} patients. "
                                 f"The {t} group improved by {i % 13} points; follow-up lasted {i % 7 + 1} months.",
                                 "metadata": {"title": f"{t} study {i}", "year": 1990 + i % 30}}) + "\n")
    return path


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _embedded(config) -> int:
    from retrieval.catalog import Catalog
    from retrieval.index import layout_for

    cat = Catalog(layout_for(config).catalog)
    try:
        return cat.embedded_total()[0]
    finally:
        cat.close()


def test_six_processes_search_while_a_fill_writes(tmp_path):
    from retrieval.chroma_server import server_info
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import fill_dense, home_fill_running, stop_fill
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home = tmp_path / "home"
    config = IndexConfig(home=home, collection="lit", auto_build=False, auto_fill=False)
    index = LiteratureIndex(config, FakeEmbedder())
    ingest_lexical(index, [_corpus(tmp_path / "c.jsonl", 600)])
    assert fill_dense(index, batch_size=8, max_chunks=64).done == 64  # searches have vectors from the start
    index.close()
    assert server_info(home / "literature" / "chroma") is not None  # the store is served, not embedded
    fill = subprocess.Popen([sys.executable, str(HERE / "store_workers.py"), "fill", str(home), "lit", "0.15"],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while _embedded(config) <= 64 and time.time() < deadline and fill.poll() is None:
            time.sleep(0.2)
        before = _embedded(config)
        assert before > 64, fill.stderr.read() if fill.poll() is not None else "fill wrote nothing"
        searchers = [subprocess.Popen([sys.executable, str(HERE / "store_workers.py"), "search", str(home), "lit", "50"],
                                      env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(6)]
        outs = [p.communicate(timeout=600) for p in searchers]
        deadline = time.time() + 60  # on a busy machine six searchers can finish between two of the fill's batches
        while _embedded(config) <= before and time.time() < deadline and fill.poll() is None:
            time.sleep(0.2)
        after = _embedded(config)
        assert home_fill_running(home) and fill.poll() is None  # the fill wrote during all of it
    finally:
        stop_fill(home)
        fill.wait(timeout=60)
    for p, (out, err) in zip(searchers, outs):
        assert p.returncode == 0, err[-2000:]
        ok, n, empty, dense = out.split()
        assert (ok, n, empty) == ("ok", "50", "0") and int(dense) > 0, out
    assert after > before
    # stopped midway, resumed: every chunk exactly once
    index = LiteratureIndex(config, FakeEmbedder())
    st = fill_dense(index, batch_size=64)
    assert st.state == "done" and index.store.count() == index.catalog.counts()["chunks"] == 600
    index.close()


def test_embedded_mode_refuses_a_folder_the_server_owns(tmp_path):
    from retrieval.config import IndexConfig
    from retrieval.errors import UserError
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home = tmp_path / "home"
    served = LiteratureIndex(IndexConfig(home=home, collection="lit"), FakeEmbedder())
    ingest_lexical(served, [_corpus(tmp_path / "c.jsonl", 10)])
    assert served.store.count() == 0  # starts the home's server
    embedded = LiteratureIndex(IndexConfig(home=home, collection="lit", store="embedded"), FakeEmbedder())
    with pytest.raises(UserError, match="in use by another process"):
        embedded.store.count()


def test_answering_pauses_the_fill(tmp_path):
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import answering, answering_now, fill_dense
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home = tmp_path / "home"
    index = LiteratureIndex(IndexConfig(home=home, collection="lit", store="embedded"), FakeEmbedder())
    ingest_lexical(index, [_corpus(tmp_path / "c.jsonl", 40)])
    calls = []
    with answering(home):
        assert answering_now(home)
        # the fill may not encode while the block is open: it only polls should_stop
        st = fill_dense(index, batch_size=8, should_stop=lambda: calls.append(1) or len(calls) > 20)
        assert st.state == "stopped" and st.done == 0 and index.embedder.calls == 0
    assert not answering_now(home)
    assert fill_dense(index, batch_size=8).state == "done"
    index.close()


def test_a_stopped_server_is_restarted_on_next_use(tmp_path):
    from retrieval.chroma_server import server_info, stop_server
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import fill_dense
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical
    from retrieval.retriever import HybridRetriever

    home = tmp_path / "home"
    index = LiteratureIndex(IndexConfig(home=home, collection="lit"), FakeEmbedder())
    ingest_lexical(index, [_corpus(tmp_path / "c.jsonl", 30)])
    assert fill_dense(index, batch_size=8).state == "done"
    folder = home / "literature" / "chroma"
    first = server_info(folder)["url"]
    assert stop_server(folder) and server_info(folder) is None  # idle timeout, crash, `medbot index stop --server`
    ps = HybridRetriever(index).search("aspirin patients", k=3)
    assert ps and ps[0].ranks.get("dense")
    assert server_info(folder) is not None and index.store.count() == 30
    assert first  # a new server (new port) took over the same folder
    index.close()


def test_a_copied_homes_server_json_does_not_point_it_at_the_originals_store(tmp_path):
    import json
    import os

    from retrieval.chroma_server import server_info

    original, copy = tmp_path / "a" / "chroma", tmp_path / "b" / "chroma"
    for folder in (original, copy):
        folder.mkdir(parents=True)
    info = {"pid": os.getpid(), "url": "http://127.0.0.1:1", "folder": str(original.resolve())}
    for folder in (original, copy):  # `cp -a` of a home with a running server copies server.json too
        (folder / "server.json").write_text(json.dumps(info))
    assert server_info(original)["url"] == "http://127.0.0.1:1"
    assert server_info(copy) is None
    legacy = {k: v for k, v in info.items() if k != "folder"}  # written before servers recorded their folder
    (copy / "server.json").write_text(json.dumps(legacy))
    assert server_info(copy) is not None
