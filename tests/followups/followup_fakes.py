"""A clock tests move by hand, and an agent on the scripted LLM with a fixed retriever."""

from __future__ import annotations

import datetime as dt

TZ = dt.timezone(dt.timedelta(hours=1))
START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=TZ)


class FakeClock:
    """Returns `now`; `advance(days=...)` moves it."""

    def __init__(self, now: dt.datetime = START):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def make_agent(replies, clock, store=None):
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.llm.scripted import ScriptedBackend
    from bot.tools import ToolRegistry

    class NoTools(ToolRegistry):
        def __init__(self):
            super().__init__(None, names=[])
            self._tools = {}

    class OneRetriever:
        """A headache passage, always relevant (retrieval is not what these tests check)."""

        def search(self, query, k=5, filters=None, prefer=None):
            from types import SimpleNamespace

            return [SimpleNamespace(id="h1", text="Most tension headaches settle with rest, fluids and simple "
                                    "painkillers within a few days.", score=1.0, similarity=0.9,
                                    source={"kind": "pubmed", "pmid": "1000001", "doc_id": "1000001",
                                            "title": "Tension-type headache", "journal": "BMJ", "year": 2022})]

        def is_relevant(self, passages):
            return True

    llm = ScriptedBackend(list(replies), supports_tools=False)
    return Agent(load_settings(), backend=llm, retriever=OneRetriever(), tools=NoTools(), store=store,
                 clock=clock), llm
