"""What triage recognised is searched with the question: the page about the condition comes up."""

from bot.agent import Agent
from bot.config import load_settings
from bot.llm.scripted import ScriptedBackend
from bot.tools import ToolRegistry
from safety_fakes import Doc, StaticRetriever


class Recording(StaticRetriever):
    def __init__(self, passages):
        super().__init__(passages)
        self.queries = []

    def search(self, query, k=5, filters=None, prefer=None):
        self.queries.append(query)
        return super().search(query, k, filters, prefer)


def _agent():
    s = load_settings({"safety": {"triage_classifier": "rules"}})
    docs = [Doc("a1", "Anaphylaxis is a severe allergic reaction. Call 911 if your lips or throat swell.",
                source={"kind": "file", "doc_id": "a1", "title": "Anaphylaxis"})]
    r = Recording(docs)
    return Agent(s, backend=ScriptedBackend(["Anaphylaxis is a severe allergic reaction [1]."] * 3, supports_tools=False),
                 retriever=r, tools=ToolRegistry(None, names=[])), r


def test_an_emergency_the_rules_name_is_searched_with_the_question():
    agent, r = _agent()
    agent.ask("got stung by a bee and my lips are swelling")
    assert r.queries[-1] == "got stung by a bee and my lips are swelling (anaphylaxis)"


def test_a_question_about_a_condition_is_searched_as_asked():
    agent, r = _agent()
    agent.ask("What are the warning signs of a stroke?")
    assert r.queries[-1] == "What are the warning signs of a stroke?"
