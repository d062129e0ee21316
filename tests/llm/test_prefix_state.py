"""The saved KV state of a chat's fixed opening, with the real bundled SmolLM2 through llama.cpp."""

from __future__ import annotations

import pytest

from bot.answers.read import read_sources
from bot.answers.respond import answer_messages
from bot.llm.llamacpp import LlamaCppBackend
from bot.prompts import answer_prompt


class Passage:
    def __init__(self, text, doc_id):
        self.text, self.source = text, {"doc_id": doc_id, "title": "Stroke", "collection": "consumer"}


SOURCES = read_sources([Passage("Sudden numbness or weakness of the face, arm, or leg is a warning sign of stroke.", "a"),
                        Passage("Call 911 right away if you think someone is having a stroke.", "b")])


def _messages(role="patient", question="What are the warning signs of a stroke?"):
    return answer_messages(answer_prompt(role), question, SOURCES)


def _answer(backend, messages):
    return "".join(c.text for c in backend.stream(messages, max_tokens=24, temperature=0))


@pytest.fixture(scope="module")
def plain_answers(gguf_path):
    plain = LlamaCppBackend(gguf_path, n_ctx=1024, threads=2)
    assert plain.prefix_state is None
    return {role: _answer(plain, _messages(role)) for role in ("patient", "clinician")}


def test_a_fresh_process_loads_the_saved_opening_and_answers_the_same(gguf_path, tmp_path, plain_answers):
    first = LlamaCppBackend(gguf_path, n_ctx=1024, threads=2, state_dir=tmp_path)
    assert _answer(first, _messages()) == plain_answers["patient"]
    assert first.prefix_state.last == "saved"
    files = list(tmp_path.glob("*.kv"))
    assert len(files) == 1 and files[0].stat().st_size > 100_000

    second = LlamaCppBackend(gguf_path, n_ctx=1024, threads=2, state_dir=tmp_path)
    assert _answer(second, _messages()) == plain_answers["patient"]
    assert second.prefix_state.last == "loaded"
    # the other role's opening is evaluated and saved beside it; switching back loads the first
    assert _answer(second, _messages("clinician")) == plain_answers["clinician"]
    assert second.prefix_state.last == "saved" and len(list(tmp_path.glob("*.kv"))) == 2
    assert _answer(second, _messages()) == plain_answers["patient"]
    assert second.prefix_state.last == "loaded"
    # the same opening already in the KV cache: nothing to load
    assert _answer(second, _messages(question="How is a stroke treated?"))
    assert second.prefix_state.last is None


def test_a_damaged_state_file_is_replaced_never_trusted(gguf_path, tmp_path, plain_answers):
    LlamaCppBackend(gguf_path, n_ctx=1024, threads=2, state_dir=tmp_path).prime(_messages())
    (path,) = tmp_path.glob("*.kv")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    backend = LlamaCppBackend(gguf_path, n_ctx=1024, threads=2, state_dir=tmp_path)
    assert _answer(backend, _messages()) == plain_answers["patient"]
    assert backend.prefix_state.last == "saved" and path.stat().st_size > 100_000


def test_chats_with_history_or_another_model_get_no_shared_file(gguf_path, tmp_path):
    backend = LlamaCppBackend(gguf_path, n_ctx=1024, threads=2, state_dir=tmp_path)
    history = [{"role": "system", "content": answer_prompt("patient")},
               {"role": "user", "content": "What is a stroke?"}, {"role": "assistant", "content": "A brain attack."},
               {"role": "user", "content": "What are its signs?"}]
    assert backend.prefix_state.prepare(history) == 0 and not list(tmp_path.glob("*.kv"))
    backend.prime(_messages())
    other = LlamaCppBackend(gguf_path, n_ctx=2048, threads=2, state_dir=tmp_path)  # another context size
    other.prime(_messages())
    assert other.prefix_state.last == "saved" and len(list(tmp_path.glob("*.kv"))) == 2
