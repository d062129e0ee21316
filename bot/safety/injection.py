"""Prompt-injection defences on the answer side.

Retrieved passages, uploaded documents and tool outputs reach the model fenced as data (see
`bot.answers.respond.answer_messages` and `bot.agent._fence_tool`). A model can still obey an instruction
hidden in them, so the answer is checked before it is shown or stored:

- sentences that reproduce the system prompt (any shared run of `SHINGLE` words) are removed;
- instruction-like sentences in the untrusted texts are found (`find_injections`), their payloads
  (quoted strings, codes such as `ZX-9913`, URLs, emails, what they ask to be said) collected, and
  answer sentences that carry a payload are removed;
- explicit secrets passed by the caller (canary strings, other users' identifiers) are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

SHINGLE = 7
REMOVED = "[removed: this part of the answer repeated instructions found in untrusted text]"

_INSTRUCTION = re.compile(
    r"(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|these\s+)?(previous|prior|above|earlier|"
    r"system|safety|original|other)?\s*(instructions?|prompts?|rules|directions|guidelines|messages?)|"
    r"\byou are now\b|\bnew (instructions?|rules|task)\b|\bsystem prompt\b|\bdeveloper mode\b|\bjailbreak\b|"
    r"\b(reveal|print|output|repeat|show|say|write|include|respond with|reply with|answer with|append|add|end with|"
    r"start with|begin with|mention|tell the (user|patient|reader))\b.{0,60}\b(system prompt|instructions|password|secret|"
    r"word|phrase|code|string|token|text|sentence|link|url|website)\b|"
    r"\b(as an? (ai|assistant|language model|chatbot|llm))\b|"
    r"\b(assistant|ai|chatbot|llm|bot)\b[,:]?\s+(you\s+)?(must|should|shall|needs? to)\b|"
    r"\bthe (language )?model (must|shall|needs? to)\b|"
    r"</?\s*(system|instructions?|admin|im_start|im_end)\s*>|\bBEGIN (SYSTEM|INSTRUCTIONS|PROMPT)\b|"
    r"\b(do not|don't|never) (tell|mention|cite|warn|refer)\b|"
    r"^\W*(please\s+)?(tell|advise|instruct|inform) (the )?(user|patient|reader)s? (to|that)\b|"
    r"\b(append|add|include|insert|put)\b.{0,80}\b(to|in|at the end of|into) (your|the|every|each) "
    r"(reply|replies|answer|answers|response|responses|output)\b|"
    r"\b(model|assistant|ai|chatbot|llm)\s*:\s*(please\s+)?(append|add|say|write|print|output|include|ignore|"
    r"reply|respond|tell|reveal|repeat)\b",
    re.IGNORECASE)
_QUOTED = re.compile(r"[\"“'‘]([^\"”'’]{3,120})[\"”'’]")
_CODE = re.compile(r"\b(?=[A-Z0-9_-]*\d)(?=[A-Z0-9_-]*[A-Z])[A-Z0-9]+(?:[-_][A-Z0-9]+)+\b|\b[A-Z]{2,}\d{3,}\b")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_SAY = re.compile(r"\b(?:say|output|respond with|reply with|answer with|write|print|end with|start with|begin with|"
                  r"include|append|add)\b[:\s]+(?:the (?:word|phrase|text|sentence|code|string)s?\s*)?[:\s]*(.{3,80}?)"
                  r"(?:[.!\n]|$)", re.IGNORECASE)
_IMPERATIVE = re.compile(r"^\W*(please\s+)?(say|output|print|write|respond|reply|answer|add|append|include|"
                        r"repeat|reveal|end|start|begin)\b", re.IGNORECASE)
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Injection:
    """An instruction-like sentence found in untrusted text, with the strings it tries to plant."""

    sentence: str
    payloads: list[str] = field(default_factory=list)


@dataclass
class GuardResult:
    text: str
    removed: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s.strip()]


def find_injections(text: str) -> list[Injection]:
    """Instruction-like sentences in untrusted text and their payloads."""
    found = []
    sents = sentences(text)
    for i, s in enumerate(sents):
        if not _INSTRUCTION.search(s):
            continue
        # an injection often spans sentences ("You are now X. Say 'Y'."): a next sentence that is
        # itself an order to say something belongs to it
        window = s
        if i + 1 < len(sents) and _IMPERATIVE.match(sents[i + 1]):
            window += " " + sents[i + 1]
        payloads = [m.group(1).strip() for m in _QUOTED.finditer(window)]
        payloads += _CODE.findall(window) + _URL.findall(window)
        if not payloads:
            payloads += [m.group(1).strip(" \"'“”") for m in _SAY.finditer(window)]
        found.append(Injection(s.strip(), [p for p in payloads if len(p) >= 3]))
    return found


def _shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def guard_answer(answer: str, system_prompt: str = "", untrusted: Iterable[str] = (),
                 secrets: Sequence[str] = ()) -> GuardResult:
    """Remove answer sentences that leak the system prompt or carry injected payloads or secrets.

    Args:
        answer: the model's raw answer.
        system_prompt: the system prompt the model was given.
        untrusted: retrieved passages, uploaded documents and tool outputs the model saw.
        secrets: strings that must never appear (canaries, other users' ids).

    Returns:
        GuardResult with the cleaned text, the removed sentences and why.
    """
    prompt_sh = _shingles(system_prompt) if system_prompt else set()
    payloads = {p.lower() for t in untrusted for inj in find_injections(t) for p in inj.payloads}
    payloads |= {s.lower() for s in secrets if s}
    parts = re.split(r"((?<=[.!?])\s+|\n+)", answer)  # sentences at even indexes, separators kept
    out, removed, reasons = [], [], []
    last_removed = False
    for i, part in enumerate(parts):
        if i % 2:  # separator
            if not last_removed:
                out.append(part)
            continue
        low = part.lower()
        why = None
        if prompt_sh and _shingles(part) & prompt_sh:
            why = "repeats the system prompt"
        elif part.strip() and any(p in low for p in payloads):
            why = "carries a string planted in untrusted text"
        if why:
            removed.append(part.strip())
            reasons.append(why)
            if not last_removed:
                out.append(REMOVED + " ")
            last_removed = True
        else:
            out.append(part)
            last_removed = False
    text = "".join(out).strip() if removed else answer
    return GuardResult(text, removed, reasons)
