"""One-question summaries of long messages, with a scripted model."""

from __future__ import annotations

from retrieval.rerank_summary import EXAMPLES, SYSTEM, clean_summary, summarise_question, summary_messages

LONG = ("Hello, my 24 year old son was recently diagnosed with spg11 after over 15 years of trying to figure out "
        "what was wrong. Is there anything that can slow it down? We are desperate for any treatment.")


def test_short_messages_are_searched_as_written():
    calls = []
    assert summarise_question("  fever in toddler  when to worry ", lambda m: calls.append(m) or "x") == \
        "fever in toddler when to worry"
    assert calls == []


def test_long_message_becomes_the_models_question():
    seen = []

    def model(messages):
        seen.append(messages)
        return "Question: How is spg11 treated?\nIt is a form of spastic paraplegia."

    assert summarise_question(LONG, model) == "How is spg11 treated?"
    msgs = seen[0]
    assert msgs[0] == {"role": "system", "content": SYSTEM} and msgs[-1] == {"role": "user", "content": LONG}
    assert len(msgs) == 2 + 2 * len(EXAMPLES) and msgs == summary_messages(LONG)


def test_unusable_replies_fall_back_to_the_message():
    assert summarise_question(LONG, lambda m: "") == LONG
    assert summarise_question(LONG, lambda m: "What a fascinating topic!") == LONG  # names nothing the user said
    assert summarise_question(LONG, lambda m: " ".join(["treatment"] * 30)) == LONG  # not short
    assert clean_summary('"What slows spg11 down?"', LONG) == "What slows spg11 down?"
