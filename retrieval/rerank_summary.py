"""Long consumer messages turned into one short question before search (pure; the model is injected).

Consumer health messages are long and tell a story ("My 24 year old son was recently diagnosed
with spg11 after over 15 years ..."); the question they ask is short. Ben Abacha & Demner-Fushman
(AMIA 2019) found that summarising the message into its question before retrieval helps
question answering. The library knows no model: the caller passes `complete(messages) -> str`
(an OpenAI-format chat completion), so that retrieval never imports the application.
"""

from __future__ import annotations

import re
from typing import Callable

SHORT_WORDS = 15  # a message this short is searched as it is (no model call)
MAX_WORDS = 20  # a longer "summary" is not one: the message is searched as it is

SYSTEM = ("Rewrite the patient's message as one short health question that names the condition, "
          "medicine or test it is about. Reply with the question only.")
# Few-shot pairs written for medbot (not taken from any dataset).
EXAMPLES = (
    ("Hello, my dad is 68 and was told last week he has gastritis. It aches after meals and the pills do not "
     "help much. What else can he do? Thank you so much.", "How is gastritis treated?"),
    ("I was bitten by a tick while hiking years ago and had the ring rash. I took antibiotics but I still feel "
     "tired and my joints hurt. Could it still be that?", "What are the long-term symptoms of Lyme disease?"),
    ("my sister and her daughter both have the same kidney disease, polycystic i think. can my kids get it "
     "too? we are worried", "Is polycystic kidney disease inherited?"),
)
_WORD = re.compile(r"[A-Za-z0-9]+")


def summary_messages(message: str) -> list[dict[str, str]]:
    """The chat messages that ask the model for the one-question summary of `message`."""
    out = [{"role": "system", "content": SYSTEM}]
    for long, short in EXAMPLES:
        out += [{"role": "user", "content": long}, {"role": "assistant", "content": short}]
    out.append({"role": "user", "content": " ".join(message.split())})
    return out


def clean_summary(text: str, message: str) -> str | None:
    """The model's reply as one question, or None when it is not a usable summary of `message`
    (empty, too long, or sharing with the message no word of four letters or more other than
    asking words such as "what" or "know")."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    line = re.sub(r"^(question|summary)\s*:\s*", "", line, flags=re.I).strip(" \"'`")
    words = _WORD.findall(line)
    if not words or len(words) > MAX_WORDS:
        return None
    from retrieval.questions import ASKING_WORDS

    said = {w.lower() for w in _WORD.findall(message) if len(w) >= 4} - ASKING_WORDS
    if not any(w.lower() in said for w in words):
        return None  # a question about something the user never named
    return line


def summarise_question(message: str, complete: Callable[[list[dict[str, str]]], str]) -> str:
    """What to search for a consumer message: the message itself when it is short, else the model's
    one-question summary of it (the message itself when the reply is not usable).

    Args:
        message: the user's words.
        complete: `complete(messages) -> reply text`, a chat completion (deterministic settings advised:
            temperature 0, about 32 new tokens).
    """
    msg = " ".join(str(message or "").split())
    if len(_WORD.findall(msg)) <= SHORT_WORDS:
        return msg
    return clean_summary(complete(summary_messages(msg)), msg) or msg
