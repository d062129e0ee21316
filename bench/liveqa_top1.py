"""Top-1 page accuracy on long consumer messages: the TREC 2017 LiveQA-Med training questions.

    MEDBOT_HOME=~/.medbot .venv/bin/python bench/liveqa_top1.py [--liveqa PATH] [--limit N] [--json OUT]

Data: the training questions of https://github.com/abachaa/LiveQA_MedicalTask_TREC2017 (Ben Abacha,
Agichtein, Pinter & Demner-Fushman, "Overview of the Medical Question Answering Task at TREC 2017
LiveQA", TREC 2017). The repository has no licence file and its current tree no longer holds the
training files, so nothing of it is copied into medbot: `--liveqa` names a clone (or bare git
directory) of it, and the two files `TrainingDatasets/TREC-2017-LiveQA-Medical-Train-{1,2}.xml`
are read from its tree or, where the tree lacks them, from the last commit that had them. The test
files are never read.

Each question is its SUBJECT and MESSAGE joined (as a user would paste them). Its reference pages
are found by text: a bundled consumer document (NIH answer of MedQuAD, MedlinePlus topic) is a
reference when at least 40% of the 6-word shingles of one of the question's reference answers occur
in its text (shingles found in more than 5 documents, boilerplate such as "These resources address the
diagnosis or management of", are left out of both counts) (the training answers carry no URLs; most were copied from NIH pages that MedQuAD also
holds). A page is the document's URL (the MedQuAD pairs of one NIH page share it). Questions with no
reference page in the bundled knowledge are counted and left out.

A hit: the page (URL) of the top search result is a reference page. Also printed: hit in the top 5
pages, the exact document (same MedQuAD pair) at the top, and the right topic at the top (its focus, as
written in MedQuAD/MedlinePlus, is a reference document's focus: the same condition on another NIH
site counts). Searches use the patient preference,
as the agent does for a consumer. Modes: `plain` (hybrid search as the agent calls it without the
rerank), `rerank` (question-entailment rerank of the top 30, `retrieval.rerank`), and with
`--summarise MODEL` the same two after the local model turned the message into one short question
(timed per message).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_MIRROR = Path("/work/.mirror/abachaa+LiveQA_MedicalTask_TREC2017/repo")
FILES = ("TrainingDatasets/TREC-2017-LiveQA-Medical-Train-1.xml", "TrainingDatasets/TREC-2017-LiveQA-Medical-Train-2.xml")
CONSUMER_KINDS = ("medquad", "medlineplus")
SHINGLE = 6
MIN_SHARE = 0.4
MAX_DOCS_PER_SHINGLE = 5
_WORD = re.compile(r"[a-z0-9]+")


def _git(repo: Path, *args: str) -> str:
    gitdir = repo if (repo / "HEAD").is_file() and not (repo / ".git").exists() else repo / ".git"
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], check=True, capture_output=True, text=True).stdout


def read_training_file(repo: Path, name: str) -> str:
    """The text of one training file: from the work tree, else from the last commit that had it."""
    path = repo / name
    if path.is_file():
        return path.read_text(encoding="utf-8-sig")
    try:
        last = _git(repo, "log", "--all", "-n", "1", "--format=%H", "--diff-filter=D", "--", name).strip()
        if last:
            return _git(repo, "show", f"{last}^:{name}").lstrip("\ufeff")
        return _git(repo, "show", f"HEAD:{name}").lstrip("\ufeff")
    except (OSError, subprocess.CalledProcessError):
        raise SystemExit(f"error: {name} is not in {repo} (clone https://github.com/abachaa/LiveQA_MedicalTask_TREC2017 "
                         "and pass it with --liveqa)") from None


def load_questions(repo: Path) -> list[dict]:
    """[{qid, text, answers}] of both training files (SUBJECT + MESSAGE, reference answer texts)."""
    out = []
    for n, name in enumerate(FILES, 1):
        root = ET.fromstring(read_training_file(repo, name).encode("utf-8"))
        for q in root.iter("NLM-QUESTION"):
            qid = f"train{n}:{q.get('questionid') or q.get('qid')}"
            subject = " ".join((q.findtext("SUBJECT") or "").split())
            message = " ".join((q.findtext("MESSAGE") or "").split())
            text = f"{subject}. {message}" if subject and message else subject or message
            answers = [" ".join((a.text or "").split()) for a in q.iter("ANSWER")]
            if text:
                out.append({"qid": qid, "text": text, "answers": [a for a in answers if a]})
    return out


def _shingles(text: str) -> set[str]:
    w = _WORD.findall(text.lower())
    return {" ".join(w[i:i + SHINGLE]) for i in range(max(0, len(w) - SHINGLE + 1))}


def reference_pages(catalog, questions: list[dict]) -> dict[str, dict]:
    """qid -> {"docs": set of doc ids, "pages": set of URLs} of the bundled consumer documents
    holding one of its reference answers (see the module docstring)."""
    wanted: dict[str, set[tuple[str, int]]] = {}
    for q in questions:
        for j, a in enumerate(q["answers"]):
            sh = _shingles(a)
            if len(sh) >= 3:
                for s in sh:
                    wanted.setdefault(s, set()).add((q["qid"], j))
    texts: dict[str, list[str]] = {}
    marks = ",".join("?" * len(CONSUMER_KINDS))
    rows = catalog.db.execute(f"SELECT c.doc_id, c.text FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
                              f"WHERE d.kind IN ({marks}) AND d.deleted = 0 ORDER BY c.doc_id, c.ord", CONSUMER_KINDS)
    for doc_id, text in rows:
        texts.setdefault(doc_id, []).append(text)
    metas = {d: json.loads(m or "{}") for d, m in catalog.db.execute(
        f"SELECT doc_id, meta FROM docs WHERE kind IN ({marks}) AND deleted = 0", CONSUMER_KINDS)}
    urls = {d: m.get("url") for d, m in metas.items()}
    found: dict[str, set[str]] = {}  # doc -> the wanted shingles it holds
    df: dict[str, int] = {}
    for doc_id, parts in texts.items():
        hold = {sh for sh in _shingles(" ".join(parts)) if sh in wanted}
        if hold:
            found[doc_id] = hold
            for sh in hold:
                df[sh] = df.get(sh, 0) + 1
    # Boilerplate ("These resources address the diagnosis or management of ...") is in many pages: not evidence.
    rare = {sh for sh, n in df.items() if n <= MAX_DOCS_PER_SHINGLE}
    size: dict[tuple[str, int], int] = {}
    for sh, keys in wanted.items():
        if sh not in df or sh in rare:
            for key in keys:
                size[key] = size.get(key, 0) + 1
    refs: dict[str, dict] = {}
    for doc_id, hold in found.items():
        counts: dict[tuple[str, int], int] = {}
        for sh in hold & rare:
            for key in wanted[sh]:
                counts[key] = counts.get(key, 0) + 1
        for (qid, j), c in counts.items():
            if size.get((qid, j), 0) >= 3 and c >= MIN_SHARE * size[(qid, j)]:
                r = refs.setdefault(qid, {"docs": set(), "pages": set(), "foci": set()})
                r["docs"].add(doc_id)
                if metas[doc_id].get("focus"):
                    r["foci"].add(_focus(metas[doc_id]["focus"]))
                if urls.get(doc_id):
                    r["pages"].add(urls[doc_id])
    return refs


def _focus(text: str) -> str:
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in _WORD.findall(text.lower()))


def _pages(passages) -> list[str]:
    seen: list[str] = []
    for p in passages:
        page = p.url or p.source.get("doc_id")
        if page not in seen:
            seen.append(page)
    return seen


def score(retriever, items: list[dict], refs: dict, rerank: bool | None, queries: dict[str, str] | None = None) -> dict:
    """Top-1 page, top-5 page and top-1 document accuracy, and search latency, of one mode."""
    top1 = top5 = exact = focus = 0
    lat = []
    misses = []
    for it in items:
        q = (queries or {}).get(it["qid"], it["text"])
        kw = {} if rerank is None else {"rerank": rerank}
        t = time.perf_counter()
        ps = retriever.search(q, k=10, prefer="patient", **kw)
        lat.append((time.perf_counter() - t) * 1000)
        ref = refs[it["qid"]]
        pages = _pages(ps)
        hit = bool(pages) and pages[0] in ref["pages"]
        top1 += hit
        top5 += any(p in ref["pages"] for p in pages[:5])
        exact += bool(ps) and ps[0].source.get("doc_id") in ref["docs"]
        focus += bool(ps) and _focus(ps[0].source.get("focus") or "") in ref["foci"]
        if not hit:
            misses.append((it["qid"], ps[0].source.get("doc_id") if ps else None))
    n = max(len(items), 1)
    lat.sort()
    return {"top1_page": round(top1 / n, 3), "top5_page": round(top5 / n, 3), "top1_doc": round(exact / n, 3),
            "top1_focus": round(focus / n, 3),
            "hits": top1, "n": len(items), "p50_ms": round(statistics.median(lat), 1) if lat else None,
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1) if lat else None, "misses": misses}


def summarised(items: list[dict], model: str) -> tuple[dict[str, str], list[float]]:
    """Each message as the local model's one-question summary (`retrieval.rerank_summary`), and the
    seconds each took (model load excluded)."""
    from bot.config import load_settings
    from bot.llm import load_backend
    from retrieval.rerank_summary import summarise_question

    llm = load_backend(load_settings({"model": model, "temperature": 0.0, "max_tokens": 32, "n_ctx": 2048}))

    def complete(messages):
        return llm.complete(messages, max_tokens=32, temperature=0.0).text

    out, secs = {}, []
    for it in items:
        t = time.perf_counter()
        out[it["qid"]] = summarise_question(it["text"], complete)
        secs.append(time.perf_counter() - t)
    return out, secs


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--liveqa", type=Path, default=DEFAULT_MIRROR, help="clone or git directory of LiveQA_MedicalTask_TREC2017")
    p.add_argument("--limit", type=int, help="only the first N questions that have a reference page")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--show-misses", action="store_true", help="list the questions whose top page is wrong")
    p.add_argument("--summarise", metavar="MODEL", help="also search the local model's one-question summary of each "
                   "message (a bundled name such as qwen1.5b, or a .gguf path)")
    p.add_argument("--summarise-limit", type=int, default=20, help="messages summarised (default 20; the model is slow)")
    args = p.parse_args()
    if not args.liveqa.exists():
        raise SystemExit(f"error: {args.liveqa} does not exist (clone https://github.com/abachaa/LiveQA_MedicalTask_TREC2017 "
                         "and pass it with --liveqa)")

    from bot.config import load_settings
    from retrieval import get_retriever

    questions = load_questions(args.liveqa)
    r = get_retriever(load_settings({"retrieval": {"auto_fill": False}}))
    refs = reference_pages(r.index.catalog, questions)
    items = [q for q in questions if q["qid"] in refs]
    if args.limit:
        items = items[:args.limit]
    r.search("warm up: what is a fever", k=10)
    import inspect

    has_rerank = "rerank" in inspect.signature(r.search).parameters
    modes = {"plain": score(r, items, refs, False if has_rerank else None)}
    if has_rerank:
        modes["rerank"] = score(r, items, refs, True)
    if args.summarise:
        few = items[:args.summarise_limit]
        queries, secs = summarised(few, args.summarise)
        for name, rr in (("plain", False), ("rerank", True)):
            modes[f"{name}, same {len(few)}"] = score(r, few, refs, rr if has_rerank else None)
            modes[f"{name}, summary"] = score(r, few, refs, rr if has_rerank else None, queries)
        secs.sort()
        print(f"summaries by {args.summarise}: {len(secs)} messages, {sum(1 for q in few if queries[q['qid']] != q['text'])} "
              f"rewritten, seconds per message p50 {statistics.median(secs):.1f} max {secs[-1]:.1f}")
        for q in few[:8]:
            print(f"   {q['text'][:70]!r} -> {queries[q['qid']]!r}")
    st = r.status()
    print(f"LiveQA-Med training questions: {len(questions)}; with a reference page in the bundled knowledge: "
          f"{len(refs)}; evaluated: {len(items)}")
    print(f"index: dense {st.get('dense_done')}/{st.get('dense_total')} chunks")
    base = modes["plain"]["top1_page"] or 1e-9
    for name, m in modes.items():
        print(f"{name:16s} top-1 page {m['top1_page']:.3f} ({m['hits']}/{m['n']})  top-5 page {m['top5_page']:.3f}  "
              f"top-1 document {m['top1_doc']:.3f}  top-1 focus {m['top1_focus']:.3f}  search p50 {m['p50_ms']} ms p95 {m['p95_ms']} ms  "
              f"vs plain x{m['top1_page'] / base:.2f}")
        if args.show_misses:
            for qid, got in m["misses"]:
                print(f"   miss {qid}: top {got}; reference {sorted(refs[qid]['docs'])[:3]}")
    if args.json:
        args.json.write_text(json.dumps({"questions": len(questions), "with_reference": len(refs),
                                         "modes": {k: {kk: vv for kk, vv in v.items() if kk != "misses"}
                                                   for k, v in modes.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
