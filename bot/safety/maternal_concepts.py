"""Concepts for pregnancy, after birth (postpartum) and newborns/infants: lay words and presentations.

Symptoms count together with the context of `bot.safety.maternal_context` (pregnancy and its
week, days since a birth, the baby's age): "blurry vision and a bad headache" is pre-eclampsia at
34 weeks or a week after a birth, and "one-sided pain and dizzy" is a possible ectopic pregnancy
after a missed period. Three levels:

- **emergency** (`MATERNAL_PRESENTATIONS`): call the emergency number or go to the emergency
  department / labour ward now.
- **urgent** (`MATERNAL_URGENT`): same-day care (midwife, maternity unit, early pregnancy unit, GP,
  111), e.g. a single warning sign, reduced movements, vomiting with no fluids kept down.
- **routine**: everything else (food, exercise, mild nausea, teething ...), answered normally.

Sources (each presentation cites its own):
- ACOG Practice Bulletin 222, Gestational hypertension and preeclampsia (2020): severe features
  (new headache unresponsive to medication, visual disturbances, right upper quadrant or
  epigastric pain); eclampsia.
- AIM / ACOG "Urgent Maternal Warning Signs" (Council on Patient Safety in Women's Health Care,
  2020; CDC "Hear Her"): headache that won't go away, vision changes, fever 100.4 °F (38 °C),
  extreme swelling of hands or face, thoughts of harming yourself or your baby, trouble breathing,
  chest pain or fast-beating heart, severe nausea and throwing up, baby's movement stopping or
  slowing, vaginal bleeding or fluid leaking in pregnancy, heavy bleeding or bad-smelling discharge
  after pregnancy.
- NICE NG133 Hypertension in pregnancy (2019); NICE NG126 Ectopic pregnancy and miscarriage (2019/
  2023); NICE NG25 Preterm labour and birth (2015/2022); NICE NG194 Postnatal care (2021); NICE
  CG192 Antenatal and postnatal mental health (2014/2020); NICE NG143 Fever in under 5s (2019/2021);
  NICE CG98 Jaundice in newborn babies under 28 days (2010/2016); NICE CG84 Diarrhoea and vomiting in
  children under 5 (2009).
- RCOG Green-top 57 (reduced fetal movements), 63 (antepartum haemorrhage), 52 (postpartum
  haemorrhage), 64b (sepsis following pregnancy), 69 (hyperemesis), 73 (PPROM).
- WHO recommendations for the prevention and treatment of postpartum haemorrhage (2012) and of
  maternal peripartum infections (2015).
- NHS pages: pre-eclampsia, ectopic pregnancy, vaginal bleeding in pregnancy, your baby's
  movements, severe vomiting in pregnancy (hyperemesis gravidarum), your body after the birth,
  postpartum psychosis, baby unwell / when to call 999, newborn jaundice, dehydration.
"""

from __future__ import annotations

from bot.safety.presentation import Presentation, _p

# ---- lay words -------------------------------------------------------------------------------
MATERNAL_FINDINGS: dict[str, str] = {
    # bleeding
    "heavy_bleeding": r"(bleeding|blood|bleed).{0,30}(a lot|heavily|loads|so much|soaking|gushing|pouring|clots|won't stop|"
                      r"like a tap|running down|heavier|really heavy|very heavy|(is|got|getting|gone) (really |very )?heavy)|"
                      r"(bleeding|bleed) (a lot|heavily|so much|loads)|(soak|soaking|fill|filling|bleeding|going|through)( right)? "
                      r"(through )?(a |my |the |her )?(maternity )?pads?|(big|large|huge|massive) clots|clots the size|"
                      r"passing clots|(lots of|a lot of|so much|loads of) blood|heavy bleeding|blood (is )?(running|pouring|gushing)|"
                      r"more than a (heavy )?period|losing (a lot of|lots of|loads of|so much) blood",
    "bleeding_any": r"spotting|bleeding|\bbleed\b|blood (in|on) (my |her )?(pants|knickers|underwear|pad|loo roll|tissue)|"
                    r"brown (discharge|spotting|blood)|(some|a bit of|a little|light) (blood|bleeding)",
    "hard_tummy": r"(tummy|stomach|belly|bump|abdomen|womb) (is |feels |has gone |went )?(really |very |rock )?(hard|rigid|solid)",
    # pre-eclampsia
    "visual_disturbance": r"blurr|zig ?zag|sparkl|flashing|flashes|seeing (spots|stars|lights|double)|spots (in front of|before)|"
                          r"double vision|(vision|eyesight|sight|eyes) .{0,20}(funny|weird|strange|fuzzy|dim|blurr)|"
                          r"can't see (properly|clearly|straight)|flickering lights|(lights?|spots|stars) in (my|her) eyes",
    "sudden_swelling": r"(face|hands|fingers|eyes|eyelids)( and (hands|face|feet|fingers))?.{0,25}(puff|swol|swell|blown up|bloated)|"
                       r"(puff|swol|swell)\w*( up)? (in |of |on )?(my |her )?(face|hands|fingers)|"
                       r"rings? (won't|don't|doesn't|can't) (go on|fit|come off|get)|can't get (my|her) rings (on|off)",
    "ruq_pain": r"(pain|ache|hurts|hurting|sore|pressure).{0,30}(under|below|beneath) (my|her|the) (right )?ribs|"
                r"(under|below|beneath) (my|her|the) (right )?ribs.{0,25}(pain|hurts|ache|sore)|"
                r"(top|upper) (part )?(of )?(my |her |the )?(right )?(tummy|stomach|belly|abdomen).{0,25}(right|pain|hurts|ache)|"
                r"right upper (tummy|stomach|abdominal|abdomen|quadrant)|epigastric",
    "headache_refractory": r"(paracetamol|tylenol|painkillers?|tablets|medicine|acetaminophen|co-?codamol).{0,30}(did nothing|"
                           r"didn't (help|do anything|work|touch)|isn't (helping|working)|not (helping|working|touching)|won't touch|"
                           r"doesn't (help|work|touch)|no help|hasn't (helped|worked))|headache.{0,25}(won't go|doesn't go|"
                           r"not going away|won't shift|won't budge|that won't|getting worse|worse and worse)",
    # ectopic
    "one_sided_pain": r"(pain|cramp\w*|ache|hurts|agony|stabbing|twinges?).{0,40}\b(left|right|one) side|"
                      r"\b(left|right|one) side.{0,30}(pain|cramp|hurts|ache|agony)|"
                      r"(pain|cramp\w*|ache|hurts|stabbing|agony).{0,25}\blow (down )?(on|in) (the|my|her) (left|right)|"
                      r"\bone[- ]sided\b|\b(left|right)[- ]sided (pain|cramp)|(pain|cramp\w*).{0,20}(on|in) the (left|right)\b",
    "pelvic_pain": r"pelvi\w* pain|pain in (my|her) pelvis|lower (tummy|belly|abdomen|stomach) pain|doubled over|"
                   r"(period|period-like) (pain|cramps)|cramp(s|ing)",
    "shoulder_tip": r"shoulder[- ]tip|tip of (my|her|the) shoulder|shoulder.{0,20}(hurts|pain|ache)|(pain|ache).{0,20}shoulder",
    # waters, movements, vomiting
    "waters": r"waters (have |has )?(broke|broken|gone|went|burst|are leaking|leaking|just broke)|(think|feel like|sure) (my|her) waters|"
              r"(water|fluid|liquid).{0,30}(trickl|leak|drip|gush|coming out|pouring|running down)|"
              r"(trickl|leak|drip|gush)\w*.{0,20}(water|fluid|liquid)|(pants|knickers|underwear) (are |is |keep |keeps )?(getting )?"
              r"(soaked|soaking|wet|damp)",
    "no_movements": r"(haven't|hasn't|not|can't|couldn't) (felt|feel|feeling) (the |my |her |him )?(baby|him|her|it|any)?"
                    r"( move| moving| kick| kicking| movements?)?.{0,6}(at all|since|all day|today|anymore|for hours)|"
                    r"\bno (kicks?|movements?)\b|(baby|she|he|it)('s| has| is)? (stopped (moving|kicking)|gone (completely |totally )?"
                    r"(still|quiet)|not moved|hasn't moved|not moving|hasn't kicked|not kicking|isn't moving)|hasn't moved|"
                    r"can't feel (any )?(movements?|kicks?|(the |my )?baby)",
    "reduced_movements": r"moving less|moved less|kicking less|(kicks|movements) (feel |are |have |seem )?(much )?(weaker|fewer|less|"
                         r"slowed|slower|quieter)|not moving as much|not kicking as much|quieter than (usual|normal)|"
                         r"(movements|kicks|baby) (have |has )?slowed( down)?|less movement|fewer (kicks|movements)",
    "hyperemesis": r"can't (even )?keep (anything|any fluids|fluids|water|any water|food|drinks?|liquids?|anything at all|"
                   r"anything down)( down)?|throwing up (all day|nonstop|non-stop|constantly|everything|all the time)|"
                   r"(vomiting|being sick) (nonstop|non-stop|constantly|all day|everything|so much|all the time)|"
                   r"sick every time i (drink|eat)|(vomit|throw up|sick).{0,20}every time i (drink|eat)",
    # after birth
    "foul_discharge": r"(discharge|bleeding|blood|lochia|down there|down below|pad|stitches|wound|scar|cut).{0,30}(smells?|smelling|stinks?|whiff|foul|"
                      r"offensive|rotten|horrible smell)|(smelly|foul|offensive|bad-smelling|stinky|foul-smelling) "
                      r"(discharge|bleeding|blood|lochia)|(horrible|bad|awful|funny|foul) (smell|odour|odor).{0,25}(down there|"
                      r"down below|from (my|her) (vagina|stitches|wound|c[- ]?section)|from down)",
    "harm_baby": r"(hurt|hurting|harm|harming|kill|killing|smother|smothering|suffocat\w*|drown|drowning|shake|shaking) "
                 r"(my|the|our) (baby|newborn|son|daughter|little one|child)",
    "harm_him_her": r"(thoughts? (of|about)|thinking (of|about)|urges? to|feel like i (might|could|want to)|want to|going to|"
                    r"(scared|afraid|worried) (that )?i('ll| will| might| could)) (hurt|hurting|harm|harming|kill|killing|smother|shake) "
                    r"(him|her|them)\b",
    # newborns and infants
    "hard_to_wake": r"(hard|difficult|can't|hardly|barely|struggl\w*) (to )?(wake|rouse)|won't (wake|stay awake)|"
                    r"(not|isn't) waking( up)?|(very|really|so|too|unusually) (drowsy|sleepy)|goes (straight )?back to sleep|"
                    r"barely opens (his|her) eyes|keeps falling asleep (while|during) (feeds|feeding)",
    "cyanosis": r"(lips|mouth|face|tongue|skin)\b.{0,25}(blue|bluish|grey|gray|dusky|purple)(?! eye)|"
                r"(blue|bluish|dusky|grey|gray|purple) (around|round|in|on) (the |his |her )?(lips|mouth|face)|"
                r"(gone|going|turning|turned|went|looks?|looking) (a bit |very |really |slightly )?(blue|bluish|dusky)(?! eye)",
    "breathing_pause": r"(stop|stops|stopping|stopped|pause|pauses|paused|pausing) (in |her |his |their )?(breathing|breath)"
                       r"(?! (properly|normally|right))|(?<!short )(?<!little )(?<!brief )(?<!tiny )(gaps|pauses?) (in|between) "
                       r"(his|her|the|their)? ?(breathing|breaths?)|(breathing|breath).{0,25}(stops|stopping|stop and start|"
                       r"(?<!short )(?<!little )(?<!brief )pauses|pausing|gaps)|doesn't breathe for|"
                       r"(not breathing|stops breathing|stopped breathing) for (\d+|a few|several|like|about)",
    "jaundice": r"jaundice|yellow (all over|skin|eyes)|(skin|eyes|face|whites of (his|her) eyes|chest|body)\b.{0,25}(yellow|orange)|"
                r"(looks?|looking|gone|going|turning|turned|went) (a bit |slightly |very |really |quite )?(yellow|yellowish)",
    "not_feeding": r"(hasn't|hasnt|not|haven't|isn't|won't|wouldn't|stopped) (been )?(fed|feed|feeding|drinking|latching|"
                   r"taking (any |his |her )?(milk|feeds?|bottles?|the breast|breast))|refus\w* (his |her |all |the |to )?(feed|feeds|"
                   r"bottles?|milk|breast)|only (takes|taking|had|took) a (few|couple of) (sucks|sips|mls?)|not interested in "
                   r"(feeds?|milk|feeding)|(feeds|feeding) (less|poorly|badly)|poor(ly)? feed\w*|(won't|not) wake (up )?for feeds",
    "reduced_urine": r"(fewer|less|hardly any|barely any|not many|only (one|1|two|2|a couple of)) wet (nappies|nappy|diapers?)|"
                     r"(nappies|nappy|diapers?) (are |have been |has been )?(dry|drier|dryer|not (very )?wet)|"
                     r"(no|not had a|hasn't had a|hasn't had any) wet (nappies|nappy|diapers?)",
    "sunken_fontanelle": r"(soft spot|fontanel+e?).{0,25}(sunken|sinking|dipped|dips|caved|dented|hollow|sunk|sucked in)|"
                         r"sunken (soft spot|fontanel\w*)",
    "reflux": r"heartburn|indigestion|acid reflux|\breflux\b|after (eating|dinner|meals)",
}

# Findings whose own patterns contain negative words: never negated from outside.
MATERNAL_NEGATION_EXEMPT = {"no_movements", "reduced_movements", "hyperemesis", "not_feeding", "reduced_urine",
                            "hard_to_wake", "headache_refractory", "sudden_swelling"}
# The other maternal findings are negated only by a negator right before them ("no bleeding", "not yellow"):
# lay messages run symptoms together with "and" ("no wet nappies since last night and her soft spot is sunken").
MATERNAL_NEAR_NEGATION = set(MATERNAL_FINDINGS) - MATERNAL_NEGATION_EXEMPT

P, I, M = "pregnancy", "child", "mental health"
_PE_SRC = ("ACOG Practice Bulletin 222 severe features (headache unresponsive to medication, visual disturbances, right upper "
           "quadrant pain); NICE NG133 (severe headache, visual problems, pain below the ribs, vomiting, sudden swelling of face, "
           "hands or feet); NHS pre-eclampsia; NHS999 seizure (eclampsia)")
_AIM = "AIM/ACOG Urgent Maternal Warning Signs"

MATERNAL_PRESENTATIONS: list[Presentation] = [
    # --- pregnancy
    _p("pre-eclampsia or eclampsia", P, "possible pre-eclampsia: pregnancy or a recent birth with a bad headache and vision "
       "changes, sudden swelling of the face or hands, pain under the right ribs, or a seizure",
       ["pregnant_not_early|postpartum headache|severe_headache visual_disturbance|vision_loss",
        "pregnant_not_early|postpartum sudden_swelling headache|severe_headache|visual_disturbance|vision_loss|ruq_pain",
        "pregnant_not_early|postpartum ruq_pain headache|severe_headache|visual_disturbance|vomiting|sudden_swelling",
        "pregnant|postpartum seizure"], _PE_SRC),
    _p("ectopic pregnancy", P, "possible ectopic pregnancy: early pregnancy (or a missed period) with one-sided or low tummy "
       "pain and faintness, shoulder-tip pain or heavy bleeding",
       ["pregnant_early one_sided_pain|pelvic_pain|abdo_pain faint|pale_shock|collapse|shoulder_tip|heavy_bleeding|severe_pain",
        "pregnant_early shoulder_tip bleeding_any|one_sided_pain|pelvic_pain|abdo_pain"],
       "NICE NG126 1.3 (pain, bleeding, shoulder-tip pain, dizziness or fainting; immediate referral if unstable); NHS ectopic "
       "pregnancy (A&E for sudden sharp pain, faintness, shoulder-tip pain); OM abdominal_pain.json Ectopic Pregnancy "
       "'shoulder tip pain', 'syncope or near-syncope'"),
    _p("bleeding in pregnancy", P, "heavy bleeding in pregnancy, or bleeding with faintness or a hard, painful tummy",
       ["pregnant heavy_bleeding|bleeding_uncontrolled|blood_loss_major", "pregnant bleeding_any faint|pale_shock|collapse",
        "pregnant_not_early bleeding_any hard_tummy|rigid_abdomen|severe_pain"],
       f"RCOG Green-top 63 antepartum haemorrhage (abruption: bleeding with a tense, painful uterus); NHS vaginal bleeding in "
       f"pregnancy (A&E if heavy or with pain or faintness); {_AIM} 'vaginal bleeding'"),
    _p("waters breaking early", P, "waters breaking or fluid leaking before 37 weeks",
       ["waters preterm"], f"NICE NG25 preterm prelabour rupture of membranes; RCOG Green-top 73; NHS 'call your maternity "
       f"unit immediately'; {_AIM} 'fluid leaking'"),
    _p("no fetal movements", P, "baby not moving (no movements) after 24 weeks",
       ["gestation_viable|gestation_unknown no_movements"],
       f"RCOG Green-top 57 reduced fetal movements; NHS your baby's movements (contact your maternity unit immediately, do not "
       f"wait until tomorrow); {_AIM} 'baby's movement stopping'"),
    _p("chest pain or breathlessness in pregnancy", P, "chest pain, or sudden or severe breathlessness, in pregnancy or after "
       "a birth (possible blood clot in the lung or heart problem)",
       ["pregnant|postpartum chest_pain !reflux",
        "pregnant|postpartum breathless sudden|at_rest|haemoptysis|calf_swollen|pleuritic_pain|palpitations|faint|"
        "severe_breathing|tachycardia|chest_pain",
        "pregnant|postpartum palpitations faint|collapse|breathless"],
       f"RCOG Green-top 37b thromboembolic disease in pregnancy; MBRRACE-UK (thrombosis and heart disease lead maternal "
       f"deaths); {_AIM} 'chest pain or fast-beating heart', 'trouble breathing'; NHS999 chest pain, breathing difficulty"),
    # --- after birth
    _p("postpartum haemorrhage", P, "heavy bleeding after giving birth (soaking a pad in an hour, big clots) or bleeding "
       "with faintness",
       ["postpartum_12w heavy_bleeding|blood_loss_major|bleeding_uncontrolled",
        "postpartum_12w bleeding_any faint|pale_shock|collapse"],
       "WHO 2012 PPH (>= 500 mL); RCOG Green-top 52 (secondary PPH up to 12 weeks); NHS your body after the birth (call 999 "
       "for sudden heavy bleeding)"),
    _p("infection after birth", P, "possible sepsis after a birth: fever with foul-smelling discharge, tummy pain, shivering "
       "or a racing heart",
       ["postpartum fever|fever_measured foul_discharge|abdo_pain|pelvic_pain|tachycardia|palpitations|rigors|confused|faint|"
        "breathless|pale_shock",
        "postpartum foul_discharge abdo_pain|rigors|tachycardia|palpitations|faint|confused"],
       f"WHO 2015 maternal peripartum infection; RCOG Green-top 64b sepsis following pregnancy; NICE NG194 postnatal care "
       f"(sepsis: emergency assessment); {_AIM} 'bad-smelling discharge', 'fever'; NHS sepsis"),
    _p("thoughts of harming the baby", f"{P},{M}", "thoughts of harming the baby",
       ["harm_baby", "harm_him_her postpartum_year|infant"],
       f"NICE CG192 (thoughts of harm to self or the baby: urgent assessment); {_AIM} 'thoughts of harming yourself or your "
       f"baby'; NHS postpartum psychosis", crisis=True),
    _p("postpartum psychosis", f"{P},{M}", "possible postpartum psychosis: strange beliefs, hallucinations or confusion "
       "without sleep after a birth",
       ["postpartum_12w strange_beliefs", "postpartum_12w confused not_sleeping"],
       "RCPsych / NHS postpartum psychosis (emergency); NICE CG192"),
    # --- newborns and infants
    _p("baby floppy, hard to wake or blue", I, "a baby who is floppy, hard to wake, blue around the lips or has pauses in "
       "breathing",
       ["infant|child floppy|hard_to_wake|cyanosis|breathing_pause",
        "infant_u3m|newborn unresponsive|weak_cry|mottled|severe_breathing|apnoea"],
       "NICE NG143 red features (pale, mottled or blue; no response, does not wake or stay awake; weak or high-pitched cry; "
       "grunting); NHS999 for babies ('stops breathing', 'blue', 'floppy', 'will not wake'); AAP 2016 BRUE"),
    _p("jaundice in the first day", I, "yellow skin or eyes in a baby under 24 hours old", ["day_one jaundice"],
       "NICE CG98 1.2 (visible jaundice in the first 24 hours: urgent medical review, bilirubin within 2 hours)"),
    _p("baby not feeding and unwell", I, "a baby who is not feeding and is sleepy, floppy, feverish, yellow or drying out",
       ["infant|child not_feeding hard_to_wake|floppy|fever|fever_measured|jaundice|reduced_urine|no_urine|unresponsive|"
        "sunken|sunken_fontanelle"],
       "NICE NG143 red and amber features; NHS baby unwell (999 for a baby who will not wake)"),
    _p("dehydrated baby", I, "a baby with fewer wet nappies and a sunken soft spot or sunken eyes",
       ["sunken_fontanelle", "infant|child reduced_urine|no_urine sunken|floppy|hard_to_wake|vomiting"],
       "NICE CG84 red flags (sunken eyes, altered responsiveness); NICE NG143 (reduced urine output, sunken fontanelle); "
       "NHS dehydration"),
]

MATERNAL_URGENT: list[Presentation] = [
    _p("severe vomiting in pregnancy", P, "vomiting in pregnancy with no fluids kept down (see a midwife or GP today)",
       ["pregnant hyperemesis"], "NHS severe vomiting in pregnancy (urgent GP or midwife if no fluids kept down for 24 hours); "
       f"RCOG Green-top 69 hyperemesis; {_AIM} 'severe nausea and throwing up'", level="urgent"),
    _p("reduced fetal movements", P, "baby moving less than usual (call your maternity unit today, do not wait)",
       ["gestation_viable|gestation_unknown|gestation_mid reduced_movements"],
       "RCOG Green-top 57; NHS your baby's movements", level="urgent"),
    _p("bleeding in pregnancy", P, "bleeding or spotting in pregnancy (contact your midwife, GP or early pregnancy unit today)",
       ["pregnant bleeding_any"], "NHS vaginal bleeding in pregnancy; NICE NG126", level="urgent"),
    _p("pain on one side in early pregnancy", P, "one-sided tummy pain in early pregnancy (early pregnancy unit today)",
       ["pregnant_early one_sided_pain"], "NHS ectopic pregnancy (call 111 or your GP); NICE NG126", level="urgent"),
    _p("warning sign of pre-eclampsia", P, "a warning sign of pre-eclampsia (sudden swelling, vision changes, pain under the "
       "ribs or a headache that won't go away): get checked today",
       ["pregnant_not_early|postpartum sudden_swelling|visual_disturbance|ruq_pain|headache_refractory|severe_headache"],
       f"NICE NG133; NHS pre-eclampsia (call your midwife or 111 immediately); {_AIM}", level="urgent"),
    _p("waters breaking at term", P, "waters breaking from 37 weeks (call your maternity unit)",
       ["waters term|gestation_unknown"], "NICE CG190 intrapartum care (prelabour rupture of membranes at term)", level="urgent"),
    _p("fever in pregnancy or after birth", P, "a fever in pregnancy or after a birth, or bad-smelling discharge after a birth",
       ["pregnant|postpartum fever_measured", "postpartum fever|foul_discharge"],
       f"{_AIM} 'fever of 100.4 °F (38 °C) or higher'; NICE NG194", level="urgent"),
    _p("baby not feeding", I, "a young baby not feeding well (see a GP or health visitor today)",
       ["infant_u3m|newborn not_feeding"], "NICE NG143 amber: poor feeding in infants", level="urgent"),
    _p("newborn jaundice", I, "a newborn who looks yellow (get checked today)", ["newborn jaundice"],
       "NICE CG98 (visible jaundice after 24 hours: bilirubin within 6 hours)", level="urgent"),
    _p("fewer wet nappies", I, "a baby with fewer wet nappies", ["infant|child reduced_urine"],
       "NICE NG143 amber: reduced urine output", level="urgent"),
]
