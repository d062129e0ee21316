"""Known-item retrieval benchmark on the default corpus (shared by `bench/` and `medbot eval retrieval`).

Design (documented in docs/retrieval.md):
- Targets: a seeded sample of articles from both MEDLINE files (half from each when possible).
- Queries: from the article's MeSH descriptors when it has at least 3 that are not check tags
  (mostly the older file), else from its title reworded by fixed rules: lower-case, stopwords
  dropped, medical terms replaced by lay terms or synonyms (`LAY_TERMS`), then about a third of
  the remaining words dropped at random (seeded), keeping at least two.
- Relevant = the target article only; a hit is any chunk of it. Metrics: recall@1/5/10 and
  MRR@10 at the article level, for dense, BM25 and fused retrieval side by side.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Callable

from retrieval.types import Document

CHECK_TAGS = {
    "humans", "animals", "male", "female", "adult", "aged", "aged, 80 and over", "middle aged", "young adult",
    "adolescent", "child", "child, preschool", "infant", "infant, newborn", "pregnancy", "rats", "mice", "dogs",
    "cattle", "rabbits", "cats", "swine", "guinea pigs", "in vitro techniques", "time factors", "cricetinae",
    "rats, inbred strains", "mice, inbred strains", "sheep", "haplorhini", "macaca mulatta", "chickens",
}
STOPWORDS = set("""a an the of in on for and or with without to from by at as is are was were be been its their his her
this that these those into during after before between among within via versus vs study studies patients patient case
report cases using use effect effects role new""".split())
# Rewording rules: clinical term -> lay term or synonym (applied to whole words/phrases, in order).
LAY_TERMS = [
    ("myocardial infarction", "heart attack"), ("cerebrovascular accident", "stroke"), ("hypertension", "high blood pressure"),
    ("hypotension", "low blood pressure"), ("neoplasms", "tumors"), ("neoplasm", "tumor"), ("carcinoma", "cancer"),
    ("malignant", "cancerous"), ("renal", "kidney"), ("hepatic", "liver"), ("pulmonary", "lung"), ("cardiac", "heart"),
    ("cerebral", "brain"), ("gastric", "stomach"), ("cutaneous", "skin"), ("dermal", "skin"), ("ocular", "eye"),
    ("pediatric", "children"), ("paediatric", "children"), ("neonatal", "newborn"), ("neonates", "newborns"),
    ("geriatric", "elderly"), ("obesity", "overweight"), ("diabetes mellitus", "diabetes"), ("hyperglycemia", "high blood sugar"),
    ("hypoglycemia", "low blood sugar"), ("analgesia", "pain relief"), ("analgesic", "painkiller"), ("pyrexia", "fever"),
    ("dyspnea", "shortness of breath"), ("edema", "swelling"), ("oedema", "swelling"), ("haemorrhage", "bleeding"),
    ("hemorrhage", "bleeding"), ("thrombosis", "blood clot"), ("mortality", "death rate"), ("morbidity", "illness"),
    ("therapy", "treatment"), ("therapeutic", "treatment"), ("administration", "use"), ("evaluation", "assessment"),
    ("investigation", "study"), ("determination", "measurement"), ("children", "kids"), ("physicians", "doctors"),
    ("infection", "infections"), ("vaccination", "vaccine shots"), ("pregnant women", "expectant mothers"),
]
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


def mesh_query(mesh: list[str]) -> str | None:
    """Query from up to 4 MeSH descriptors that are not check tags (None if fewer than 3)."""
    terms = [m for m in mesh if m.lower() not in CHECK_TAGS]
    if len(terms) < 3:
        return None
    return " ".join(t.replace(",", "").lower() for t in terms[:4])


def reword_title(title: str, rng: random.Random) -> str:
    """The title reworded by the fixed rules above (deterministic for a given rng state)."""
    text = " " + title.lower() + " "
    for term, lay in LAY_TERMS:
        text = re.sub(rf"(?<![a-z]){re.escape(term)}(?![a-z])", lay, text)
    words = [w for w in _WORD.findall(text) if w not in STOPWORDS]
    if len(words) <= 2:
        return " ".join(words) or title.lower()
    kept = [w for w in words if rng.random() >= 0.33]
    if len(kept) < 2:
        kept = words[:2]
    return " ".join(kept)


@dataclass
class KnownItem:
    doc_id: str
    query: str
    source: str  # "mesh" | "title"
    release: str  # file version key of the article


def make_queries(docs: list[Document], n: int, seed: int = 0) -> list[KnownItem]:
    """A seeded sample of `n` known-item queries, half from each release when possible."""
    rng = random.Random(seed)
    by_release: dict[str, list[Document]] = {}
    for d in docs:
        if not d.deleted:
            by_release.setdefault(d.version.split("|")[0], []).append(d)
    releases = sorted(by_release)
    picked: list[Document] = []
    for i, rel in enumerate(releases):
        pool = sorted(by_release[rel], key=lambda d: d.doc_id)
        want = n // len(releases) + (1 if i < n % len(releases) else 0)
        picked.extend(rng.sample(pool, min(want, len(pool))))
    if len(picked) < n:  # a small release: top up from the others
        chosen = {d.doc_id for d in picked}
        rest = sorted((d for ds in by_release.values() for d in ds if d.doc_id not in chosen), key=lambda d: d.doc_id)
        picked.extend(rng.sample(rest, min(n - len(picked), len(rest))))
    items = []
    for d in picked:
        q = mesh_query(d.meta.get("mesh") or [])
        if q:
            items.append(KnownItem(d.doc_id, q, "mesh", d.version.split("|")[0]))
        else:
            items.append(KnownItem(d.doc_id, reword_title(d.title, rng), "title", d.version.split("|")[0]))
    return items


def doc_ranking(passages, limit: int = 10) -> list[str]:
    """Article ids in order of their best passage."""
    out: list[str] = []
    for p in passages:
        if p.source["doc_id"] not in out:
            out.append(p.source["doc_id"])
        if len(out) == limit:
            break
    return out


def score(rankings: list[tuple[str, list[str]]]) -> dict[str, float]:
    """recall@1/5/10 and MRR@10 of (target, ranked doc ids) pairs."""
    n = max(len(rankings), 1)
    r = {1: 0, 5: 0, 10: 0}
    mrr = 0.0
    for target, ranked in rankings:
        if target in ranked[:10]:
            pos = ranked.index(target) + 1
            mrr += 1.0 / pos
            for k in r:
                if pos <= k:
                    r[k] += 1
    return {"recall@1": round(r[1] / n, 4), "recall@5": round(r[5] / n, 4), "recall@10": round(r[10] / n, 4),
            "mrr@10": round(mrr / n, 4), "queries": len(rankings)}


def evaluate(retriever, items: list[KnownItem], modes=("dense", "bm25", "hybrid"),
             progress: Callable[[int], None] | None = None) -> dict:
    """Metrics per retrieval mode, overall and per query source, plus query latency per mode."""
    results: dict = {}
    for mode in modes:
        pairs: dict[str, list] = {"all": [], "mesh": [], "title": []}
        lat = []
        for i, it in enumerate(items):
            t0 = time.perf_counter()
            ps = retriever.search(it.query, k=30, mode=mode)
            lat.append(time.perf_counter() - t0)
            ranked = doc_ranking(ps)
            pairs["all"].append((it.doc_id, ranked))
            pairs[it.source].append((it.doc_id, ranked))
            if progress:
                progress(i)
        lat.sort()
        results[mode] = {name: score(v) for name, v in pairs.items() if v}
        results[mode]["latency_ms"] = {"p50": round(lat[len(lat) // 2] * 1000, 1),
                                       "p95": round(lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000, 1)}
    return results


def load_default_documents() -> list[Document]:
    """All citations of the default corpus, newest version per PMID, deletions applied."""
    from retrieval.corpus import default_corpus_files
    from retrieval.readers import read_documents

    latest: dict[str, Document] = {}
    for f in default_corpus_files():
        for d in read_documents(f):
            old = latest.get(d.doc_id)
            if old is None or d.version >= old.version:
                latest[d.doc_id] = d
    return [d for d in latest.values() if not d.deleted]


def build_sample_index(index, docs: list[Document], targets: list[str], distractors: int, seed: int = 0,
                       progress=None) -> dict:
    """Catalog + BM25 + dense vectors for the targets plus `distractors` other articles (seeded)."""
    from retrieval.dense_fill import fill_dense
    from retrieval.ingest import chunk_documents, ensure_lexical

    rng = random.Random(seed + 1)
    tset = set(targets)
    others = sorted((d for d in docs if d.doc_id not in tset), key=lambda d: d.doc_id)
    chosen = [d for d in docs if d.doc_id in tset] + (rng.sample(others, min(distractors, len(others))) if distractors >= 0 else others)
    t0 = time.perf_counter()
    index.catalog.apply(chunk_documents(chosen, index))
    ensure_lexical(index)
    t_lex = time.perf_counter() - t0
    st = fill_dense(index, progress=progress)
    return {"documents": len(chosen), "chunks": st.total, "lexical_s": round(t_lex, 1),
            "dense_s": round(time.perf_counter() - t0 - t_lex, 1), "dense_rate": round(st.rate, 1)}


# Questions the literature cannot answer (for calibrating `min_similarity`; not medical).
OFF_TOPIC = [
    "how do I change the oil in my car", "best chocolate chip cookie recipe", "who won the football world cup in 2018",
    "how to file my income tax return", "cheap flights from London to Rome", "how to fix a leaking kitchen tap",
    "what is the capital of Australia", "python list comprehension syntax", "how to train a puppy to sit",
    "tips for growing tomatoes on a balcony", "how does a mortgage interest rate work", "learn to play guitar chords",
    "what time does the supermarket close", "how to paint a bedroom wall", "best hiking trails in Colorado",
    "how to knit a scarf for beginners", "when was the Eiffel Tower built", "how to replace a bicycle chain",
    "rules of chess castling", "how to make sourdough bread starter", "what is the speed of light in vacuum",
    "how to reset a wifi router", "history of the Roman empire", "how to write a cover letter for a job",
    "difference between stocks and bonds", "how to clean a cast iron pan", "best science fiction novels",
    "how many planets are in the solar system", "how to install a ceiling fan", "translate hello into Japanese",
    "how to set up a home aquarium", "what is a black hole", "how to change a flat tyre", "rules of basketball",
    "how to build a wooden bookshelf", "best time to visit Iceland", "how do solar panels generate electricity",
    "how to make a budget spreadsheet", "what is the tallest mountain in Africa", "how to brew coffee with a french press",
]


def calibrate(retriever, items: list[KnownItem], off_topic: list[str] = OFF_TOPIC) -> dict:
    """Best dense similarity of answerable (known-item) vs off-topic queries, and the threshold
    that maximises balanced accuracy (Youden's J) between them."""
    def best(q):
        ps = retriever.search(q, k=5)
        sims = [p.similarity for p in ps if p.similarity is not None]
        return max(sims) if sims else 0.0

    pos = sorted(best(it.query) for it in items)
    neg = sorted(best(q) for q in off_topic)
    cands = sorted(set(round(x, 2) for x in pos + neg))
    best_t, best_j = 0.0, -1.0
    for t in cands:
        tpr = sum(x >= t for x in pos) / len(pos)
        fpr = sum(x >= t for x in neg) / len(neg)
        if tpr - fpr > best_j:
            best_t, best_j = t, tpr - fpr

    def rates(t):
        return {"threshold": t, "answerable_kept": round(sum(x >= t for x in pos) / len(pos), 3),
                "off_topic_kept": round(sum(x >= t for x in neg) / len(neg), 3)}

    def q(xs, f):
        return round(xs[min(len(xs) - 1, int(f * len(xs)))], 3)

    return {"answerable": {"n": len(pos), "p05": q(pos, 0.05), "p50": q(pos, 0.5)},
            "off_topic": {"n": len(neg), "p50": q(neg, 0.5), "p95": q(neg, 0.95), "max": round(neg[-1], 3)},
            "best": rates(best_t), "at_0.35": rates(0.35)}
