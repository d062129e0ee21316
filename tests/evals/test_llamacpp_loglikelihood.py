"""llama.cpp option log-likelihoods on the bundled SmolLM2 GGUF, checked against llama.cpp's own
full-logits path (`logits_all=True`), and a tiny real `medbot eval mmlu-med` run."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("llama_cpp")
pytestmark = pytest.mark.slow

PROMPT = "The following is a multiple choice question about anatomy.\n\nThe heart has how many chambers?\nA. Two\nB. Three\nC. Four\nD. Five\nAnswer:"


@pytest.fixture(scope="module")
def backend():
    from bot.llm import bundled_gguf
    from bot.llm.llamacpp import LlamaCppBackend

    return LlamaCppBackend(bundled_gguf("smollm2"), n_ctx=1024, threads=2, is_demo=True, defaults={"max_tokens": 8})


@pytest.fixture(scope="module")
def reference():
    """Log-probabilities from a second model opened with logits_all=True (every position's logits)."""
    from llama_cpp import Llama

    from bot.llm import bundled_gguf

    llm = Llama(model_path=str(bundled_gguf("smollm2")), n_ctx=1024, n_threads=2, logits_all=True, verbose=False)

    def ll(prompt, cont):
        ctx = llm.tokenize(prompt.encode(), add_bos=True, special=True)
        full = llm.tokenize((prompt + cont).encode(), add_bos=True, special=True)
        n = next((i for i, (a, b) in enumerate(zip(ctx, full)) if a != b), min(len(ctx), len(full)))
        llm.reset()
        llm.eval(full)
        scores = np.asarray(llm.scores[: len(full)], dtype=np.float64)
        total = 0.0
        for i in range(n, len(full)):
            row = scores[i - 1]
            m = row.max()
            total += row[full[i]] - (m + np.log(np.exp(row - m).sum()))
        return total

    return ll


def test_matches_full_logits_reference(backend, reference):
    conts = [" A", " B", " C", " D", " C. Four chambers"]
    got = backend.loglikelihoods(PROMPT, conts)
    for value, cont in zip(got[:4], conts):
        assert value == pytest.approx(reference(PROMPT, cont), abs=1e-4)  # one token: the same logits row
        assert value < 0
    # several tokens: decoded one by one here, in one batch by the reference (kernels round differently)
    assert got[4] == pytest.approx(reference(PROMPT, conts[4]), rel=1e-2)
    assert got[4] < got[2]  # a longer continuation includes the first token's cost


def test_cache_reuse_gives_the_same_numbers_in_any_order(backend):
    first = backend.loglikelihoods(PROMPT, [" A", " B"])
    backend.loglikelihoods("Something else entirely:", [" yes", " no thanks"])
    again = backend.loglikelihoods(PROMPT, [" B", " A"])
    assert again == pytest.approx(first[::-1], abs=1e-6)
    assert backend.loglikelihood(PROMPT, " A") == pytest.approx(first[0], abs=1e-6)


def test_chat_still_streams_after_scoring(backend):
    backend.loglikelihoods(PROMPT, [" A"])
    text = backend.complete([{"role": "user", "content": "Say hello."}], max_tokens=8, temperature=0.0).text
    assert text.strip()


def test_tiny_real_eval_run(capsys):
    from bot.cli import main

    rc = main(["eval", "mmlu-med", "--limit", "3", "--no-retrieval", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert data["embedded_demo_model"] is True and data["scoring"] == "loglikelihood"
    assert data["metrics"]["questions"] == 3
    assert data["without_retrieval"]["correct"] in range(4)
    assert data["with_retrieval"] == {"available": False, "reason": "retrieval disabled (--no-retrieval)"}
