"""`medbot index start|status|stop`: one fill per home, collections in order, stops when done."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MEDBOT_HOME=str(home), MEDBOT_RETRIEVAL__AUTO_BUILD="false",
               MEDBOT_RETRIEVAL__AUTO_FILL="false", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=300)


def test_fill_runs_once_in_order_and_stops_when_done(tmp_path, corpus):
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import fill_order, home_fill_running, read_home_status, status_line
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home = tmp_path / "home"
    for name, files in (("medline", ["pubmed19n0001.xml", "pubmed19n0900.xml"]), ("consumer", ["hygiene.txt"])):
        index = LiteratureIndex(IndexConfig(home=home, collection=name, auto_build=False, auto_fill=False))
        ingest_lexical(index, [corpus / f for f in files])
        index.close()
    assert fill_order(IndexConfig(home=home), None) == ["consumer", "medline"]  # fewest pending tokens first
    st = json.loads(_cli(home, "index", "status", "--json").stdout)
    assert [c["name"] for c in st["collections"]] == ["consumer", "medline"] and not st["filling"]
    assert all(c["done"] == 0 for c in st["collections"])

    r = _cli(home, "index", "start")
    assert r.returncode == 0 and "fill started" in r.stdout
    second = _cli(home, "index", "start")  # one fill per home
    assert second.returncode == 0
    deadline = time.time() + 240
    while home_fill_running(home) and time.time() < deadline:
        time.sleep(0.5)
    assert not home_fill_running(home), "the fill did not stop when done"
    info = read_home_status(home)
    assert info["state"] == "done" and info["order"] == ["consumer", "medline"], info
    st = json.loads(_cli(home, "index", "status", "--json").stdout)
    assert all(c["state"] == "dense" and c["done"] == c["total"] > 0 for c in st["collections"]), st
    assert [s["label"] for s in st["sources"]] == ["MEDLINE abstracts", "your files"]
    assert status_line(home) == "Index: " + " · ".join(f"{s['label']} {s['total']:,}/{s['total']:,}" for s in st["sources"])
    r = _cli(home, "index", "stop", "--server")
    assert r.returncode == 0 and "no fill running" in r.stdout and "store server stopped" in r.stdout
    r = _cli(home, "search", "aspirin myocardial infarction", "--collection", "medline", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["passages"][0]["ranks"].get("dense")
