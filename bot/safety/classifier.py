"""Second opinion for triage: a local 1.5B LLM classifies messages in which the rules found nothing.

The model reads a short fixed prompt (`data/triage_prompt.txt`) and the message, and its next-token
probabilities over the digits 0 (routine), 1 (urgent) and 2 (emergency) are the scores: no text is
generated. The fixed prompt is evaluated once per process and its KV cache is kept (llama.cpp
removes everything after the prefix before each message), so only the message's own tokens and a
short suffix are processed per call. Thresholds are calibrated on the development set only
(`data/triage_llm_calibration.json`, `python -m bot.safety.classifier --calibrate`). A pregnancy,
after-birth or baby context (`bot.safety.maternal_context`) is given to it as a first line
("Context: pregnant, 34 weeks.").

Triage always runs locally, whatever `--model` names: the judge is the bundled
Qwen2.5-Coder-1.5B-Instruct GGUF (`bot.llm.bundled.bundled_gguf("qwen1.5b")`) or the GGUF in
`safety.triage_model`; never the tiny SmolLM2, which is too weak to judge. When the model or
llama-cpp-python is missing, the second opinion is skipped with a one-line note in the result.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

CALIBRATION_FILE = "triage_llm_calibration.json"
JUDGE_NAME = "qwen1.5b"
MAX_MESSAGE_TOKENS = 192
LABELS = {"0": "routine", "1": "urgent", "2": "emergency"}


def prompt_text() -> str:
    """The fixed instruction the judge reads before every message."""
    return resources.files("bot.safety").joinpath("data/triage_prompt.txt").read_text(encoding="utf-8").strip()


def load_calibration() -> dict:
    """Thresholds and the development-set figures they reached."""
    return json.loads(resources.files("bot.safety").joinpath(f"data/{CALIBRATION_FILE}").read_text(encoding="utf-8"))


@dataclass
class Skipped:
    """Stands in for the judge when it cannot run; triage records `note` and uses the rules alone."""

    note: str

    def predict(self, text: str) -> tuple[str, float, str]:
        return "routine", 0.0, ""


class LlmJudge:
    """Scores a message with a local GGUF chat model (ChatML template, e.g. Qwen2.5).

    Args:
        model_path: the GGUF file.
        emergency_threshold: P(emergency) from which the verdict is `emergency`.
        urgent_threshold: P(urgent) + P(emergency) from which the verdict is at least `urgent` (None: never).
        threads: CPU threads (default: all cores).

    Raises:
        ImportError: llama-cpp-python is not installed.
        ValueError: the model has no ChatML chat template or is the tiny SmolLM2.
    """

    def __init__(self, model_path: str | Path, emergency_threshold: float = 0.5, urgent_threshold: float | None = None,
                 threads: int | None = None, context_threshold: float | None = None, emergency_margin: float = 0.0):
        self.model_path = Path(model_path)
        if "smol" in self.model_path.name.lower():
            raise ValueError("the tiny SmolLM2 model is never the triage judge")
        from llama_cpp import Llama

        n = threads or max(1, os.cpu_count() or 1)
        self.llm = Llama(model_path=str(self.model_path), n_ctx=512, n_batch=256, n_threads=n, n_threads_batch=n,
                         verbose=False)
        meta = self.llm.metadata or {}
        name = meta.get("general.name", "")
        if "smol" in name.lower():
            raise ValueError("the tiny SmolLM2 model is never the triage judge")
        if "<|im_start|>" not in meta.get("tokenizer.chat_template", ""):
            raise ValueError(f"{self.model_path.name}: not a ChatML chat model")
        self.name = name or self.model_path.stem
        self.emergency_threshold = emergency_threshold
        self.urgent_threshold = urgent_threshold
        # P(emergency) must also lead P(urgent) and P(routine) by this much: on the development set the
        # judge's two false alarms ("I think I pulled a muscle in my back") led by 0.008 and 0.012
        self.emergency_margin = emergency_margin
        # messages with a pregnancy / baby context line: the judge reads "pregnant" as alarming on its own
        # (36 % of normal pregnancy questions flagged at the general threshold), so they have their own
        self.context_threshold = context_threshold if context_threshold is not None else emergency_threshold
        prefix = f"<|im_start|>system\n{prompt_text()}<|im_end|>\n<|im_start|>user\nMessage:\n"
        self._prefix = self.llm.tokenize(prefix.encode(), add_bos=False, special=True)
        self._suffix = self.llm.tokenize(b"<|im_end|>\n<|im_start|>assistant\n", add_bos=False, special=True)
        self._digits = {d: self.llm.tokenize(d.encode(), add_bos=False, special=False) for d in LABELS}
        if any(len(t) != 1 for t in self._digits.values()):
            raise ValueError(f"{self.model_path.name}: digits are not single tokens")
        self._lock = threading.Lock()
        self.llm.reset()
        self.llm.eval(self._prefix)  # evaluated once; kept in the KV cache for every message

    def probabilities(self, text: str) -> dict[str, float]:
        """P(routine), P(urgent), P(emergency) for one message (renormalised over the three digits)."""
        import llama_cpp
        import numpy as np

        body = self.llm.tokenize(text.encode("utf-8", "replace"), add_bos=False, special=False)[:MAX_MESSAGE_TOKENS]
        with self._lock:
            # keep the prefix's KV cache: llama.cpp drops the cache after n_tokens before evaluating
            self.llm.n_tokens = len(self._prefix)
            self.llm.eval(body + self._suffix)
            # the last position's logits (llama-cpp-python keeps none itself unless logits_all)
            ptr = llama_cpp.llama_get_logits_ith(self.llm.ctx, -1)
            z = np.array([ptr[self._digits[d][0]] for d in LABELS], dtype=np.float64)
        p = np.exp(z - z.max())
        p /= p.sum()
        return {LABELS[d]: float(v) for d, v in zip(LABELS, p)}

    def predict(self, text: str) -> tuple[str, float, str]:
        """(level, score, reason): the verdict, its probability and a one-line reason."""
        p = self.probabilities(text)
        threshold = self.context_threshold if text.startswith("Context: ") else self.emergency_threshold
        lead = p["emergency"] - max(p["urgent"], p["routine"])
        if p["emergency"] >= threshold and lead >= self.emergency_margin:
            return "emergency", p["emergency"], f"second opinion ({self.name}): emergency"
        if self.urgent_threshold is not None and p["urgent"] + p["emergency"] >= self.urgent_threshold:
            return "urgent", p["urgent"] + p["emergency"], f"second opinion ({self.name}): urgent"
        return "routine", p["routine"], ""


def judge_path(configured: str | None = None) -> Path:
    """The GGUF the judge uses: `configured` (safety.triage_model) or the bundled 1.5B model.

    Raises:
        FileNotFoundError: no such file, or the bundled model is not installed.
    """
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"triage model {path} not found")
        return path
    try:
        from bot.llm.bundled import bundled_gguf
    except ImportError:
        raise FileNotFoundError("the bundled 1.5B model is not available in this installation") from None
    return Path(bundled_gguf(JUDGE_NAME))


@lru_cache(maxsize=2)
def _judge(configured: str | None, threads: int | None) -> LlmJudge | Skipped:
    try:
        path = judge_path(configured)
        cal = load_calibration()
        return LlmJudge(path, cal["emergency_threshold"], cal.get("urgent_threshold"), threads,
                        cal.get("context_emergency_threshold"), cal.get("emergency_margin", 0.0))
    except Exception as exc:  # noqa: BLE001 - a missing or broken judge must never break triage
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning("triage second opinion unavailable: %s", msg)
        return Skipped(f"second opinion skipped: {msg}")


class LazyJudge:
    """The judge, loaded on first use: messages the rules flag never wait for the model to load."""

    def __init__(self, configured: str | None, threads: int | None):
        self._args = (configured, threads)

    @property
    def note(self) -> str | None:
        return getattr(_judge(*self._args), "note", None)

    def predict(self, text: str) -> tuple[str, float, str]:
        return _judge(*self._args).predict(text)


def triage_classifier(settings) -> LazyJudge | None:
    """The second opinion `settings.safety.triage_classifier` asks for: the LLM judge, or None (rules only)."""
    safety = settings.safety
    if safety.triage_classifier != "llm":
        return None
    return LazyJudge(safety.triage_model, safety.triage_threads)


def calibrate(judge: LlmJudge, rows: list[dict], max_false_alarm: float = 0.02) -> dict:
    """Choose the emergency threshold on labelled rows that reach the judge (rules found nothing).

    The threshold is the smallest that flags at most `max_false_alarm` of all routine rows as an
    emergency (the rules' own false alarms count against the budget). The urgent level stays off:
    the rules cover urgent cases and an urgent verdict would add false alarms.
    """
    from bot.safety.maternal_context import maternal_context
    from bot.safety.triage import _second_opinion_text, normalize, triage
    from bot.safety.triage_context import CURRENT, situation

    routine = [r for r in rows if r["level"] == "routine"]
    rules_false_alarms = sum(triage(r["text"], r.get("history", [])).level != "routine" for r in routine)
    scored = []
    for r in rows:
        if triage(r["text"], r.get("history", [])).level != "routine" or situation(normalize(r["text"])) != CURRENT:
            continue
        history = r.get("history", [])[-3:]
        earlier = [e for e in (normalize(h) for h in history) if situation(e) == CURRENT]
        ctx = maternal_context(normalize(r["text"]), earlier)
        p = judge.probabilities(_second_opinion_text(r["text"], history, ctx))["emergency"]
        scored.append((p, r["level"]))
    cal = choose_threshold(scored, len(routine), rules_false_alarms, max_false_alarm)
    cal.update(model=judge.name, set="development")
    return cal


def choose_threshold(scored: list[tuple[float, str]], routine_total: int, rules_false_alarms: int,
                     max_false_alarm: float) -> dict:
    """The emergency threshold that keeps all false alarms (rules' + judge's) within the budget.

    Args:
        scored: (P(emergency), true level) of the messages the judge sees.
        routine_total: routine messages in the whole set; rules_false_alarms: those the rules flag.

    Returns:
        {"emergency_threshold", "urgent_threshold": None, "max_false_alarm", and the counts reached}.
    """
    neg = sorted((p for p, lvl in scored if lvl == "routine"), reverse=True)
    allowed = max(0, int(max_false_alarm * routine_total) - rules_false_alarms)
    thr = (neg[allowed] + 1e-4) if allowed < len(neg) else 0.5
    thr = min(max(thr, 0.05), 0.9999)
    pos = [p for p, lvl in scored if lvl == "emergency"]
    return {"emergency_threshold": round(thr, 4), "urgent_threshold": None, "max_false_alarm": max_false_alarm,
            "judged_routine": len(neg), "judged_routine_flagged": sum(p >= thr for p in neg),
            "judged_emergencies": len(pos), "judged_emergencies_caught": sum(p >= thr for p in pos)}


def main(argv: list[str] | None = None) -> None:
    """`python -m bot.safety.classifier --calibrate [--model GGUF]`: recalibrate on the development set."""
    import argparse

    from bot.safety.triage_sets import MATERNAL, load_set

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--model", help="GGUF of the judge (default: the bundled 1.5B model)")
    args = ap.parse_args(argv)
    judge = LlmJudge(judge_path(args.model))
    cal = calibrate(judge, load_set() + load_set(MATERNAL))
    print(json.dumps(cal, indent=2))
    if args.calibrate:
        # the threshold for messages with a pregnancy / baby context line is kept (calibrated on the maternal
        # development set with the same rule: at most 2 % of its controls flagged)
        cal = {**{k: v for k, v in load_calibration().items() if k.startswith(("context", "emergency_margin"))}, **cal}
        out = Path(__file__).parent / "data" / CALIBRATION_FILE
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(cal, indent=2) + "\n", encoding="utf-8")
        tmp.replace(out)


if __name__ == "__main__":
    main()
