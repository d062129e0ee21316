"""The first search on a new home: bundled knowledge and BM25 built with progress on screen.

`prepare` puts the bundled NIH answers and guideline summaries into the catalog, builds BM25,
parses the bundled MEDLINE files and builds BM25 again (about two minutes on 2 cores, once).
`FirstRunProgress` says so while it happens, on stderr whether or not it is a terminal, at least
every second:

    Preparing the bundled health knowledge (first run only): BM25 1/2 ... about 1 min left

and keeps the same line in `literature/first_run.json`, which `status(home)` reads, so another
process (the web chat) can show it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

HEADLINE = "Preparing the bundled health knowledge (first run only)"
STATUS_FILE = "first_run.json"
STALE_S = 10.0  # a status file not refreshed for this long belongs to a process that died

# Expected seconds of each stage on 2 cores (measured; the ETA rescales them by the speed seen so far).
EXPECTED_S = {"knowledge": 25.0, "bm25": 12.0, "medline": 55.0, "bm25-final": 25.0}
EXPECTED_S["opening"] = sum(EXPECTED_S.values())  # before the plan is known: the whole build


@dataclass
class _Stage:
    key: str
    label: str
    expected: float
    started: float | None = None
    ended: float | None = None


def format_eta(seconds: float | None) -> str:
    """'about 1 min left', 'about 40 s left', 'almost done' (None: 'estimating...')."""
    if seconds is None:
        return "estimating..."
    if seconds < 5:
        return "almost done"
    if seconds < 55:
        return f"about {max(10, int(round(seconds / 10.0)) * 10)} s left"
    return f"about {max(1, int(round(seconds / 60.0)))} min left"


def format_elapsed(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s} s" if m else f"{s} s"


class FirstRunProgress:
    """Progress of a first-run build: a line on `stream` at least every `every_s` seconds.

    Args:
        home: the data folder (the status file goes to `home/literature/first_run.json`); None: no file.
        stream: where lines go (default: stderr). On a terminal the line is redrawn in place;
            otherwise each update is a new line.
        every_s: the longest gap between two updates.
        clock: monotonic seconds (tests pass a fake).
        ticker: run a thread that repeats the line while a stage runs (tests call `tick()` instead).
    """

    def __init__(self, home: Path | None, stream: TextIO | None = None, every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic, ticker: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = every_s if every_s is not None else (0.5 if self.tty else 1.0)
        self.clock = clock
        self.status_path = Path(home) / "literature" / STATUS_FILE if home is not None else None
        self.stages: list[_Stage] = []
        self.current: _Stage | None = None
        self.started: float | None = None
        self._ticker = ticker
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._write = threading.Lock()
        self._last_len = 0

    # ---- plan and stages ------------------------------------------------------------------------
    def plan(self, stages: list[tuple[str, str]]) -> None:
        """The stages still to run, as (key, label); keys name their `EXPECTED_S`."""
        self.stages = [_Stage(k, label, EXPECTED_S.get(k.split(":")[0], 20.0)) for k, label in stages]

    def stage(self, key: str) -> None:
        """Start stage `key` (ends the one before); the first call starts the display."""
        now = self.clock()
        if self.started is None:
            self.started = now
            if self._ticker:
                self._thread = threading.Thread(target=self._run, name="first-run-progress", daemon=True)
                self._thread.start()
        if self.current is not None and self.current.ended is None:
            self.current.ended = now
        st = next((s for s in self.stages if s.key == key), None)
        if st is None:
            st = _Stage(key, key, EXPECTED_S.get(key.split(":")[0], 20.0))
            self.stages.append(st)
        st.started = now
        self.current = st
        self.tick()

    def relabel(self, label: str) -> None:
        """Change the current stage's label (e.g. 'MEDLINE abstracts 2/2')."""
        if self.current is not None:
            self.current.label = label
            self.tick()

    def eta(self) -> float | None:
        """Seconds left: expected times of what remains, scaled by the speed of finished stages."""
        if self.current is None:
            return None
        now = self.clock()
        done = [s for s in self.stages if s.ended is not None and s.started is not None]
        scale = 1.0
        if done:
            spent = sum(s.ended - s.started for s in done)
            expected = sum(s.expected for s in done)
            scale = min(5.0, max(0.2, spent / expected)) if expected else 1.0
        left = sum(s.expected for s in self.stages if s.started is None) * scale
        cur = self.current
        if cur.ended is None:
            left += max(0.0, cur.expected * scale - (now - cur.started))
        return left

    def line(self) -> str:
        label = self.current.label if self.current is not None else "starting"
        return f"{HEADLINE}: {label} ... {format_eta(self.eta())}"

    # ---- output ---------------------------------------------------------------------------------
    def tick(self) -> None:
        """Show the current line now (and refresh the status file)."""
        if self.current is None:
            return
        text = self.line()
        with self._write:
            try:
                if self.tty:
                    pad = " " * max(0, self._last_len - len(text))
                    self.stream.write("\r" + text + pad)
                    self._last_len = len(text)
                else:
                    self.stream.write(text + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # a closed or broken stream must not break the build
                pass
            self._save({"line": text, "stage": self.current.label, "eta_s": self.eta(), "pid": os.getpid(),
                        "updated": time.time()})

    def finish(self, ok: bool = True) -> None:
        """Stop the display; print how long it took (or that it stopped) and remove the status file."""
        if self._stop.is_set():
            return  # finished already
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.started is None:
            return
        took = format_elapsed(self.clock() - self.started)
        text = f"{HEADLINE}: {'done' if ok else 'stopped'} in {took}"
        with self._write:
            try:
                self.stream.write(("\r" + text + " " * max(0, self._last_len - len(text)) if self.tty else text) + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            if self.status_path is not None:
                self.status_path.unlink(missing_ok=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.tick()

    def _save(self, data: dict) -> None:
        if self.status_path is None:
            return
        try:
            self.status_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.status_path.with_name(f"{STATUS_FILE}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.status_path)
        except OSError:
            pass

    def __enter__(self) -> "FirstRunProgress":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.finish(ok=exc_type is None)


def status(home: Path) -> dict | None:
    """The first-run build in progress for `home` (any process), or None.

    Returns:
        {"line": the text to show, "stage": its stage, "eta_s": seconds left or None, "pid": the
        building process} while a build runs; None when none does (or its process died).
    """
    path = Path(home) / "literature" / STATUS_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or time.time() - float(data.get("updated") or 0) > STALE_S:
        return None
    try:
        os.kill(int(data.get("pid") or 0), 0)
    except ProcessLookupError:
        return None
    except (PermissionError, ValueError, OverflowError):
        pass
    return {k: data.get(k) for k in ("line", "stage", "eta_s", "pid")}


def prepare(index, progress: FirstRunProgress | None = None, sources=None, corpus: list[Path] | None = None) -> bool:
    """Bring an index up to its default content: bundled knowledge, BM25, the MEDLINE files, BM25.

    Each step runs only when needed; on a prepared home this costs a few cheap checks and prints
    nothing. Progress shows only when there is work.

    Args:
        index: a `LiteratureIndex`.
        progress: where progress goes (default: a `FirstRunProgress` on stderr for the index's home).
        sources: the bundled sources (default: `retrieval.knowledge.bundled_sources()`).
        corpus: the literature files (default: the bundled MEDLINE files).

    Returns:
        True when anything was built.
    """
    from retrieval.collections import LITERATURE, collection_of
    from retrieval.ingest import PARALLEL_MIN_BYTES, _ingest_parallel, ensure_lexical, ingest_file
    from retrieval.knowledge import bundled_sources, ensure_bundled, pending_sources
    from retrieval.lexical import lexical_generation

    sources = bundled_sources() if sources is None else sources
    todo_knowledge = pending_sources(index, sources)
    need_literature = not any(collection_of(kind) == LITERATURE for kind in index.catalog.count_kinds())
    files: list[Path] = []
    if need_literature:
        if corpus is None:
            from retrieval.corpus import default_corpus_files

            corpus = default_corpus_files()
        files = list(corpus)
    stale = lexical_generation(index.layout.bm25) != index.catalog.generation
    n_bm25 = (1 if todo_knowledge else 0) + (1 if files else 0) or (1 if stale else 0)
    if not todo_knowledge and not files and not stale:
        return False
    plan: list[tuple[str, str]] = []
    if todo_knowledge:
        plan.append(("knowledge", "NIH answers and guideline summaries"))
        plan.append(("bm25", f"BM25 1/{n_bm25}"))
    if files:
        plan.append(("medline", f"MEDLINE abstracts 1/{len(files)}"))
    if files or (stale and not todo_knowledge):
        plan.append(("bm25-final", f"BM25 {n_bm25}/{n_bm25}"))
    progress = progress if progress is not None else FirstRunProgress(index.config.home)
    progress.plan(plan)
    with progress:
        if todo_knowledge:
            progress.stage("knowledge")
            ensure_bundled(index, todo_knowledge)
            progress.stage("bm25")
            ensure_lexical(index)
        if files:
            progress.stage("medline")
            big = sum(f.stat().st_size for f in files if f.is_file()) > PARALLEL_MIN_BYTES
            workers = min(2, os.cpu_count() or 1)
            results = (_ingest_parallel(index, files, workers) if big and len(files) > 1 and workers > 1
                       else (ingest_file(index, f) for f in files))
            for i, _ in enumerate(results, 1):
                if i < len(files):
                    progress.relabel(f"MEDLINE abstracts {i + 1}/{len(files)}")
        if files or (stale and not todo_knowledge):
            progress.stage("bm25-final")
            ensure_lexical(index)
    return True


def needed(settings) -> bool:
    """Whether the next search on this home builds its index first (a new home): cheap, file checks only.

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.
    """
    from retrieval.config import IndexConfig
    from retrieval.index import layout_for
    from retrieval.lexical import lexical_generation

    cfg = IndexConfig.coerce(settings)
    if not cfg.auto_build:
        return False
    layout = layout_for(cfg)
    return not layout.catalog.is_file() or lexical_generation(layout.bm25) is None
