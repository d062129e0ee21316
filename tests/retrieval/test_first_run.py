"""First run: the bundled knowledge and BM25 are built with progress on stderr, TTY or not."""

from __future__ import annotations

import io
import json
import time

from knowledge_fixtures import write_medquad_repo, write_open_medicine
from retrieval_fakes import FakeEmbedder

from retrieval import first_run
from retrieval.first_run import FirstRunProgress, format_eta, prepare, status

HEAD = "Preparing the bundled health knowledge (first run only): "


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_eta_wording():
    assert format_eta(None) == "estimating..."
    assert format_eta(3) == "almost done"
    assert format_eta(38) == "about 40 s left"
    assert format_eta(62) == "about 1 min left"
    assert format_eta(150) == "about 2 min left"


def test_lines_stages_and_eta_rescaled_by_speed(tmp_path):
    out, clock = io.StringIO(), FakeClock()
    p = FirstRunProgress(tmp_path, out, clock=clock, ticker=False)
    p.plan([("knowledge", "NIH answers and guideline summaries"), ("bm25", "BM25 1/2"),
            ("medline", "MEDLINE abstracts 1/2"), ("bm25-final", "BM25 2/2")])
    p.stage("knowledge")
    expected = sum(first_run.EXPECTED_S[k] for k in ("knowledge", "bm25", "medline", "bm25-final"))
    assert p.eta() == expected
    clock.t += first_run.EXPECTED_S["knowledge"] * 2  # this machine is twice as slow as expected
    p.stage("bm25")
    assert p.eta() == 2 * (expected - first_run.EXPECTED_S["knowledge"])
    clock.t += 5
    p.tick()
    lines = out.getvalue().splitlines()
    assert lines[0] == HEAD + "NIH answers and guideline summaries ... " + format_eta(expected)
    assert lines[-1].startswith(HEAD + "BM25 1/2 ... about ") and lines[-1].endswith(" min left")
    assert json.loads((tmp_path / "literature" / "first_run.json").read_text())["stage"] == "BM25 1/2"
    assert status(tmp_path)["line"] == lines[-1]
    clock.t += 10
    p.finish()
    assert out.getvalue().splitlines()[-1] == HEAD + "done in 1 min 5 s"
    assert status(tmp_path) is None and not (tmp_path / "literature" / "first_run.json").exists()


def test_terminal_line_is_redrawn_in_place(tmp_path):
    out = Tty()
    p = FirstRunProgress(None, out, clock=FakeClock(), ticker=False)
    p.plan([("medline", "MEDLINE abstracts 1/2")])
    p.stage("medline")
    p.relabel("MEDLINE abstracts 2/2")
    p.finish()
    text = out.getvalue()
    assert text.startswith("\r" + HEAD + "MEDLINE abstracts 1/2 ... ")
    assert "\r" + HEAD + "MEDLINE abstracts 2/2 ... " in text
    assert text.count("\n") == 1 and text.endswith("\n") and text.rstrip().endswith(HEAD + "done in 0 s")


def test_the_line_repeats_while_a_stage_runs(tmp_path):
    out = io.StringIO()
    p = FirstRunProgress(None, out, every_s=0.05)
    p.plan([("bm25", "BM25 1/1")])
    p.stage("bm25")
    deadline = time.monotonic() + 20
    while out.getvalue().count("\n") < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    p.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) >= 5 and all(ln.startswith(HEAD + "BM25 1/1 ... ") for ln in lines[:-1])


def test_status_of_a_dead_or_silent_builder_is_none(tmp_path):
    f = tmp_path / "literature" / "first_run.json"
    f.parent.mkdir(parents=True)
    f.write_text(json.dumps({"line": "x", "stage": "s", "eta_s": 1, "pid": 2 ** 22 + 12345, "updated": time.time()}))
    assert status(tmp_path) is None
    import os

    f.write_text(json.dumps({"line": "x", "stage": "s", "eta_s": 1, "pid": os.getpid(), "updated": time.time() - 60}))
    assert status(tmp_path) is None
    f.write_text(json.dumps({"line": "x", "stage": "s", "eta_s": 1, "pid": os.getpid(), "updated": time.time()}))
    assert status(tmp_path) == {"line": "x", "stage": "s", "eta_s": 1, "pid": os.getpid()}


def test_prepare_builds_once_with_progress(tmp_path, data_dir):
    from retrieval.config import IndexConfig
    from retrieval.index import LiteratureIndex
    from retrieval.knowledge import guideline_source, medquad, medquad_source

    repo = write_medquad_repo(tmp_path / "MedQuAD")
    data = tmp_path / "medquad.jsonl.gz"
    medquad.write_records(medquad.parse_repository(repo), data)
    sources = [medquad_source(data), guideline_source(write_open_medicine(tmp_path / "om"))]
    home = tmp_path / "home"
    index = LiteratureIndex(IndexConfig(home=home, auto_fill=False), FakeEmbedder())
    try:
        assert first_run.needed(IndexConfig(home=home))
        out = io.StringIO()
        assert prepare(index, FirstRunProgress(home, out, ticker=False), sources=sources,
                       corpus=[data_dir / "pubmed19n0001.xml"])
        stages = [ln[len(HEAD):].split(" ... ")[0] for ln in out.getvalue().splitlines()]
        assert stages[:-1] == ["NIH answers and guideline summaries", "BM25 1/2", "MEDLINE abstracts 1/1", "BM25 2/2"]
        assert stages[-1].startswith("done in ")
        kinds = index.catalog.count_kinds()
        assert len(kinds) >= 3 and index.catalog.counts()["chunks"] > 0
        assert not first_run.needed(IndexConfig(home=home))
        assert not (home / "literature" / "first_run.json").exists()
        again = io.StringIO()
        assert not prepare(index, FirstRunProgress(home, again, ticker=False), sources=sources,
                           corpus=[data_dir / "pubmed19n0001.xml"])
        assert again.getvalue() == ""  # a prepared home prints nothing
    finally:
        index.close()


def test_auto_build_off_is_never_a_first_run(tmp_path):
    from retrieval.config import IndexConfig

    assert not first_run.needed(IndexConfig(home=tmp_path, auto_build=False))
