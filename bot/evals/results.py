"""Stored evaluation results: one JSON + one Markdown file per run under `$MEDBOT_HOME/eval/SUITE/`,
printed by `medbot eval SUITE` and gathered into docs/RESULTS.md by `medbot eval results`.

A result is the dict a suite's `run(args)` returns. Keys this module understands (all optional
except `suite`):

- `suite`, `model`, `adapter`, `corpus` (str or dict), `seed`, `limit`, `date` (filled in here);
- `metrics`: flat `{name: number | str | None}`, the headline numbers (None prints "n/a");
- `headline`: names in `metrics` to show in the summary table (default: the first three);
- `tables`: `[{"title", "columns": [...], "rows": [[...], ...], "note"?}]` for detail tables;
- `notes`: a list of sentences shown under the tables.

Anything else is kept in the JSON file as is.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterable

_META = ("model", "adapter", "corpus", "seed", "limit", "date")


def eval_dir(home: Path) -> Path:
    """Folder holding the stored results of every suite."""
    return Path(home) / "eval"


def _home(home: Path | None) -> Path:
    if home is not None:
        return Path(home)
    from bot.config import load_settings

    return load_settings().home


def _atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record_result(result: dict[str, Any], args: Any = None, home: Path | None = None) -> Path:
    """Complete `result` with the run's metadata and store it as JSON and Markdown.

    Fills `date` (UTC, ISO 8601), `medbot_version`, and `model`, `adapter`, `seed`, `limit` from
    `args` when the suite did not set them.

    Args:
        result: the suite's result; must hold `suite`. Updated in place.
        args: the parsed command-line flags (or None).
        home: MEDBOT_HOME; default: from the settings.

    Returns:
        Path of the JSON file (`<home>/eval/<suite>/<UTC stamp>-<id>.json`, `.md` beside it).

    Raises:
        ValueError: `result` has no `suite`.
    """
    from bot import __version__

    suite = result.get("suite")
    if not suite:
        raise ValueError("a result needs a 'suite' name")
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    result.setdefault("date", now.isoformat().replace("+00:00", "Z"))
    result.setdefault("medbot_version", __version__)
    for key in ("model", "adapter", "seed", "limit"):
        if result.get(key) is None and getattr(args, key, None) is not None:
            result[key] = getattr(args, key)
    folder = eval_dir(_home(home)) / str(suite)
    stem = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:6]}"
    path = folder / f"{stem}.json"
    _atomic_write(folder / f"{stem}.md", render_markdown(result) + "\n")
    _atomic_write(path, json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    return path


def load_results(home: Path | None = None) -> list[dict[str, Any]]:
    """Every stored result, oldest first (unreadable files are skipped); each gets `_path`."""
    root = eval_dir(_home(home))
    out = []
    for path in sorted(root.glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and data.get("suite"):
            data["_path"] = str(path)
            out.append(data)
    out.sort(key=lambda r: (str(r.get("date", "")), r["_path"]))
    return out


# ---- rendering ---------------------------------------------------------------------------------

def meta_value(result: dict[str, Any], key: str) -> Any:
    """A run detail (corpus, seed, ...) from the result, or from its `measured` block."""
    value = result.get(key)
    measured = result.get("measured")
    if value is None and isinstance(measured, dict):
        value = measured.get(key)
    return value


def fmt(value: Any) -> str:
    """One table cell: floats with 3 decimals, None as n/a, dicts as k=v lists, pipes escaped."""
    if value is None:
        text = "n/a"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = f"{value:.3f}"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={fmt(v)}" for k, v in value.items() if v is not None) or "n/a"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(fmt(v) for v in value)
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        elif v is None or isinstance(v, (int, float, str)):
            out[name] = v
    return out


def metrics_of(result: dict[str, Any]) -> dict[str, Any]:
    """The result's headline metrics: `metrics` (nested dicts flattened to `a.b`), else its
    top-level numbers."""
    metrics = result.get("metrics")
    if isinstance(metrics, dict):
        return _flatten(metrics)
    return {k: v for k, v in result.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in _META}


def headline(result: dict[str, Any]) -> str:
    """A short `name value; ...` summary of the headline metrics."""
    metrics = metrics_of(result)
    names = [n for n in result.get("headline") or list(metrics)[:3] if n in metrics]
    return "; ".join(f"{n} {fmt(metrics[n])}" for n in names) or "n/a"


def table(columns: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A Markdown table."""
    cols = [fmt(c) for c in columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(result: dict[str, Any], level: int = 2) -> str:
    """One result as Markdown: run details, headline metrics, detail tables, notes.

    Args:
        result: a stored or fresh result.
        level: heading level of the suite title.
    """
    h = "#" * level
    parts = [f"{h} {result.get('suite', '?')}"]
    meta = [(k, meta_value(result, k)) for k in _META]
    meta[0] = ("model", result.get("model") or "default")
    meta[1] = ("adapter", result.get("adapter") or "none")
    parts.append(table(["run", ""], meta))
    metrics = metrics_of(result)
    if metrics:
        parts.append(table(["metric", "value"], metrics.items()))
    for t in result.get("tables") or []:
        if not isinstance(t, dict) or "columns" not in t:
            continue
        block = (f"**{t['title']}**\n\n" if t.get("title") else "") + table(t["columns"], t.get("rows") or [])
        if t.get("note"):
            block += f"\n\n{t['note']}"
        parts.append(block)
    notes = result.get("notes") or []
    if notes:
        parts.append("\n".join(f"- {n}" for n in notes))
    return "\n\n".join(parts)


def render_result(result: dict[str, Any], as_json: bool = False, stored: Path | None = None) -> None:
    """Print a result: one JSON object (with `stored`) or its Markdown text.

    Args:
        result: the result.
        as_json: print JSON instead of Markdown.
        stored: where it was stored (shown, and added as `stored` to the JSON).
    """
    if as_json:
        sys.stdout.write(json.dumps({**result, **({"stored": str(stored)} if stored else {})},
                                    ensure_ascii=False, indent=2, default=str) + "\n")
        sys.stdout.flush()
        return
    text = render_markdown(result)
    if stored:
        text += f"\n\nstored: {stored}"
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# ---- docs/RESULTS.md --------------------------------------------------------------------------

def suite_status(module: str) -> bool:
    """Whether the module of a suite exists (checked without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ModuleNotFoundError, ValueError):
        return False


def results_markdown(results: list[dict[str, Any]], suites: dict[str, str]) -> str:
    """The text of docs/RESULTS.md for stored `results` (oldest first) of the `suites` table.

    Every suite gets a summary row (its latest run, or "not built yet" / "no run stored"), a
    section with its latest run in full, and a history of all its stored runs.
    """
    by_suite: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        by_suite.setdefault(str(r["suite"]), []).append(r)
    names = list(suites) + sorted(s for s in by_suite if s not in suites)
    summary = []
    for name in names:
        runs = by_suite.get(name)
        if runs:
            last = runs[-1]
            summary.append([name, headline(last), last.get("model") or "default", last.get("adapter") or "none",
                            last.get("limit") if last.get("limit") is not None else "all", meta_value(last, "seed"),
                            str(last.get("date", ""))[:10]])
        else:
            state = "no run stored yet" if suite_status(suites.get(name, "")) else "not built yet"
            summary.append([name, state, "", "", "", "", ""])
    parts = [
        "# medbot results",
        "Measured with `medbot eval SUITE` and regenerated from the stored runs "
        "(`$MEDBOT_HOME/eval/`) with `medbot eval results`. Each section shows the latest run of a "
        "suite in full, then every stored run of it for comparison. `--limit` runs are quick "
        "checks on a subset, not the full benchmark.",
        "## Summary",
        table(["suite", "headline", "model", "adapter", "limit", "seed", "date"], summary),
    ]
    for name in names:
        runs = by_suite.get(name)
        if not runs:
            continue
        parts.append(render_markdown(runs[-1], level=2))
        if len(runs) > 1:
            rows = [[str(r.get("date", "")), r.get("model") or "default", r.get("adapter") or "none",
                     r.get("limit") if r.get("limit") is not None else "all", meta_value(r, "seed"), headline(r)]
                    for r in reversed(runs)]
            parts.append("**All stored runs**\n\n" + table(["date", "model", "adapter", "limit", "seed", "headline"], rows))
    return "\n\n".join(parts) + "\n"


def write_results_md(out: str | Path = "docs/RESULTS.md", home: Path | None = None) -> Path:
    """Regenerate the results page from every stored result.

    Args:
        out: file to write (written whole through a temporary file).
        home: MEDBOT_HOME; default: from the settings.

    Returns:
        The path written.

    Raises:
        UserError: `out` is a folder or its folder cannot be created.
    """
    from bot.evals.suites import SUITES
    from bot.errors import UserError

    out = Path(out)
    if out.is_dir():
        raise UserError(f"{out} is a folder: give a file name for the results page")
    text = results_markdown(load_results(home), SUITES)
    try:
        _atomic_write(out, text)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out
