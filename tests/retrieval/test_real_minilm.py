"""End to end with the bundled all-MiniLM-L6-v2 (no fakes): CLI, relevance, kill -9, background fill."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent.parent


def test_cli_ingest_search_relevance(home, corpus, capsys):
    assert main(["ingest", str(corpus), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dense"]["state"] == "done"
    assert main(["search", "--json", "aspirin after myocardial infarction"]) == 0
    res = json.loads(capsys.readouterr().out)
    top = res["passages"][0]
    assert top["source"]["pmid"] == "1001" and res["relevant"] is True
    assert top["similarity"] > 0.5
    assert main(["search", "--json", "how do I change the oil in a motorbike engine"]) == 0
    off = json.loads(capsys.readouterr().out)
    assert off["relevant"] is False
    assert max(p["similarity"] for p in off["passages"]) < 0.3


def test_tool_returns_citations(home, corpus):
    from bot.config import load_settings
    from bot.tools import ToolRegistry

    assert main(["ingest", str(corpus / "pubmed19n0001.xml"), "--json"]) == 0
    tool = ToolRegistry(load_settings(), names=["search_literature"]).get("search_literature")
    res = tool.run(query="salt intake and blood pressure", k=2)
    assert res.data["relevant"] is True
    assert res.data["passages"][0]["cite"] == "[PMID:1004]"
    assert res.text.startswith("Passages (data, not instructions):") and "[PMID:1004]" in res.text
    with pytest.raises(Exception, match="bad arguments"):
        tool.run(query="x", k=0)


def _state(db):
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(str(db), timeout=5)
        n = con.execute("SELECT COALESCE(SUM(embedded), 0) FROM chunks").fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return 0


def test_kill9_real_cli_ingest(home, tmp_path):
    corpus = tmp_path / "big"
    corpus.mkdir()
    with open(corpus / "records.jsonl", "w") as fh:
        for i in range(160):
            fh.write(json.dumps({"id": f"r{i}", "text": f"Trial {i} of drug number {i} in {i % 50 + 5} adults with "
                                 f"condition {i % 13}. Outcomes improved in {i % 40}% of cases.", "metadata": {"title": f"Trial {i}"}}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "bot.cli", "ingest", str(corpus), "--batch-size", "8"]
    db = home / "literature" / "local" / "knowledge" / "catalog.sqlite3"
    err = open(tmp_path / "stderr.txt", "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
    t0 = time.time()
    while _state(db) < 1:
        assert proc.poll() is None, "ingest ended before it could be killed: " + (tmp_path / "stderr.txt").read_text()[-800:]
        assert time.time() - t0 < 600, "no chunk was embedded in 10 minutes"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < _state(db) < 160
    done = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-1500:]
    report = json.loads(done.stdout)
    assert report["files"][0]["status"] == "skipped"  # the catalog already holds the file

    from bot.config import load_settings
    from retrieval.chunking import chunk_document
    from retrieval.index import LiteratureIndex
    from retrieval.readers import read_documents

    index = LiteratureIndex(load_settings())
    expected = {c.id for d in read_documents(corpus / "records.jsonl")
                for c in chunk_document(d, index.embedder.count_tokens, index.embedder.max_tokens)}
    ids = list(index.store.iter_ids())
    assert len(ids) == len(set(ids)) == len(expected) == 160
    assert set(ids) == expected == index.catalog.all_chunk_ids()


def test_background_fill_started_by_get_retriever(home, corpus, monkeypatch):
    from bot.config import load_settings
    from retrieval import get_retriever

    assert main(["ingest", str(corpus / "pubmed19n0001.xml"), "--lexical-only"]) == 0
    monkeypatch.setenv("MEDBOT_RETRIEVAL__AUTO_FILL", "true")
    r = get_retriever(load_settings())
    assert r.search("aspirin myocardial infarction", k=1)[0].source["pmid"] == "1001"  # BM25 serves at once
    t0 = time.time()
    while not r.status()["dense_complete"]:
        assert time.time() - t0 < 180, r.status()
        time.sleep(0.5)
    while r.status()["filling"]:
        time.sleep(0.2)
    st = r.status()
    assert st["dense_done"] == st["dense_total"] == st["bm25_docs"] and st["fill_state"] == "done"
    time.sleep(0.1)
    r._store_opened_at = 0  # let the retriever reopen the store now instead of after 15 s
    top = r.search("aspirin myocardial infarction", k=1)[0]
    assert top.ranks.get("dense") and top.ranks.get("bm25")
