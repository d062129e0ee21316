"""A home of the previous release is upgraded in place; bad stores get one-line errors naming the repair."""

import errno
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from retrieval_fakes import FakeEmbedder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = HERE / "fixtures"


def _previous_release_home(home: Path) -> None:
    """A home the previous release built (its own code, `medbot` at the commit before this store design):
    collection 'medline' from pubmed19n0001.xml + hygiene.txt, torch MiniLM vectors, embedded Chroma folder."""
    home.mkdir(parents=True)
    with tarfile.open(FIXTURES / "previous_release_home.tar.gz") as tar:
        tar.extractall(home, filter="data")


def test_previous_release_home_is_upgraded_in_place(tmp_path):
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import fill_home
    from retrieval.index import LiteratureIndex
    from retrieval.retriever import HybridRetriever

    home = tmp_path / "home"
    _previous_release_home(home)
    convs = home / "conversations"
    convs.mkdir()
    (convs / "c1.json").write_text('{"messages": ["keep me"]}')
    digest = hashlib.sha256((convs / "c1.json").read_bytes()).hexdigest()

    cfg = IndexConfig(home=home, collection="medline", auto_build=False, auto_fill=False)  # the new defaults
    index = LiteratureIndex(cfg)
    chunks = index.catalog.counts()["chunks"]
    assert index.upgraded and "was embedded with sentence-transformers:" in index.upgraded
    assert chunks == 9 and index.catalog.counts()["embedded"] == 0  # chunks kept, vectors to redo
    assert index.store.count() == 0  # the old folder opens in the server; torch vectors dropped, never mixed
    index.close()
    assert fill_home(cfg, ["medline"])["state"] == "done"
    index = LiteratureIndex(cfg)
    assert index.upgraded is None and index.store.count() == chunks
    hit = HybridRetriever(index).search("aspirin myocardial infarction", k=3)[0]
    assert hit.ranks.get("dense") and hit.similarity > 0.3 and hit.source["pmid"] == "1001"
    index.close()
    assert hashlib.sha256((convs / "c1.json").read_bytes()).hexdigest() == digest


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MEDBOT_HOME=str(home), MEDBOT_RETRIEVAL__AUTO_BUILD="false",
               MEDBOT_RETRIEVAL__AUTO_FILL="false", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=300)


def test_other_embedder_is_refused_with_the_repair_command(tmp_path, corpus):
    from retrieval.config import IndexConfig
    from retrieval.errors import UserError
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home = tmp_path / "home"
    index = LiteratureIndex(IndexConfig(home=home, collection="medline", store="embedded"), FakeEmbedder())
    ingest_lexical(index, [corpus / "hygiene.txt"])
    index.close()
    with pytest.raises(UserError, match=r"medbot index rebuild"):
        LiteratureIndex(IndexConfig(home=home, collection="medline"))
    r = _cli(home, "search", "hand washing")
    assert r.returncode == 2 and "medbot index rebuild" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    # the repair: rebuild re-targets the catalog to the configured embedder, keeping the chunks
    r = _cli(home, "index", "rebuild", "--no-start")
    assert r.returncode == 0, r.stderr
    index = LiteratureIndex(IndexConfig(home=home, collection="medline"))
    assert index.catalog.counts()["chunks"] > 0 and index.catalog.counts()["embedded"] == 0
    index.close()


def test_corrupt_store_gets_a_one_line_error(tmp_path, corpus):
    from retrieval.config import IndexConfig
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    home = tmp_path / "home"
    index = LiteratureIndex(IndexConfig(home=home, collection="medline", store="embedded"), FakeEmbedder())
    ingest_lexical(index, [corpus / "hygiene.txt"])
    index.close()
    folder = home / "literature" / "chroma"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    r = _cli(home, "index", "status", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["collections"][0]["name"] == "medline"
    from retrieval.errors import RetrievalError

    with pytest.raises(RetrievalError, match=r"medbot index (rebuild|status)"):
        LiteratureIndex(IndexConfig(home=home, collection="medline"), FakeEmbedder()).store.count()


def test_stopped_server_and_full_disk_messages():
    from retrieval.errors import UserError
    from retrieval.store import _guard, make_client

    with pytest.raises(UserError, match="cannot reach the Chroma server"):
        make_client(url="http://127.0.0.1:9")

    def full():
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(UserError, match=r"disk .* is full.*medbot index status"):
        _guard(full, "write")

    def gone():
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(UserError, match=r"stopped answering.*medbot index status"):
        _guard(gone, "query")
