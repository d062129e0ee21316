"""Fixtures of the retrieval tests: settings on a temporary home, a fake embedder, both store modes."""

from __future__ import annotations

import os
import shutil
import uuid
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from retrieval_fakes import FakeEmbedder  # noqa: E402


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A copy of the fixture corpus (tests may add bad files to it)."""
    dst = tmp_path / "corpus"
    shutil.copytree(DATA, dst)
    return dst


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("MEDBOT_HOME", str(h))
    monkeypatch.setenv("MEDBOT_RETRIEVAL__AUTO_BUILD", "false")
    monkeypatch.setenv("MEDBOT_RETRIEVAL__AUTO_FILL", "false")
    for key in ("MEDBOT_RETRIEVAL__CHROMA_URL", "MEDBOT_RETRIEVAL__EMBEDDER", "MEDBOT_RETRIEVAL__COLLECTION"):
        monkeypatch.delenv(key, raising=False)
    return h


def _server_url() -> str | None:
    return os.environ.get("MEDBOT_TEST_CHROMA_URL") or None


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store_mode(request) -> str | None:
    """None for the embedded PersistentClient, or the test server's URL."""
    if request.param == "server":
        url = _server_url()
        if not url:
            pytest.skip("MEDBOT_TEST_CHROMA_URL is not set (no Chroma server)")
        return url
    return None


@pytest.fixture
def make_settings(home, request):
    """Settings factory: unique collection per test so the shared server stays clean."""
    from bot.config import load_settings

    def make(chroma_url: str | None = None, **retrieval):
        name = f"t{uuid.uuid4().hex[:12]}"
        r = {"collection": name, **retrieval}
        if chroma_url:
            r["chroma_url"] = chroma_url
        else:
            r.setdefault("store", "embedded")  # in-process; the home's server is tested in test_one_owner.py
        return load_settings({"retrieval": r})

    return make


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()
