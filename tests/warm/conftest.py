"""Fixtures of the warm-medbot tests: a short private socket folder, a scripted model, a server."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def runtime_dir(monkeypatch):
    """Sockets go to a fresh short folder (socket paths are limited to ~107 bytes)."""
    d = Path(tempfile.mkdtemp(prefix="mbw"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(d))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def scripted(monkeypatch):
    """Every backend is the scripted fake; no index (the agent answers that it has no sources)."""
    import bot.llm
    import retrieval
    from bot.llm.scripted import ScriptedBackend
    from retrieval.errors import UserError as RetrievalUserError

    def no_index(settings, *args, **kwargs):
        raise RetrievalUserError("no index")

    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: ScriptedBackend(["Rest and fluids help most headaches."]))
    monkeypatch.setattr(retrieval, "get_retriever", no_index)


class SpyAgent:
    """An Agent that counts the turns it runs (the server uses only `turn` and `warm_up`)."""

    def __init__(self, agent):
        self.agent = agent
        self.turns = 0

    def turn(self, *args, **kwargs):
        self.turns += 1
        return self.agent.turn(*args, **kwargs)

    def warm_up(self):
        self.agent.warm_up()


@pytest.fixture
def warm(medbot_home):
    """A warm medbot (in a thread of this process) for the test's home, stopped afterwards."""
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.warm.server import WarmServer

    settings = load_settings()
    spy = SpyAgent(Agent(settings))
    server = WarmServer(settings, spy, on_stop=lambda: server.close())
    server.start()
    server.spy = spy
    yield server
    server.close()
