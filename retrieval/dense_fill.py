"""Dense fill: embed the catalog's chunks that have no vector yet and store them in Chroma.

Resumable and safe to kill at any point: a chunk is marked embedded only after Chroma stored
it, upserts are idempotent by id, and every run starts by reconciling the catalog's flags with
the ids actually in Chroma (deleting vectors of chunks the catalog no longer has).

One fill per data folder (`literature/fill.lock`), over several collections in a chosen order
(small, answer-critical collections first); it exits when everything is embedded. It yields to
chat: while any `answering(home)` block is open, it pauses between encoder batches, so neither
its encoding nor its writes compete with an answer. Progress goes to `fill_status.json` per
collection and `fill.json` per home, and a tally of the chunks with a vector per document kind
(`kinds.json`, see retrieval/source_progress.py) as they are written; `status_line(home)` turns
them into one line for a UI, source by source.

`python -m retrieval.dense_fill` runs it as the background process started by
`medbot ingest --background`, `medbot index rebuild` and the first search on a fresh machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

from retrieval.catalog import Catalog
from retrieval.index import Layout, LiteratureIndex
from retrieval.source_progress import KindTally


@dataclass
class FillStatus:
    """Progress of a dense fill (also the content of `fill_status.json`)."""

    state: str  # running | done | stopped | failed | busy
    done: int
    total: int
    rate: float  # chunks per second in this run
    eta_s: float | None
    pid: int
    updated_at: float
    error: str | None = None


class FillLock:
    """Exclusive per-collection lock; `acquire()` is False when another filler holds it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            return False
        return True

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def fill_running(layout: Layout) -> bool:
    """Whether a filler holds this collection's lock now."""
    lock = FillLock(layout.lock)
    if lock.acquire():
        lock.release()
        return False
    return True


def read_fill_status(layout: Layout) -> dict | None:
    try:
        return json.loads(layout.fill_status.read_text())
    except (OSError, ValueError):
        return None


def _write_status(layout: Layout, st: FillStatus) -> None:
    tmp = layout.fill_status.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(asdict(st)))
    os.replace(tmp, layout.fill_status)


def reconcile(index: LiteratureIndex) -> dict[str, int]:
    """Make catalog flags match Chroma; delete vectors of chunks the catalog no longer holds."""
    in_store = set(index.store.iter_ids())
    in_catalog = index.catalog.all_chunk_ids()
    extra = sorted(in_store - in_catalog)
    index.store.delete(extra)
    index.catalog.set_embedded_exactly(in_store & in_catalog)
    return {"deleted_stale": len(extra), "already_embedded": len(in_store & in_catalog)}


def _store_metadata(row: dict) -> dict:
    meta = row["meta"]
    return {"doc_id": row["doc_id"], "kind": row["kind"], "title": row["title"][:300], "year": row["year"],
            "pmid": meta.get("pmid"), "journal": meta.get("journal"), "page": row["page"], "section": row["section"]}


def _literature(home: Path | str) -> Path:
    return Path(home) / "literature"


@contextlib.contextmanager
def answering(home: Path | str) -> Iterator[None]:
    """Mark a question as being answered: the home's dense fill pauses until the block ends.

    Wrap a chat turn in it (`with answering(settings.home): ...`). Cheap (one small file), safe
    to nest and to use from several processes; a marker left by a killed process is ignored
    once that process is gone.
    """
    folder = _literature(home) / "answering"
    marker = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(time.time()))
    except OSError:  # a read-only or full home must not stop the answer
        marker = None
    try:
        yield
    finally:
        if marker is not None:
            try:
                marker.unlink()
            except OSError:
                pass


def answering_now(home: Path | str, max_age_s: float = 600.0) -> bool:
    """Whether a live process is inside `answering(home)` (markers of dead processes are removed)."""
    folder = _literature(home) / "answering"
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    now = time.time()
    for f in entries:
        try:
            pid = int(f.name.split("-", 1)[0])
            fresh = now - f.stat().st_mtime < max_age_s
        except (ValueError, OSError):
            continue
        alive = True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            alive = False
        except PermissionError:
            pass
        if alive and fresh:
            return True
        if not alive:
            try:
                f.unlink()
            except OSError:
                pass
    return False


def _yield_to_chat(home: Path, should_stop: Callable[[], bool] | None) -> float:
    """Sleep while a question is being answered; returns the seconds paused."""
    t0 = time.perf_counter()
    while answering_now(home):
        if should_stop is not None and should_stop():
            break
        time.sleep(0.1)
    return time.perf_counter() - t0


def order_by_tokens(rows: list[tuple[str, str, int]], embedder) -> list[tuple[str, str, int]]:
    """Pending rows (id, text, ntok) sorted by the encoder's own token count of the text it reads.

    Consecutive batches then pad least: the catalog's `ntok` leaves out the title line, and
    character counts differ from word pieces. 36 -> 40 chunks/s on 2 AVX2 cores (docs/retrieval.md).
    """
    counts = embedder.count_tokens([r[1] for r in rows])
    return [r for _, r in sorted(zip(counts, rows), key=lambda p: p[0])]


def fill_dense(index: LiteratureIndex, batch_size: int = 64, block: int | None = None,
               progress: Callable[[FillStatus], None] | None = None, max_chunks: int | None = None,
               should_stop: Callable[[], bool] | None = None, hold_lock: bool = True) -> FillStatus:
    """Embed and store every pending chunk of the collection.

    Blocks of `block` chunks (in content-hash order: a random mix of lengths, so the rate and
    ETA hold from the first block) are encoded while the previous block is written to Chroma
    in a worker thread.

    Args:
        index: the collection.
        batch_size: encoder batch size.
        block: chunks per Chroma write and per progress step (default 8 x batch_size; the
            background fill uses 768: a longer block sorts into batches of closer lengths).
        progress: called after each block.
        max_chunks: stop after embedding this many (benchmarks, tests).
        should_stop: polled between encoder batches; True stops cleanly.
        hold_lock: take the home's fill lock (False when the caller, `fill_home`, holds it).

    Returns:
        The final status; state "busy" when another filler holds the lock.
    """
    import numpy as np

    layout = index.layout
    home = layout.base.parent
    block = block or 8 * batch_size
    lock = FillLock(layout.lock)
    counts = index.catalog.counts()
    if hold_lock and not lock.acquire():
        return FillStatus("busy", counts["embedded"], counts["chunks"], 0.0, None, os.getpid(), time.time())
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        reconcile(index)
        counts = index.catalog.counts()
        tally = KindTally(layout.root, index.catalog)  # counted once here; moved on by each write
        total, done = counts["chunks"], counts["embedded"]
        t0 = time.perf_counter()
        paused = 0.0
        n_run, tok_run = 0, 0
        inflight: set[str] = set()
        pending_write: Future | None = None
        writer_catalog: list[Catalog] = []

        def write(ids, vecs, docs, metas):
            if not writer_catalog:
                writer_catalog.append(Catalog(layout.catalog))
                tally.catalog = writer_catalog[0]  # the tally is moved on from this thread only
            _yield_to_chat(home, should_stop)  # the store's writes yield to chat too
            index.store.upsert(ids, vecs, docs, metas)
            writer_catalog[0].mark_embedded(ids)
            tally.written([m["kind"] for m in metas])

        status = FillStatus("running", done, total, 0.0, None, os.getpid(), time.time())
        _write_status(layout, status)
        while True:
            if should_stop is not None and should_stop():
                status.state = "stopped"
                break
            want = block if max_chunks is None else min(block, max_chunks - n_run)
            if want <= 0:
                status.state = "stopped"
                break
            rows = [r for r in index.catalog.pending(want + len(inflight)) if r[0] not in inflight][:want]
            if not rows:
                status.state = "done"
                break
            rows = order_by_tokens(rows, index.embedder)
            ids = [r[0] for r in rows]
            texts = [r[1] for r in rows]
            parts, stopped = [], False
            for s in range(0, len(texts), batch_size):
                paused += _yield_to_chat(home, should_stop)
                if should_stop is not None and should_stop():
                    stopped = True
                    break
                parts.append(index.embedder.embed(texts[s:s + batch_size], batch_size=batch_size))
            if stopped:
                status.state = "stopped"
                break
            vecs = np.concatenate(parts) if len(parts) > 1 else parts[0]
            info = index.catalog.chunk_rows(ids)
            metas = [_store_metadata(info[i]) for i in ids]
            if pending_write is not None:
                pending_write.result()
                inflight.clear()
            inflight.update(ids)
            pending_write = pool.submit(write, ids, vecs, texts, metas)
            n_run += len(ids)
            tok_run += sum(r[2] for r in rows)
            elapsed = max(time.perf_counter() - t0 - paused, 1e-6)
            c = index.catalog.counts()
            remaining_tok = max(c["pending_tokens"] - sum(r[2] for r in rows), 0)
            status = FillStatus("running", min(done + n_run, total), c["chunks"], n_run / elapsed,
                                remaining_tok / (tok_run / elapsed) if tok_run else None, os.getpid(), time.time())
            _write_status(layout, status)
            if progress is not None:
                progress(status)
        if pending_write is not None:
            pending_write.result()
        c = index.catalog.counts()
        status.done, status.total = c["embedded"], c["chunks"]
        status.eta_s = 0.0 if status.state == "done" else status.eta_s
        status.rate = n_run / max(time.perf_counter() - t0 - paused, 1e-6)
        status.updated_at = time.time()
        _write_status(layout, status)
        if progress is not None:
            progress(status)
        for cat in writer_catalog:
            cat.close()
        return status
    except BaseException as exc:
        c = index.catalog.counts()
        _write_status(layout, FillStatus("failed" if not isinstance(exc, KeyboardInterrupt) else "stopped",
                                         c["embedded"], c["chunks"], 0.0, None, os.getpid(), time.time(),
                                         error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        raise
    finally:
        pool.shutdown(wait=True)
        if hold_lock:
            lock.release()


def home_collections(home: Path | str) -> list[str]:
    """Collections of the home's own store that have a catalog."""
    local = _literature(home) / "local"
    try:
        return sorted(p.name for p in local.iterdir() if (p / "catalog.sqlite3").is_file())
    except OSError:
        return []


def fill_order(config, collections: list[str] | None) -> list[str]:
    """The collections to fill, in order: as given, else the home's collections, fewest pending tokens first.

    Smallest first puts the consumer-health and guideline collections (thousands of chunks,
    needed by most answers) before the literature (tens of thousands).
    """
    if collections:
        return list(dict.fromkeys(collections))
    names = home_collections(config.home) or [config.collection]
    pending = {}
    for name in names:
        cat = Catalog(_literature(config.home) / "local" / name / "catalog.sqlite3")
        try:
            pending[name] = cat.counts()["pending_tokens"]
        finally:
            cat.close()
    return sorted(names, key=lambda n: (pending[n], n))


def _write_home_status(base: Path, info: dict) -> None:
    tmp = base / f"fill.json.tmp{os.getpid()}"
    tmp.write_text(json.dumps(info))
    os.replace(tmp, base / "fill.json")


def fill_home(config, collections: list[str] | None = None, batch_size: int = 64,
              should_stop: Callable[[], bool] | None = None, embedder=None, block: int | None = None) -> dict:
    """Fill the dense index of several collections of one home, in order, under the home's lock.

    Args:
        config: an `IndexConfig` (its `collection` is replaced by each name in turn).
        collections: names in fill order; None = `fill_order(config, None)`.
        batch_size: encoder batch size.
        should_stop: polled between encoder batches.
        embedder: an embedder instead of the configured one (tests, benchmarks).
        block: chunks per Chroma write (default: `fill_dense`'s).

    Returns:
        {"state": done|stopped|busy, "collections": {name: {state, done, total, rate}}}
    """
    from dataclasses import replace

    from retrieval.config import IndexConfig

    config = IndexConfig.coerce(config)
    base = _literature(config.home)
    base.mkdir(parents=True, exist_ok=True)
    lock = FillLock(base / "fill.lock")
    if not lock.acquire():
        return {"state": "busy", "collections": {}}
    order = fill_order(config, collections)
    result: dict = {"state": "done", "order": order, "collections": {}, "pid": os.getpid(), "started_at": time.time()}
    try:
        for name in order:
            result["current"] = name
            _write_home_status(base, {**result, "state": "running"})
            index = LiteratureIndex(replace(config, collection=name), embedder)
            try:
                st = fill_dense(index, batch_size=batch_size, block=block, should_stop=should_stop, hold_lock=False)
            finally:
                index.close()
            result["collections"][name] = {"state": st.state, "done": st.done, "total": st.total, "rate": round(st.rate, 2)}
            if st.state != "done":
                result["state"] = st.state
                break
        result.pop("current", None)
        result["finished_at"] = time.time()
        _write_home_status(base, result)
        return result
    except BaseException as exc:
        result["state"] = "stopped" if isinstance(exc, KeyboardInterrupt) else "failed"
        result["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        _write_home_status(base, result)
        raise
    finally:
        lock.release()


def home_fill_running(home: Path | str) -> bool:
    """Whether the home's fill runs now."""
    from retrieval.chroma_server import lock_free

    return not lock_free(_literature(home) / "fill.lock")


def read_home_status(home: Path | str) -> dict | None:
    try:
        return json.loads((_literature(home) / "fill.json").read_text())
    except (OSError, ValueError):
        return None


def stop_fill(home: Path | str, timeout: float = 30.0) -> bool:
    """Stop the home's running fill (SIGTERM; it records its state and exits). True if one ran."""
    info = read_home_status(home) or {}
    pid = info.get("pid")
    if not home_fill_running(home) or not pid:
        return False
    try:
        os.kill(int(pid), signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.time() + timeout
    while time.time() < deadline and home_fill_running(home):
        time.sleep(0.1)
    return True


def home_status(home: Path | str) -> dict:
    """Dense-index state of every collection of the home's own store, of each source, and of its fill.

    Returns:
        {"filling", "paused" (a question is being answered), "current", "collections":
         [{name, done, total, rate, eta_s, state}] in fill order when known, "sources":
         [{kind, label, documents, done, total, state (dense|filling|queued|partial), eta_s}]
         in listing order}.
    """
    from retrieval.collections import KIND_COLLECTION
    from retrieval.source_progress import collection_kinds, filling_kinds, kind_etas, label, merge, ordered

    info = read_home_status(home) or {}
    running = home_fill_running(home)
    names = home_collections(home)
    order = [n for n in info.get("order", []) if n in names] + [n for n in names if n not in info.get("order", [])]
    cols, per_collection, now_filling = [], [], {}
    for name in order:
        root = _literature(home) / "local" / name
        cat = Catalog(root / "catalog.sqlite3")
        try:
            done, total = cat.embedded_total()
            kinds = collection_kinds(root, cat, write=not running)
        finally:
            cat.close()
        try:
            fs = json.loads((root / "fill_status.json").read_text())
        except (OSError, ValueError):
            fs = {}
        live = running and info.get("current") == name
        cols.append({"name": name, "done": done, "total": total, "rate": round(float(fs.get("rate") or 0), 1) if live else 0.0,
                     "eta_s": fs.get("eta_s") if live else None,
                     "state": "filling" if live else ("dense" if total and done == total else ("waiting" if running else "partial"))})
        per_collection.append(kinds)
        if live:
            now_filling.update(kind_etas(kinds, filling_kinds(kinds, set(KIND_COLLECTION)), fs.get("eta_s")))
    merged = merge(per_collection)
    sources = []
    for kind in ordered(merged):
        p = merged[kind]
        state = ("dense" if p["embedded"] >= p["chunks"] else "filling" if kind in now_filling
                 else "queued" if running else "partial")
        sources.append({"kind": kind, "label": label(kind), "documents": p["documents"], "done": p["embedded"],
                        "total": p["chunks"], "state": state, "eta_s": now_filling.get(kind)})
    return {"filling": running, "paused": running and answering_now(home), "current": info.get("current") if running else None,
            "collections": cols, "sources": sources, "error": None if running else info.get("error")}


def sources_words(st: dict) -> str:
    """The sources of a `home_status` in one line, without the "Index:" lead."""
    from retrieval.source_progress import source_words

    kinds = {s["kind"]: {"documents": s["documents"], "chunks": s["total"], "embedded": s["done"]} for s in st["sources"]}
    filling = {s["kind"]: s["eta_s"] for s in st["sources"] if s["state"] == "filling"}
    return " · ".join(source_words(kinds, filling, queued=st["filling"]))


def status_line(home: Path | str) -> str:
    """One line for a UI, source by source: "Index: NIH consumer answers 16,407/16,407 · MedlinePlus 16/16 ·
    guidelines 1,968/1,968 · USPSTF 131/131 · MEDLINE abstracts 3,072/75,070 (filling, about 40 min left)"."""
    st = home_status(home)
    if not st["sources"]:
        return "Index: empty"
    tail = " · paused while answering" if st["paused"] else ("" if st["filling"] or all(s["state"] == "dense" for s in st["sources"])
                                                             else " · fill stopped: `medbot index start`")
    return "Index: " + sources_words(st) + tail


def start_background_fill(settings, collections: list[str] | None = None) -> int | None:
    """Start the home's fill in the background unless one runs already.

    The process runs in its own session at lower CPU priority, logs to `literature/fill.log`,
    fills `collections` in order (default: smallest pending first) and exits when done.

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.
        collections: names in fill order (None: every collection of the home).

    Returns:
        The new process id, or None when a fill was already running.
    """
    from retrieval.config import IndexConfig

    cfg = IndexConfig.coerce(settings)
    if home_fill_running(cfg.home):
        return None
    base = _literature(cfg.home)
    base.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "retrieval.dense_fill", "--background", "--home", str(cfg.home), "--store", cfg.store]
    if collections:
        cmd += ["--collections", ",".join(collections)]
    for flag, value in (("--chroma-url", cfg.chroma_url), ("--embedder", cfg.embedder), ("--threads", cfg.threads)):
        if value:
            cmd += [flag, str(value)]
    env = dict(os.environ)
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(base / "fill.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, close_fds=True)
    return proc.pid


def main(argv: list[str] | None = None) -> int:
    """Entry point of the background fill: the home and collections are given by flags."""
    import argparse

    from retrieval.config import IndexConfig
    from retrieval.errors import RetrievalError

    p = argparse.ArgumentParser(prog="python -m retrieval.dense_fill")
    p.add_argument("--home", required=True, type=Path, help="data folder (holds literature/)")
    p.add_argument("--collections", help="comma-separated names in fill order (default: all, smallest first)")
    p.add_argument("--store", default="server", choices=["server", "embedded"])
    p.add_argument("--chroma-url", dest="chroma_url", help="http://HOST:PORT of an external Chroma server")
    p.add_argument("--embedder", help="embedder (default: int8 ONNX MiniLM)")
    p.add_argument("--threads", type=int)
    p.add_argument("--background", action="store_true", help="lower CPU priority")
    p.add_argument("--batch-size", type=int, default=16, help="encoder batch size (small: quick to yield to chat, less padding)")
    p.add_argument("--block", type=int, default=768, help="chunks sorted by length together and written at once")
    args = p.parse_args(argv)
    if args.batch_size < 1 or args.block < 1:
        p.error("--batch-size and --block must be at least 1")

    def _stop(signum, frame):  # SIGTERM: stop like Ctrl-C, recording the state
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    if args.background:
        try:
            os.nice(5)
        except OSError:
            pass
    try:
        config = IndexConfig(home=args.home, chroma_url=args.chroma_url, store=args.store,
                             embedder=args.embedder, threads=args.threads)
        names = [n for n in (args.collections or "").split(",") if n] or None
        res = fill_home(config, names, batch_size=args.batch_size, block=args.block)
    except RetrievalError as exc:
        sys.stderr.write(f"dense fill: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("dense fill stopped\n")
        return 130
    sys.stderr.write(f"dense fill {res['state']}: {json.dumps(res.get('collections', {}))}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
