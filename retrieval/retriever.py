"""Hybrid retrieval: BM25 + dense (whatever is embedded so far), fused by reciprocal rank."""

from __future__ import annotations

import time
from typing import Any

from retrieval.collections import check_collections, collection_of, preference_weights, source_url
from retrieval.errors import UserError
from retrieval.fusion import rrf
from retrieval.index import LiteratureIndex
from retrieval.rerank import MAX_PER_DOC, MAX_PER_PAGE, RERANK_DEPTH, Candidate, diversify
from retrieval.rerank import rerank as entailment_rerank
from retrieval.types import Passage

FILTER_KEYS = {"year_min", "year_max", "pub_types", "collections"}
# Document fields copied from the catalog into `Passage.source` when present.
SOURCE_FIELDS = ("pmid", "pmcid", "journal", "doi", "path", "note", "cite_as", "guideline", "organization", "focus",
                 "qtype", "publisher", "doc_type")


def check_filters(filters: dict | None) -> dict:
    """Validate search filters: year_min, year_max (ints), pub_types (list of names), collections
    (list of "consumer", "guideline", "literature").

    Raises:
        UserError: unknown keys or bad values.
    """
    if not filters:
        return {}
    if not isinstance(filters, dict):
        raise UserError("filters must be an object with year_min, year_max, pub_types")
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise UserError(f"unknown filter(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(FILTER_KEYS))})")
    out: dict[str, Any] = {}
    for key in ("year_min", "year_max"):
        v = filters.get(key)
        if v is not None:
            try:
                out[key] = int(v)
            except (TypeError, ValueError):
                raise UserError(f"filter {key} must be a year, got {v!r}") from None
    if "year_min" in out and "year_max" in out and out["year_min"] > out["year_max"]:
        raise UserError(f"filter year_min {out['year_min']} is after year_max {out['year_max']}")
    pts = filters.get("pub_types")
    if pts:
        if isinstance(pts, str):
            pts = [pts]
        if not isinstance(pts, (list, tuple)) or not all(isinstance(p, str) and p.strip() for p in pts):
            raise UserError("filter pub_types must be a list of publication type names")
        out["pub_types"] = [p.strip() for p in pts]
    if filters.get("collections"):
        out["collections"] = check_collections(filters["collections"])
    return out


def _source(row: dict) -> dict[str, Any]:
    meta = row["meta"]
    src: dict[str, Any] = {"kind": row["kind"], "doc_id": row["doc_id"], "collection": collection_of(row["kind"]),
                           "title": row["title"]}
    url = source_url(row["kind"], meta)
    if url:
        src["url"] = url
    for key in SOURCE_FIELDS:
        if meta.get(key):
            src[key] = meta[key]
    if row["year"]:
        src["year"] = row["year"]
    if row["page"] is not None:
        src["page"] = row["page"]
    if row["section"]:
        src["section"] = row["section"]
    if row["pub_types"]:
        src["pub_types"] = row["pub_types"]
    return src


def _question_filter(flt: dict):
    """`keep(kind, year)` for question-index entries under the filters, or None when none can pass
    (entries have no publication types)."""
    if flt.get("pub_types"):
        return None
    colls = set(flt.get("collections") or ())
    lo, hi = flt.get("year_min"), flt.get("year_max")

    def keep(kind: str, year: int) -> bool:
        if colls and collection_of(kind) not in colls:
            return False
        return (lo is None or year >= lo) and (hi is None or 0 < year <= hi)

    keep.key = (tuple(sorted(colls)), lo, hi)  # the question index caches its entry mask by this
    return keep


FOCUS_KINDS = ("medquad", "medlineplus", "labs")  # documents with a focus and synonyms in their meta


def focus_phrases(row: dict, ambiguous: set[str] = frozenset(), query: str = "") -> list[str]:
    """What a catalog row's document is about, for the entailment rerank: the focus and synonyms of
    an NIH answer, MedlinePlus topic or lab page; [] for guideline sections (their last heading is
    as often "Treatment" or "First-line therapy" as a subject) and the literature, which keep their order.
    An acronym that is also a word ("ALL", "GO": `questions.ambiguous_acronyms`) counts only when
    the query writes it in capitals."""
    from retrieval.questions import names_focus

    meta = row["meta"]
    if row["kind"] in FOCUS_KINDS:
        return [p for p in [meta.get("focus") or "", *(meta.get("synonyms") or [])] if p and p.strip()
                and (p.strip() not in ambiguous or names_focus("@" + p.strip(), "", query))]
    return []


def _reranked(query: str, fused: list, rows: dict, qtype: str | None, ambiguous: set[str] = frozenset()) -> list:
    """The fused (id, score, ranks) list reranked by question entailment (`retrieval.rerank`)."""
    cands = [Candidate(cid, score, focus_phrases(rows[cid], ambiguous, query), rows[cid]["meta"].get("qtype") or "",
                       collection_of(rows[cid]["kind"])) for cid, score, _ in fused]
    ranks = {cid: r for cid, _, r in fused}
    return [(cid, score, ranks[cid]) for cid, score in entailment_rerank(query, cands, qtype=qtype)]


class HybridRetriever:
    """Search one collection with BM25 and dense vectors, fused by RRF.

    Args:
        index: the collection.
        min_similarity: dense cosine below which `is_relevant` says the passages do not cover
            the question (calibrated: see docs/retrieval.md).
        depth: candidates taken from each retriever before fusion (at least 5 x k).
    """

    def __init__(self, index: LiteratureIndex, min_similarity: float = 0.40, depth: int = 50):
        self.index = index
        self.min_similarity = min_similarity
        self.depth = depth
        self._lexical = None
        self._lexical_gen: int | None = None
        self._questions = None
        self._questions_gen: int | None = None
        self._drug_names = None
        self._store_embedded = -1
        self._store_opened_at = 0.0
        self._counts = (0, 0)
        self._counts_at = 0.0

    # --- index freshness ------------------------------------------------------------------
    def _refresh_lexical(self):
        from retrieval.ingest import ensure_lexical
        from retrieval.lexical import LexicalIndex, lexical_generation

        gen = self.index.catalog.generation
        if self._lexical is not None and self._lexical_gen == gen:
            return self._lexical
        if lexical_generation(self.index.layout.bm25) != gen:
            ensure_lexical(self.index)
        self._lexical = LexicalIndex(self.index.layout.bm25)
        self._lexical_gen = self._lexical.generation
        return self._lexical

    def _refresh_questions(self):
        """The question index of the catalog's MedQuAD pairs, rebuilt when the catalog changed."""
        from retrieval.questions import QuestionIndex, build_question_index, question_generation

        gen = self.index.catalog.generation
        if self._questions is not None and self._questions_gen == gen:
            return self._questions
        folder = self.index.layout.root / "questions"
        if question_generation(folder) != gen:
            build_question_index(self.index.catalog, folder)
        self._questions = QuestionIndex(folder)
        self._questions_gen = self._questions.generation
        return self._questions

    @property
    def drug_names(self):
        """The drug-name table (brands and generics) the queries are normalised with."""
        if self._drug_names is None:
            from pathlib import Path

            from retrieval.drug_names import DrugNames

            self._drug_names = DrugNames(Path(self.index.config.home) / "literature" / "cache")
        return self._drug_names

    def embed(self, texts) -> "object":
        """Texts as unit vectors (rows) with the index's own embedder (what relevance and the
        answers' support check compare with)."""
        return self.index.embedder.embed(list(texts), batch_size=32)

    def normalise_query(self, query: str) -> str:
        """The query with generic names added after drug brand names ("Tylenol (acetaminophen)")
        and the clinical or lay twin of common terms appended ("heart attack" -> "myocardial infarction")."""
        from retrieval.query_terms import add_synonyms

        return add_synonyms(self.drug_names.normalise(query))

    def _chunk_counts(self) -> tuple[int, int]:
        """(embedded, total) chunks, re-read at most once a second (cheap on the query path)."""
        now = time.time()
        if now - self._counts_at > 1.0:
            self._counts = self.index.catalog.embedded_total()
            self._counts_at = now
        return self._counts

    def _embedded_count(self) -> int:
        embedded = self._chunk_counts()[0]
        # Vectors written by another process (the background fill) become visible after a reopen.
        if self._store_embedded >= 0 and embedded > self._store_embedded and time.time() - self._store_opened_at > 15:
            self.index.reopen_store()
            self._store_embedded = -1
        if self._store_embedded < 0:
            self._store_embedded = embedded
            self._store_opened_at = time.time()
        return embedded

    # --- API ------------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, filters: dict | None = None, mode: str = "hybrid",
               prefer=None, rerank: bool = True, max_per_doc: int = MAX_PER_DOC,
               max_per_page: int = MAX_PER_PAGE) -> list[Passage]:
        """The k best passages for `query`, from all collections together.

        Drug brand names in the query get their generic names added first. In hybrid mode three
        ranked lists are fused by RRF: BM25 over passages, dense vectors (whatever is embedded so
        far) and question matching (the MedQuAD questions, focus and synonyms closest to the
        query contribute their answer chunks, weighted up to 3x when the query names the pair's
        focus and asks its question type; guideline sections take part by title, topics and
        heading path). A preference then weighs each fused score by the
        passage's collection. In hybrid mode the top 30 are then reranked by question entailment
        (`retrieval.rerank`: how fully the query names each document's focus or a synonym, and
        whether it asks its question type), each collection keeping the places it held. Last, each passage appears once (the best copy; the
        same title and text under two ids count once) and one document or page fills at most
        `max_per_doc` / `max_per_page` places.

        Args:
            query: free text.
            k: number of passages (1-100).
            filters: year_min, year_max, pub_types (any of; case-insensitive substring match),
                collections (any of "consumer", "guideline", "literature").
            mode: "hybrid" (RRF of all), or "dense" / "bm25" / "question" alone (benchmarks, debugging).
            prefer: "patient" (consumer, then guideline, then literature), "clinician" (guideline and
                literature before consumer), a mapping collection -> weight in 0-1, or None (no preference).
            rerank: rerank the top of a hybrid search by question entailment (default on).
            max_per_doc: passages of one document at most (0: no limit).
            max_per_page: passages of one page (URL; the NIH answers of one page) at most (0: no limit).

        Returns:
            Passages best first; `similarity` is the dense cosine of the query to the chunk
            (from its stored vector; None while the chunk has none).

        Raises:
            UserError: empty query, bad k, bad filters or an unknown preference.
        """
        q = " ".join(str(query or "").split())
        if not q:
            raise UserError("empty query")
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise UserError(f"k must be between 1 and 100, got {k!r}")
        if mode not in ("hybrid", "dense", "bm25", "question"):
            raise UserError(f"unknown search mode '{mode}' (hybrid, dense, bm25, question)")
        for name, cap in (("max_per_doc", max_per_doc), ("max_per_page", max_per_page)):
            if not isinstance(cap, int) or cap < 0:
                raise UserError(f"{name} must be a whole number >= 0, got {cap!r}")
        flt = check_filters(filters)
        weights = preference_weights(prefer)
        # Lexical lists see the rewritten query; dense vectors and similarities the user's own words.
        lq = self.normalise_query(q)
        depth = max(self.depth, 5 * k)
        lex_ids: list[str] = []
        if mode in ("hybrid", "bm25"):
            lex_ids = [h.id for h in self._refresh_lexical().search(lq, depth, flt)]
        matched: dict[str, list[str]] = {"question": [], "section": []}
        confidence: dict[str, float] = {}
        keep = _question_filter(flt)
        qtype = None
        if mode == "hybrid" or (mode == "question" and keep is not None):
            from retrieval.query_terms import question_type

            # A question naming a drug and no other cue asks about treatment ("aspirin after a heart attack").
            qtype = question_type(lq) or ("treatment" if self.drug_names.mentions_drug(lq) else None)
        if mode in ("hybrid", "question") and keep is not None:
            # MedQuAD pairs and guideline sections rank in lists of their own, so that neither crowds out the other.
            questions = self._refresh_questions()
            for name, kind in (("question", "medquad"), ("section", "guideline")):
                for hit in questions.search(lq, max(20, 2 * k), qtype=qtype, keep=keep, kind=kind):
                    matched[name].extend(hit.chunks)
                    confidence.update({c: hit.confidence for c in hit.chunks})
        sims: dict[str, float] = {}
        dense_ids: list[str] = []
        qvec = None
        embedded = self._embedded_count() if mode in ("hybrid", "dense") else 0
        if embedded > 0:
            qvec = self.index.embedder.embed_query(q)
            post = flt.get("pub_types") or flt.get("collections")
            hits = self.index.store.query(qvec, depth * (3 if post else 1),
                                          flt.get("year_min"), flt.get("year_max"))
            rows = self.index.catalog.chunk_rows([i for i, _ in hits])
            want = [t.lower() for t in flt.get("pub_types", [])]
            colls = set(flt.get("collections") or [])
            for cid, sim in hits:
                row = rows.get(cid)
                if row is None:  # stale vector of a replaced chunk: the next fill deletes it
                    continue
                if want and not any(w in p.lower() for p in row["pub_types"] for w in want):
                    continue
                if colls and collection_of(row["kind"]) not in colls:
                    continue
                dense_ids.append(cid)
                sims[cid] = sim
            dense_ids = dense_ids[:depth]
        # While the dense index fills, its list covers only part of the corpus: weigh it by coverage.
        total = max(self._chunk_counts()[1], 1) if embedded else 1
        fused = rrf({"dense": dense_ids, "bm25": lex_ids, **matched}, weights={"dense": min(1.0, embedded / total)},
                    item_weights={"question": confidence, "section": confidence})
        if weights is None:  # a pool for the rerank and for the passages the caps leave out
            fused = fused[:max(RERANK_DEPTH, 4 * k)]
        rows = self.index.catalog.chunk_rows([i for i, _, _ in fused])
        fused = [f for f in fused if f[0] in rows]
        if weights is not None:  # weigh by collection
            fused = [(cid, score * weights.get(collection_of(rows[cid]["kind"]), 1.0), ranks)
                     for cid, score, ranks in fused]
            fused = sorted(fused, key=lambda f: (-f[1], min(f[2].values()), f[0]))[:max(RERANK_DEPTH, 4 * k)]
        if rerank and mode == "hybrid":
            ambiguous = self._questions.ambiguous if self._questions is not None else set()
            fused = _reranked(q, fused, rows, qtype, ambiguous)
        # The same words under the same title count once (the same answer reached twice); titles keep
        # apart papers or answers that share a sentence.
        kept = diversify([(cid, rows[cid]["doc_id"], source_url(rows[cid]["kind"], rows[cid]["meta"]) or "",
                           f"{rows[cid]['context']}\n{rows[cid]['text']}") for cid, _, _ in fused], max_per_doc, max_per_page)
        fused = [fused[i] for i in kept][:k]
        if qvec is not None:
            self._stored_similarities(qvec, [f[0] for f in fused], rows, sims)
        out = []
        for cid, score, ranks in fused:
            src = _source(rows[cid])
            out.append(Passage(id=cid, text=rows[cid]["text"], score=round(score, 6), similarity=sims.get(cid),
                               source=src, ranks=ranks, query=q, collection=src["collection"], title=src["title"],
                               url=src.get("url")))
        return out

    def whole_answers(self, passages: list[Passage], top: int = 3, max_chunks: int = 6) -> list[Passage]:
        """The passages with each of the first `top` NIH answers widened to the whole answer.

        A long NIH answer is chunked, and the chunk that matches a question best is often its
        opening ("symptoms vary from person to person") while the list a reader needs is in the
        next chunk. Other chunks of a widened answer are dropped from the list; answers of more
        than `max_chunks` chunks, guideline sections and literature stay as they are.
        """
        from dataclasses import replace

        out: list[Passage] = []
        widened: set[str] = set()
        for i, p in enumerate(passages):
            doc = p.source.get("doc_id")
            if doc in widened:
                continue
            if i < top and p.collection == "consumer" and doc:
                texts = self.index.catalog.doc_chunk_texts(doc)
                if 1 < len(texts) <= max_chunks:
                    p = replace(p, text="\n".join(texts))
                    widened.add(doc)
            out.append(p)
        return out

    def _stored_similarities(self, qvec, ids: list[str], rows: dict, sims: dict[str, float]) -> None:
        """Cosine to the stored vectors of fused passages the dense list did not return."""
        import numpy as np

        missing = [i for i in ids if i not in sims and rows[i]["embedded"]]
        for cid, vec in self.index.store.vectors(missing).items():
            sims[cid] = round(float(np.dot(np.asarray(vec, dtype=np.float32), qvec)), 6)

    def is_relevant(self, passages: list[Passage]) -> bool:
        """True when the best dense similarity reaches the calibrated threshold.

        RRF scores only rank; they say nothing about whether the corpus covers the question,
        so the decision uses the dense cosine of the query to the passages. Passages whose
        chunk has no vector yet (dense index still filling) are embedded here, and their
        `similarity` is filled in.
        """
        import numpy as np

        from retrieval.query_terms import spell_out

        todo = [p for p in passages if p.similarity is None and p.query]
        for query in {p.query for p in todo}:
            group, vecs = self._passage_vectors([p for p in todo if p.query == query])
            qvec = self.index.embedder.embed_query(query)
            for p, vec in zip(group, vecs):
                p.similarity = round(float(np.dot(vec, qvec)), 6)
        sims = [p.similarity for p in passages if p.similarity is not None]
        if sims and max(sims) >= self.min_similarity:
            return True
        # Clinicians' shorthand ("first line tx for HTN in a 55yo pt") is unknown to the embedder: the
        # question spelled out gets a second look.
        for query in {p.query for p in passages if p.query}:
            full = spell_out(query)
            if full == query:
                continue
            group, vecs = self._passage_vectors([p for p in passages if p.query == query])
            if group and float(max(np.asarray(vecs) @ self.index.embedder.embed_query(full))) >= self.min_similarity:
                return True
        return False

    def _passage_vectors(self, group: list[Passage]) -> tuple[list[Passage], Any]:
        """The passages of `group` still in the catalog, and their texts embedded (context first)."""
        rows = self.index.catalog.chunk_rows([p.id for p in group])
        group = [p for p in group if p.id in rows]
        texts = [(f"{rows[p.id]['context']}\n{p.text}" if rows[p.id]["context"] else p.text) for p in group]
        return group, (self.index.embedder.embed(texts, batch_size=16) if group else [])

    def status(self) -> dict[str, Any]:
        """Index state for the CLI and the web chat.

        Returns:
            {collection, store, embedder, bm25_docs, documents, documents_by_collection
             ({consumer, guideline, literature}), dense_done, dense_total, dense_complete, filling,
             rate (chunks/s), eta_s, fill_state}
        """
        from retrieval.dense_fill import fill_running, read_fill_status
        from retrieval.lexical import LexicalIndex, lexical_generation

        layout = self.index.layout
        c = self.index.catalog.counts()
        fs = read_fill_status(layout) or {}
        running = fill_running(layout)
        bm25_docs = 0
        if lexical_generation(layout.bm25) is not None:
            bm25_docs = self._lexical.n if self._lexical is not None else LexicalIndex(layout.bm25).n
        by_collection = {c: 0 for c in ("consumer", "guideline", "literature")}
        for kind, n in self.index.catalog.count_kinds().items():
            by_collection[collection_of(kind)] += n
        return {
            "collection": layout.collection,
            "store": layout.chroma_url or str(layout.chroma_path),
            "embedder": self.index.embedder.name,
            "documents": c["docs"],
            "documents_by_collection": by_collection,
            "bm25_docs": bm25_docs,
            "dense_done": c["embedded"],
            "dense_total": c["chunks"],
            "dense_complete": c["chunks"] > 0 and c["embedded"] == c["chunks"],
            "filling": running,
            "rate": round(float(fs.get("rate") or 0.0), 2) if running else 0.0,
            "eta_s": (round(float(fs["eta_s"]), 1) if running and fs.get("eta_s") is not None else None),
            "fill_state": ("interrupted" if fs.get("state") == "running" and not running else fs.get("state")) if fs else None,
        }


def get_retriever(settings, embedder=None, progress=None) -> HybridRetriever:
    """The retriever of the configured collection, ready to search.

    With `retrieval.auto_build` on, the bundled consumer answers (MedQuAD) and guideline summaries
    are put into the catalog first whenever their data is new to it (seconds), then, on a
    collection without literature, the BM25 index of the default MEDLINE corpus is built (about
    half a minute on 2 cores) and, with
    `retrieval.auto_fill`, a detached background process starts filling the dense index
    (resumable; see `status()`); search serves BM25 at once and fuses in vectors as they come.
    While that first build runs, a progress line is shown at least every 2 s (`retrieval.first_run`).

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.
        embedder: an embedder to use instead of the configured one (tests); no background fill
            is started for it.
        progress: a `retrieval.first_run.FirstRunProgress` for a first-run build (default: one
            on stderr, which also keeps `literature/first_run.json` for other processes to show).

    Raises:
        UserError: the collection was built with another embedder, or the store is unreachable.
    """
    from retrieval.dense_fill import fill_running, start_background_fill
    from retrieval.ingest import ensure_lexical

    from retrieval.config import IndexConfig

    r = IndexConfig.coerce(settings)
    index = LiteratureIndex(r, embedder)
    if r.auto_build and embedder is None:
        from retrieval.first_run import prepare

        # Consumer answers and guideline summaries first, then MEDLINE; progress on stderr meanwhile.
        prepare(index, progress)
    ensure_lexical(index)
    counts = index.catalog.counts()
    if (r.auto_fill and embedder is None and counts["chunks"] > counts["embedded"]
            and not fill_running(index.layout)):
        start_background_fill(r)
    return HybridRetriever(index, min_similarity=r.min_similarity)
