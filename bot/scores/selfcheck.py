"""Self-assessments a patient fills in: PHQ-9 (mood) and GAD-7 (anxiety), item by item.

The item wording is the standard one of the Patient Health Questionnaire screeners (PHQ-9: Kroenke,
Spitzer and Williams 2001; GAD-7: Spitzer et al. 2006; developed with an educational grant from
Pfizer Inc., free to reproduce, translate, display or distribute, no permission required). The
arithmetic and the severity bands are the score engine's (`bot.scores.engine.compute`, the same
calculators as `medbot scores`); this module adds the questions, the patient's words and the crisis
reply for PHQ-9 item 9.

    from bot.scores.selfcheck import crisis_for_answer, result, result_markdown
    crisis_for_answer("phq9", "phq9_selfharm", 1, settings)   # the crisis reply at once, or None
    res = result("phq9", {"phq9_interest": 1, ...})             # all items answered
    result_markdown(res, settings)                               # what the patient sees
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import UserError

ANSWERS: tuple[str, ...] = ("Not at all", "Several days", "More than half the days", "Nearly every day")
DISCLAIMER = ("This is a screening questionnaire, not a diagnosis. Talk to your clinician about your answers and "
              "how you have been feeling.")


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire's items in the order of the published form.

    Attributes:
        key: the score engine's key ("phq9", "gad7").
        title: "PHQ-9".
        topic: what it checks, in plain words ("mood").
        stem: the question every item answers.
        items: (score input key, item wording).
        bands: (lowest total, highest total, plain name) as the source publishes them.
        crisis_item: the item whose answer above 0 brings the crisis reply, or "".
    """

    key: str
    title: str
    topic: str
    stem: str
    items: tuple[tuple[str, str], ...]
    bands: tuple[tuple[int, int, str], ...]
    crisis_item: str = ""

    @property
    def max_total(self) -> int:
        return 3 * len(self.items)


PHQ9 = Questionnaire(
    "phq9", "PHQ-9", "mood",
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    (("phq9_interest", "Little interest or pleasure in doing things"),
     ("phq9_down", "Feeling down, depressed, or hopeless"),
     ("phq9_sleep", "Trouble falling or staying asleep, or sleeping too much"),
     ("phq9_energy", "Feeling tired or having little energy"),
     ("phq9_appetite", "Poor appetite or overeating"),
     ("phq9_self", "Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
     ("phq9_concentration", "Trouble concentrating on things, such as reading the newspaper or watching television"),
     ("phq9_psychomotor", "Moving or speaking so slowly that other people could have noticed? Or the opposite — being "
                          "so fidgety or restless that you have been moving around a lot more than usual"),
     ("phq9_selfharm", "Thoughts that you would be better off dead or of hurting yourself in some way")),
    ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"), (20, 27, "severe")),
    crisis_item="phq9_selfharm")

GAD7 = Questionnaire(
    "gad7", "GAD-7", "anxiety",
    "Over the last 2 weeks, how often have you been bothered by the following problems?",
    (("gad7_nervous", "Feeling nervous, anxious or on edge"),
     ("gad7_control", "Not being able to stop or control worrying"),
     ("gad7_worry", "Worrying too much about different things"),
     ("gad7_relax", "Trouble relaxing"),
     ("gad7_restless", "Being so restless that it is hard to sit still"),
     ("gad7_annoyed", "Becoming easily annoyed or irritable"),
     ("gad7_afraid", "Feeling afraid as if something awful might happen")),
    ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")))

QUESTIONNAIRES: dict[str, Questionnaire] = {q.key: q for q in (PHQ9, GAD7)}

# What a band means, in the patient's words: no treatment, no tests, no care decisions.
_WORDS = {
    "minimal": "Your answers show few or no symptoms of {topic} over the last two weeks.",
    "mild": "Your answers show mild symptoms of {topic} over the last two weeks.",
    "moderate": "Your answers show a moderate level of symptoms of {topic} over the last two weeks.",
    "moderately severe": "Your answers show a high level of symptoms of {topic} over the last two weeks.",
    "severe": "Your answers show a very high level of symptoms of {topic} over the last two weeks.",
}
_TOPIC_WORDS = {"phq9": "depression", "gad7": "anxiety"}
_TALK_SOON = 10  # the sources' usual cut-off (PHQ-9 >= 10: Kroenke 2001; GAD-7 >= 10: Spitzer 2006)


@dataclass(frozen=True)
class SelfCheckResult:
    """A completed questionnaire.

    Attributes:
        key, title: "phq9", "PHQ-9".
        answers: {item key: 0..3} for every item.
        total: the sum, from the score engine.
        band: the source's severity band ("moderate").
        band_range: "10-14".
        category: the engine's category ("moderate depressive symptoms").
        citation, doi: the source of the bands.
        crisis: PHQ-9 item 9 was answered above 0.
    """

    key: str
    title: str
    answers: dict[str, int]
    total: int
    band: str
    band_range: str
    category: str
    citation: str
    doi: str
    crisis: bool

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "answers": dict(self.answers), "total": self.total,
                "band": self.band, "band_range": self.band_range, "category": self.category,
                "citation": self.citation, "doi": self.doi, "crisis": self.crisis}


def questionnaire(key: str) -> Questionnaire:
    """The questionnaire for "phq9" or "gad7".

    Raises:
        UserError: another name.
    """
    q = QUESTIONNAIRES.get(str(key).lower().replace("-", ""))
    if q is None:
        raise UserError(f"unknown self-check '{key}' (known: {', '.join(QUESTIONNAIRES)})")
    return q


def _answer(value: Any) -> int | None:
    """0..3 from an answer value or its wording; None for no answer.

    Raises:
        UserError: anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and value in ANSWERS:
        return ANSWERS.index(value)
    if isinstance(value, bool):
        raise UserError(f"an answer is 0 to 3, not {value!r}")
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise UserError(f"an answer is 0 to 3 or one of: {', '.join(ANSWERS)}; not {value!r}") from None
    if n != value and not isinstance(value, str) or n not in (0, 1, 2, 3):
        raise UserError(f"an answer is 0 to 3, not {value!r}")
    return n


def crisis_for_answer(key: str, item: str, value: Any, locale_or_settings=None) -> str | None:
    """The crisis reply to show at once when an answer means thoughts of death or self-harm.

    Args:
        key: "phq9" or "gad7".
        item: the item's key ("phq9_selfharm").
        value: the answer (0..3 or its wording; None when cleared).
        locale_or_settings: the settings (locale, emergency number) or a locale, as
            `bot.safety.crisis.crisis_reply` takes them.

    Returns:
        The crisis reply (markdown) for PHQ-9 item 9 answered 1 or more, else None.
    """
    q = questionnaire(key)
    if not q.crisis_item or item != q.crisis_item or not _answer(value):
        return None
    from bot.safety.crisis import crisis_reply

    return crisis_reply(locale_or_settings)


def unanswered(key: str, answers: dict[str, Any]) -> list[int]:
    """Numbers (1-based) of the items without an answer."""
    q = questionnaire(key)
    return [n for n, (k, _) in enumerate(q.items, 1) if _answer((answers or {}).get(k)) is None]


def result(key: str, answers: dict[str, Any]) -> SelfCheckResult:
    """Score a completed questionnaire with the score engine.

    Args:
        key: "phq9" or "gad7".
        answers: {item key: 0..3 or the answer's wording} for every item.

    Raises:
        UserError: an unknown questionnaire or item, an answer out of range, or unanswered items.
    """
    from bot.scores.engine import compute, given_input
    from bot.scores.record import ScoreRecord

    q = questionnaire(key)
    known = {k for k, _ in q.items}
    extra = sorted(set(answers or {}) - known)
    if extra:
        raise UserError(f"{q.title} has no item {', '.join(extra)}")
    missing = unanswered(key, answers)
    if missing:
        raise UserError(f"answer every question to see the total (still open: {', '.join(map(str, missing))})")
    values = {k: _answer(answers[k]) for k, _ in q.items}
    scored = compute(ScoreRecord("none"), q.key, {k: given_input(k, v) for k, v in values.items()})
    if scored.status != "computed":  # every input is given: anything else is a fault of the engine
        raise RuntimeError(f"{q.title} not computed: {scored.reason or scored.status}")
    total = int(scored.value)
    lo, hi, band = next(b for b in q.bands if b[0] <= total <= b[1])
    return SelfCheckResult(q.key, q.title, values, total, band, f"{lo}-{hi}", scored.category, scored.citation,
                           scored.doi, bool(q.crisis_item and values[q.crisis_item] > 0))


def result_markdown(res: SelfCheckResult, locale_or_settings=None, with_crisis: bool = True) -> str:
    """What the patient sees at the end: the crisis reply first when item 9 was positive (unless
    `with_crisis` is False: the form already shows it), then the total, the band with its source,
    plain words and that this is a screening, not a diagnosis. Never treatment text."""
    q = questionnaire(res.key)
    lines: list[str] = []
    if res.crisis and with_crisis:
        from bot.safety.crisis import crisis_reply

        lines += [crisis_reply(locale_or_settings), "", "---", ""]
    band_list = ", ".join(f"{lo}–{hi} {name}" for lo, hi, name in q.bands)
    lines += [f"### Your {q.title} total: **{res.total}** of {q.max_total}",
              f"**{res.band.capitalize()}** ({res.band_range.replace('-', '–')}). "
              + _WORDS[res.band].format(topic=_TOPIC_WORDS[q.key]),
              ""]
    if res.total >= _TALK_SOON:
        lines.append(f"A total of {_TALK_SOON} or more is where clinicians usually look more closely: please share "
                     f"these answers with your doctor or nurse soon.")
    if res.crisis:
        lines.append("You said you have had thoughts that you would be better off dead or of hurting yourself: "
                     "please tell your doctor or nurse about this, whatever your total.")
    lines += ["", f"Bands: {band_list} (source: {res.citation}, DOI "
                  f"[{res.doi}](https://doi.org/{res.doi})).",
              "", f"_{DISCLAIMER}_"]
    return "\n".join(line for line in lines).strip() + "\n"


def complete(store, user: str, key: str, answers: dict[str, Any], locale_or_settings=None, with_crisis: bool = True
             ) -> tuple[SelfCheckResult, str, str]:
    """Score a completed questionnaire and keep it for `user` only (never in the audit trail).

    Args:
        store: a `bot.store.Store`.
        user: the signed-in user.
        key, answers: as `result` takes them.
        locale_or_settings: for the crisis reply's line and emergency number.
        with_crisis: lead the words with the crisis reply when item 9 was positive.

    Returns:
        (the result, its stored id, the markdown the patient sees).

    Raises:
        UserError: as `result`.
    """
    res = result(key, answers)
    sid = store.save_selfcheck(user, res.key, res.answers, res.total, res.band)
    return res, sid, result_markdown(res, locale_or_settings, with_crisis)


def history_line(row: dict[str, Any]) -> str:
    """One stored result in a list: "2026-12-07 18:50 · PHQ-9 · 12 (moderate)"."""
    import datetime as dt

    when = dt.datetime.fromtimestamp(row["created"]).strftime("%Y-%m-%d %H:%M")
    q = QUESTIONNAIRES.get(row["questionnaire"])
    return f"{when} · {q.title if q else row['questionnaire']} · {row['total']} ({row['band']})"
