"""Dense fill: embed the catalog's chunks that have no vector yet and store them in Chroma.

Resumable and safe to kill at any point: a chunk is marked embedded only after Chroma stored
it, upserts are idempotent by id, and every run starts by reconciling the catalog's flags with
the ids actually in Chroma (deleting vectors of chunks the catalog no longer has). One filler
runs per collection (an exclusive lock file). Progress (rate, ETA) goes to `fill_status.json`.

`python -m retrieval.dense_fill` runs it as the detached background process started by
`medbot ingest --background` and by the first search on a fresh machine.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from retrieval.catalog import Catalog
from retrieval.index import Layout, LiteratureIndex


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


def fill_dense(index: LiteratureIndex, batch_size: int = 64, block: int | None = None,
               progress: Callable[[FillStatus], None] | None = None, max_chunks: int | None = None,
               should_stop: Callable[[], bool] | None = None) -> FillStatus:
    """Embed and store every pending chunk of the collection.

    Blocks of `block` chunks (in content-hash order: a random mix of lengths, so the rate and
    ETA hold from the first block) are encoded while the previous block is written to Chroma
    in a worker thread.

    Args:
        index: the collection.
        batch_size: encoder batch size.
        block: chunks per Chroma write and per progress step (default 8 x batch_size).
        progress: called after each block.
        max_chunks: stop after embedding this many (benchmarks, tests).
        should_stop: polled between blocks; True stops cleanly.

    Returns:
        The final status; state "busy" when another filler holds the lock.
    """
    layout = index.layout
    block = block or 8 * batch_size
    lock = FillLock(layout.lock)
    counts = index.catalog.counts()
    if not lock.acquire():
        return FillStatus("busy", counts["embedded"], counts["chunks"], 0.0, None, os.getpid(), time.time())
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        reconcile(index)
        counts = index.catalog.counts()
        total, done = counts["chunks"], counts["embedded"]
        t0 = time.perf_counter()
        n_run, tok_run = 0, 0
        inflight: set[str] = set()
        pending_write: Future | None = None
        writer_catalog: list[Catalog] = []

        def write(ids, vecs, docs, metas):
            if not writer_catalog:
                writer_catalog.append(Catalog(layout.catalog))
            index.store.upsert(ids, vecs, docs, metas)
            writer_catalog[0].mark_embedded(ids)

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
            ids = [r[0] for r in rows]
            texts = [r[1] for r in rows]
            vecs = index.embedder.embed(texts, batch_size=batch_size)
            info = index.catalog.chunk_rows(ids)
            metas = [_store_metadata(info[i]) for i in ids]
            if pending_write is not None:
                pending_write.result()
                inflight.clear()
            inflight.update(ids)
            pending_write = pool.submit(write, ids, vecs, texts, metas)
            n_run += len(ids)
            tok_run += sum(r[2] for r in rows)
            elapsed = max(time.perf_counter() - t0, 1e-6)
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
        status.rate = n_run / max(time.perf_counter() - t0, 1e-6)
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
        lock.release()


def start_background_fill(settings) -> int | None:
    """Start a detached filler for the configured collection unless one runs already.

    The process survives the caller (own session), runs at lower CPU priority and logs to
    `fill.log` beside the catalog.

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.

    Returns:
        The new process id, or None when a filler was already running.
    """
    from retrieval.config import IndexConfig
    from retrieval.index import layout_for

    cfg = IndexConfig.coerce(settings)
    layout = layout_for(cfg)
    if fill_running(layout):
        return None
    layout.root.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "retrieval.dense_fill", "--background", "--home", str(cfg.home),
           "--collection", cfg.collection]
    for flag, value in (("--chroma-url", cfg.chroma_url), ("--embedder", cfg.embedder), ("--threads", cfg.threads)):
        if value:
            cmd += [flag, str(value)]
    env = dict(os.environ)
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(layout.fill_log, "ab") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, close_fds=True)
    return proc.pid


def main(argv: list[str] | None = None) -> int:
    """Entry point of the background filler: the collection is given by flags."""
    import argparse

    from retrieval.config import IndexConfig
    from retrieval.errors import RetrievalError

    p = argparse.ArgumentParser(prog="python -m retrieval.dense_fill")
    p.add_argument("--home", required=True, type=Path, help="data folder (holds literature/)")
    p.add_argument("--collection", default="medline")
    p.add_argument("--chroma-url", dest="chroma_url", help="http://HOST:PORT of a Chroma server")
    p.add_argument("--embedder", help="sentence-transformers folder (default: bundled MiniLM)")
    p.add_argument("--threads", type=int)
    p.add_argument("--background", action="store_true", help="lower CPU priority")
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args(argv)

    def _stop(signum, frame):  # SIGTERM: stop like Ctrl-C, recording the state
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    if args.background:
        try:
            os.nice(5)
        except OSError:
            pass
    try:
        config = IndexConfig(home=args.home, collection=args.collection, chroma_url=args.chroma_url,
                             embedder=args.embedder, threads=args.threads)
        index = LiteratureIndex(config)
        st = fill_dense(index, batch_size=args.batch_size)
    except RetrievalError as exc:
        sys.stderr.write(f"dense fill: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("dense fill stopped\n")
        return 130
    sys.stderr.write(f"dense fill {st.state}: {st.done}/{st.total} chunks, {st.rate:.1f} chunks/s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
