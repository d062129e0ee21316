"""Cited Markdown answers for the four question shapes, built only from label text and the brand table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from retrieval.errors import UserError
from retrieval.medicines.cards import Card, Quote
from retrieval.medicines.names import Medicine, Names

SHAPES = ("same_as", "together", "how_much", "what_is")
FOCUS = ("uses", "how_to_take", "max_daily", "side_effects", "warnings", "interactions", "pregnancy")
ASK = "Ask a pharmacist or your doctor"
_INTERACTION_SECTIONS = ("boxed_warning", "drug_interactions", "warnings", "warnings_and_cautions")
_MAX_QUOTE = 420


@dataclass
class Answer:
    """A ready-to-show answer and its structured form.

    Attributes:
        markdown: cited answer for a patient (quotes are verbatim label text).
        data: shape, medicines, verdict and every quote with its product, section and link.
    """

    markdown: str
    data: dict[str, Any] = field(default_factory=dict)


def _quote_json(q: Quote, card: Card) -> dict[str, Any]:
    return {"text": q.text, "section": q.section, "product": card.product, "manufacturer": card.manufacturer,
            "label_id": card.id, "url": card.url, "label_date": card.label_date}


def _blockquote(q: Quote, card: Card) -> str:
    return f"> {q.text}\n>\n> — {card.citation(q.section)}"


def _window(text: str, m: re.Match) -> str:
    """The unit, or a verbatim window of it around the match when it is long."""
    if len(text) <= _MAX_QUOTE:
        return text
    # The whole sentence that names the match, when it is not much longer than a quote: its main
    # clause ("serotonin syndrome has been reported with SSRIs, including ...") is what the name hangs on.
    cut = text.rfind(". ", 0, m.start())
    start = cut + 2 if cut >= 0 else 0
    stop = text.find(". ", m.end())
    stop = len(text) if stop < 0 else stop + 1
    if stop - start <= 2 * _MAX_QUOTE:
        return ("…" if start > 0 else "") + text[start:stop].strip() + ("…" if stop < len(text) else "")
    half = (_MAX_QUOTE - (m.end() - m.start())) // 2
    a, b = max(0, m.start() - half), min(len(text), m.end() + half)
    while a > 0 and text[a - 1] != " ":
        a -= 1
    while b < len(text) and text[b] != " ":
        b += 1
    return ("…" if a > 0 else "") + text[a:b].strip() + ("…" if b < len(text) else "")


def _term_re(terms: list[str]) -> re.Pattern | None:
    terms = [t for t in dict.fromkeys(terms) if t]
    if not terms:
        return None
    alt = "|".join(re.escape(t).replace("'", "['’]").replace(r"\ ", r"\s+")
                   for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alt})(?![A-Za-z])", re.I)


def _names_line(meds: list[Medicine]) -> str:
    return " and ".join(f"**{m.query}**" + (f" ({m.name})" if m.name.lower() != m.query.lower() else "") for m in meds)


def _corrections(meds: list[Medicine]) -> str:
    fixed = [f"“{m.corrected_from}” read as **{m.query}**" for m in meds if m.corrected_from]
    return ("_" + "; ".join(fixed) + "._\n\n") if fixed else ""


# ---- same as -----------------------------------------------------------------------------------

def _ingredient_source(m: Medicine) -> str:
    if m.brand:
        src = m.brand["source"]
        return f"{m.brand['note']} ({src})" if m.brand.get("note") else src
    if m.cards:
        c = m.cards[0]
        return c.citation("indications_and_usage" if "indications_and_usage" in c.sections else next(iter(c.sections)))
    return "generic name"


def same_as(meds: list[Medicine]) -> Answer:
    a = meds[0]
    lines = [_corrections(meds)]
    data: dict[str, Any] = {"shape": "same_as", "medicines": [_med_json(m) for m in meds]}
    if len(meds) == 1:
        ings = " + ".join(a.ingredients)
        if a.brand:
            lines.append(f"**{a.query}** contains **{ings}**" + (" (a combination product)." if len(a.ingredients) > 1 else "."))
            lines.append(f"\nSource: {_ingredient_source(a)}.")
        else:
            lines.append(f"**{a.query}** is the generic name **{ings}**.")
        data["verdict"] = "ingredients"
    else:
        b = meds[1]
        sa, sb = set(a.ingredients), set(b.ingredients)
        if sa == sb:
            verdict = "same"
            lines.append(f"**Yes.** {a.query} and {b.query} contain the same active ingredient"
                         f"{'s' if len(sa) > 1 else ''}: **{' + '.join(sorted(sa))}**.")
        elif sb < sa or sa < sb:
            big, small = (a, b) if sb < sa else (b, a)
            verdict = "contains"
            lines.append(f"**Not exactly.** {big.query} is a combination of **{' + '.join(big.ingredients)}**; "
                         f"{small.query} is **{' + '.join(small.ingredients)}** alone.")
        else:
            verdict = "different"
            lines.append(f"**No.** {a.query} contains **{' + '.join(a.ingredients)}**; {b.query} contains "
                         f"**{' + '.join(b.ingredients)}**.")
        data["verdict"] = verdict
        lines.append("\nSources:\n" + "\n".join(f"- {m.query}: {_ingredient_source(m)}" for m in meds))
    lines.append("\nThe same active ingredient can come in different strengths and forms, with different inactive "
                 "ingredients; check the package, and do not take two products with the same ingredient together.")
    return Answer("\n".join(lines).strip(), data)


# ---- together ----------------------------------------------------------------------------------

def _mentions(card: Card, other: Medicine, own: Medicine) -> list[tuple[Quote, str]]:
    """(quote, how it names the other) for each label unit that names the other medicine, ingredient or class."""
    own_words = {t.lower() for t in own.terms()}
    names = [t for t in other.terms() if t.lower() not in own_words]
    by_name = _term_re(names)
    by_class = _term_re(other.class_terms())
    shared = set(own.ingredients) & set(other.ingredients)
    dup = re.compile(r"other (?:drugs?|products?)[^.]{0,80}?containing|any other (?:drug|product) containing", re.I) \
        if shared else None
    out = []
    for section in _INTERACTION_SECTIONS:
        units = card.units(section)
        for i, unit in enumerate(units):
            # An allergy cross-sensitivity sentence ("allergic to ... an antihistamine containing hydroxyzine")
            # names a class without saying anything about taking the two together.
            allergy = re.search(r"allergic", unit, re.I)
            hit, how = None, ""
            for pattern, kind in ((by_name, "name"), (None if allergy else by_class, "class"), (dup, "same ingredient")):
                hit = pattern.search(unit) if pattern is not None else None
                if hit:
                    how = kind
                    break
            if hit:
                impact = _row_impact(units, i) if unit.startswith("Examples") else None
                if impact is None and i > 0 and _DANGLING.match(unit):
                    impact = units[i - 1]  # "The chance is higher if you: ..." says of what only with the sentence before
                if impact is not None:
                    out.append((Quote(impact, section, card.id), how))
                out.append((Quote(_window(unit, hit), section, card.id), how))
    return out


def _row_impact(units: list[str], i: int) -> str | None:
    """For an 'Examples: ...' row of an interaction table, the 'Clinical Impact:' sentence of the same row."""
    for j in range(i - 1, max(-1, i - 5), -1):
        if units[j].startswith("Examples"):
            return None
        if re.search(r"Clinical (?:Impact:|implication )", units[j]) and len(units[j]) <= _MAX_QUOTE:
            return units[j]
    return None


#: Most label quotes a "together" answer shows (all are kept in its data).
_MAX_TOGETHER = 4
_WORD = re.compile(r"[a-z][a-z-]{3,}")


def _distinct(found: list[tuple[Quote, Card, str]]) -> list[tuple[Quote, Card, str]]:
    """The quotes that say something new, shortest first then back in order: labels repeat a
    warning in several sections ("Alcohol potentiates the effect of metformin on lactate
    metabolism"), and a long run-on window repeats a short row."""
    def words(q: Quote) -> set[str]:
        return set(_WORD.findall(q.text.lower()))

    kept: list[int] = []
    for i in sorted(range(len(found)), key=lambda i: len(found[i][0].text)):
        w = words(found[i][0])
        if any(len(w & words(found[k][0])) >= 0.8 * len(w) for k in kept):
            continue  # said already
        if len(found[i][0].text) > 300 and any(len(words(found[k][0]) & w) >= 0.9 * len(words(found[k][0]))
                                                for k in kept):
            continue  # a long window around a row already quoted
        kept.append(i)
    return [found[i] for i in sorted(kept)]


def together(meds: list[Medicine]) -> Answer:
    if len(meds) != 2:
        raise UserError("together: name two medicines (or a medicine and alcohol)")
    a, b = meds
    found: list[tuple[Quote, Card, str]] = []
    for own, other in ((a, b), (b, a)):
        for card in own.cards:
            for q, how in _mentions(card, other, own):
                found.append((q, card, how))
    seen, uniq = set(), []
    for q, c, how in found:
        if (q.text, c.id) not in seen:
            seen.add((q.text, c.id))
            uniq.append((q, c, how))
    lines = [_corrections(meds)]
    shared = sorted(set(a.ingredients) & set(b.ingredients))
    if shared:
        lines.append(f"**{a.query} and {b.query} both contain {' + '.join(shared)}.** Taking both means taking a double "
                     "dose of the same medicine.\n")
    data: dict[str, Any] = {"shape": "together", "medicines": [_med_json(m) for m in meds],
                            "quotes": [{**_quote_json(q, c), "names_other_by": how} for q, c, how in uniq]}
    if uniq:
        data["verdict"] = "label_says"
        lines.append(f"What the FDA labels say about {_names_line(meds)} together, word for word:\n\n")
        shown = _distinct(uniq)[:_MAX_TOGETHER]
        cards = {c.id: c for _, c, _ in shown}
        for cid, card in cards.items():  # one citation per label, under its quotes
            lines.append("\n".join(_quoted([q for q, c, _ in shown if c.id == cid], card)) + "\n")
        lines.append(f"These are the labels' own words about this pair; they are not a full interaction check. {ASK} "
                     "before taking them together.")
    else:
        data["verdict"] = "labels_silent"
        have = [m for m in meds if m.cards]
        missing = [m for m in meds if not m.cards and not m.is_alcohol]
        lines.append(f"**The labels do not say; ask a pharmacist.** ")
        cards = list({c.id: c for m in have for c in m.cards}.values())
        if have:
            prods = "; ".join(f"*{c.product}* ({c.manufacturer})" for c in cards)
            other = {id(m): (b if m is a else a) for m in have}
            lines.append(f"medbot's FDA labels ({prods}) do not mention "
                         + " or ".join(f"{other[id(m)].query}" for m in have) + ", its ingredient or its class.")
        if missing:
            lines.append(" medbot has no label for " + " or ".join(m.query for m in missing) + ".")
        if any(not c.complete for m in have for c in m.cards):
            lines.append(" (medbot holds selected sections of the prescription label, not all of it.)")
        cautions = [(q, c) for c in cards for q in c.quotes("warnings", _CAUTION) if not _DANGLING.match(q.text)][:4]
        if cautions:  # each label's own cautions, whatever it is taken with: not a statement about this pair
            data["cautions"] = [_quote_json(q, c) for q, c in cautions]
            lines.append("\n\nWhat each label warns about, whatever it is taken with (not a statement about this pair):\n\n")
            for q, c in cautions:
                lines.append(_blockquote(q, c) + "\n\n")
        lines.append("\n\nSilence in a label does not mean the combination is safe. " + ASK + " before taking them together.")
        lines.append("\n\n" + "\n".join(f"- {c.citation(s)}" for c in cards
                                         for s in _INTERACTION_SECTIONS if s in c.sections))
    return Answer("".join(x if x.endswith((" ", "\n")) else x + "\n" for x in lines).strip(), data)


_CAUTION = re.compile(r"(?i)drows|sedat|tranquil|alcohol|do not use .{0,40}with any other")


# ---- how much ----------------------------------------------------------------------------------

_ROW = re.compile(r"(?i)(?<![A-Za-z])(?<!and )(?<!for )(?=(?:for )?(?:adults and children \d+ years|adults \d+ years|adults 65|"
                  r"children \d+ to under \d+|children under \d+|children \d+ years|consumers with|adults 18|"
                  r"adults :|adults: ))")
_MAXLINE = re.compile(r"(?i)(do not|not to|not more than|maximum)[^.]{0,80}(in 24[ -]hours|a day|per day|daily)")


# A warning about more than the directions: "Severe liver damage may occur if you take more than 4,000 mg".
_TOO_MUCH = re.compile(r"(?i)more than [\d,]+ ?(?:mg|g|doses?|tablets?|caplets?)|more (?:or for a )?longer (?:time )?than directed|"
                       r"more than directed|overdose")


_DANGLING = re.compile(r"(?i)^(?:the|this) (?:chance|risk)\b")  # "The risk is higher if ...": of what, the sentence before says


def direction_rows(card: Card) -> list[str]:
    """The Directions section cut at its age rows ('adults and children 12 years and over', 'children under 12')."""
    text = card.sections.get("dosage_and_administration", "")
    starts = sorted({0, *[m.start() for m in _ROW.finditer(text)]})
    return [text[s:e].strip() for s, e in zip(starts, [*starts[1:], len(text)]) if text[s:e].strip()]


def how_much(meds: list[Medicine]) -> Answer:
    m = meds[0]
    lines = [_corrections(meds)]
    data: dict[str, Any] = {"shape": "how_much", "medicines": [_med_json(x) for x in meds], "labels": []}
    if not m.cards:
        data["verdict"] = "no_label"
        lines.append(f"medbot has no FDA label for **{m.query}**, so it gives no dose. Follow the directions on your "
                     f"package or prescription; {ASK.lower()}.")
        return Answer("\n".join(lines).strip(), data)
    for card in m.cards:
        if m.brand and card.product.lower() != m.query.lower():
            lines.append(f"medbot's label for {m.name} is *{card.product}* ({card.manufacturer}), not {m.query}'s own "
                         "label; strengths and directions can differ between products, so follow the package you have.\n")
        rows = direction_rows(card)
        if not rows:
            data["verdict"] = "no_directions"
            lines.append(f"medbot's copy of the *{card.product}* label has no dosing section. The dose of a "
                         f"{card.kind} medicine is set by the prescriber; follow your prescription. {card.citation('dosage_and_administration')}")
            continue
        data["verdict"] = "label_directions"
        if not card.otc:  # a prescriber's directions: the patient's own dose is the one prescribed
            lines.append("**This is a prescription medicine: take the dose your prescriber set for you.** The label's "
                         "directions below are written for prescribers.\n")
        lines.append(f"**{card.product}** ({card.manufacturer}, {card.kind} {card.route} label). Its directions, word for word:\n")
        lines += [f"- “{r}”" for r in rows]
        maxes = [mm.group(0) for mm in _MAXLINE.finditer(card.sections["dosage_and_administration"])]
        if maxes:
            lines.append("\nMaximum the label prints: " + "; ".join(f"“{x}”" for x in maxes) + ".")
        if not re.search(r"\d\s?mg", card.sections["dosage_and_administration"]):
            lines.append("\nThe strength per tablet or per dose is printed on the package; medbot's copy of this label "
                         "does not record it.")
        lines.append(f"\n— {card.citation('dosage_and_administration')}\n")
        too_much = [q for sec in ("boxed_warning", "warnings") for q in card.quotes(sec, _TOO_MUCH)
                    if not _DANGLING.match(q.text)][:3]
        if too_much:
            lines.append("What the label warns about taking too much, word for word:\n")
            lines += [f"- “{q.text}”" for q in too_much]
            lines.append(f"\n— {card.citation(too_much[0].section)}\n")
        data["labels"].append({"label_id": card.id, "product": card.product, "rows": rows, "max": maxes,
                               "too_much": [q.text for q in too_much],
                               "url": card.url, "section": "dosage_and_administration"})
    lines.append("These are one product's directions: other strengths, forms and prescription labels differ. medbot does "
                 f"not work out doses by weight. {ASK} for a child's dose or if you take other medicines.")
    return Answer("\n".join(lines).strip(), data)


# ---- what is -----------------------------------------------------------------------------------

_SERIOUS = re.compile(r"^(Stomach bleeding warning|Heart attack and stroke warning|Liver warning|Allergy alert|"
                      r"Reye's syndrome|5\.\d+ |\d+ WARNINGS)", re.I)


def card_fields(card: Card) -> dict[str, list[Quote]]:
    """The card's fields, each a list of verbatim quotes from one section."""
    f: dict[str, list[Quote]] = {}
    f["uses"] = card.quotes("indications_and_usage")[:3]
    f["how_to_take"] = [Quote(r, "dosage_and_administration", card.id) for r in direction_rows(card)]
    d = card.sections.get("dosage_and_administration", "")
    f["max_daily"] = [Quote(m.group(0), "dosage_and_administration", card.id) for m in _MAXLINE.finditer(d)]
    ar = card.quotes("adverse_reactions", re.compile(r"most common", re.I)) or card.quotes("adverse_reactions")[:2]
    f["side_effects"] = ar
    warn = card.quotes("boxed_warning")
    for sec in ("warnings", "warnings_and_cautions"):
        warn += [q for q in card.quotes(sec) if _SERIOUS.search(q.text)]
    f["warnings"] = warn[:6]
    inter = card.quotes("drug_interactions")[:4]
    inter += card.quotes("warnings", re.compile(r"pharmacist|taking|alcohol|sedative|NSAID", re.I))[:4]
    f["interactions"] = inter
    preg = []
    for sec in ("warnings", "warnings_and_cautions", "boxed_warning"):
        preg += card.quotes(sec, re.compile(r"pregnan|breast-?feed|nursing|lactat", re.I))
    f["pregnancy"] = preg[:4]
    return f


# Label words for the effects people name: the label says "edema" where they say "swollen ankles".
_EFFECT_TERMS = {
    "swollen": ["swell", "edema", "oedema"], "swelling": ["swell", "edema", "oedema"], "ankles": ["ankle", "edema"],
    "ankle": ["ankle", "edema"], "feet": ["edema", "feet"], "legs": ["edema", "leg"],
    "muscle": ["muscle", "myalgia", "myopathy", "rhabdomyolysis"], "muscles": ["muscle", "myalgia", "myopathy"],
    "tired": ["fatigue", "somnolence", "tired"], "sleepy": ["somnolence", "drowsiness", "sleepy"],
    "drowsy": ["drowsiness", "somnolence"], "dizzy": ["dizziness", "dizzy"], "weight": ["weight"],
    "hair": ["hair", "alopecia"], "sex": ["sexual", "libido", "erectile"], "sexual": ["sexual", "libido"],
    "tendon": ["tendon", "tendinitis", "tendinopathy"], "tendons": ["tendon", "tendinitis"],
    "stomach": ["stomach", "abdominal", "gastrointestinal", "nausea"], "sick": ["nausea", "vomiting"],
    "sugar": ["glucose", "hyperglycemia", "hypoglycemia", "sugar"], "mood": ["mood", "depression", "suicid"],
    "sleep": ["insomnia", "sleep"], "bleeding": ["bleeding", "hemorrhage"], "bruising": ["bruising", "bleeding"],
    "itching": ["pruritus", "itching"], "itchy": ["pruritus", "itching"], "headache": ["headache"],
    "headaches": ["headache"], "cough": ["cough"], "rash": ["rash"], "diarrhea": ["diarrhea"],
    "constipation": ["constipation"], "nausea": ["nausea"], "memory": ["memory", "amnesia"],
}
_SKIP_TERMS = frozenset({"gain", "lose", "loss", "pain", "high", "low", "get", "feel"})


def effect_pattern(effect: str) -> re.Pattern | None:
    """Word-start pattern for the label words of an effect ("gain weight" -> weight; "dizzy" -> dizziness)."""
    terms: list[str] = []
    for w in effect.lower().split():
        if w in _EFFECT_TERMS:
            terms += _EFFECT_TERMS[w]
        elif w not in _SKIP_TERMS and len(w) >= 4:
            terms.append(w[:max(4, len(w) - 2)])  # "dizzy" -> "dizz", "tendons" -> "tendo"
    terms = list(dict.fromkeys(terms))
    if not terms:
        return None
    return re.compile(r"(?i)\b(" + "|".join(re.escape(t) for t in terms) + ")")


def effect_quotes(card: Card, effect: str, limit: int = 4) -> list[Quote]:
    """The label's own sentences that name the effect asked about, boxed warning first."""
    pat = effect_pattern(effect)
    if pat is None:
        return []
    out: list[Quote] = []
    for sec in ("boxed_warning", "warnings", "warnings_and_cautions", "adverse_reactions"):
        out += [q for q in card.quotes(sec, pat) if len(q.text) <= 600 and q.text not in {o.text for o in out}]
    # a run-on unit that repeats a shorter one word for word adds nothing but length
    out = [q for q in out if not any(o is not q and o.text.rstrip(".") in q.text for o in out)]
    return out[:limit]


_FIELD_TITLES = {"uses": "Uses", "how_to_take": "How to take it", "max_daily": "Maximum daily dose (as printed)",
                 "side_effects": "Common side effects", "warnings": "Boxed and serious warnings",
                 "interactions": "Interactions", "pregnancy": "Pregnancy and breastfeeding"}


def _quoted(qs: list[Quote], card: Card) -> list[str]:
    """Quotes as list lines, then the citation of their sections."""
    secs = list(dict.fromkeys(q.section for q in qs))
    return [f"- “{q.text}”" for q in qs] + ["  \n  — " + card.citation(secs) + "\n"]


def what_is(meds: list[Medicine], focus: str | None = None, effect: str | None = None) -> Answer:
    m = meds[0]
    lines = [_corrections(meds)]
    data: dict[str, Any] = {"shape": "what_is", "medicines": [_med_json(x) for x in meds], "cards": []}
    if m.brand:
        lines.append(f"**{m.query}** contains **{' + '.join(m.ingredients)}** ({_ingredient_source(m)}).\n")
    if not m.cards:
        data["verdict"] = "no_label"
        lines.append(f"medbot has no FDA label for **{m.name}**. {ASK}, or read the leaflet in the package.")
        return Answer("\n".join(lines).strip(), data)
    data["verdict"] = "card"
    for card in m.cards:
        classes = [re.sub(r"\s*\[(EPC|MoA)\]", "", c) for c in card.classes if c.endswith("[EPC]")]
        head = f"### {card.product} ({card.manufacturer})\n{card.kind.capitalize()} {card.route} label; active ingredient" \
               f"{'s' if len(card.substances) > 1 else ''}: {', '.join(card.substances)}"
        if classes:
            head += f"; class: {', '.join(classes)}"
        if len(card.substances) > 1 and len(m.ingredients) == 1:
            head += f"\n\n_This label is a combination product; medbot has no label for {m.ingredients[0]} alone._"
        lines.append(head + "\n")
        fields = card_fields(card)
        shown = [focus] if focus else list(_FIELD_TITLES)
        cj = {"label_id": card.id, "product": card.product, "url": card.url, "fields": {}}
        if effect and focus == "side_effects":
            named = effect_quotes(card, effect)
            cj["effect"] = {"asked": effect, "quotes": [_quote_json(q, card) for q in named]}
            if named:
                lines.append(f"**What the label says about “{effect}”**")
                lines += _quoted(named, card)
                said = {q.text for q in named}
                fields["side_effects"] = [q for q in fields["side_effects"] if q.text not in said]
                if not fields["side_effects"]:  # every common side effect is already quoted above
                    shown = [k for k in shown if k != "side_effects"]
            else:
                lines.append(f"**“{effect}”**: medbot's copy of this label does not mention it"
                             + (" (medbot holds selected sections of it)" if not card.complete else "")
                             + ". Silence is not proof that it cannot happen.\n")
        for key in shown:
            qs = fields.get(key, [])
            cj["fields"][key] = [_quote_json(q, card) for q in qs]
            lines.append(f"**{_FIELD_TITLES[key]}**")
            if not qs:
                lines.append("- Not in medbot's copy of this label." + (" (medbot holds selected sections of it.)"
                                                                         if not card.complete else "") + "\n")
                continue
            lines += _quoted(qs, card)
        data["cards"].append(cj)
    lines.append("Label text, not personal advice. " + ASK + " about your own situation.")
    return Answer("\n".join(lines).strip(), data)


def _med_json(m: Medicine) -> dict[str, Any]:
    return {"query": m.query, "name": m.name, "ingredients": m.ingredients, "labels": [c.id for c in m.cards],
            "brand_source": (m.brand or {}).get("source"), "corrected_from": m.corrected_from}


def answer(question: str, drugs: list[str], focus: str | None = None, names: Names | None = None,
           effect: str | None = None) -> Answer:
    """Answer one medicine question from the labels.

    Args:
        question: 'same_as', 'together', 'how_much' or 'what_is'.
        drugs: one or two names as asked (brand, generic, 'alcohol'); typos of known names are corrected.
        focus: for 'what_is', one field (uses, how_to_take, max_daily, side_effects, warnings, interactions, pregnancy).
        names: a name resolver (default: the shipped cards and brand table).
        effect: with focus 'side_effects', the effect asked about ("tendon", "gain weight"): the label's
            sentences naming it are quoted first, or the answer says the label copy does not mention it.

    Raises:
        UserError: unknown shape, wrong number of names, or a name medbot does not know.
    """
    if question not in SHAPES:
        raise UserError(f"medicines: unknown question '{question}' (one of {', '.join(SHAPES)})")
    if focus is not None and focus not in FOCUS:
        raise UserError(f"medicines: unknown focus '{focus}' (one of {', '.join(FOCUS)})")
    if not drugs or len(drugs) > 2:
        raise UserError("medicines: name one or two medicines")
    names = names or _default_names()
    meds = []
    for d in drugs:
        med = names.resolve(d)
        if med is None:
            raise UserError(f"medicines: '{d}' is not a medicine medbot knows")
        meds.append(med)
    if question == "together" and len(meds) != 2:
        raise UserError("medicines: 'together' needs two names (or a medicine and alcohol)")
    if question != "together" and any(m.is_alcohol for m in meds):
        raise UserError("medicines: alcohol only goes with 'together'")
    if question == "same_as":
        return same_as(meds)
    if question == "together":
        return together(meds)
    if question == "how_much":
        return how_much(meds[:1])
    return what_is(meds[:1], focus, effect)


_NAMES: Names | None = None


def _default_names() -> Names:
    global _NAMES
    if _NAMES is None:
        _NAMES = Names()
    return _NAMES
