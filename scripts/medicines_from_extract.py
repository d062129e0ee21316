"""Build medbot's medicine labels (retrieval/data/medicines/labels.json) from the openFDA extract.

The extract is `data/demo/dailymed/*.json` of the public repository jmponcebe/PharmaGraphRAG at commit
5dd363e2f243f5f2598ba4243ab6fcdfbc357151 (openFDA `drug/label` records, public domain): one file per
queried drug, `{"drug_name", "generic_names", "brand_names", "manufacturer", "product_type", "route",
"substance_name", "pharm_class_epc", "pharm_class_moa", "sections": {openFDA section: text}}`.

Every file of the extract was checked by hand: what product it really is (plain drug, combination,
duplicate, homeopathic, withdrawn, hospital-only) is recorded in DECISIONS below, and the reasons are
repeated in docs/medicines.md. The converter copies metadata and section text verbatim; it never edits
text inside a sentence.

Usage:
    python scripts/medicines_from_extract.py EXTRACT_DIR [--labels retrieval/data/medicines/labels.json]
    python scripts/medicines_from_extract.py EXTRACT_DIR --check

EXTRACT_DIR holds files in the extract's format, named as in the extract (`atorvastatin.json`); a
label already in labels.json whose file is not there is kept as it is, so labels can be added a few
files at a time. With a
checkout of the repository at that commit, a section is kept whole; a label whose decision says
`"whole": False` was carried over as selected whole sentences, and `--check` verifies that every sentence
stored in labels.json for it is a verbatim piece of the extract's section.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = "jmponcebe/PharmaGraphRAG"
COMMIT = "5dd363e2f243f5f2598ba4243ab6fcdfbc357151"
LABELS = Path(__file__).resolve().parent.parent / "retrieval" / "data" / "medicines" / "labels.json"

# Only the sections medbot's medicine card reads.
SECTIONS = ("boxed_warning", "indications_and_usage", "dosage_and_administration", "warnings",
            "warnings_and_cautions", "drug_interactions", "adverse_reactions")

# file stem -> what medbot does with it. "id": card key; "whole": every kept section is the whole
# section of the extract (else selected whole sentences); "note": shown with the card's data.
DECISIONS: dict[str, dict] = {
    # carried over before this converter existed (hand-checked; kept as they are in labels.json)
    **{s: {"existing": True} for s in ("ibuprofen", "acetaminophen", "aspirin", "cetirizine", "loratadine",
                                       "diphenhydramine", "omeprazole")},
    "warfarin": {"id": "warfarin", "whole": False},
    "metformin": {"id": "sitagliptin-metformin", "whole": False,
                  "note": "ZITUVIMET (sitagliptin and metformin); medbot has no label for metformin alone"},
    "amlodipine": {"id": "amlodipine", "whole": False},
    "amoxicillin": {"id": "amoxicillin-clavulanate", "whole": False,
                    "note": "amoxicillin and clavulanate potassium (the AUGMENTIN combination); medbot has no label "
                            "for amoxicillin alone"},
    "apixaban": {"id": "apixaban", "whole": False},
    "atorvastatin": {"id": "atorvastatin", "whole": False},
    "budesonide": {"id": "budesonide", "whole": True, "note": "OTC nasal spray"},
    "clopidogrel": {"id": "clopidogrel", "whole": False},
    "cyclobenzaprine": {"id": "cyclobenzaprine", "whole": False},
    "escitalopram": {"id": "escitalopram", "whole": False, "note": "oral solution"},
    "esomeprazole": {"id": "esomeprazole", "whole": True, "note": "OTC 14-day course (store brand)"},
    "fluoxetine": {"id": "fluoxetine", "whole": False},
    "fluticasone": {"id": "fluticasone", "whole": True, "note": "OTC nasal spray"},
    "gabapentin": {"id": "gabapentin", "whole": False},
    "levothyroxine": {"id": "levothyroxine", "whole": False},
    "lisinopril": {"id": "lisinopril-hydrochlorothiazide", "whole": False,
                   "note": "lisinopril and hydrochlorothiazide combination; medbot has no label for lisinopril alone"},
    "losartan": {"id": "losartan", "whole": False},
    "meloxicam": {"id": "meloxicam", "whole": False},
    "metoprolol": {"id": "metoprolol", "whole": False, "note": "metoprolol tartrate (immediate release)"},
    "montelukast": {"id": "montelukast", "whole": False},
    "naproxen": {"id": "naproxen", "whole": False, "note": "prescription naproxen tablets"},
    "pantoprazole": {"id": "pantoprazole", "whole": False,
                     "note": "pantoprazole sodium for injection (intravenous); medbot has no label for the tablets"},
    "sertraline": {"id": "sertraline", "whole": False},
    "simvastatin": {"id": "ezetimibe-simvastatin", "whole": False,
                    "note": "ezetimibe and simvastatin combination; medbot has no label for simvastatin alone"},
    "tramadol": {"id": "tramadol", "whole": False, "note": "extended-release tablets"},
    "zolpidem": {"id": "zolpidem", "whole": False},
    "albuterol": {"id": "albuterol", "whole": False, "note": "albuterol sulfate HFA inhaler"},
    "alprazolam": {"id": "alprazolam", "whole": False},
    "bupropion": {"id": "bupropion", "whole": False, "note": "extended-release tablets (XL)"},
    "celecoxib": {"id": "celecoxib", "whole": False},
    "duloxetine": {"id": "duloxetine", "whole": False, "note": "delayed-release capsules"},
    "furosemide": {"id": "furosemide", "whole": False},
    "glipizide": {"id": "glipizide", "whole": False},
    "hydrocodone": {"id": "hydrocodone-acetaminophen", "whole": False,
                    "note": "hydrocodone bitartrate and acetaminophen combination; medbot has no label for hydrocodone "
                            "alone"},
    "oxycodone": {"id": "oxycodone", "whole": False},
    "prednisone": {"id": "prednisone", "whole": False},
    "trazodone": {"id": "trazodone", "whole": False},
    "diclofenac": {"id": "diclofenac", "whole": True, "note": "OTC topical gel 1% (arthritis pain)"},
    "tamsulosin": {"id": "tamsulosin", "whole": False},
    "valsartan": {"id": "sacubitril-valsartan", "whole": False,
                  "note": "ENTRESTO (sacubitril and valsartan); medbot has no label for valsartan alone"},
    "venlafaxine": {"id": "venlafaxine", "whole": False},
    "azithromycin": {"id": "azithromycin", "whole": False},
    "ondansetron": {"id": "ondansetron", "whole": False},
    "cephalexin": {"id": "cephalexin", "whole": False},
    "lorazepam": {"id": "lorazepam", "whole": False},
    # added later, the same way (selected whole sentences of each kept section)
    "levofloxacin": {"id": "levofloxacin", "whole": False},
    "doxycycline": {"id": "doxycycline", "whole": False, "note": "doxycycline hyclate, oral"},
    "metronidazole": {"id": "metronidazole", "whole": False},
    "clindamycin": {"id": "clindamycin", "whole": False,
                    "note": "clindamycin phosphate topical lotion (acne); medbot has no label for clindamycin capsules"},
    "trimethoprim": {"id": "sulfamethoxazole-trimethoprim", "whole": False,
                     "note": "sulfamethoxazole and trimethoprim tablets (co-trimoxazole); medbot has no label for "
                             "trimethoprim alone"},
    "allopurinol": {"id": "allopurinol", "whole": False},
    "colchicine": {"id": "colchicine", "whole": False},
    "lamotrigine": {"id": "lamotrigine", "whole": False, "note": "orally disintegrating tablets"},
    "levetiracetam": {"id": "levetiracetam", "whole": False},
    "carbamazepine": {"id": "carbamazepine", "whole": False},
    "pregabalin": {"id": "pregabalin", "whole": False},
    "sildenafil": {"id": "sildenafil", "whole": False, "note": "sildenafil tablets for erectile dysfunction"},
    "tadalafil": {"id": "tadalafil", "whole": False},
    "finasteride": {"id": "finasteride", "whole": False,
                    "note": "finasteride 1 mg (male pattern hair loss); medbot has no label for the 5 mg prostate tablets"},
    "rivaroxaban": {"id": "rivaroxaban", "whole": False},
    "empagliflozin": {"id": "empagliflozin-metformin", "whole": False,
                      "note": "SYNJARDY (empagliflozin and metformin); medbot has no label for empagliflozin alone, "
                              "so its lactic acidosis warning is metformin's"},
    "semaglutide": {"id": "semaglutide", "whole": False, "note": "OZEMPIC injection (once weekly)"},
    "liraglutide": {"id": "liraglutide", "whole": False, "note": "injection (once daily)"},
    "insulin_glargine": {"id": "insulin-glargine", "whole": False, "note": "BASAGLAR (insulin glargine) pen"},
    "quetiapine": {"id": "quetiapine", "whole": False},
    "olanzapine": {"id": "olanzapine", "whole": False},
    "risperidone": {"id": "risperidone", "whole": False},
    "aripiprazole": {"id": "aripiprazole", "whole": False},
    "methotrexate": {"id": "methotrexate", "whole": False},
    "hydroxychloroquine": {"id": "hydroxychloroquine", "whole": False},
    "dexamethasone": {"id": "dexamethasone", "whole": False},
    "baclofen": {"id": "baclofen", "whole": False},
    "diazepam": {"id": "diazepam", "whole": False},
    "morphine": {"id": "morphine", "whole": False, "note": "immediate-release tablets"},
    "tiotropium": {"id": "tiotropium-olodaterol", "whole": False,
                   "note": "STIOLTO RESPIMAT (tiotropium and olodaterol); medbot has no label for tiotropium alone"},
    # checked and left out
    "methylprednisolone": {"skip": "an epidural injection kit (methylprednisolone acetate with bupivacaine and lidocaine) given by "
                                   "a clinician, not the tablets patients ask about"},
    "ciprofloxacin": {"skip": "ciprofloxacin eye drops (ophthalmic solution): none of the tablets' warnings (tendon rupture), "
                              "so 'cipro' would get eye-drop answers"},
    "hydrochlorothiazide": {"skip": "the same lisinopril and hydrochlorothiazide label as lisinopril.json"},
    "sitagliptin": {"skip": "the same ZITUVIMET (sitagliptin and metformin) label as metformin.json"},
    "melatonin": {"skip": "a homeopathic mixture (GUNA-GERIATRICS), not a melatonin supplement"},
    "ranitidine": {"skip": "withdrawn from the U.S. market in 2020"},
}


# Brand names: brand -> generic as drug-named-entity-recognition 2.0.9 (MIT) names it (checked against the
# package when the table is built), mapped to the established name the FDA label uses.
DNER_BRANDS: dict[str, str] = {
    "norvasc": "amlodipine", "zoloft": "sertraline", "lipitor": "atorvastatin", "zestril": "lisinopril",
    "prinivil": "lisinopril", "zocor": "simvastatin", "amoxil": "amoxicillin", "lexapro": "escitalopram",
    "celexa": "citalopram", "prozac": "fluoxetine", "neurontin": "gabapentin", "synthroid": "thyroxine",
    "plavix": "clopidogrel", "eliquis": "apixaban", "mobic": "meloxicam", "ambien": "zolpidem",
    "flexeril": "cyclobenzaprine", "singulair": "montelukast", "cozaar": "losartan", "lopressor": "metoprolol",
    "toprol": "metoprolol", "nexium": "esomeprazole", "flonase": "fluticasone", "rhinocort": "budesonide",
    "pulmicort": "budesonide", "protonix": "pantoprazole", "naprosyn": "naproxen", "zetia": "ezetimibe",
    "xanax": "alprazolam", "ativan": "lorazepam", "valium": "diazepam", "klonopin": "clonazepam",
    "oxycontin": "oxycodone", "desyrel": "trazodone", "wellbutrin": "bupropion", "cymbalta": "duloxetine",
    "effexor": "venlafaxine", "paxil": "paroxetine", "lasix": "furosemide", "flomax": "tamsulosin",
    "glucotrol": "glipizide", "januvia": "sitagliptin", "crestor": "rosuvastatin", "tenormin": "atenolol",
    "allegra": "fexofenadine", "unisom": "doxylamine", "pepcid": "famotidine", "mucinex": "guaifenesin",
    "imodium": "loperamide", "xarelto": "rivaroxaban", "celebrex": "celecoxib", "voltaren": "diclofenac",
    "lyrica": "pregabalin", "seroquel": "quetiapine", "zofran": "ondansetron", "medrol": "methylprednisolone",
    "deltasone": "prednisone", "cipro": "ciprofloxacin", "zithromax": "azithromycin", "flagyl": "metronidazole",
    "levaquin": "levofloxacin", "diflucan": "fluconazole", "imitrex": "sumatriptan", "zanaflex": "tizanidine",
    "aldactone": "spironolactone", "coreg": "carvedilol", "diovan": "valsartan", "zantac": "ranitidine",
    "viagra": "sildenafil", "cialis": "tadalafil",
    "lamictal": "lamotrigine", "keppra": "levetiracetam", "tegretol": "carbamazepine", "zyprexa": "olanzapine",
    "risperdal": "risperidone", "abilify": "aripiprazole", "plaquenil": "hydroxychloroquine", "zyloprim": "allopurinol",
    "colcrys": "colchicine", "propecia": "finasteride", "proscar": "finasteride", "ozempic": "semaglutide",
    "wegovy": "semaglutide", "rybelsus": "semaglutide", "victoza": "liraglutide", "saxenda": "liraglutide",
    "lantus": "insulin glargine", "toujeo": "insulin glargine", "lioresal": "baclofen", "vibramycin": "doxycycline",
    "cleocin": "clindamycin", "decadron": "dexamethasone", "spiriva": "tiotropium", "jardiance": "empagliflozin",
    "revatio": "sildenafil",
}
# Generic names DNER gives that differ from the label's established name.
_DNER_TO_LABEL = {"thyroxine": "levothyroxine"}
# Combination products: ingredients as the established name in the product's FDA labeling states them.
LABEL_BRANDS: dict[str, tuple[list[str], str]] = {
    "bactrim": (["sulfamethoxazole", "trimethoprim"], "BACTRIM (sulfamethoxazole and trimethoprim) tablets"),
    "septra": (["sulfamethoxazole", "trimethoprim"], "SEPTRA (sulfamethoxazole and trimethoprim) tablets"),
    "basaglar": (["insulin glargine"], "BASAGLAR (insulin glargine) injection"),
    "synjardy": (["empagliflozin", "metformin hydrochloride"], "SYNJARDY (empagliflozin and metformin hydrochloride) tablets"),
    "stiolto": (["tiotropium bromide", "olodaterol hydrochloride"],
                "STIOLTO RESPIMAT (tiotropium bromide and olodaterol) inhalation spray"),
    "zestoretic": (["lisinopril", "hydrochlorothiazide"], "ZESTORETIC (lisinopril and hydrochlorothiazide) tablets"),
    "prinzide": (["lisinopril", "hydrochlorothiazide"], "PRINZIDE (lisinopril and hydrochlorothiazide) tablets"),
    "vytorin": (["ezetimibe", "simvastatin"], "VYTORIN (ezetimibe and simvastatin) tablets"),
    "claritin-d": (["loratadine", "pseudoephedrine sulfate"],
                   "Claritin-D (loratadine and pseudoephedrine sulfate) extended release tablets"),
    "nyquil": (["acetaminophen", "dextromethorphan hydrobromide", "doxylamine succinate"],
               "Vicks NyQuil Cold & Flu (acetaminophen, dextromethorphan HBr, doxylamine succinate)"),
    "dayquil": (["acetaminophen", "dextromethorphan hydrobromide", "phenylephrine hydrochloride"],
                "Vicks DayQuil Cold & Flu (acetaminophen, dextromethorphan HBr, phenylephrine HCl)"),
    "percocet": (["oxycodone hydrochloride", "acetaminophen"], "PERCOCET (oxycodone and acetaminophen) tablets"),
    "norco": (["hydrocodone bitartrate", "acetaminophen"], "NORCO (hydrocodone bitartrate and acetaminophen) tablets"),
    "zyrtec-d": (["cetirizine hydrochloride", "pseudoephedrine hydrochloride"],
                 "Zyrtec-D (cetirizine HCl and pseudoephedrine HCl) extended release tablets"),
    "excedrin": (["acetaminophen", "aspirin", "caffeine"], "Excedrin Extra Strength (acetaminophen, aspirin, caffeine)"),
    "entresto": (["sacubitril", "valsartan"], "ENTRESTO (sacubitril and valsartan) tablets"),
    "keflex": (["cephalexin"], "KEFLEX (cephalexin) capsules"),
}
DNER_SOURCE = "drug-named-entity-recognition 2.0.9 (MIT), brand and synonym table"
LABEL_SOURCE = "established name in the product's FDA labeling"


def build_brands(brands: Path) -> list[str]:
    """Add DNER_BRANDS (checked against drug-named-entity-recognition) and LABEL_BRANDS to brands.json."""
    from drug_named_entity_recognition import find_drugs

    data = json.loads(brands.read_text(encoding="utf-8"))
    added = []
    for brand, generic in DNER_BRANDS.items():
        hits = find_drugs([brand])
        got = hits[0][0]["name"].lower() if hits else None
        if got != generic:
            raise ValueError(f"{brand}: drug-named-entity-recognition gives {got!r}, expected {generic!r}")
        entry = {"ingredients": [_DNER_TO_LABEL.get(generic, generic)], "source": DNER_SOURCE}
        if generic in _DNER_TO_LABEL:
            entry["note"] = f"listed as {generic}; FDA labels name it {_DNER_TO_LABEL[generic]}"
        data["brands"].setdefault(brand, entry)
        added.append(brand)
    for brand, (ings, established) in LABEL_BRANDS.items():
        data["brands"].setdefault(brand, {"ingredients": ings, "source": LABEL_SOURCE, "note": established})
        added.append(brand)
    brands.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return added


def _sentences(text: str) -> list[str]:
    """Whole sentences (the same cut as the medicine cards), used to check a selection against its source."""
    from retrieval.medicines.cards import _SENT_END

    return [s.strip() for s in _SENT_END.split(text) if s.strip()]


def entry(stem: str, rec: dict, decision: dict) -> dict:
    """One labels.json entry from one extract record, text verbatim."""
    sections = {s: rec["sections"][s] for s in SECTIONS if rec["sections"].get(s)}
    if not sections:
        raise ValueError(f"{stem}: no section medbot uses")
    out = {
        "id": decision["id"],
        "product": rec["brand_names"][0],
        "manufacturer": rec["manufacturer"][0],
        "product_type": rec["product_type"][0],
        "route": rec["route"][0],
        "generic_names": [g.lower() for g in rec["generic_names"]],
        "substances": [s.lower() for s in rec["substance_name"]],
        "classes": [*rec["pharm_class_epc"], *rec["pharm_class_moa"]],
        "complete": bool(decision["whole"]),
        "sections": sections,
        "source": {"repository": REPO, "path": f"data/demo/dailymed/{stem}.json", "commit": COMMIT},
    }
    if decision.get("note"):
        out["notes"] = [decision["note"]]
    return out


def merged(old: dict, new: dict) -> dict:
    """An entry carried over earlier, widened by a later selection from the same file: its sections
    keep their sentences, and sentences (and sections) only the new selection has are added after them."""
    out = dict(old)
    sections = dict(old["sections"])
    for sec, text in new["sections"].items():
        if sec not in sections:
            sections[sec] = text
            continue
        have = {re.sub(r"\s+", " ", x) for x in _sentences(sections[sec])}
        extra = [x for x in _sentences(text) if re.sub(r"\s+", " ", x) not in have]
        if extra:
            sections[sec] = sections[sec].rstrip() + " " + " ".join(extra)
    out["sections"] = {s: sections[s] for s in SECTIONS if s in sections}
    return out


def convert(extract: Path, labels: Path) -> list[str]:
    """Rewrite `labels` with an entry per kept extract file; returns the ids written. A label already
    in `labels` is widened (`merged`), never narrowed: a later, shorter selection adds sentences."""
    data = json.loads(labels.read_text(encoding="utf-8"))
    by_id = {lab["id"]: lab for lab in data["labels"]}
    written = []
    for stem, decision in DECISIONS.items():
        if decision.get("skip") or decision.get("existing"):
            continue
        path = extract / f"{stem}.json"
        if not path.exists():
            if decision["id"] in by_id:  # carried over from an earlier run: kept as it is
                continue
            raise FileNotFoundError(f"{path}: not in the extract directory")
        new = entry(stem, json.loads(path.read_text(encoding="utf-8")), decision)
        by_id[new["id"]] = merged(by_id[new["id"]], new) if new["id"] in by_id else new
        written.append(new["id"])
    data["labels"] = list(by_id.values())
    labels.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written


def check(extract: Path, labels: Path) -> list[str]:
    """Problems: stored sentences that are not verbatim pieces of the extract's section."""
    problems = []
    for lab in json.loads(labels.read_text(encoding="utf-8"))["labels"]:
        path = extract / Path(lab["source"]["path"]).name
        if not path.exists():
            continue
        rec = json.loads(path.read_text(encoding="utf-8"))
        for sec, text in lab["sections"].items():
            src = re.sub(r"\s+", " ", rec["sections"].get(sec, ""))
            for s in _sentences(text):
                if re.sub(r"\s+", " ", s) not in src:
                    problems.append(f"{lab['id']} {sec}: not in the extract: {s[:80]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("extract", type=Path, help="directory of extract files (data/demo/dailymed)")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--check", action="store_true", help="verify labels.json against the extract instead")
    ap.add_argument("--brands", type=Path, default=None, help="also add the brand table to this brands.json")
    a = ap.parse_args(argv)
    if not a.extract.is_dir():
        print(f"medicines_from_extract: {a.extract} is not a directory", file=sys.stderr)
        return 2
    if a.check:
        problems = check(a.extract, a.labels)
        print("\n".join(problems) or "every stored sentence is in the extract")
        return 1 if problems else 0
    try:
        ids = convert(a.extract, a.labels)
    except (OSError, ValueError, KeyError) as e:
        print(f"medicines_from_extract: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(ids)} labels: {', '.join(ids)}")
    if a.brands is not None:
        try:
            names = build_brands(a.brands)
        except (OSError, ValueError, ImportError) as e:
            print(f"medicines_from_extract: {e}", file=sys.stderr)
            return 2
        print(f"brand table: {len(names)} brands checked")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
