"""Choice scoring: letter parsing, log-likelihood choice, transformers log-probabilities."""

from __future__ import annotations

import math

import pytest

from bot.errors import UserError
from bot.evals.scorers import (LetterScorer, LoglikelihoodScorer, common_prefix, parse_letter, scorer_for,
                               transformers_loglikelihoods)
from bot.llm.scripted import ScriptedBackend


@pytest.mark.parametrize("reply, letter", [
    ("C", "C"), ("C.", "C"), (" (B) Because it is", "B"), ("**D**", "D"), ("b", "B"),
    ("The answer is A.", "A"), ("Answer: (D)", "D"), ("I think the correct option is C because", "C"),
    ("Among these, B fits best", "B"), ("A or B", None), ("I do not know", None), ("", None),
    ("E", None), ("Answer: E", None), ("All of these", None), ("A. Because B is wrong", "A"),
])
def test_parse_letter(reply, letter):
    assert parse_letter(reply) == letter


def test_loglikelihood_scorer_picks_the_most_likely_letter_first_on_ties():
    seen = []

    def ll(prompt, conts):
        seen.append((prompt, list(conts)))
        return {"p1": [-3.0, -1.0, -2.0, -5.0], "p2": [-1.0, -4.0, -1.0, -1.0]}[prompt]

    scorer = LoglikelihoodScorer(ll)
    pred = scorer.choose("p1", "ABCD")
    assert pred.letter == "B" and pred.scores == {"A": -3.0, "B": -1.0, "C": -2.0, "D": -5.0}
    assert scorer.choose("p2", "ABCD").letter == "A"
    assert seen[0] == ("p1", [" A", " B", " C", " D"])


def test_loglikelihood_scorer_rejects_a_short_answer():
    with pytest.raises(ValueError):
        LoglikelihoodScorer(lambda p, c: [0.0]).choose("p", "ABCD")


def test_letter_scorer_sends_system_and_question_and_parses_reply():
    backend = ScriptedBackend(["The answer is C.", "no idea"])
    scorer = LetterScorer(backend, "Reply with a letter.")
    pred = scorer.choose("Q?\nA. x\nB. y\nC. z\nD. w\nAnswer:", "ABCD")
    assert pred.letter == "C" and pred.reply.strip() == "The answer is C."
    assert backend.calls[0]["messages"][0] == {"role": "system", "content": "Reply with a letter."}
    assert backend.calls[0]["messages"][1]["content"].endswith("Answer:")
    assert backend.calls[0]["gen"]["temperature"] == 0.0
    assert scorer.choose("Q2", "ABCD").letter is None


class _CharTokenizer:
    """Characters -> ids, with a BOS id 0."""

    vocab = {c: i + 1 for i, c in enumerate(" ABCDxyz:")}

    def __call__(self, text):
        return {"input_ids": [0] + [self.vocab[c] for c in text]}


class _Bigram:
    """A causal LM whose next-token logits depend only on the current token."""

    def __init__(self, n=10):
        import torch

        g = torch.Generator().manual_seed(0)
        self.table = torch.randn(n, n, generator=g)
        self.device = torch.device("cpu")
        self.calls = 0

    def __call__(self, ids):
        self.calls += 1

        class Out:
            pass

        out = Out()
        out.logits = self.table[ids]
        return out


def _expected(model, tok, prompt, cont):
    import torch

    ids = tok(prompt + cont)["input_ids"]
    n = len(tok(prompt)["input_ids"])
    lp = torch.log_softmax(model.table, dim=-1)
    return sum(float(lp[ids[i - 1], ids[i]]) for i in range(n, len(ids)))


def test_transformers_loglikelihoods_match_a_hand_computed_bigram():
    model, tok = _Bigram(), _CharTokenizer()
    conts = [" A", " B", "xyz"]
    got = transformers_loglikelihoods(model, tok, "x:", conts)
    for value, cont in zip(got, conts):
        assert value == pytest.approx(_expected(model, tok, "x:", cont), abs=1e-5)
        assert value < 0
    probs = [math.exp(v) for v in transformers_loglikelihoods(model, tok, "x", list(" ABCDxyz:"))]
    import torch

    bos = float(torch.softmax(model.table[tok.vocab["x"]], dim=-1)[0])
    assert sum(probs) + bos == pytest.approx(1.0, abs=1e-5)  # every possible next token: a distribution


def test_transformers_single_token_continuations_share_one_forward_pass():
    model, tok = _Bigram(), _CharTokenizer()
    transformers_loglikelihoods(model, tok, "xy:", [" ", "A", "B", "C"])
    assert model.calls == 1


def test_common_prefix():
    assert common_prefix([1, 2, 3], [1, 2, 4, 5]) == 2
    assert common_prefix([], [1]) == 0
    assert common_prefix([1, 2], [1, 2]) == 2


class _WithLL:
    name = "local"

    def loglikelihoods(self, prompt, conts):
        return [0.0] * len(conts)


def test_scorer_for_picks_by_backend():
    assert scorer_for(ScriptedBackend(), "openai").method == "letter"
    assert scorer_for(_WithLL(), "llamacpp").method == "loglikelihood"
    assert scorer_for(_WithLL(), "llamacpp", "letter").method == "letter"
    with pytest.raises(UserError, match="--scoring letter"):
        scorer_for(ScriptedBackend(), "openai", "loglikelihood")
    with pytest.raises(UserError, match="unknown scoring"):
        scorer_for(_WithLL(), "llamacpp", "vibes")
