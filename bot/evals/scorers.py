"""How a model picks one of several options: by log-likelihood, or by the letter it writes.

`LoglikelihoodScorer` asks the model for log P(" A" | prompt), ..., log P(" D" | prompt) and takes
the most likely letter (local models: llama.cpp, transformers). `LetterScorer` lets a chat model
answer and parses the letter from its reply (OpenAI-compatible servers, which expose no prompt
log-probabilities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from bot.errors import UserError
from bot.llm.base import common_prefix  # one definition, shared with the backend

SCORING_METHODS = ("auto", "loglikelihood", "letter")

LoglikelihoodsFn = Callable[[str, Sequence[str]], list[float]]


@dataclass
class Prediction:
    """What the model chose for one question.

    Attributes:
        letter: the chosen letter, or None when no letter could be read from the reply.
        scores: log-likelihood per letter (loglikelihood scoring only).
        reply: the model's raw reply (letter scoring only).
    """

    letter: str | None
    scores: dict[str, float] = field(default_factory=dict)
    reply: str | None = None


class ChoiceScorer(Protocol):
    """Chooses one of `letters` for a prompt that ends in "Answer:"."""

    method: str  # "loglikelihood" | "letter"

    def choose(self, prompt: str, letters: Sequence[str]) -> Prediction: ...


class LoglikelihoodScorer:
    """Pick the letter whose continuation " X" the model finds most likely (first wins ties).

    Args:
        loglikelihoods: fn(prompt, continuations) -> summed log-probabilities, one per continuation.
    """

    method = "loglikelihood"

    def __init__(self, loglikelihoods: LoglikelihoodsFn):
        self.loglikelihoods = loglikelihoods

    def choose(self, prompt: str, letters: Sequence[str]) -> Prediction:
        values = self.loglikelihoods(prompt, [f" {x}" for x in letters])
        if len(values) != len(letters):
            raise ValueError(f"expected {len(letters)} log-likelihoods, got {len(values)}")
        best = max(range(len(letters)), key=lambda i: (values[i], -i))
        return Prediction(letters[best], {x: float(v) for x, v in zip(letters, values)})


class LetterScorer:
    """Let a chat backend answer (greedy, a few tokens) and parse the letter from its reply.

    Args:
        backend: any LLM backend with `complete(messages, **gen)`.
        system: the instruction sent as the system message.
        max_tokens: reply length limit.
    """

    method = "letter"

    def __init__(self, backend: Any, system: str, max_tokens: int = 16):
        self.backend = backend
        self.system = system
        self.max_tokens = max_tokens

    def choose(self, prompt: str, letters: Sequence[str]) -> Prediction:
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": prompt}]
        reply = self.backend.complete(messages, max_tokens=self.max_tokens, temperature=0.0).text
        return Prediction(parse_letter(reply, letters), reply=reply)


_EXPLICIT = re.compile(r"\b(?:answer|option|choice)\s*(?:is|:)?\s*[:\-]?\s*\(?([A-Z])\)?(?![A-Za-z])", re.I)


def parse_letter(text: str, letters: Sequence[str] = ("A", "B", "C", "D")) -> str | None:
    """The answer letter in a model's reply, or None when there is none or it is ambiguous.

    Accepted, in this order: an explicit "answer is C" / "Answer: (C)"; a single distinct
    standalone capital letter among `letters` anywhere in the reply; a reply that starts with a
    marked letter ("C.", "(C) because B ...", "**C**"). "A or B" is ambiguous.

    Args:
        text: the reply.
        letters: the valid letters.

    Returns:
        The letter, upper-case, or None.
    """
    valid = {x.upper() for x in letters}
    for m in _EXPLICIT.finditer(text):
        if m.group(1).upper() in valid:
            return m.group(1).upper()
    found = {m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Z])(?![A-Za-z'])", text) if m.group(1) in valid}
    if len(found) == 1:
        return found.pop()
    head = re.match(r"\s*[\*\(\[]*\s*([A-Za-z])\s*(?:[\)\]\.:,\*]|$)", text)
    if head and head.group(1).upper() in valid and (head.group(1).isupper() or len(text.strip()) <= 3):
        return head.group(1).upper()
    return None


def transformers_loglikelihoods(model: Any, tokenizer: Any, prompt: str, continuations: Sequence[str]) -> list[float]:
    """Summed log-probabilities of each continuation after `prompt` under a transformers causal LM.

    The context is the longest common token prefix of `prompt` and `prompt + continuation`, so a
    continuation whose first token merges with the prompt's last one is still scored on its own
    tokens. When every continuation adds tokens after the same context, one forward pass of the
    longest sequence serves them all.

    Args:
        model: a causal LM (`model(input_ids).logits`).
        tokenizer: its tokenizer.
        prompt: the context text.
        continuations: texts to score.

    Returns:
        One log-probability (<= 0) per continuation.
    """
    import torch

    ctx = tokenizer(prompt)["input_ids"]
    fulls = [tokenizer(prompt + c)["input_ids"] for c in continuations]
    splits = [common_prefix(ctx, f) for f in fulls]
    if min(splits) < 1:
        raise ValueError("cannot score a continuation without at least one context token")
    out: list[float] = []
    cache: dict[tuple[int, ...], Any] = {}
    with torch.no_grad():
        for full, n in zip(fulls, splits):
            if len(full) == n:
                out.append(0.0)
                continue
            key = tuple(full[: n])
            if len(full) == n + 1 and key in cache:
                logprobs = cache[key]
            else:
                ids = torch.tensor([full], device=model.device)
                logits = model(ids).logits[0].float()
                logprobs = torch.log_softmax(logits[n - 1: len(full) - 1], dim=-1)
                if len(full) == n + 1:
                    cache[key] = logprobs
            targets = torch.tensor(full[n:], device=logprobs.device)
            out.append(float(logprobs[torch.arange(len(targets)), targets].sum()))
    return out


def scorer_for(backend: Any, backend_kind: str, method: str = "auto", system: str = "") -> ChoiceScorer:
    """The scorer for a backend: log-likelihood for local models, the answer letter for servers.

    Args:
        backend: the loaded LLM backend.
        backend_kind: "llamacpp" | "transformers" | "openai" | anything else (letter scoring only).
        method: "auto", "loglikelihood" or "letter".
        system: system instruction for letter scoring.

    Raises:
        UserError: log-likelihood scoring asked of a backend that cannot give it.
    """
    if method not in SCORING_METHODS:
        raise UserError(f"unknown scoring '{method}' (choose from: {', '.join(SCORING_METHODS)})")
    if method == "letter":
        return LetterScorer(backend, system)
    if backend_kind == "transformers" and hasattr(backend, "model") and hasattr(backend, "tokenizer"):
        return LoglikelihoodScorer(lambda p, cs: transformers_loglikelihoods(backend.model, backend.tokenizer, p, cs))
    if hasattr(backend, "loglikelihoods"):
        return LoglikelihoodScorer(backend.loglikelihoods)
    if method == "loglikelihood":
        raise UserError(f"the {backend_kind} backend gives no log-likelihoods: use --scoring letter")
    return LetterScorer(backend, system)
