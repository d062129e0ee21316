"""The web chat on the scripted LLM and a fixed retriever over a real catalog: pages load and turns
answer in well under a second, so the browser tests check the page, not the model.

The catalog holds two NIH answers (one passage with a vector of two), one guideline summary (with
its vector) and three articles (none yet); the retriever says its background fill is running.

Usage: python scripted_server.py PORT [AUTH_FILE]
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

# (passage source, passage, the scripted model's summary of it) per topic; "pressure" picks the second
TOPICS = (
    ({"title": "Stroke", "url": "https://www.nlm.nih.gov/medlineplus/stroke.html"},
     "Sudden face drooping, arm weakness and speech difficulty are warning signs of stroke: "
     "call emergency services at once.",
     "Face drooping, arm weakness and speech difficulty are warning signs of stroke: call emergency services at once."),
    ({"title": "High Blood Pressure", "url": "https://www.nlm.nih.gov/medlineplus/highbloodpressure.html"},
     "Losing weight, eating less salt, being physically active and limiting alcohol can lower high blood pressure.",
     "Losing weight, eating less salt, being active and limiting alcohol can lower high blood pressure."),
)


def topic(text: str):
    return TOPICS[1] if "pressure" in text.lower() else TOPICS[0]


def build_catalog(home: Path):
    """A catalog with documents of each source, some of their passages embedded."""
    from retrieval.catalog import Catalog
    from retrieval.types import Chunk, Document

    cat = Catalog(home / "literature" / "test-catalog" / "catalog.sqlite3")
    docs = [("medquad:1", "medquad"), ("medquad:2", "medquad"), ("guideline:1", "guideline"),
            ("pmid:1", "pubmed"), ("pmid:2", "pubmed"), ("pmid:3", "pubmed")]
    cat.apply([(Document(doc_id, kind, f"Title of {doc_id}", version="1"),
                [Chunk(f"{doc_id}#0", doc_id, 0, "text", "", 3)]) for doc_id, kind in docs])
    cat.mark_embedded(["medquad:1#0", "guideline:1#0"])
    return cat


class FixedRetriever:
    """One NIH answer for every question (blood pressure or stroke), always relevant."""

    def __init__(self, catalog):
        self.index = SimpleNamespace(catalog=catalog)

    def search(self, query, k=5, filters=None, prefer=None):
        source, text, _ = topic(query)
        return [SimpleNamespace(id=source["title"], text=text, score=1.0, similarity=0.9,
                                source={"kind": "medquad", "collection": "consumer", "doc_id": f"medquad:{source['title']}",
                                        "note": "NIH, as of 2017", **source})]

    def is_relevant(self, passages):
        return True

    def status(self):
        return {"bm25_docs": 6, "dense_done": 2, "dense_total": 6, "filling": True, "eta_s": 780.0}


def backend():
    """The scripted model, summarising the passage of the question's topic."""
    from bot.llm.scripted import ScriptedBackend

    class TopicBackend(ScriptedBackend):
        def stream(self, messages, tools=None, **gen):
            self.replies = [topic(str(messages[-1].get("content") or ""))[2]]  # the question and its sources
            return super().stream(messages, tools, **gen)

    return TopicBackend(supports_tools=False, name="scripted")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's `bot`
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.safety.auth import load_auth
    from bot.tools import ToolRegistry
    from bot.ui import serve

    port = int(sys.argv[1])
    auth = load_auth(sys.argv[2]) if len(sys.argv) > 2 else None
    settings = load_settings({"safety": {"rate_limit_per_minute": 0, "triage_classifier": "rules"}})
    agent = Agent(settings, backend=backend(),
                  retriever=FixedRetriever(build_catalog(settings.ensure_home())),
                  tools=ToolRegistry(settings, names=[]))
    serve(settings, "127.0.0.1", port, auth=auth, agent=agent)


if __name__ == "__main__":
    main()
