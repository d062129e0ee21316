"""kill -9 during ingest, run it again: zero duplicate and zero missing chunks."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from retrieval_fakes import FakeEmbedder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _corpus(folder: Path, files: int = 12, per_file: int = 25) -> Path:
    folder.mkdir()
    topics = ["aspirin", "statin", "insulin", "asthma", "vaccine", "sepsis", "stroke", "anemia"]
    for f in range(files):
        with open(folder / f"part{f:02d}.jsonl", "w") as fh:
            for i in range(per_file):
                t = topics[(f + i) % len(topics)]
                text = (f"Record {f}-{i} studies {t} in {i + 10} patients. The {t} group improved by {f + i} points. "
                        f"Follow-up lasted {i % 7 + 1} months and adverse events were recorded.")
                fh.write(json.dumps({"id": f"r{f}-{i}", "text": text, "metadata": {"title": f"{t} study {f}-{i}", "year": 1990 + i}}) + "\n")
    return folder


def _expected_ids(corpus: Path) -> set[str]:
    from retrieval.chunking import chunk_document
    from retrieval.readers import read_documents

    emb = FakeEmbedder()
    ids = set()
    for f in sorted(corpus.iterdir()):
        for d in read_documents(f):
            ids.update(c.id for c in chunk_document(d, emb.count_tokens, emb.max_tokens))
    return ids


def _catalog_state(db: Path) -> tuple[int, int]:
    if not db.exists():
        return 0, 0
    try:
        con = sqlite3.connect(str(db), timeout=5)
        files = con.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        emb = con.execute("SELECT COALESCE(SUM(embedded), 0) FROM chunks").fetchone()[0]
        con.close()
        return files, emb
    except sqlite3.Error:
        return 0, 0


def _run_until(cmd, env, db: Path, ready, timeout: float = 60) -> bool:
    """Start the worker, SIGKILL it as soon as `ready(files, embedded)`; False if it finished first."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            return False
        if ready(*_catalog_state(db)):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("worker did not reach the kill point in time")


def test_kill9_mid_ingest_then_rerun_has_no_duplicates_and_nothing_missing(tmp_path, store_mode):
    corpus = _corpus(tmp_path / "corpus")
    expected = _expected_ids(corpus)
    home = tmp_path / "home"
    collection = f"k{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(HERE / "kill_worker.py"), str(home), collection]
    tail = [store_mode or "-", "--", str(corpus)]
    db = home / "literature" / ("local" if store_mode is None else
                                "server-" + store_mode.split("//")[1].replace(":", "-")) / collection / "catalog.sqlite3"

    # 1: killed while files go into the catalog (some files committed, not all)
    _run_until(cmd + ["0.02"] + tail, env, db, lambda files, emb: files >= 1)
    # 2: killed in the middle of the dense fill
    killed2 = _run_until(cmd + ["0.02"] + tail, env, db, lambda files, emb: emb >= 40)
    assert killed2, "the dense fill should have been interrupted"
    files, emb_at_kill = _catalog_state(db)
    assert files == 12 and 40 <= emb_at_kill < len(expected)
    # 3: run again to the end
    done = subprocess.run(cmd + ["0"] + tail, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "finished" in done.stdout

    from bot.config import load_settings
    from retrieval.index import LiteratureIndex
    from retrieval.lexical import LexicalIndex

    r = {"collection": collection}
    if store_mode:
        r["chroma_url"] = store_mode
    index = LiteratureIndex(load_settings({"retrieval": r}, environ={"MEDBOT_HOME": str(home)}), FakeEmbedder())
    store_ids = list(index.store.iter_ids())
    assert len(store_ids) == len(set(store_ids)) == index.store.count()
    assert set(store_ids) == expected  # nothing missing, nothing extra
    assert index.catalog.all_chunk_ids() == expected
    assert index.catalog.counts()["embedded"] == len(expected)
    lex = LexicalIndex(index.layout.bm25)
    assert sorted(lex.ids) == sorted(expected)
