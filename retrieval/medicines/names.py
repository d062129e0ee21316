"""Names to medicines: label names, brand names (with their source), typos, and what class a drug is in."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from retrieval.medicines.cards import Card, base_name, load_brands, load_cards

ALCOHOL_WORDS = {"alcohol", "alcoholic", "drink", "drinks", "drinking", "beer", "wine", "booze", "liquor", "vodka",
                 "whiskey", "whisky", "rum", "gin", "tequila", "cocktail", "cocktails"}

# How labels name the class a drug belongs to. Only membership is listed here; whether the class
# matters is decided solely by a label sentence that names it.
CLASS_TERMS: dict[str, list[str]] = {
    **{d: ["NSAID", "NSAIDs", "Non-steroidal Anti-Inflammatory", "nonsteroidal anti-inflammatory"] for d in
       ("ibuprofen", "naproxen", "aspirin", "celecoxib", "diclofenac", "meloxicam", "indomethacin", "ketorolac")},
    **{d: ["Antiplatelet"] for d in ("aspirin", "clopidogrel", "prasugrel", "ticagrelor", "cilostazol")},
    **{d: ["anticoagulant", "anticoagulants", "blood thinning", "blood thinner"] for d in
       ("warfarin", "apixaban", "rivaroxaban", "dabigatran", "heparin", "enoxaparin", "edoxaban")},
    **{d: ["Serotonin Reuptake Inhibitors", "SSRI", "SSRIs", "SNRI", "SNRIs"] for d in
       ("sertraline", "fluoxetine", "citalopram", "escitalopram", "paroxetine", "venlafaxine", "duloxetine",
        "desvenlafaxine", "fluvoxamine")},
    **{d: ["antihistamine"] for d in ("cetirizine", "loratadine", "diphenhydramine", "fexofenadine", "doxylamine",
                                      "hydroxyzine", "chlorpheniramine", "levocetirizine", "desloratadine")},
    **{d: ["steroid", "corticosteroids", "corticosteroid"] for d in ("prednisone", "prednisolone", "methylprednisolone", "dexamethasone",
                                                    "hydrocortisone")},
    **{d: ["diuretic", "diuretics", "Thiazides"] for d in ("hydrochlorothiazide", "chlorthalidone")},
    **{d: ["diuretic", "diuretics"] for d in ("furosemide", "spironolactone", "bumetanide", "torsemide")},
    **{d: ["insulin secretagogue", "sulfonylurea"] for d in ("glipizide", "glyburide", "glimepiride")},
    **{d: ["antibiotic", "antibiotics"] for d in ("amoxicillin", "azithromycin", "ciprofloxacin", "levofloxacin",
                                                  "doxycycline", "cephalexin", "metronidazole", "clindamycin",
                                                  "clarithromycin", "trimethoprim", "sulfamethoxazole", "nitrofurantoin")},
    **{d: ["antifungal", "antifungals"] for d in ("fluconazole", "itraconazole", "ketoconazole", "voriconazole",
                                                  "terbinafine")},
    **{d: ["Carbonic anhydrase inhibitor", "Carbonic Anhydrase Inhibitors"] for d in
       ("topiramate", "zonisamide", "acetazolamide")},
    **{d: ["calcium channel blockers"] for d in ("amlodipine", "diltiazem", "verapamil", "nifedipine")},
    **{d: ["ACE inhibitors", "ACE inhibitor", "ACE-inhibitors", "angiotensin converting enzyme inhibitors"] for d in
       ("lisinopril", "enalapril", "ramipril", "benazepril", "captopril", "quinapril")},
    **{d: ["angiotensin receptor blockers", "ARBs", "angiotensin II receptor antagonists"] for d in
       ("losartan", "valsartan", "olmesartan", "irbesartan", "candesartan", "telmisartan")},
    **{d: ["beta-blockers", "beta-blocker", "beta-blocking agents", "beta-adrenergic antagonists"] for d in
       ("metoprolol", "atenolol", "propranolol", "carvedilol", "nebivolol", "bisoprolol")},
    **{d: ["opioids", "opioid", "opioid agonists", "narcotics"] for d in
       ("tramadol", "oxycodone", "hydrocodone", "morphine", "codeine", "fentanyl", "methadone")},
    **{d: ["benzodiazepines", "benzodiazepine"] for d in ("alprazolam", "lorazepam", "diazepam", "clonazepam")},
    **{d: ["proton pump inhibitors", "PPIs", "PPI"] for d in
       ("omeprazole", "esomeprazole", "pantoprazole", "lansoprazole", "rabeprazole", "dexlansoprazole")},
    **{d: ["tricyclic antidepressants", "TCAs", "tricyclics"] for d in
       ("amitriptyline", "nortriptyline", "imipramine", "desipramine")},
    **{d: ["triptans", "triptan"] for d in ("sumatriptan", "rizatriptan", "zolmitriptan")},
    **{d: ["PDE5 inhibitors", "PDE5 inhibitor", "phosphodiesterase-5 inhibitors"] for d in
       ("sildenafil", "tadalafil", "vardenafil")},
    "insulin": ["insulin"],
    "levothyroxine": ["thyroid products"],
    "phenytoin": [],
    **{d: ["nitrates", "nitrate", "organic nitrate", "nitric oxide donors"] for d in
       ("nitroglycerin", "isosorbide mononitrate", "isosorbide dinitrate", "isosorbide")},
    **{d: ["contraceptive", "contraceptives", "estrogen-containing"] for d in
       ("oral contraceptives", "hormonal contraceptives", "birth control pills")},
    "st. john's wort": ["botanical", "botanicals", "herbal"],
    "ginkgo": ["botanical", "botanicals", "herbal"],
    "garlic": ["botanical", "botanicals", "herbal"],
}

# Generic names medbot recognises in a message even without a card (so a label sentence can name them).
KNOWN_GENERICS = sorted({*CLASS_TERMS, "acetaminophen", "omeprazole", "esomeprazole", "pantoprazole", "famotidine",
                         "metformin", "sitagliptin", "lisinopril", "losartan", "atorvastatin", "simvastatin",
                         "rosuvastatin", "tramadol", "oxycodone", "hydrocodone", "zolpidem", "melatonin", "cimetidine",
                         "alprazolam", "lorazepam", "clonazepam", "gabapentin", "pseudoephedrine", "phenylephrine",
                         "dextromethorphan", "guaifenesin", "caffeine", "grapefruit juice", "ranolazine",
                         "dolutegravir", "montelukast", "allopurinol", "amiodarone", "carbamazepine", "rifampin",
                         "clavulanate potassium", "ginseng", "echinacea", "vitamin k", "ezetimibe", "lithium",
                         "clarithromycin", "digoxin", "citalopram", "paroxetine", "trazodone", "bupropion",
                         "ritonavir", "theophylline", "valproate", "valproic acid", "cyclosporine", "tacrolimus",
                         "disulfiram", "probenecid", "cimetidine", "antacids", "oral contraceptives",
                         "hormonal contraceptives", "birth control pills"})

# Other spellings of a name medbot knows, as people type them ("st johns wort").
NAME_ALIASES = {"st john's wort": "st. john's wort", "st johns wort": "st. john's wort", "st johnswort": "st. john's wort",
                "saint john's wort": "st. john's wort", "saint johns wort": "st. john's wort",
                "st. johns wort": "st. john's wort", "hypericum": "st. john's wort", "grapefruit": "grapefruit juice"}


@dataclass
class Medicine:
    """A name from a message, resolved.

    Attributes:
        query: the name as asked.
        name: what medbot calls it (generic, or 'alcohol').
        ingredients: active ingredients (base names, lower case).
        cards: labels in medbot's set for this name.
        brand: the brand entry used, if any ({"ingredients", "source", "note"?}).
        corrected_from: the typed word when a spelling was corrected.
    """

    query: str
    name: str
    ingredients: list[str]
    cards: list[Card] = field(default_factory=list)
    brand: dict | None = None
    corrected_from: str | None = None

    @property
    def is_alcohol(self) -> bool:
        return self.name == "alcohol"

    def terms(self) -> list[str]:
        """Words a label sentence may use for this medicine: its names, ingredients and class names."""
        if self.is_alcohol:
            return ["alcohol", "alcoholic"]
        out = [self.query.lower(), *self.ingredients]
        for card in self.cards:
            out += [card.product.lower(), *card.generic_names, *card.substances]
        return list(dict.fromkeys(t for t in out if len(t) >= 3))

    def class_terms(self) -> list[str]:
        out = []
        for ing in self.ingredients:
            out += CLASS_TERMS.get(ing, [])
        return list(dict.fromkeys(out))


class Names:
    """Resolves medicine names against the shipped cards and brand table.

    Args:
        cards: medicine cards (default: the shipped set).
        brands: brand table (default: the shipped one).
        extra: optional callable name -> list of generic names (e.g. `retrieval.drug_names.DrugNames`'s
            table lookup), consulted after the shipped tables.
    """

    def __init__(self, cards: list[Card] | None = None, brands: dict[str, dict] | None = None, extra=None):
        self.cards = cards if cards is not None else load_cards()
        self.brands = brands if brands is not None else load_brands()
        self.extra = extra
        self._by_name: dict[str, list[Card]] = {}
        for c in self.cards:
            for n in c.names():
                self._by_name.setdefault(n, []).append(c)

    def vocabulary(self) -> list[str]:
        """Every name medbot recognises (lower case)."""
        return sorted({*self._by_name, *self.brands, *KNOWN_GENERICS, *NAME_ALIASES})

    def cards_for(self, ingredients: list[str]) -> list[Card]:
        """Cards whose ingredients are exactly these (a combination only for all of them), else any that contains one."""
        want = {base_name(i) for i in ingredients}
        exact = [c for c in self.cards if {base_name(s) for s in c.substances} == want]
        if exact:
            return exact
        # Each ingredient's own label; a combination label only for an ingredient that has none of its own
        # (Percocet: the oxycodone and the acetaminophen labels, not another acetaminophen combination).
        out: list[Card] = []
        for ing in want:
            mine = [c for c in self.cards if ing in {base_name(s) for s in c.substances}]
            single = [c for c in mine if len(c.substances) == 1]
            out += [c for c in (single or mine) if c not in out]
        return out

    def resolve(self, text: str) -> Medicine | None:
        """A medicine for one name (brand, generic, label product, common misspelling), or None."""
        q = re.sub(r"\s+", " ", text.strip().lower()).strip(" ?!.,'\"")
        if not q:
            return None
        if q in ALCOHOL_WORDS:
            return Medicine(query=text, name="alcohol", ingredients=[])
        q = NAME_ALIASES.get(q, q)
        med = self._exact(q, text)
        if med is not None:
            return med
        close = difflib.get_close_matches(q, self.vocabulary(), n=1, cutoff=0.8) if len(q) >= 5 else []
        if close:
            med = self._exact(NAME_ALIASES.get(close[0], close[0]), close[0])
            if med is not None:
                med.corrected_from = text
                return med
        return None

    def _exact(self, q: str, shown: str) -> Medicine | None:
        if q in self.brands:
            entry = self.brands[q]
            ings = [base_name(i) for i in entry["ingredients"]]
            return Medicine(query=shown, name=" + ".join(ings), ingredients=ings, cards=self.cards_for(ings), brand=entry)
        if q in self._by_name:
            cards = self._by_name[q]
            ings = list(dict.fromkeys(base_name(s) for c in cards for s in c.substances))
            if q in {base_name(s) for c in cards for s in c.substances} and len(ings) > 1:
                ings = [q]  # "metformin": the ingredient asked, not the whole combination
            return Medicine(query=shown, name=" + ".join(ings), ingredients=ings, cards=cards)
        bq = base_name(q)
        if bq in KNOWN_GENERICS or bq in CLASS_TERMS:
            return Medicine(query=shown, name=bq, ingredients=[bq], cards=self.cards_for([bq]))
        if self.extra is not None:
            generics = [base_name(g) for g in (self.extra(q) or [])]
            if generics:
                return Medicine(query=shown, name=" + ".join(generics), ingredients=generics,
                                cards=self.cards_for(generics),
                                brand={"ingredients": generics, "source": "drug-named-entity-recognition (MIT)"})
        return None

    def find(self, message: str, limit: int = 3) -> list[Medicine]:
        """Medicines named in a message, in order, longest names first, typos of known names tolerated."""
        words = re.findall(r"[A-Za-z][A-Za-z0-9'\-]*", message)
        found: list[Medicine] = []
        i = 0
        while i < len(words) and len(found) < limit:
            # "zyrtec d", "claritin d": the product is the hyphenated "zyrtec-d", not plain Zyrtec
            if i + 1 < len(words) and words[i + 1].lower() in _SUFFIXES:
                med = self.resolve(f"{words[i]}-{words[i + 1]}")
                if med is not None and "-" in med.query and not any(m.query.lower() == med.query.lower() for m in found):
                    found.append(med)
                    i += 2
                    continue
            for n in (3, 2, 1):
                if i + n > len(words):
                    continue
                cand = " ".join(words[i:i + n])
                low = cand.lower()
                if n == 1 and (len(low) < 4 or low in _STOP):
                    continue
                med = self.resolve(cand) if (n == 1 or low in self._multiword()) else None
                if med is not None and not any(m.query.lower() == med.query.lower() for m in found):
                    found.append(med)
                    i += n
                    break
            else:
                i += 1
        return found

    def _multiword(self) -> set[str]:
        return {v for v in self.vocabulary() if " " in v}


# Product-line suffixes typed after a brand as a separate word ("zyrtec d", "mucinex dm").
_SUFFIXES = {"d", "dm", "pm", "xr", "er", "sr", "xl", "cr", "hbp"}
_STOP = {"take", "taking", "same", "time", "with", "together", "what", "much", "many", "often", "dose", "safe",
         "okay", "generic", "brand", "name", "thing", "tablet", "tablets", "pill", "pills", "day", "daily", "hours",
         "max", "maximum", "there", "have", "about", "side", "effects", "effect", "pregnant", "when", "should",
         "could", "would", "does", "doctor", "night", "sleep", "pain", "fever", "child", "children", "adult", "year",
         "years", "old", "difference", "between", "actually", "while", "after", "before", "glass", "blood",
         "pressure", "pressure", "sugar", "heart", "also", "still", "them", "they", "this", "that", "from", "mixing",
         "mix", "combine", "drink", "drinks", "drinking", "alcohol"}
