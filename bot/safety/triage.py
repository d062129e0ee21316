"""Red-flag triage run on every user message before the LLM answers.

Two stages. Rules (pure regular expressions over normalised text: lower case, common misspellings
corrected, contractions unified) match emergencies described in lay words, in the first person or
about someone present ("my dad", "my baby"). An optional classifier (`bot.safety.classifier`,
embedding similarity to curated exemplars with a calibrated threshold) catches indirect phrasing
the rules miss. General questions about a condition ("what are the signs of a stroke?"),
hypotheticals and past events stay routine. The emergency banner, with the locale's number,
always leads the answer.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, Sequence

LEVELS = ("routine", "urgent", "emergency")

# Lay words and frequent misspellings mapped to the words the rules use (whole words only).
_SPELLING: dict[str, str] = {
    "cant": "can't", "cannot": "can't", "can not": "can't", "couldnt": "can't", "couldn't": "can't",
    "could not": "can't", "unable to": "can't", "wont": "won't", "will not": "won't", "dont": "don't",
    "do not": "don't", "doesnt": "doesn't", "does not": "doesn't", "isnt": "isn't", "is not": "isn't",
    "im": "i'm", "i am": "i'm", "ive": "i've", "hes": "he's", "shes": "she's", "its": "it's",
    "breath": "breathe", "breth": "breathe", "brethe": "breathe", "breate": "breathe", "breahte": "breathe",
    "brething": "breathing", "breating": "breathing", "breathin": "breathing", "breatheing": "breathing",
    "chesst": "chest", "chset": "chest", "ches": "chest", "hart": "heart", "atack": "attack",
    "attak": "attack", "stroak": "stroke", "strok": "stroke", "suiside": "suicide", "sucide": "suicide",
    "suicde": "suicide", "suicidal": "suicidal", "sucidal": "suicidal", "unconcious": "unconscious",
    "unconsious": "unconscious", "unconcsious": "unconscious", "bleding": "bleeding", "bleedin": "bleeding",
    "bleedng": "bleeding", "swalowed": "swallowed", "swollowed": "swallowed", "swallowd": "swallowed",
    "siezure": "seizure", "seisure": "seizure", "seizur": "seizure", "sezure": "seizure", "fitting": "seizure",
    "alergic": "allergic", "allergik": "allergic", "anafylaxis": "anaphylaxis", "anaphalaxis": "anaphylaxis",
    "pregant": "pregnant", "pregnent": "pregnant", "prenant": "pregnant", "vomitting": "vomiting",
    "vommiting": "vomiting", "throwing up": "vomiting", "puking": "vomiting", "being sick": "vomiting",
    "threw up": "vomited", "tablets": "pills", "tabs": "pills", "meds": "pills", "medication": "pills",
    "paracetamol": "pills", "tylenol": "pills", "acetaminophen": "pills", "ibuprofen": "pills",
    "painkillers": "pills", "sleeping pills": "pills", "wee": "urine", "pee": "urine", "poo": "stool",
    "poop": "stool", "throat's": "throat is", "tounge": "tongue", "tung": "tongue", "droopy": "drooping",
    "slured": "slurred", "slurrd": "slurred", "numbe": "numb", "passed out": "collapsed",
    "fainted": "collapsed", "blacked out": "collapsed", "keeled over": "collapsed", "mum": "mom",
    "mommy": "mom", "mother": "mom", "daddy": "dad", "father": "dad", "hubby": "husband",
    "bub": "baby", "newborn": "baby", "infant": "baby", "toddler": "child", "kid": "child", "kiddo": "child",
    "meningitus": "meningitis", "menengitis": "meningitis", "sepsys": "sepsis", "septic": "sepsis",
    "temp": "temperature", "tempreture": "temperature", "temprature": "temperature", "feaver": "fever",
    "fevr": "fever", "epi pen": "epipen", "epi-pen": "epipen", "overdosed": "overdose", "od'd": "overdose",
    "od": "overdose", "overdoes": "overdose", "overdoze": "overdose", "hemorrhage": "bleeding",
    "haemorrhage": "bleeding", "gonna": "going to", "wanna": "want to", "ppl": "people", "u": "you",
}
_SPELLING_RE = re.compile(r"(?<![\w'])(" + "|".join(sorted((re.escape(k) for k in _SPELLING), key=len, reverse=True))
                          + r")(?![\w'])")

# Words the rules depend on; other long words within a small edit distance are corrected to them.
_VOCAB = sorted(set("""breathe breathing breathless chest pressure tightness crushing squeezing sweating
clammy unconscious unresponsive seizure bleeding suicide suicidal overdose swallowed pregnant allergic
anaphylaxis swelling swollen tongue throat drooping slurred numbness weakness meningitis sepsis fever
confused confusion vomiting headache poison bleach collapsed choking wheezing gasping purple rash stiff
floppy temperature shivering mottled miscarriage contractions unbearable excruciating severe""".split()))


def _correct_word(m: re.Match) -> str:
    word = m.group(0)
    if word in _VOCAB:
        return word
    hit = _close(word)
    return hit or word


@lru_cache(maxsize=4096)
def _close(word: str) -> str | None:
    hits = difflib.get_close_matches(word, _VOCAB, n=1, cutoff=0.86)
    return hits[0] if hits else None


def normalize(text: str) -> str:
    """Lower-case, unify apostrophes and spacing, fix common misspellings and lay synonyms."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = " ".join(text.split())
    text = _SPELLING_RE.sub(lambda m: _SPELLING[m.group(1)], text)
    return re.sub(r"[a-z]{6,}", _correct_word, text)


_WHO = r"(my|his|her|their|our|the)"
_CANT = r"(can't|struggling to|hard to|trouble|difficulty|barely)"

# (reason, pattern) — patterns are matched on normalised text.
EMERGENCY_RULES: list[tuple[str, str]] = [
    ("possible heart attack: chest pain with sweating, breathlessness or arm/jaw pain",
     r"(chest (pain|pressure|tightness|heaviness|hurts|(is |feels )?(really |very |so )?(tight|heavy|hurting|crushed)|"
     r"(is |feels )like)|pain in " + _WHO + r" chest|"
     r"crushing (pain|feeling)|(squeezing|elephant|weight|band|vice|tight band|heavy).{0,30}(on|in|around) " + _WHO + r" chest)"
     r".{0,100}(sweat|clammy|short of breath|breathless|can't breathe|(left |right )?arm|jaw|back|nause|vomit|faint|"
     r"dizzy|grey|gray|pale|collapsed)"
     r"|(sweat|clammy|arm|jaw).{0,60}chest (is |feels )?(really |very |so )?(pain|pressure|tight|heavy|hurt|crush)"
     r"|(i'm|he's|she's|is|am|might be|may be) (having|having a|about to have a?) ?heart attack"
     r"|heart attack (right )?now"),
    ("possible stroke: face droop, arm weakness, speech or sudden vision trouble",
     r"(face|mouth|smile|lip|eye) (is |has |went |gone |looks )?(droop|drooping|sagging|crooked|lopsided|fallen)|"
     r"slurr(ed|ing)|(speech|words|talking).{0,20}(garbled|jumbled|nonsense|gibberish|coming out wrong|weird|strange)|"
     r"can't (get (his|her|my|the) words out|find (my|his|her|the) words|speak properly|talk properly)|"
     r"can't (lift|raise|move|feel|grip with) (my|his|her|one|their) (arm|leg|hand|side)|"
     r"sudden(ly)? (numb|weak|paralys|can't move).{0,40}(one side|left side|right side|arm|leg|face)|"
     r"(one side|half|left side|right side) of (my|his|her|their) (face|body).{0,30}(numb|weak|droop|dead|not working|paralys)|"
     r"(arm|leg|side) (went|has gone|is) (numb|dead|limp|weak) (suddenly|all of a sudden)|"
     r"(think|worried|scared|afraid) (i'm|he's|she's|(he|she|i) (is|am|might be)) having a stroke|"
     r"(sudden|suddenly) (lost|lose|losing|loss of) (the )?(vision|sight)|(lost|losing|gone) (the |all )?(vision|sight) "
     r"in (my|his|her|one|the) (left |right )?eye|"
     r"(worst|sudden|thunderclap) (headache|head pain).{0,40}(ever|of my life|in my life|came on|out of nowhere|like being hit)|"
     r"worst headache of (my|his|her) life|thunderclap"),
    ("possible anaphylaxis: swelling of throat or tongue, trouble breathing after an allergen",
     r"(throat|tongue|lips?|face|mouth) (is |are |feels |feel |keeps |has |have |started |starting )?(swelling|swollen|"
     r"closing|blowing up|puffing up|puffed up|tight|tightening|getting tight)|anaphyla|epipen|"
     r"(bee|wasp|sting|stung|peanut|nut|shellfish|prawn|allergic|allergy|new antibiotic|penicillin)"
     r".{0,80}(can't breathe|breathing|hard to breathe|wheez|swell|swollen|hives.{0,30}(breath|throat|dizzy))"),
    ("possible sepsis: infection with confusion, mottled skin, fast breathing or no urine",
     r"(infection|fever|temperature|shivering|uti|wound|cellulitis|pneumonia|flu).{0,100}"
     r"(confus|not making sense|drowsy and|very drowsy|hard to wake|mottled|blotchy|blue|cold hands|"
     r"breathing (really |very )?fast|haven't (urinated|passed urine|peed)|no urine|not (urinated|passed urine)|"
     r"feel(s|ing)? like (i'm|he's|she's|i am|they're) (going to die|dying)|shaking uncontrollably|"
     r"shivering uncontrollably)"
     r"|(has|have|got|might have|may have|think.{0,25}(has|have)) (sepsis|blood poisoning)"),
    ("possible meningitis: fever or headache with stiff neck, light sensitivity or a rash that doesn't fade",
     r"(stiff neck|neck (is )?(stiff|hurts to bend)|can't (bend|touch chin|put (his|her|my) chin)).{0,80}"
     r"(fever|temperature|headache|vomit|rash|light)|"
     r"(fever|temperature|headache|vomit).{0,80}(stiff neck|neck (is )?(so |really |very )?stiff|(can't|hurts to) bend (my|his|her) neck)|"
     r"rash.{0,60}(doesn't|won't|not|don't) (fade|go away|disappear|blanch).{0,30}(glass|press)|"
     r"(glass|press).{0,40}rash.{0,40}(doesn't|won't|still|not) (fade|blanch|there|visible)|"
     r"non-blanching|purple (spots|rash|blotches|dots)"),
    ("suicidal intent or self-harm",
     r"(kill|hurt|harm|cut|cutting|burn) (my ?self|myself)|end (my|it all|my own)|(want|going|plan(ning)?|ready) to die|"
     r"suicid|(going to|want to|will|about to) end it\b|ending (it all|my life|things)|end it (all )?(tonight|today|now)|take all (my|the) pills|don't want to (live|be alive|be here|wake up)|better off (dead|without me)|"
     r"cut(ting)? myself|no (reason|point) (to|in) (live|living|go on|going on)|(take|taking) my own life|"
     r"(wrote|written|writing) (a|my) (suicide )?note|say(ing)? goodbye to everyone|jump (off|in front)|"
     r"(rope|noose|gun).{0,40}(myself|ready|tonight|end it)|can't go on (anymore|any more|like this)|"
     r"not worth living|disappear forever|wish i (was|were) dead|self[- ]harm(ing)? (again|tonight|now)"),
    ("severe bleeding",
     r"(bleeding|blood|nosebleed|nose bleed|bleed).{0,40}(won't|doesn't|can't|not|never) (stop|slow)|(lots of|so much|pouring|spurting|gushing|pool of) blood|"
     r"blood (is )?(pouring|spurting|gushing|everywhere|squirting)|bleeding (heavily|a lot|badly|really bad|profusely)|"
     r"(soaked|soaking) (through|a|the|my).{0,30}(towel|pad|bandage|cloth)|vomit(ing|ed)? (up )?blood|"
     r"coughing up (lots of |a lot of )?blood|(deep|big) (cut|gash|wound).{0,40}(bleeding|blood|bone|spurt)"),
    ("breathing difficulty",
     r"(can't|struggling to|hard to|barely|fighting to) (breathe|catch (my|his|her|their) breath|get (any )?air)|"
     r"(lips|face|skin|fingers) (are |is |turning |went |gone |look |looks )?(blue|grey|gray|purple)|choking|"
     r"gasping( for (air|breath))?|can't (speak|talk|finish) (in )?(full |a )?sentences?|"
     r"(ribs|chest|skin|tummy).{0,20}(sucking|pulling) in|(inhaler|puffer|nebuli[sz]er).{0,40}(not|isn't|doesn't|no) "
     r"(help|work)|struggling for (air|breath)|breathing (is )?(very |really )?(laboured|labored|noisy and fast)|"
     r"stopped breathing|not breathing|no breathing|breathing (really |very )?(fast|hard) and (blue|grey|confused)"),
    ("possible poisoning or overdose",
     r"overdose|(swallowed|drank|ate|took|taken|chewed|drunk|had) (a (whole )?(bottle|packet|box|handful)|too many|"
     r"bleach|poison|antifreeze|weed killer|drain cleaner|detergent|(a )?(washing|dishwasher|laundry) (pod|tablet|capsule)s?|"
     r"(a )?button batter|batter(y|ies)|magnets?|rat poison|all (of )?(my|the|her|his)|\d{2,} pills|(lots|loads|a lot) of pills|"
     r"(some|my|her|his|grandma's|granny's|the) (pills|sleeping pills|heart pills|iron pills)|"
     r"(some |these |wild |the )?(mushrooms|berries).{0,40}(sick|vomit|confus|drowsy|hallucinat))|"
     r"(ate|swallowed|took|taken|had|got into) (some|all|a few|several|most) of .{0,25}pills|"
     r"poison(ed|ing)|(\d+|twenty|thirty|fifty) pills"),
    ("pregnancy emergency",
     r"(pregnan|weeks gone|expecting|my waters).{0,120}(heavy bleeding|bleeding heavily|lots of blood|soaking|gushing|"
     r"severe (pain|headache|cramp|abdominal|stomach)|(seizure|seizing)|(baby|bump) (hasn't|isn't|not|stopped) "
     r"(moved|moving|kicking)|no (movement|movements|kicks)|(headache|vision|seeing).{0,50}(swollen|swelling|spots|"
     r"blurr|flashing)|(blurr|flashing|spots).{0,40}(headache|swell)|waters (broke|broken|have gone).{0,40}(weeks|early|green|"
     r"brown)|cord|collapsed|unconscious|shoulder tip pain|one sided pain.{0,30}(dizzy|faint))|"
     r"ectopic(?!.{0,30}\b(risk|what|sign|symptom|mean))|"
     r"(baby|bump) (hasn't|has not|isn't|stopped) (moved|moving|kicking).{0,40}(all day|since|today|hours)|"
     r"waters (broke|broken|have gone|went|are leaking).{0,30}\b(1\d|2\d|3[0-6]) weeks"),
    ("a child's dangerous symptoms",
     r"(baby|child|son|daughter|boy|girl|grandson|granddaughter|(\d+|one|two|three|six) (month|week)s? old)"
     r".{0,100}(floppy|limp|won't wake|not waking|hard to wake|unresponsive|blue|grey|not breathing|stopped breathing|"
     r"(high[- ]pitched|weak|strange) cry|bulging|soft spot (is )?(bulging|swollen)|dry nappies|no wet nappies|"
     r"no wet diapers|not fed|won't feed|refusing (all )?(feeds|to feed|fluids)|seizure|rash.{0,30}(doesn't|won't|not) fade|"
     r"fever.{0,30}(under|less than|only) (\d+|three|two) months|sunken|grunting|ribs (showing|sucking))|"
     r"((\d|one|two|three|six|eight) (week|weeks|month|months)|(\d|one|two) (day|days)) old.{0,60}(fever|temperature|"
     r"38|100\.4|hot)"),
    ("unresponsive, collapse or seizure",
     r"unconscious|unresponsive|won't wake up|not waking up|can't wake (him|her|them|my)|collapsed and (isn't|not|won't)|"
     r"collapsed (on|in|at) .{0,30}(not|isn't|won't) (respond|moving|breathing)|seizure (that )?(won't|hasn't|isn't|doesn't) stop|"
     r"seizure for (over |more than )?(\d+|five|ten) min|first seizure|having a seizure|(just )?had a seizure and"),
]

URGENT_RULES: list[tuple[str, str]] = [
    ("high fever", r"fever (of |is |at )?(10[3-9]|4[0-9])|(10[3-9]|3[9]\.[5-9]|4[0-1](\.\d)?) ?(°|deg|degrees|f\b|c\b)|"
                   r"(fever|temperature).{0,40}(for|over|more than) (\d|three|four|five) days"),
    ("severe or worsening pain",
     r"(severe|worst|unbearable|excruciating|agonising|agonizing|terrible|really bad) (pain|headache|stomach ache|"
     r"abdominal pain|tummy pain|back pain|earache|toothache)|pain.{0,30}(getting worse|worse and worse|unbearable)|"
     r"(lower right|right lower|right side of (my|his|her) (tummy|stomach|abdomen)).{0,40}pain|"
     r"pain.{0,40}(lower right|right side of (my|his|her) (tummy|stomach|abdomen))"),
    ("blood in urine, stool or vomit", r"blood in (my |the |his |her )?(urine|stool|vomit|phlegm|sputum)|"
                                      r"(black|tarry|bloody) (stool|stools|diarrh)|(urine|stool) (is |looks )?(red|bloody)"),
    ("pregnancy concern", r"(pregnan|weeks gone|expecting).{0,80}(bleeding|spotting|cramp|pain|reduced movement|"
                          r"moving less|not moving as much|itch|swollen|swelling|headache|fever|leaking|vomiting)"),
    ("spreading infection", r"(red streak|spreading redness|redness (is )?spreading|wound|bite|cellulitis|abscess)"
                            r".{0,60}(spread|hot|pus|fever|swollen|red line|bigger)"),
    ("dehydration", r"(can't keep|not keeping) (anything|any fluids|fluids|water|food) down|"
                    r"vomiting.{0,40}(all day|since yesterday|24 hours|for (two|2|three|3) days)|"
                    r"(no|not) (urine|urinated).{0,20}(since|all day|12 hours|8 hours)"),
    ("possible kidney infection", r"(burn|sting|hurts).{0,30}(urine|urinate).{0,80}(fever|back pain|side pain|shiver)"),
    ("possible blood clot", r"(calf|leg) (is |has been |became )?(swollen|swelling|hot|red).{0,60}(pain|hurt|tender|"
                            r"after (a )?(flight|surgery|operation))|(swollen|painful).{0,20}calf"),
    ("eye emergency", r"(eye|vision).{0,40}(painful and (blurr|red)|suddenly blurr|curtain|flashes and floaters|"
                      r"chemical|something in it.{0,20}(hours|won't come out))|chemical (in|splashed).{0,20}eye"),
    ("head injury", r"(hit|banged|bumped|knocked) (my|his|her|their) head.{0,80}(vomit|drowsy|confus|sleepy|headache|"
                    r"blood thinner|warfarin|dizzy)"),
    ("worsening breathing or asthma", r"(asthma|copd|wheez).{0,60}(worse|not improving|more often|every (hour|few hours))|"
                                      r"short of breath.{0,40}(at rest|lying down|getting worse|worse every day)"),
    ("mental health crisis", r"(hearing voices|not slept (for )?(\d|three|four|five) (days|nights)|panic attacks? "
                             r"(every|all) day|can't stop (crying|shaking))"),
    ("animal bite or burn", r"(dog|cat|animal|human) bite|bitten by|(burn|burnt|scald).{0,40}(blister|bigger than|"
                            r"face|hand|child|baby)"),
]

# Questions about a condition in general, not a person's current state.
_GENERAL = re.compile(
    r"^\s*(what|which|how (do|does|can|is|are|common|long|often|much|should)|why|when should|is it true|can you explain|"
    r"tell me about|explain|define|list|describe|are there|is there|does|do|can|should people|who)\b|"
    r"\b(signs|symptoms|causes|risk factors|warning signs|treatment|treatments|first aid|prevention) (of|for)\b")
_PERSONAL = re.compile(r"\b(i|i'm|i've|me|my|mine|we|we're|our|us|he|he's|she|she's|his|her|him|they're|"
                       r"this (baby|child|man|woman|person) (is|has))\b")
_PAST = re.compile(r"\b(years? ago|\d+ (months|years) ago|last (year|month|summer|winter|spring|autumn)|when i was (a )?"
                   r"(child|kid|young|younger|teen|teenager|\d+)|as a (child|kid|baby|teen|teenager)|used to|back in (19|20)\d\d|in (19|20)\d\d|history of|"
                   r"(has|have|had) recovered|fully recovered|after (my|his|her) (heart attack|stroke|overdose|surgery) "
                   r"(in|last|years)|survived|was diagnosed|passed away|died (of|from|in))\b")
_HYPOTHETICAL = re.compile(r"\b(if (someone|a person|somebody|my|a child|a baby|you)|what (should|do) (i|you|one) do if|"
                           r"in case (of|someone)|how (do|would|can) (you|i|one) (tell|know|recognise|recognize|spot)|"
                           r"for (a|my) (school|class|nursing|first aid|essay|exam|project|novel|story)|"
                           r"hypothetically|in a (movie|film|book|show)|(writing|reading) a (novel|story|book|script|essay)|a character|"
                           r"summari[sz]e|guidelines? (for|on)|protocol for|bundle)\b")
_NOW = re.compile(r"\b(now|right now|just|currently|at the moment|this (morning|evening|afternoon)|tonight|today|"
                  r"keeps|still|suddenly|started|happening)\b")


class Classifier(Protocol):
    """What `triage` needs from a learned classifier (see `bot.safety.classifier`)."""

    def predict(self, text: str) -> tuple[str, float, str]:
        """(level, score, reason) for the message as written."""


@dataclass
class TriageResult:
    level: str = "routine"
    reasons: list[str] = field(default_factory=list)
    banner: str | None = None
    source: str = "rules"  # rules | classifier | notes

    def to_json(self) -> dict:
        return {"level": self.level, "reasons": list(self.reasons)}


def emergency_banner(number: str) -> str:
    return (f"**This may be an emergency. Call {number} (emergency services) now**, or go to the nearest "
            f"emergency department. Do not wait for an online answer.")


def urgent_banner() -> str:
    return "**Please contact a doctor or nurse today** (within 24 hours) about this."


def _match(rules: list[tuple[str, str]], text: str) -> list[str]:
    return [reason for reason, pattern in _compiled(rules) if pattern.search(text)]


_CACHE: dict[int, list[tuple[str, re.Pattern]]] = {}


def _compiled(rules: list[tuple[str, str]]) -> list[tuple[str, re.Pattern]]:
    key = id(rules)
    if key not in _CACHE or len(_CACHE[key]) != len(rules):
        _CACHE[key] = [(reason, re.compile(pattern)) for reason, pattern in rules]
    return _CACHE[key]


def is_general(text: str) -> bool:
    """Whether normalised text asks about a condition in general, a hypothetical or a past event."""
    if _PAST.search(text) and not _NOW.search(text):
        return True
    if _HYPOTHETICAL.search(text):
        return True
    return bool(_GENERAL.search(text)) and not _PERSONAL.search(text)


def triage(message: str, history: Sequence[str] = (), notes: str = "", emergency_number: str = "911",
           classifier: Classifier | None = None) -> TriageResult:
    """Classify one user message in the context of the conversation so far.

    Args:
        message: the new user message.
        history: earlier user messages of the conversation (most recent last).
        notes: text of uploaded notes (a note that describes an emergency raises the level to urgent:
            the note may be old, the user is asked to act on it today).
        emergency_number: the locale's emergency number for the banner.
        classifier: optional learned classifier consulted when the rules find nothing (None: rules only).

    Returns:
        TriageResult with level `emergency`, `urgent` or `routine`, reasons and banner text.
    """
    text = normalize(message)
    earlier = [normalize(h) for h in list(history)[-3:]]
    context = " ".join(earlier + [text])
    if is_general(text):
        return TriageResult()
    reasons = _match(EMERGENCY_RULES, text)
    if not reasons and earlier:
        reasons = [r for r in _match(EMERGENCY_RULES, context)
                   if r not in {x for e in earlier for x in _match(EMERGENCY_RULES, e)} or _NOW.search(text)]
    if reasons:
        return TriageResult("emergency", reasons, emergency_banner(emergency_number))
    urgent = _match(URGENT_RULES, text) or _match(URGENT_RULES, context)
    if classifier is not None:
        level, score, category = classifier.predict(" ".join(message.split()))
        if level == "emergency":
            return TriageResult("emergency", [f"{category} (classifier score {score:.2f})"],
                                emergency_banner(emergency_number), source="classifier")
        if level == "urgent" and not urgent:
            urgent = [f"{category} (classifier score {score:.2f})"]
    if urgent:
        return TriageResult("urgent", urgent, urgent_banner())
    if notes:
        note_text = normalize(notes[:20000])
        found = _match(EMERGENCY_RULES, note_text) + _match(URGENT_RULES, note_text)
        if found:
            return TriageResult("urgent", [f"uploaded notes mention: {r}" for r in found[:3]], urgent_banner(),
                                source="notes")
    return TriageResult()
