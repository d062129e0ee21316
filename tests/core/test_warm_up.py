"""The web chat warms the agent up at start: the first question does not wait for loading."""

import threading

from bot.agent import Agent
from bot.config import load_settings
from bot.llm.scripted import ScriptedBackend


class CountingRetriever:
    def __init__(self):
        self.searches = 0

    def search(self, query, k=5, **kw):
        self.searches += 1
        return []


def test_warm_up_loads_the_backend_and_index_once_even_when_a_turn_starts_meanwhile(tmp_path, monkeypatch):
    import bot.llm

    loads = []

    def slow_load(settings):
        loads.append(threading.current_thread().name)
        threading.Event().wait(0.3)
        return ScriptedBackend(["ok"])

    monkeypatch.setattr(bot.llm, "load_backend", slow_load)
    retr = CountingRetriever()
    agent = Agent(load_settings({"home": str(tmp_path)}), retriever=retr)
    t = threading.Thread(target=agent.warm_up, name="warm-up")
    t.start()
    threading.Event().wait(0.05)
    backend = agent.backend  # a turn arriving during the warm-up waits for the same load
    t.join()
    assert loads == ["warm-up"] and agent.backend is backend
    assert retr.searches == 1
