"""Shared fixtures: every test gets its own MEDBOT_HOME and runs offline."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def medbot_home(tmp_path, monkeypatch):
    """A fresh, empty MEDBOT_HOME; MEDBOT_* settings from the caller's environment are cleared."""
    for key in list(os.environ):
        if key.startswith("MEDBOT_") and not key.startswith("MEDBOT_TEST_"):
            monkeypatch.delenv(key, raising=False)
    # rules-only triage keeps logic tests fast; tests of the classifier ask for it explicitly
    monkeypatch.setenv("MEDBOT_SAFETY__TRIAGE_CLASSIFIER", "rules")
    # the tiny bundled SmolLM2 keeps tests fast; the few tests of the default 1.5B model ask for it
    monkeypatch.setenv("MEDBOT_MODEL", "smollm2")
    # never parse the whole default corpus or start a background embedder from a test
    monkeypatch.setenv("MEDBOT_RETRIEVAL__AUTO_BUILD", "false")
    monkeypatch.setenv("MEDBOT_RETRIEVAL__AUTO_FILL", "false")
    home = tmp_path / "medbot-home"
    monkeypatch.setenv("MEDBOT_HOME", str(home))
    yield home
    stop_index_processes(tmp_path)


def stop_index_processes(root) -> None:
    """Stop every dense fill and vector-store server a test started under `root` (any home in it)."""
    from pathlib import Path

    for lit in Path(root).rglob("literature"):
        if not (lit / "fill.lock").exists() and not (lit / "chroma" / "server.json").exists():
            continue
        from retrieval.chroma_server import stop_server
        from retrieval.dense_fill import stop_fill

        stop_fill(lit.parent)
        stop_server(lit / "chroma")
