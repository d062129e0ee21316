"""`medbot ingest` and `medbot search` (stdlib-only imports at top level)."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag, add_role_flag, print_json, settings_from_args


def _store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chroma-url", dest="chroma_url", help="use a Chroma server (http://HOST:PORT) instead of the embedded store")
    p.add_argument("--collection", help="collection name (default: knowledge; a home made before it keeps its medline collection)")
    p.add_argument("--embedder", help="sentence-transformers model folder (default: bundled all-MiniLM-L6-v2)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="index literature: the bundled MEDLINE corpus, or your files and folders",
                       description="Index PubMed/MEDLINE XML (.xml, .xml.gz), PMC .nxml, PDF, Markdown/TXT and JSONL "
                       "({id, text, metadata}). Without PATH: the bundled MEDLINE citations. Safe to interrupt and rerun.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the bundled MEDLINE corpus)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--background", action="store_true", help="build BM25 now, fill the dense index in a background process")
    mode.add_argument("--lexical-only", action="store_true", help="build BM25 only; vectors later")
    mode.add_argument("--status", action="store_true", help="show the index state and exit")
    p.add_argument("--batch-size", type=int, default=64, help="encoder batch size (default 64)")
    _store_flags(p)
    add_json_flag(p)
    p.set_defaults(handler=_ingest)

    s = sub.add_parser("search", help="search NIH answers, guideline summaries and the literature (BM25 + dense + question match)")
    s.add_argument("query", nargs="+", help="what to look for")
    s.add_argument("--k", type=int, default=None, help="number of passages (default 5)")
    s.add_argument("--year-min", type=int, dest="year_min")
    s.add_argument("--year-max", type=int, dest="year_max")
    s.add_argument("--pub-type", action="append", dest="pub_types", metavar="TYPE",
                   help="publication type, e.g. 'Randomized Controlled Trial' (repeatable: any of)")
    s.add_argument("--only", action="append", dest="collections", choices=["consumer", "guideline", "literature"],
                   help="search only this collection (repeatable)")
    add_role_flag(s)
    s.add_argument("--no-preference", action="store_true", dest="no_preference",
                   help="rank all collections alike instead of by the role's preference")
    _store_flags(s)
    add_json_flag(s)
    s.set_defaults(handler=_search)


def _settings(args):
    retrieval = {k: getattr(args, k, None) for k in ("chroma_url", "collection", "embedder")}
    retrieval = {k: v for k, v in retrieval.items() if v}
    return settings_from_args(args, retrieval=retrieval or None)


def _fmt_eta(seconds) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def _status_line(st: dict) -> str:
    by = st.get("documents_by_collection") or {}
    parts = ", ".join(f"{n} {c}" for c, n in by.items() if n)
    line = (f"{st['collection']}: {st['documents']} documents{' (' + parts + ')' if parts else ''}, "
            f"BM25 {st['bm25_docs']} chunks, dense {st['dense_done']}/{st['dense_total']}")
    if st["filling"]:
        line += f" (filling: {st['rate']:.1f} chunks/s, ETA {_fmt_eta(st['eta_s'])})"
    return line


def _ingest(args) -> int:
    from pathlib import Path

    from bot.errors import UserError
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import IngestOptions, run_ingest

    if args.batch_size < 1:
        raise UserError("--batch-size must be at least 1")
    settings = _settings(args)
    index = LiteratureIndex(settings)
    if args.status:
        from retrieval.retriever import HybridRetriever

        st = HybridRetriever(index).status()
        print_json(st) if args.json else print(_status_line(st))
        return 0
    dense = "background" if args.background else "none" if args.lexical_only else "foreground"
    opts = IngestOptions(paths=[Path(p) for p in args.paths], dense=dense, batch_size=args.batch_size)
    quiet = args.json

    def on_file(out):
        if out.status == "failed":
            sys.stderr.write(f"medbot: error: {out.error}\n")
        elif not quiet:
            sys.stderr.write(f"{out.status:>7}  {out.path}  ({out.docs} documents, {out.chunks} new chunks)\n"
                             if out.status == "ok" else f"{out.status:>7}  {out.path}  (already indexed)\n")

    bar = None

    def on_progress(st):
        nonlocal bar
        if quiet:
            return
        from tqdm import tqdm

        if bar is None:
            bar = tqdm(total=st.total, initial=st.done, unit="chunk", desc="dense index", file=sys.stderr,
                       dynamic_ncols=True)
        bar.total = st.total
        bar.n = st.done
        bar.set_postfix_str(f"{st.rate:.1f} chunks/s, ETA {_fmt_eta(st.eta_s)}", refresh=True)

    if not args.paths and not quiet:
        sys.stderr.write("indexing the bundled MEDLINE corpus (BM25 first, then dense vectors; safe to interrupt and rerun)\n")
    try:
        report = run_ingest(index, opts, on_file=on_file, on_progress=on_progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json(report.to_json())
    else:
        s = report.stats
        d = report.dense
        print(f"documents: +{s.docs_added} new, {s.docs_replaced} replaced, {s.docs_deleted} deleted, "
              f"{s.docs_older_skipped} older versions skipped; chunks: +{s.chunks_added} -{s.chunks_removed}; "
              f"BM25: {report.bm25_docs} chunks; dense: {d.get('done')}/{d.get('total')} ({d.get('state')}"
              f"{', pid ' + str(d['pid']) if d.get('pid') else ''})")
    return 2 if report.failed else 0


def _search(args) -> int:
    from retrieval.index import LiteratureIndex
    from retrieval.retriever import HybridRetriever, get_retriever

    settings = _settings(args)
    k = args.k if args.k is not None else settings.retrieval.k
    probe = LiteratureIndex(settings)
    if probe.catalog.counts()["docs"] == 0 and settings.retrieval.auto_build and not args.json:
        sys.stderr.write("no index yet: indexing the bundled NIH answers and guideline summaries, then the "
                         "bundled MEDLINE corpus (about a minute; dense vectors follow in the background)\n")
    probe.close()
    r: HybridRetriever = get_retriever(settings)
    filters = {"year_min": args.year_min, "year_max": args.year_max, "pub_types": args.pub_types,
               "collections": args.collections}
    filters = {k2: v for k2, v in filters.items() if v}
    prefer = None if args.no_preference else settings.role
    passages = r.search(" ".join(args.query), k=k, filters=filters or None, prefer=prefer)
    st = r.status()
    if args.json:
        print_json({"query": " ".join(args.query), "k": k, "filters": filters, "prefer": prefer,
                    "relevant": r.is_relevant(passages),
                    "passages": [p.to_json() for p in passages], "status": st})
        return 0
    if not passages:
        print("no passages found")
    for n, p in enumerate(passages, 1):
        src = p.source
        cite = f"[PMID:{src['pmid']}]" if src.get("pmid") else f"[DOC:{p.source['doc_id']}]"
        where = src.get("cite_as") or ", ".join(
            str(x) for x in (src.get("journal"), src.get("year"), f"p. {src['page']}" if src.get("page") else None) if x)
        sim = f"{p.similarity:.2f}" if p.similarity is not None else "-"
        print(f"{n}. {cite} {src.get('title', '')}" + (f" ({where})" if where else "")
              + f"  [score {p.score:.4f}, similarity {sim}]")
        print("   " + " · ".join(x for x in (p.collection, src.get("section") if p.collection == "guideline" else None,
                                          src.get("note") if p.collection == "consumer" else None, p.url) if x))
        print(f"   {p.snippet}")
    if passages and not r.is_relevant(passages):
        print("note: no passage is close to the query (best similarity below "
              f"{settings.retrieval.min_similarity:.2f}): the index may not cover it")
    if not st["dense_complete"]:
        print(_status_line(st))
    return 0
