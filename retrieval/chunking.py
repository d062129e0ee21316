"""Sentence-boundary chunking sized to the embedder's token limit (pure functions).

Every chunk keeps the document title (and section heading) as a context line, repeated in
each chunk so that a chunk read alone still says what it is about. Chunk ids hash the doc id,
context and text, so chunking the same content again gives the same ids.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Sequence

from retrieval.types import Chunk, Document, Section

TokenCounter = Callable[[Sequence[str]], list[int]]

# Abbreviations after which a period does not end a sentence.
_ABBREV = {
    "al", "e.g", "i.e", "etc", "vs", "fig", "figs", "ref", "refs", "no", "nos", "vol", "approx", "ca", "cf",
    "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "inc", "ltd", "co", "eq", "eqs", "resp", "min", "max",
    "mg", "ml", "kg", "wk", "wks", "yr", "yrs", "mo", "hr", "hrs", "sec", "tab", "suppl", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "sp", "spp", "var", "subsp",
}
_BOUNDARY = re.compile(r"([.!?])([\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")
_WORDS = re.compile(r"\w+|[^\w\s]")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at ., ! or ? followed by a capital or digit.

    Keeps abbreviations ("et al.", "e.g.", "Fig. 2"), initials ("J. Smith") and decimals
    ("2.5 mg") inside their sentence.

    Args:
        text: plain text (whitespace is normalised).

    Returns:
        Non-empty sentences in order; their concatenation with single spaces is the input.
    """
    text = " ".join(text.split())
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(2)
        before = text[start:m.start(1)]
        last = before.rsplit(" ", 1)[-1].lower().lstrip("([\"'")
        if m.group(1) == "." and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
            continue
        sentence = text[start:end].strip()
        if sentence:
            out.append(sentence)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def approx_token_counter(texts: Sequence[str]) -> list[int]:
    """Word-and-punctuation count: a tokenizer-free stand-in (fake embedders, tests)."""
    return [len(_WORDS.findall(t)) for t in texts]


def chunk_id(doc_id: str, context: str, text: str) -> str:
    """Content hash id of a chunk (32 hex characters)."""
    return hashlib.sha256(f"{doc_id}\n{context}\n{text}".encode("utf-8")).hexdigest()[:32]


def _context(title: str, section: Section, inline_labels: bool) -> str:
    parts = [title.strip()] if title.strip() else []
    if section.name and not inline_labels:
        parts.append(section.name)
    if section.page is not None:
        parts.append(f"page {section.page}")
    return " | ".join(parts)


def _split_long(sentence: str, ntok: int, budget: int, count: TokenCounter) -> list[str]:
    """Cut a sentence longer than `budget` tokens into word runs that fit."""
    words = sentence.split()
    pieces: list[str] = []
    per = max(1, int(len(words) * budget / max(ntok, 1) * 0.9))
    i = 0
    while i < len(words):
        n = min(per, len(words) - i)
        while n > 1 and count([" ".join(words[i:i + n])])[0] > budget:
            n = max(1, int(n * 0.8))
        pieces.append(" ".join(words[i:i + n]))
        i += n
    return pieces


def chunk_document(doc: Document, count: TokenCounter, max_tokens: int, special_tokens: int = 2) -> list[Chunk]:
    """Cut a document into chunks of whole sentences of at most `max_tokens` tokens each.

    Structured-abstract labels of PubMed citations are written inline ("Methods: ...") and
    sentences flow across them; other documents break chunks at section and page changes, so
    a chunk has one heading and one page. A document with no body gives one title chunk.

    Args:
        doc: the parsed document.
        count: batch token counter of the embedder (without special tokens).
        max_tokens: the embedder's input limit, special tokens included.
        special_tokens: tokens the embedder adds to every input ([CLS], [SEP]).

    Returns:
        Chunks in reading order with content-hash ids.

    Raises:
        ValueError: `max_tokens` leaves no room for text after the context line.
    """
    inline = doc.kind == "pubmed"
    units: list[tuple[str, str, int | None, str]] = []  # (group key, context, page, sentence)
    for sec in doc.sections:
        ctx = _context(doc.title, sec, inline)
        sents = split_sentences(sec.text)
        if inline and sec.name and sents:
            sents[0] = f"{sec.name}: {sents[0]}"
        key = ctx if not inline else doc.title
        for s in sents:
            units.append((key, ctx, sec.page, s))
    if not units:
        ctx = ""
        text = " ".join(doc.title.split())
        if not text:
            return []
        n = count([text])[0] + special_tokens
        return [Chunk(id=chunk_id(doc.doc_id, ctx, text), doc_id=doc.doc_id, ord=0, text=text, context=ctx, ntok=n)]

    contexts = list(dict.fromkeys(u[1] for u in units))
    ctx_tokens = dict(zip(contexts, count(contexts)))
    sent_tokens = count([u[3] for u in units])
    chunks: list[Chunk] = []
    cur: list[str] = []
    cur_tok = 0
    cur_key: str | None = None
    cur_ctx = ""
    cur_page: int | None = None
    cur_section = ""
    section_of_unit = []
    for sec in doc.sections:
        section_of_unit.extend([sec.name] * len(split_sentences(sec.text)))

    def flush():
        nonlocal cur, cur_tok
        if cur:
            text = " ".join(cur)
            ntok = cur_tok + ctx_tokens[cur_ctx] + special_tokens + (1 if cur_ctx else 0)
            chunks.append(Chunk(id=chunk_id(doc.doc_id, cur_ctx, text), doc_id=doc.doc_id, ord=len(chunks),
                                text=text, context=cur_ctx, ntok=ntok, section=cur_section, page=cur_page))
        cur, cur_tok = [], 0

    for i, ((key, ctx, page, sent), ntok) in enumerate(zip(units, sent_tokens)):
        budget = max_tokens - special_tokens - ctx_tokens[ctx] - (1 if ctx else 0)
        if budget < 8:
            raise ValueError(f"max_tokens={max_tokens} leaves no room for text after the title of {doc.doc_id}")
        if key != cur_key or page != cur_page:
            flush()
            cur_key, cur_ctx, cur_page = key, ctx, page
            cur_section = section_of_unit[i] if i < len(section_of_unit) else ""
        pieces = [sent] if ntok <= budget else _split_long(sent, ntok, budget, count)
        piece_tokens = [ntok] if len(pieces) == 1 else count(pieces)
        for piece, pt in zip(pieces, piece_tokens):
            if cur and cur_tok + pt > budget:
                flush()
                cur_section = section_of_unit[i] if i < len(section_of_unit) else ""
            cur.append(piece)
            cur_tok += pt
    flush()
    return chunks


def chunk_documents(docs: list[Document], index) -> list[tuple[Document, list[Chunk]]]:
    """Chunk documents for an index's embedder (`index.embedder`; deletion notices get no chunks)."""
    emb = index.embedder
    return [(d, [] if d.deleted else chunk_document(d, emb.count_tokens, emb.max_tokens)) for d in docs]
