"""Result storage, rendering and the generated results page."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from bot.cli import main
from bot.errors import UserError
from bot.evals import results as R


def _result(suite="demo", acc=0.5, **kw):
    return {"suite": suite, "metrics": {"accuracy": acc, "n": 10}, "tables": [
        {"title": "Per part", "columns": ["part", "acc"], "rows": [["x|y", acc]], "note": "a note"}], **kw}


def test_record_result_stores_json_and_markdown_with_run_details(medbot_home):
    args = SimpleNamespace(model="m.gguf", adapter=None, seed=3, limit=10)
    path = R.record_result(_result(), args)
    assert path.parent == medbot_home / "eval" / "demo" and path.suffix == ".json"
    data = json.loads(path.read_text())
    assert data["model"] == "m.gguf" and data["seed"] == 3 and data["limit"] == 10
    assert data["date"].endswith("Z") and data["medbot_version"]
    md = path.with_suffix(".md").read_text()
    assert "| accuracy | 0.500 |" in md and "| x\\|y | 0.500 |" in md and "a note" in md
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_suite_values_win_over_flags(medbot_home):
    path = R.record_result(_result(model="served-name", seed=0), SimpleNamespace(model="url", seed=9, limit=None))
    data = json.loads(path.read_text())
    assert data["model"] == "served-name" and data["seed"] == 0 and data.get("limit") is None


def test_record_needs_a_suite(medbot_home):
    with pytest.raises(ValueError):
        R.record_result({"metrics": {}}, None)


def test_render_json_is_one_object_with_stored_path(capsys, tmp_path):
    R.render_result(_result(), as_json=True, stored=tmp_path / "r.json")
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["accuracy"] == 0.5 and data["stored"].endswith("r.json")


def test_render_text(capsys):
    R.render_result(_result(model=None), as_json=False, stored=None)
    out = capsys.readouterr().out
    assert out.startswith("## demo") and "| model | default |" in out and "| adapter | none |" in out


@pytest.mark.parametrize("value, text", [(None, "n/a"), (0.12345, "0.123"), (3, "3"), (True, "yes"),
                                         ({"a": 1, "b": None}, "a=1"), ([1, 0.5], "1, 0.500"), ("a|b", "a\\|b")])
def test_fmt(value, text):
    assert R.fmt(value) == text


def test_metrics_fall_back_to_top_level_numbers():
    assert R.metrics_of({"suite": "s", "recall": 0.9, "seed": 1, "ok": True, "name": "x"}) == {"recall": 0.9}
    assert R.headline({"suite": "s", "metrics": {"a": 1.0, "b": 2, "c": None, "d": 4}}) == "a 1.000; b 2; c n/a"
    assert R.headline({"suite": "s", "metrics": {"a": 1.0, "b": 2}, "headline": ["b"]}) == "b 2"


def test_results_page_shows_latest_history_and_unbuilt_suites():
    runs = [_result("demo", 0.25, date="2026-01-01T00:00:00Z", model="old"),
            _result("demo", 0.75, date="2026-02-01T00:00:00Z", model="new"),
            _result("extra", 0.1, date="2026-01-05T00:00:00Z")]
    suites = {"demo": "bot.evals.results", "idle": "bot.evals.results", "missing": "no_such_pkg.eval_suite"}
    text = R.results_markdown(runs, suites)
    summary = text.split("## Summary")[1].split("## demo")[0]
    assert "| demo | accuracy 0.750; n 10 | new |" in summary
    assert "| idle | no run stored yet |" in summary and "| missing | not built yet |" in summary
    assert "| extra | accuracy 0.100" in summary
    demo = text.split("## demo")[1].split("## extra")[0]
    assert "| model | new |" in demo and "| accuracy | 0.750 |" in demo
    history = demo.split("**All stored runs**")[1]
    assert history.index("2026-02-01") < history.index("2026-01-01")


def test_write_results_md_from_stored_runs_via_cli(medbot_home, tmp_path, capsys):
    R.record_result(_result("mmlu-med", 0.4), None)
    (medbot_home / "eval" / "mmlu-med" / "broken.json").write_text("{not json")
    out = tmp_path / "docs" / "RESULTS.md"
    assert main(["eval", "results", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    text = out.read_text()
    from bot.commands.eval import SUITES

    for name in SUITES:
        assert f"| {name} |" in text
    assert "| mmlu-med | accuracy 0.400; n 10 |" in text


def test_write_results_md_to_a_folder_is_a_user_error(tmp_path, capsys):
    with pytest.raises(UserError):
        R.write_results_md(tmp_path)
    assert main(["eval", "results", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_unbuilt_suite_says_so(capsys, monkeypatch):
    from bot.commands import eval as ev

    monkeypatch.setitem(ev.SUITES, "variants", "no_such_pkg.eval_suite")
    rc = main(["eval", "variants", "--limit", "2"])
    assert rc == 2
    assert "suite 'variants' is not built yet" in capsys.readouterr().err


def test_run_details_fall_back_to_the_measured_block():
    text = R.render_markdown({"suite": "s", "measured": {"corpus": "MEDLINE sample", "seed": 4}, "metrics": {"a": 1}})
    assert "| corpus | MEDLINE sample |" in text and "| seed | 4 |" in text
