"""Follow-ups in context: "Is there a vaccine for it?" after "What is shingles?" searches for shingles.

A short message that leans on the conversation ("it", "that", "one", "they"; "and for children?")
is rewritten with the topic of the question before it: the last run of topic words of that
question ("What are the symptoms of iron deficiency anemia?" -> "iron deficiency anemia").
"""

from __future__ import annotations

import re

from bot.answers.text import STOP, content_words

_PRONOUN = re.compile(r"\b(it|that|this|one|ones|they|them|those|these)\b", re.I)
_LEANS = re.compile(r"^(and|but|also|so|what about|how about|how long|how often|why|is it|are they|does it|can it|"
                    r"should i|what if)\b", re.I)
# Words that say what is asked, not what about (kept out of the topic phrase).
_ASKING = set("""what whats what's how why when where which who is are was were do does did can could should would
will may might the a an of for to about with and or symptoms symptom signs sign causes cause caused treatment
treatments treated treat treating diagnosis diagnosed prevent prevention risk risks factors factor common
early main usual usually best get gets getting have having has tell me know need explain define definition
mean means meaning type types kind kinds happen happens work works long-term outlook i my me am i'm you
your there""".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def topic_phrase(question: str) -> str:
    """The topic of a question: its last run of words that are neither stop words nor asking words."""
    runs: list[list[str]] = [[]]
    for w in _WORD.findall(question):
        if w.lower() in _ASKING or w.lower() in STOP or len(w) < 3:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(w)
    runs = [r for r in runs if r]
    return " ".join(runs[-1]) if runs else ""


def leans_on_earlier(message: str) -> bool:
    """Whether a message is a short follow-up that needs the conversation to be understood."""
    topic_words = content_words(message) - content_words(" ".join(_ASKING))
    return len(content_words(message)) <= 5 and (bool(_PRONOUN.search(message)) or bool(_LEANS.search(message))) \
        and len(topic_words) <= 3


def resolve_follow_up(message: str, earlier: list[str]) -> str:
    """The message with its reference resolved from the earlier user questions (latest last), or
    the message unchanged when it stands on its own or nothing earlier names a topic.

    >>> resolve_follow_up("Is there a vaccine for it?", ["What is shingles?"])
    'Is there a vaccine for shingles?'
    """
    if not earlier or not message or not leans_on_earlier(message):
        return message
    topic = ""
    for prev in reversed(earlier):
        topic = topic_phrase(prev)
        if topic:
            break
    if not topic:
        return message
    if _PRONOUN.search(message):
        out, n = re.subn(r"\b(it|that|this|one|they|them|those|these)\b(?!\s+(?:is|are|was)\s+(?:not\s+)?(?:a|an|the)\b)",
                         topic, message, count=1, flags=re.I)
        if n and topic.lower() not in message.lower():
            return out[0].upper() + out[1:]
    return f"{topic[0].upper() + topic[1:]}: {message[0].lower() + message[1:]}"
