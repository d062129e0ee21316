"""What the web chat's panels ask of ChatApp, without a browser: conversations per user, the
report panel's rule, and the knowledge sources in words."""

import datetime as dt

import pytest

from bot.agent import Agent
from bot.config import load_settings
from bot.errors import UserError
from bot.llm.scripted import ScriptedBackend
from bot.safety.audit import read
from bot.tools import ToolRegistry
from bot.ui import ChatApp
from bot.ui.index_words import ProgressCounter, index_words, retriever_words, source_line, source_progress
from bot.ui.render import conversation_choices, sources_md, when


def make_app():
    s = load_settings({"safety": {"rate_limit_per_minute": 0, "triage_classifier": "rules"}})
    agent = Agent(s, backend=ScriptedBackend(supports_tools=False), retriever=False, tools=ToolRegistry(s, names=[]))
    return ChatApp(s, agent)


def test_conversations_rename_and_delete_per_user():
    app = make_app()
    store = app.agent.store
    mine = store.create(user="alice")
    store.append(mine, "user", "Is my blood pressure high?")
    theirs = store.create(user="bob")
    store.append(theirs, "user", "Bob's question")
    assert [r["id"] for r in app.conversations("alice")] == [mine]
    assert app.rename("alice", mine, "Blood pressure") == "Blood pressure"
    assert app.conversations("alice")[0]["title"] == "Blood pressure"
    with pytest.raises(UserError):
        app.rename("alice", theirs, "taken")
    with pytest.raises(UserError):
        app.delete("alice", theirs)
    with pytest.raises(UserError, match="Choose a conversation"):
        app.rename("alice", None, "x")
    app.delete("alice", mine)
    assert app.conversations("alice") == [] and app.conversations("bob")[0]["title"] == "Bob's question"
    assert any(r.get("event") == "delete" and r.get("conversation_id") == mine and r.get("user") == "alice"
               for r in read(app.settings.home))


def test_report_panel_shows_for_clinicians_or_once_there_is_something_to_report():
    app = make_app()
    store = app.agent.store
    question = store.create(user="alice")
    store.append(question, "user", "What is a stroke?")
    store.append(question, "assistant", "An interruption of blood flow to the brain.", {"tool_calls": []})
    upload = store.create(user="alice")
    store.append(upload, "user", "(uploaded files)", {"uploads": ["/tmp/notes.txt"]})
    failed = store.create(user="alice")
    store.append(failed, "assistant", "x", {"tool_calls": [{"name": "segment_image", "error": "bad file"}]})
    tool = store.create(user="alice")
    store.append(tool, "assistant", "x", {"tool_calls": [{"name": "summarize_case", "summary": "3 problems"}]})
    assert app.report_visible("alice", "clinician", None)
    assert not app.report_visible("alice", "patient", None)
    assert not app.report_visible("alice", "patient", question)
    assert not app.report_visible("alice", "patient", failed)
    assert app.report_visible("alice", "patient", upload) and app.report_visible("alice", "patient", tool)
    assert not app.report_visible("bob", "patient", tool)  # not bob's conversation


def test_index_words_per_source():
    progress = {"consumer": {"documents": 16407, "chunks": 1000, "embedded": 400},
                "guideline": {"documents": 120, "chunks": 300, "embedded": 300},
                "literature": {"documents": 0, "chunks": 0, "embedded": 0}}
    text = index_words(progress, keyword_ready=True, filling=True, eta_s=780)
    assert "- NIH answers (16,407): searchable, meaning search 40% ready" in text
    assert "- Guideline summaries (120): searchable, meaning search ready" in text
    assert "Medical literature" not in text  # not installed: not listed
    assert "about 13 min left" in text
    assert "paused" not in text and "waits while an answer" in index_words(progress, True, filling=True, paused=True)
    assert "not being built now" in index_words(progress, True, filling=False)
    done = {"consumer": {"documents": 2, "chunks": 4, "embedded": 4}}
    assert index_words(done, True) == "### Knowledge sources\n- NIH answers (2): searchable, meaning search ready"
    assert source_line("NIH answers", 5, 1000, 999, True).endswith("meaning search 99% ready")  # never rounds up to done
    assert "not searchable yet" in source_line("NIH answers", 5, 10, 0, False)
    assert "No sources are installed" in index_words({}, True)
    assert "Not available" in retriever_words(None)


def test_source_progress_reads_a_catalog(tmp_path):
    from retrieval.catalog import Catalog
    from retrieval.types import Chunk, Document

    cat = Catalog(tmp_path / "catalog.sqlite3")
    docs = [("medquad:1", "medquad", 2), ("guideline:1", "guideline", 1), ("pmid:1", "pubmed", 1), ("file:1", "file", 1)]
    cat.apply([(Document(d, kind, d, version="1"), [Chunk(f"{d}#{i}", d, i, "t", "", 1) for i in range(n)])
               for d, kind, n in docs])
    cat.apply([(Document("pmid:2", "pubmed", "gone", version="2", deleted=True), [])])
    cat.mark_embedded(["medquad:1#0", "pmid:1#0"])
    assert source_progress(cat) == {"consumer": {"documents": 1, "chunks": 2, "embedded": 1},
                                    "guideline": {"documents": 1, "chunks": 1, "embedded": 0},
                                    "literature": {"documents": 2, "chunks": 2, "embedded": 1}}


def test_progress_is_counted_again_when_the_catalog_changes(tmp_path):
    from retrieval.catalog import Catalog
    from retrieval.types import Chunk, Document

    cat = Catalog(tmp_path / "catalog.sqlite3")
    cat.apply([(Document("medquad:1", "medquad", "a", version="1"), [Chunk("c1", "medquad:1", 0, "t", "", 1),
                                                                     Chunk("c2", "medquad:1", 1, "t", "", 1)])])
    now = [0.0]
    count = ProgressCounter(interval_s=60, clock=lambda: now[0])
    assert count(cat)["consumer"] == {"documents": 1, "chunks": 2, "embedded": 0}
    cat.mark_embedded(["c1"])
    now[0] = 30.0
    assert count(cat)["consumer"]["embedded"] == 0  # a fill moves on: counted again once a minute
    now[0] = 61.0
    assert count(cat)["consumer"]["embedded"] == 1
    cat.apply([(Document("guideline:1", "guideline", "g", version="1"), [Chunk("g1", "guideline:1", 0, "t", "", 1)])])
    assert count(cat)["guideline"]["documents"] == 1  # an ingest: counted again at once


def test_sources_are_numbered_in_citation_order_and_conversations_labelled():
    md = sources_md([{"id": "PMID:1", "title": "Aspirin after MI", "url": "https://x/1", "journal": "Lancet", "year": 1988},
                     {"id": "DOC:m1", "title": "Stroke", "note": "NIH, as of 2017"}])
    assert md.splitlines()[1:] == ["1. [Aspirin after MI](https://x/1) — Lancet, 1988", "2. Stroke (NIH, as of 2017)"]
    now = dt.datetime(2026, 3, 2, 18, 0)
    today = dt.datetime(2026, 3, 2, 9, 5).timestamp()
    assert when(today, now) == "09:05"
    assert when(dt.datetime(2026, 1, 7, 9, 5).timestamp(), now) == "7 Jan"
    assert when(dt.datetime(2024, 1, 7, 9, 5).timestamp(), now) == "7 Jan 2024"
    rows = [{"id": "a", "title": "Headache", "updated": today}, {"id": "b", "title": "", "updated": today}]
    assert conversation_choices(rows, now) == [("Headache · 09:05", "a"), ("Untitled conversation · 09:05", "b")]
