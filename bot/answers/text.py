"""Sentence splitting and word normalisation shared by selection and the support check."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z][a-z0-9'\-]*")
STOP = frozenset("""a an the and or but if then than so as at by for from in into of on onto to with
without within about above after again against all also am any are be because been before being
below between both can could did do does doing down during each few further had has have having he
her here hers him his how i is it its itself just me more most my no nor not now off once only other
our out over own same she should some such that their them there these they this those through too
under until up very was we were what when where which while who whom why will would you your yours
may might must shall get gets got one two use used using like can't don't many much often usually
people person someone something thing things way ways make makes made yes okay""".split())

# Suffixes stripped so "treats/treated/treatment" meet (a light stemmer: no dependency needed here).
_SUFFIXES = ("ations", "ation", "ments", "ment", "ities", "ity", "ness", "ings", "ing", "ies", "ied", "ers",
             "er", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    """A crude stem: lower case, common English suffixes removed (keeps at least 4 letters)."""
    w = word.lower().strip("'-")
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (stop words and 1-2 letter words dropped)."""
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 2}


def subject_words(text: str) -> set[str]:
    """Stems of a subject's words, one- and two-letter ones included ("q fever", "hepatitis b")."""
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in STOP}


_ABBREV = re.compile(r"\b(Dr|Mr|Mrs|Ms|St|vs|etc|e\.g|i\.e|approx|No|Fig|al|Inc|Jr|Sr)\.(?=\s)")
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦]|\d{1,2}[.)])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; list items count as sentences and stay attached to a leading colon line.

    "Symptoms include:" followed by items becomes one unit "Symptoms include: a; b; c." so the
    items keep their context.
    """
    units: list[str] = []
    lines = [ln.strip() for ln in re.split(r"\n+", text or "") if ln.strip()]
    pending: list[str] | None = None  # items gathered under a "...:" lead-in
    for line in lines:
        is_item = bool(_BULLET.match(line))
        item = _BULLET.sub("", line).strip()
        if pending is not None and (is_item or (len(item) < 120 and not item.endswith("."))):
            pending.append(item.rstrip(".;"))
            continue
        if pending is not None:
            units.append(_join_items(pending))
            pending = None
        for sent in _SPLIT.split(_ABBREV.sub(lambda m: m.group(1) + "\x00", item)):
            sent = sent.replace("\x00", ".").strip()
            if not sent:
                continue
            if sent.endswith(":"):
                pending = [sent]
            else:
                units.append(sent)
    if pending is not None:
        units.append(_join_items(pending))
    return [" ".join(u.split()) for u in units if len(u.split()) >= 3]


def _join_items(parts: list[str]) -> str:
    lead, items = parts[0], [p for p in parts[1:] if p]
    if not items:
        return lead
    return f"{lead} {'; '.join(items)}."


_TOKEN = re.compile(r"[A-Za-z0-9]+")


def drop_repeated_tail(text: str, min_words: int = 6) -> str:
    """Remove a run of words that repeats the run just before it ("a b c d. a b c d").

    Some NIH pages list the same items twice (once as a list, once flattened); a sentence built
    from them should say each item once.
    """
    toks = [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [t[0] for t in toks]
    n = len(words)
    for m in range(n // 2, min_words - 1, -1):
        if words[n - m:] == words[n - 2 * m:n - m]:
            out = (text[:toks[n - m][1]].rstrip(" ,;:-") + text[toks[n - 1][2]:]).strip()
            return drop_repeated_tail(re.sub(r"([.!?])[.!?]+$", r"\1", out), min_words)
    return text


# A sentence that leans on the one before it ("This is the most disabling stage", "In most people,
# this raises blood sugar", "If it doesn't, ...", "As a result, ..."): not to be quoted alone.
_LEANS_BACK = re.compile(
    r"^(?:(?:This|That|These|Those|It|They|Such)\b"
    r"|(?:In|For|With|Without|At|By|Because of)\b[^,.]{0,40},\s*(?:this|that|these|those|it|they)\b"
    r"|(?:If|When|Unless|Because|Although|While) (?:it|this|that|they|these|those)\b"
    r"|(?:As a result|However|Therefore|Otherwise|Instead|In addition|Also|Then)\b)")


_THEY = re.compile(r"\b(?:they|them|their)\b", re.I)
_PLURAL = re.compile(r"\b[A-Za-z]{3,}(?<!ss)(?<!us)(?<!is)s\b|\b(?:people|children|men|women|adults|babies)\b", re.I)


def leans_back(sentence: str) -> bool:
    """Whether a sentence needs the one before it to be understood: it opens on a reference back,
    or speaks of "them" before naming anyone ("A slight fever can make it harder for them to
    survive": them, the germs of the sentence before)."""
    text = sentence.strip()
    if _LEANS_BACK.match(text):
        return True
    they = _THEY.search(text)
    return bool(they) and not _PLURAL.search(text[:they.start()])
