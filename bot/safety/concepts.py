"""Clinical red-flag concepts for triage: lay words -> findings -> emergency presentations.

A *finding* is one clinical sign or exposure recognised in lay words (synonyms, misspellings after
`normalize`, negation: "no fever", "isn't swollen" do not count). A *presentation* is an emergency
defined by a combination of findings (each alternative is a list of any-of groups that must all be
present), so "stung + swollen tongue + dizzy" is anaphylaxis although the word is never said.
Numbers with units (glucose, temperature by age, heart rate, SpO2, blood pressure, blood loss,
durations) become findings through `measurements`.

Sources (the concept list is built from these; each presentation cites its own):
- ESI: Gilboy N, Tanabe P, Travers D, Rosenau AM. Emergency Severity Index (ESI) v4 Implementation
  Handbook, AHRQ 12-0014 (2012): level 1 (immediate life-saving intervention: apnoea, unresponsive,
  severe respiratory distress, SpO2 < 90 %) and level 2 (high-risk situation, new confusion or
  lethargy, severe pain or distress, danger-zone vital signs).
- OM: `open-medicine` 0.12.0 (MIT) differential-diagnosis files `mcp/differentials/data/*.json`,
  their `red_flags`, each with the source DOI given next to it below.
- NHS999: NHS, "When to call 999" (nhs.uk/nhs-services/urgent-and-emergency-care-services/
  when-to-call-999) and the linked condition pages named per presentation (nhs.uk/conditions/...).
- NICE NG143: Fever in under 5s (traffic-light red features). NICE NG232: Head injury.
- ADA: Standards of Care in Diabetes 2024, section 6 (hypoglycaemia level 2 < 54 mg/dL = 3.0 mmol/L,
  level 3 = altered mental status) and hyperglycaemic crises (DKA glucose >= 250 mg/dL = 13.9
  mmol/L with ketosis; HHS >= 600 mg/dL = 33.3 mmol/L).
- ATLS 10th ed. haemorrhage classes (class II: 750-1500 mL); WHO 2012 PPH (>= 500 mL after birth).
- BTS 2017 emergency oxygen guideline; NHS pulse-oximeter advice (SpO2 92 % or lower: A&E/999).
- Pregnancy, after birth and babies: `bot.safety.maternal_concepts` (ACOG, AIM, NICE, RCOG, WHO, NHS).
- Lab results (INR above range, potassium): `bot.safety.lab_concepts` (ACC/AHA, ASH, CHEST, ERC 2021, UKKA).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.safety.lab_concepts import (LAB_FINDINGS, LAB_PRESENTATIONS, LAB_THRESHOLD_ROWS, LAB_URGENT, OTHER_ANALYTE,
                                     lab_measurements)
from bot.safety.maternal_concepts import (MATERNAL_FINDINGS, MATERNAL_NEAR_NEGATION, MATERNAL_NEGATION_EXEMPT,
                                         MATERNAL_PRESENTATIONS, MATERNAL_URGENT)
from bot.safety.maternal_context import maternal_context
from bot.safety.presentation import Presentation, _p

__all__ = ["FINDINGS", "PRESENTATIONS", "URGENT_PRESENTATIONS", "THRESHOLDS", "Presentation", "findings", "measurements",
           "matching_presentations", "urgent_presentations"]

# ---- findings: lay words for clinical signs --------------------------------------------------
_P = r"(my|his|her|their|our|the|your|a)"
_BODY_WHO = r"(my|his|her|their|the|your)"

FINDINGS: dict[str, str] = {
    # cardiorespiratory
    "chest_pain": r"chest (has been|is|feels|was|keeps|went|gone) (really |very |so |all |getting )?(tight|heavy|sore|painful|hurting|aching)|chest (pain|pressure|tightness|heaviness|hurts|hurting|ache|aches|is (really |very |so )?(tight|heavy|sore|hurting|killing)|"
                  r"feels? (really |very |so )?(tight|heavy|squeezed|crushed|like)|burns|is burning)|pain in " + _BODY_WHO + r" chest|"
                  r"(heavy|crushing|squeezing|tight|sharp|stabbing) (feeling|pain|ache|band|belt|sensation)s? (in|across|on|around) "
                  r"(the middle of )?" + _BODY_WHO + r" chest|(elephant|weight|band|belt|vice) .{0,30}(on|in|around|across) "
                  r"(the middle of )?" + _BODY_WHO + r" chest|clutch(ing|ed)? (his|her|my|their) chest|"
                  r"(heavy|crushing|squeez|tight|pressure|pain|ache).{0,30}middle of (my|his|her) chest|tight chest|chest.{0,20}squeezed",
    "pain_radiates": r"(left |right )?arm (aches|hurts|is aching|pain|is tingling|tingl|numb)|(into|to|down|up|spreading to|going into|going to) "
                     r"(my|his|her|the) (left |right )?(arm|jaw|neck|shoulder|back)|jaw (pain|ache|hurts)",
    "sweating": r"sweat|clammy|drenched|soaked in sweat",
    "cardiac_quality": r"crush|vice|elephant|squeez|heaviness|heavy (weight|feeling|pressure)|weight on|pressure",
    "impending_doom": r"feel(s|ing)? like (i'm|he's|she's|i am|they're) (going to die|dying)|(think|feel) (i'm|i am) (going to die|dying)",
    "named_emergency": r"(having|has|had|got|is in|going into|gone into) (a |an )?(heart attack|stroke|anaphylactic (shock|reaction)|anaphylaxis|"
                       r"sepsis|blood poisoning|cardiac arrest)",
    "hoarse": r"hoarse|croaky|voice (sounds|is|has gone|went) (funny|strange|weird|different)",
    "toxic_plant": r"(wild|garden|foraged|random|strange)? ?(mushrooms|toadstools|berries|foxglove|yew|oleander|deadly nightshade|hemlock)",
    "tearing_pain": r"(tearing|ripping) (pain|feeling|sensation)|pain.{0,30}(tearing|ripping)|(chest|pain).{0,40}through to (my|his|her|the) back",
    "pleuritic_pain": r"(sharp|stabbing) (chest )?pain.{0,30}(breathe in|breathing in|deep breath|when i breathe)|hurts to breathe",
    "breathless": r"short of breath|shortness of breath|breathless|out of breath|can't (catch (my|his|her|their) )?breath|can't breathe|"
                  r"(struggling|fighting|hard|difficult|trouble|difficulty) (to |for |with |)(breathe|breathing|air|breath)|gasping|"
                  r"breathing (really |very |so )?(fast|hard|quickly|rapidly|heavily|deep and fast|deep)|breathless|winded|can't get (enough )?air|"
                  r"puffed out|wheez|breathing is (bad|awful|laboured|labored)|panting",
    "severe_breathing": r"can't (speak|talk|finish|say) (in )?(a |full |more than )?(sentences?|a few words|words)|(only|can) say (a )?(few|couple of|two|one) words?|"
                        r"(lips|face|skin|fingers|tongue|mouth) ((are|is|turning|turned|went|gone|look|looks|looking|going|getting|a bit|bit) ){0,3}(blue|bluish|grey|gray|purple)|"
                        r"(inhaler|puffer|nebuli[sz]er|ventolin|salbutamol).{0,50}(not|isn't|doesn't|no|won't) (help|work|touch)|"
                        r"(ribs|chest|tummy|belly|neck|skin).{0,30}(suck(s|ing)? in|pull(s|ing)? in|caving in)|suck(s|ing)? in (under|between)|"
                        r"grunting|stopped breathing|not breathing|isn't breathing|no breathing|"
                        r"not breathing (properly|right|normally)|breathing (strange|funny|noisy)|gasping for (air|breath)|blue lips|"
                        r"(whistl|squeak|crow|rasp|stridor|high[- ]pitched).{0,30}(breath|breathe|breathing)|(breath|breathing).{0,20}(whistl|squeak|stridor)",
    "wheeze": r"wheez|tight chest|chest (is |feels )?tight",
    "haemoptysis": r"cough(ing|ed)? (up )?(blood|red)",
    "palpitations": r"heart (is )?(racing|pounding|skipping|fluttering|going (really |very )?fast|beating (really |very )?fast)|palpitation",
    "faint": r"faint|(nearly|almost) (passed out|blacked out|collapsed)|passed out|dizzy|dizziness|light[- ]?headed|collapsed|nearly (passed out|collapsed)|about to (pass out|collapse)|"
             r"woozy|going to pass out|black(ing)? out|room (is )?spinning",
    "collapse": r"(?<!nearly )(?<!almost )collapsed|(dropped|fell) to the (floor|ground)|on the (floor|ground) and (not|isn't|won't)",
    "unresponsive": r"unconscious|unresponsive|won't wake|not waking|can't wake|hard to wake|not responding|isn't responding|"
                    r"(won't|doesn't|can't|isn't|not) (respond|answer|answering) (to )?(me|us|anyone)?|hardly respond|barely respond|"
                    r"barely moving|lifeless|no response",
    "confused": r"confus|not making (any )?sense|talking (rubbish|nonsense|gibberish)|mumbl|muddled|disorientated|disoriented|"
                r"not himself|not herself|can't think (straight|clearly)|doesn't know where|delirious|drowsy|really sleepy|very sleepy|"
                r"so sleepy|sleepy and|out of it|won't answer (me )?properly|not with it|saying strange things|acting (really )?(odd|strange|weird)",
    "pale_shock": r"pale|grey|gray|clammy|cold and clammy|white as a sheet|ashen|cold (hands|skin)|freezing cold|(very|really) thirsty|"
                  r"heart (is )?racing|mottled|blotchy",
    "mottled": r"mottled|blotchy|(blue|purple) (hands|feet|knees|lips)|(knees|skin) (look |looks |are |is )?(blotchy|mottled)",
    # neurological
    "face_droop": r"(face|mouth|smile|lip|eye)s? (is |has |went |gone |looks |look |has gone |drooping|dropped )?"
                  r"(droop|drooping|sagging|crooked|lopsided|fallen|dropped)|(face|mouth) (has )?(gone|went) (lopsided|crooked|droopy)|"
                  r"(face|mouth) (is |has gone |went )?(all )?(lopsided|crooked)",
    "speech": r"slurr|(speech|words|talking|voice).{0,25}(garbled|jumbled|nonsense|gibberish|wrong|funny|weird|strange|slurr)|"
              r"talking (rubbish|nonsense|gibberish)|can't understand (anything|what|me|us|words|a word)|can't (get (his|her|my|the) words out|find (my|his|her|the) words|speak properly|talk properly)",
    "one_sided_weakness": r"can't (lift|raise|move|feel|grip (with)?) (my|his|her|one|their) (right |left )?(arm|leg|hand|side)|"
                          r"(right|left) (hand|arm|leg) (won't|is useless|went|has gone|is weak|is numb|can't)|"
                          r"(hand|arm|leg) (won't grip|is useless|went dead|has gone dead)|"
                          r"(one side|left side|right side|half) of (my|his|her|their|the) (face|body)|half (of )?(my|his|her|their) (face|body)|"
                          r"(face|arm|leg) (feels |is |went )?numb on one side|numb on one side|sudden(ly)? (numb|weak)",
    "vision_loss": r"(lost|lose|losing|loss of|can't see)( the)? (vision|sight|out of)|(vision|sight) (went|gone|has gone|is gone)|"
                   r"can't see (out of|with) (my|his|her|one)|curtain (over|across)",
    "thunderclap": r"thunderclap|worst (headache|head pain|pain in (my|his|her) head) (ever|of (my|his|her) life)|"
                   r"(headache|head pain).{0,30}(like being hit|out of nowhere|came on (suddenly|in seconds|like))|sudden (severe|terrible|awful|explosive) headache",
    "headache": r"headache|head (pain|ache|is pounding|hurts)|migraine|pounding head",
    "severe_headache": r"(severe|terrible|awful|killer|splitting|bad|worst|excruciating|pounding|blinding) (headache|head pain|head ache)|"
                       r"headache (that )?(won't|doesn't) (go|stop|ease)|headache.{0,20}(worst|unbearable)",
    "neck_stiff": r"stiff neck|neck (is |feels )?(so |really |very )?(stiff|rigid)|can't (bend|move|touch) (his|her|my) (neck|chin)|"
                  r"hurts to (bend|move) (my|his|her) neck|neck hurts when (he|she|i|they) (looks?|bends?) (down|forward)",
    "photophobia": r"(can't stand|hurts|hates|sensitive to|can't bear|can't look at) (the )?(light|bright)|light hurts|light is (too|so|really) bright|photophob",
    "non_blanching_rash": r"(rash|spots|blotches|marks|dots).{0,60}(don't|doesn't|won't|not|didn't|aren't) (fade|go away|go\b|disappear|blanch)|"
                          r"(glass|press|pressed).{0,40}(rash|spots).{0,40}(doesn't|don't|won't|still|not) (fade|go|blanch|there)|"
                          r"non-blanching|purpl(e|ish) (spots|rash|blotches|dots|marks)|purpura|petechia",
    "seizure": r"seizure|seizing|convuls|fitting|having a fit|had a fit|(shaking|jerking|twitching) (on the floor|all over|uncontrollably and)|"
               r"(on the floor|on the ground).{0,30}(shaking|jerking)|(shaking|jerking).{0,30}(on the floor|on the ground)|eyes rolled back",
    "seizure_long": r"(seizure|fitting|fit|shaking|jerking|convuls).{0,50}(won't stop|hasn't stopped|isn't stopping|isn't stopped|not stopping|still going)|"
                    r"(for|over|more than|about) (over |more than |about )?([5-9]|\d\d|five|six|seven|eight|ten|fifteen) min",
    "first_seizure": r"(first|never had a) (ever )?(seizure|fit)",
    "numb_limbs_both": r"(can't|couldn't) (feel|move) (my|his|her|their) (legs|arms|feet|fingers|hands|toes|foot|leg|arm)|"
                       r"(pins and needles|tingl|numb|weak).{0,30}(both|arms|legs|hands|feet|fingers)|"
                       r"(arms|legs|hands|feet) (feel |are |went |gone )?(weak|numb|tingly|dead|floppy)|paralys|can't move (his|her|my) (fingers|legs|arms)|"
                       r"can't move (his|her|my|their) (fingers|toes) properly",
    "saddle": r"(can't|couldn't|no) feel(ing)? (my|his|her) (bum|bottom|backside|genitals|privates)|numb (bum|bottom|between (my|the) legs|groin)|"
              r"saddle (numb|anaesth|anesth)",
    "incontinence_new": r"wet (my|him|her)self|(lost|losing|no) control of (my|his|her) (bladder|bowels)|(wet|soiled) (my|him|her)self",
    "back_pain": r"back (pain|ache|hurts|is killing)|(bad|sore) back|pain in (my|his|her) back|lower back",
    # allergy
    # an insect sting: with swelling of the lips, mouth, tongue or throat, call 999 (NHS insect bites and stings)
    "sting": r"sting|stung|stinging|bee|bees|wasp|wasps|hornet|hornets|yellow ?jackets?|fire ants?",
    "allergen": r"sting|stung|bee|wasp|hornet|peanut|cashew|nut|shellfish|prawn|shrimp|seafood|satay|sesame|egg|"
                r"crab|lobster|mussels|scallops|fish|kiwi|milk|sesame|allerg|new (antibiotic|medicine|tablet|drug)|penicillin|amoxicillin|antibiotic|hair dye|latex|contrast|injection|"
                r"(something|bit|bitten) (in|by) (the garden|something)|insect|ate (a|some|one)",
    "hives": r"hives|welts|(red|raised) (blotches|bumps|itchy|lumps|patches)|blotches (all over|everywhere)|itchy (rash|lumps|bumps)|"
             r"rash (all over|everywhere)|covered in (a rash|spots|red)|urticaria|big red blotches",
    "angioedema": r"(throat|tongue|lips?|face|mouth|eyes?|eyelids?) (is |are |feels? |keeps |has |have |started |starting |getting |gone |went |all )?"
                  r"(swelling|swollen|closing|blowing up|puffing( up)?|puffed( right)? up|puffy|fat|huge|big|thick|narrowing|tight|tightening|"
                  r"getting tight|closing up|shut)|(swelling|swollen|puffy) (tongue|lips?|throat|face|eyes)|"
                  r"(whole )?face (is |has )?(all )?(puffy|swollen|puffed)|hard to swallow|can't swallow|hardly swallow|"
                  r"voice (is |has gone |went )?(hoarse|croaky|funny)|hoarse",
    "airway_angioedema": r"(throat|tongue) (is |are |feels? |keeps |has |started |starting |getting )?(swelling|swollen|closing|blowing up|"
                         r"puffing up|puffed up|fat|huge|thick|narrowing|tight|tightening|getting tight|closing up)|"
                         r"(swelling|swollen) (tongue|throat)|throat.{0,20}(closing|narrowing)|(can't|hardly|barely) swallow",
    "adrenaline_used": r"(used|gave|give|given|injected|had to use) (my|his|her|the|an|their) (epipen|adrenaline|auto-?injector)",
    "low_bp": r"blood pressure (is |machine says |reads |was )?(very |really )?(low|dropping|crashing)|(bp|blood pressure).{0,20}\b([4-8]\d)/\d\d",
    # infection
    "infection": r"infection|fever|temperature|shivering|rigors|uti|water infection|kidney infection|wound|cellulitis|pneumonia|flu|"
                 r"chickenpox|chest infection|hot to touch|burning up",
    "fever": r"fever|temperature|high temp|burning up|feels? (very |really )?hot|hot to (the )?touch|feverish|38|39|40|100\.\d|10[1-5]",
    "rigors": r"shivering (like mad|uncontrollably|violently)|shaking uncontrollably|uncontrollable shivering|rigors|teeth (are )?chatter|shaking so (hard|much)",
    "no_urine": r"(haven't|hasn't|not|no) (peed|urinated|passed (urine|water)|had a wee|weed)( (all day|since|for))?|no urine|"
                r"no wet (nappies|nappy|diapers?)|(hasn't|hasnt|not) had a wet (nappy|diaper)|dry (nappies|nappy|diapers?)",
    "spreading_red": r"(spreading|rapidly spreading) (red|redness|rash)|red(ness)?.{0,20}spreading|red (hot )?patch.{0,20}spread|"
                     r"red streaks?|red line",
    "severe_pain": r"(unbearable|excruciating|agony|agonising|agonizing|worst pain|screaming in pain|like crazy|killing me|"
                   r"really bad pain|severe pain|terrible pain|awful pain)",
    # abdomen / GI
    "abdo_pain": r"(stomach|tummy|belly|abdomen|abdominal|gut)( pain| ache| hurts| is (killing|agony))|pain in (my|his|her) "
                 r"(stomach|tummy|belly|abdomen)|(stomach|tummy|belly|abdomen) (is |feels )?(rock hard|hard as a board|rigid)|"
                 r"(stomach|tummy|belly|abdomen|abdominal).{0,20}(pain|hurts|agony)",
    "rigid_abdomen": r"(stomach|tummy|belly|abdomen) (is |feels |has gone |went )?(rock hard|hard as a board|rigid|really hard)",
    "distension": r"(belly|tummy|stomach|abdomen) (is )?(huge|swollen|swelling|bloated|distended|swelling up|getting bigger)",
    "no_stool_wind": r"(haven't|not|hasn't|can't) (pooed|pooped|had a poo|passed (wind|gas|stool)|farted|opened (my|his|her) bowels)|no (wind|gas|stool)",
    "bilious_vomit": r"vomit(ing|ed)? (green|brown|poo|faeces|feces)|(green|bile) vomit|throwing up green|sick (is )?green",
    "haematemesis": r"vomit(ing|ed)? (up )?(blood|red)|(blood|red) in (my|his|her|the) (vomit|sick)|coffee grounds|"
                    r"vomit.{0,30}coffee grounds|throwing up blood",
    "melaena": r"(black|tarry|sticky black|black sticky) (stool|stools|poo|poop)|melaena|melena|passing (loads of |lots of )?(black|tarry)",
    "vomiting": r"vomit|throwing up|being sick|been sick|threw up|sick (twice|again|three times|all morning)|keeps being sick|can't keep .{0,15}down",
    # blood loss
    "bleeding_uncontrolled": r"(bleeding|blood|bleed).{0,40}(won't|doesn't|can't|isn't|not|never) (stop|slow|stopping)|"
                             r"(lots of|a lot of|so much|pouring|spurting|gushing|pool of|loads of) blood|"
                             r"blood (is )?(pouring|spurting|gushing|everywhere|squirting|pumping)|squirting|spurts|"
                             r"bleeding (heavily|a lot|so much|badly|really bad|profusely|like crazy)|"
                             r"(soaked|soaking|fill|filling) (through )?(a|the|my|her)?.{0,20}(towel|pad|bandage|cloth|pads)",
    "big_wound": r"(deep|big|huge|gaping) (cut|gash|wound)|stab(bed)?|gunshot|shot|impaled|amputat|cut (my|his|her) (wrist|arm|leg|throat).{0,20}(deep|badly)|"
                 r"too deep|(it's|its|it is|very|really|quite) deep",
    # trauma
    "trauma": r"(fell|fall|fallen|came off|come off|thrown|knocked|hit|kicked|crash|collision|accident|tackle|tackled|dived|dove|"
              r"jumped|crushed|run over|ran over|struck|assaulted|beaten|stabbed|motorbike|bike|ladder|roof|trampoline|horse|rugby|"
              r"car crash|rta|hit by a car|seatbelt)",
    "head_injury": r"(hit|banged|bumped|knocked|smashed|cracked) (my|his|her|their) head|head (injury|injured)|hit (his|her|my) head|"
                   r"(fell|fall).{0,40}(on|onto) (my|his|her|the) head|knocked (out|unconscious)|head.{0,20}(kerb|curb|floor|concrete)",
    "knocked_out": r"knocked (out|unconscious)|lost consciousness|was out (cold )?for|blacked out (for|after)",
    "neck_back_injury": r"(neck|spine|back) (hurts|pain|is sore|injur)|(on|onto) (my|his|her) (back|neck)|hurt (my|his|her) (neck|back)",
    "shallow_dive": r"dived|dove|diving.{0,30}(shallow|pool|river|lake)|shallow end",
    "limb_ischaemia": r"(leg|foot|arm|hand) (is |went |has gone |looks )?(cold and (white|pale|blue)|white and cold|cold|white|pale and cold)"
                      r".{0,40}(can't feel|numb|below|no pulse)|can't feel (my|his|her) (foot|hand) .{0,20}(cold|white)|(cold|white).{0,30}can't feel (my|his|her) (foot|hand)",
    "crush": r"crush(ed|ing)",
    "anticoagulant": r"warfarin|blood thinner|apixaban|rivaroxaban|eliquis|xarelto|dabigatran|edoxaban|clopidogrel",
    "burn_major": r"(boiling|hot) (water|oil|tea|coffee|kettle).{0,60}(over|on|all over)|skin (is )?(peeling|coming off|charred|white and)|"
                  r"(burn|burnt|scald|scalded).{0,40}(face|chest|whole|large|big|airway|mouth|child|baby|toddler)|chemical burn|"
                  r"(pulled|spilled|knocked) (a |the )?(kettle|pan|boiling)",
    "electric": r"(live wire|electrocuted|electric shock|shocked by|socket|power line|mains).{0,60}|got (a )?shock from",
    "hypothermia": r"(freezing|ice) cold.{0,50}(mumbl|confus|barely|drowsy|not moving|won't)|hypotherm|(found|been) (outside|in the snow|in the cold)"
                   r".{0,40}(cold|confus|mumbl)",
    "heat_illness": r"(heat|sun|hot day|sauna|working outside|in the heat).{0,80}(stopped sweating|not sweating|confus|nonsense|collapsed|fit|seizure|"
                    r"rubbish)|stopped sweating|heat ?stroke",
    "drowning": r"(pulled|dragged|rescued|got) (him|her|them|my \w+( \w+)?) out of the (pool|water|sea|bath|lake|river)|"
                r"(was|went) under (the )?water|nearly drowned|drowning|under for",
    # toxicology
    "caustic": r"bleach|oven cleaner|drain cleaner|dishwasher (tablet|pod)s?|(washing|laundry|liquitab|detergent) (pod|capsule|tablet|liquid)s?|"
               r"detergent|caustic|lye|acid|descaler|toilet cleaner|ammonia|lamp oil|paraffin|kerosene|white spirit|petrol|"
               r"screen ?wash|antifreeze|methanol|weed ?killer|pesticide|insecticide|rat poison|slug pellets|e-?liquid|vape liquid|"
               r"nail polish remover|essential oil|cleaning (product|fluid|spray)",
    "ingested": r"swallow|drank|drunk|drink|ate|eaten|chewed|bit into|licked|in (his|her|their) mouth|sucking on|got into",
    "battery_magnet": r"(button|coin|round|watch|small|little) batter(y|ies)|batter(y|ies).{0,40}(swallow|mouth|ate)|"
                      r"(swallow|ate).{0,40}batter(y|ies)|magnets",
    "mixed_chemicals": r"mix(ed|ing)? (bleach|cleaners|chemicals).{0,40}|bleach (and|with) (ammonia|another cleaner|other cleaner|vinegar|acid|toilet cleaner)",
    "fumes": r"fumes|smoke|gas|chemical smell|chlorine|spray(ed|ing)? (the )?(weed ?killer|pesticide|chemical)|generator|boiler|"
             r"carbon monoxide|co alarm|charcoal|barbecue indoors|inhal",
    "co_alarm": r"(carbon monoxide|co) alarm (is )?(going off|went off|beeping|sounding)|carbon monoxide (leak|poisoning)",
    "co_source": r"generator|boiler|gas fire|gas heater|charcoal|barbecue|bbq|car running|exhaust|wood burner|log burner|paraffin heater",
    "household_symptoms": r"(whole family|everyone|all of us|we all|the kids|both of us).{0,30}(headache|sick|dizzy|drowsy|tired)",
    "irritation": r"(chest|throat|eyes|mouth|lungs) (burns|burning|sting|stinging|stream|streaming|red)|keep(s)? coughing|coughing|drool|foam|"
                  r"eyes stream|chest (is |feels )?tight",
    "drooling": r"drool|foam(ing)? at the mouth|dribbl",
    "overdose_amount": r"overdose|(took|taken|swallowed|had|take|ate) (about |around |like )?(a (whole )?(bottle|packet|pack|box|handful|strip)|"
                       r"all (of )?(my|the|her|his|their)|too many|(\d{2,}|twenty|thirty|forty|fifty)( of)? ?(my |his |her |the )?\w*( pills| tablets)?|"
                       r"(lots|loads|a lot|a load) of|(all|most) of (my|his|her|grandma's|granny's|nan's|the) (pills|tablets))|"
                       r"(ate|swallowed|got into|chewed|eaten|taken|took) .{0,20}(some|all|most|a few|several|handful) of .{0,30}(pills|tablets|medicine|meds)|"
                       r"(\d{2,}|twenty|thirty|fifty) (pills|tablets)|whole (pack|packet|bottle|box) of",
    # urology
    "testicle_pain": r"(testicle|testicles|testis|ball|balls|nut|nuts|scrotum|scrotal|groin)s?.{0,50}(pain|hurt|agony|swollen|swelling|higher|red|killing|like crazy)|"
                     r"(pain|hurt|agony|swelling|swollen|ache).{0,40}(testicle|testicles|ball|balls|nut|nuts|scrotum|groin)",
    "sudden": r"sudden|suddenly|all of a sudden|out of nowhere|came on|woke up with|started (hurting|an hour|this morning)|just started",
    "priapism": r"(erection|boner|hard[- ]on).{0,40}(won't go|not going|hasn't gone|for (\d|four|five|six) hours|hours)",
    "retention": r"(can't|haven't been able to|unable to|not able to|haven't) (pee|urinate|wee|pass urine)|bladder (is )?(bulging|full|swollen|bursting)",
    "strange_beliefs": r"(thinks|believes|saying|says).{0,40}(evil|devil|poison|possessed|not (my|her|his) baby|spying|voices)|hearing voices|"
                       r"seeing things|saying strange things|hallucinat|paranoid",
    "not_sleeping": r"(hasn't|haven't|not) slept|no sleep|can't sleep",
    # mental health
    "suicidal": r"(kill|killing|hang|hanging|shoot|shooting|drown|drowning) (my ?self|myself|him ?self|her ?self|themselves)|"
                r"(thoughts?|thinking|thought) (of|about) (hurting|harming|cutting|killing|ending|taking) (my ?self|my (own )?life|it all)|"
                r"(want|wanting|going|urge|urges) to (hurt|harm|cut) my ?self|end (my|it all|my own) (life)?|end it\b|"
                r"(want|going|plan(ning)?|ready) to die|suicid|ending (it all|my life|things)|take (all )?(my|the) pills|"
                r"don't want to (live|be alive|be here|wake up|go on)|better off (dead|without me)|(take|taking) my own life|"
                r"no (reason|point) (to|in) (live|living|go on|going on)|there is no point( anymore)?|no point anymore|"
                r"never wake up|(don't|can't) see (the|any) point (of|in) (being alive|living|life|going on)|"
                r"(happier|better off) (if i (wasn't|weren't|was not) (here|around|alive)|without me)|wish i (was|were) dead|not worth living|(jump|jumping) (off|in front)|"
                r"(want|going) to (hurt|harm|cut) my ?self|(going to|will|gonna) hang|can't go on (anymore|any more|like this)",
    "final_acts": r"(wrote|written|writing|left) (a|my) (suicide |goodbye )?note|(say|saying|said|texted|text|sent).{0,20}goodbye|"
                  r"(sorted|sorting) (out )?my (will|affairs)|given (away )?(my|the) (dog|cat|things|stuff)|gave (away )?my (dog|cat|things)|"
                  r"won't need (anything|it|them) (after|anymore)|(after|by) tonight|sorry for everything|"
                  r"(pills|tablets|rope|noose|gun|knife|blade).{0,30}(lined up|ready|here|in front of me|on the table)|"
                  r"(lined up|ready|got|have|bought) (a |the )?(pills|tablets|rope|noose|gun)|take them all|"
                  r"saved up (my |the )?(pills|tablets)|take (all|every one) of (my|the|them)",
    "self_harm_injury": r"cut (my|his|her) (wrist|arm|leg|throat)|(cut|cutting) (my|him|her)self|self[- ]harm",
    "harm_others": r"(hurt|kill|harm|stab) (our|my|his|her|the|their|someone|somebody|people|everyone)\b|(voices|voice).{0,40}(hurt|kill|harm)|"
                   r"(has|got|with|holding) a (knife|gun|weapon|blade)",
    "not_answering": r"(not|isn't|won't|hasn't been) (answering|picking up|replying)|no (answer|reply)|can't (reach|get hold of)",
    "locked_in": r"locked (him|her|them)self in",
    # children-specific
    "floppy": r"floppy|limp|(really|very) (weak|lethargic)|lethargic|hardly responding|not responding|no energy and (won't|not)",
    "weak_cry": r"(high[- ]pitched|weak|strange|moaning|whimpering|constant) (cry|crying|scream)",
    "bulging_fontanelle": r"(soft spot|fontanel+e?).{0,20}(bulg|swollen|raised)|bulging (soft spot|fontanel)",
    "sunken": r"sunken (eyes|soft spot|fontanel)|eyes (look |are )?sunken",
    "red_jelly_stool": r"(red|redcurrant|red currant|blood).{0,15}jelly|jelly.{0,30}(nappy|diaper|poo|stool)|blood(y)? (poo|stool|mucus) in (his|her) nappy",
    "colic_legs": r"(screaming|crying).{0,40}(pull|draw|drawing|pulling) (his|her|their) (legs|knees) up",
    "stridor": r"(whistl|squeak|crow|rasp|stridor|high[- ]pitched).{0,40}(breath|breathe|breathing)|(breath|breathing).{0,20}(whistl|squeak|stridor|crow)|stridor",
    "barking_cough": r"bark(ing|y)? cough|seal(-like)? cough|croup",
    "choking": r"chok(e|ed|ing)",
    "no_cough": r"can't (cough|make (a|any) (noise|sound)|speak|cry)|(not|isn't) (coughing|making (a|any) (noise|sound))|silent",
    "at_rest": r"(at rest|sitting still|even (when )?(sitting|resting|lying)|all the time|even sitting)",
}

# Negators before a finding within the same clause ("no fever", "isn't swollen", "without pain").
_NEGATION = re.compile(r"\b(no|not|never|without|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't|hadn't|"
                       r"no longer|nor|denies|free of|nothing like)\b(?!.*\b(but|although|though|however)\b)[^,.;!?]*$")
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\b(but|and now|now|then)\b")
# Findings whose own patterns already contain negative words: never negated from outside.
_NEGATION_EXEMPT = MATERNAL_NEGATION_EXEMPT | {"no_urine", "no_stool_wind", "reduced_movements", "no_cough", "not_feeding", "not_answering",
                    "not_sleeping", "unresponsive", "severe_breathing", "bleeding_uncontrolled", "retention",
                    "seizure_long", "priapism", "saddle", "final_acts", "limb_ischaemia", "numb_limbs_both", "breathless",
                    "one_sided_weakness", "vision_loss", "non_blanching_rash", "speech", "angioedema", "airway_angioedema",
                    "confused", "neck_stiff", "photophobia"}


@lru_cache(maxsize=1)
def _compiled_findings() -> dict[str, re.Pattern]:
    return {name: re.compile(r"(?<![a-z])(?:" + pat + r")") for name, pat in FINDINGS.items()}


def _negated(text: str, start: int) -> bool:
    """Whether a negator governs the match at `start` (looks back within the clause, up to ~40 chars)."""
    window = text[max(0, start - 40):start]
    parts = _CLAUSE_BREAK.split(window)
    clause = parts[-1] if parts else window
    return bool(re.search(r"\b(no|not|never|without|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't|"
                          r"no longer|nor|denies|free of)\b", clause or ""))


# Findings some of whose phrasings are negative themselves ("don't want to live"): such a match counts as
# it stands; any other match is denied only by a negator right before it ("not suicidal", "I don't want to
# die"), never by one earlier in the sentence ("I haven't slept for days and I want to die").
_SELF_NEGATING = {"suicidal"}
_NEGATIVE_START = re.compile(r"(don't|can't|no|never|not|nothing|wish|better off|there is no)\b")
# A negator right before the match ("not suicidal", "I don't want to die", "I would never kill myself").
_DENIAL = re.compile(r"\b(no|not|never|don't|won't|wouldn't|isn't|aren't|hasn't|haven't|without|nor)\b(\s+[\w']+){0,3}\s*$")


def findings(text: str) -> set[str]:
    """Finding names present (and not negated) in normalised text, numeric measurements and the
    pregnancy / after-birth / baby context of the text (`maternal_context`) included."""
    found: set[str] = set()
    for name, pat in _compiled_findings().items():
        for m in pat.finditer(text):
            if name in _SELF_NEGATING or name in MATERNAL_NEAR_NEGATION:
                if (name in _SELF_NEGATING and _NEGATIVE_START.match(m.group(0))) or not _DENIAL.search(
                        text[max(0, m.start() - 30):m.start()]):
                    found.add(name)
                    break
            elif name in _NEGATION_EXEMPT or not _negated(text, m.start()):
                found.add(name)
                break
    found |= measurements(text)
    found |= maternal_context(text).findings()
    return found


# ---- numbers with units ----------------------------------------------------------------------
_NUM = r"(\d{1,4}(?:\.\d{1,2})?)"
_GLUCOSE_CTX = r"(sugar|sugars|glucose|bg|bm|blood sugar|meter|reading|cgm|libre|dexcom|levels?)"
_TEMP_CTX = r"(temp|temperature|fever|thermometer|reading|feels hot|burning up)"


@dataclass(frozen=True)
class Threshold:
    """A numeric rule with its unit and source, as recorded for the documentation and tests."""

    finding: str
    quantity: str
    rule: str
    source: str


THRESHOLDS: list[Threshold] = [
    Threshold("glucose_low", "blood glucose", "< 3.0 mmol/L (< 54 mg/dL)", "ADA 2024 s6 level 2 hypoglycaemia"),
    Threshold("glucose_very_low", "blood glucose", "< 2.2 mmol/L (< 40 mg/dL)", "OM altered_mental_status.json Hypoglycemia red flag "
              "'glucose < 40 mg/dL' (DOI 10.1053/ajem.2002.35464)"),
    Threshold("glucose_high", "blood glucose", ">= 13.9 mmol/L (>= 250 mg/dL) or meter 'HI'", "ADA 2024 DKA criterion"),
    Threshold("glucose_very_high", "blood glucose", ">= 33.3 mmol/L (>= 600 mg/dL)", "ADA 2024 HHS criterion; OM "
              "altered_mental_status.json Hyperglycemic crisis"),
    Threshold("infant_fever", "temperature, age < 3 months", ">= 38.0 °C (>= 100.4 °F)", "NICE NG143 red feature"),
    Threshold("young_infant_high_fever", "temperature, age 3-6 months", ">= 39.0 °C (>= 102.2 °F)", "NICE NG143 amber (urgent)"),
    Threshold("high_fever", "temperature", ">= 40.0 °C (>= 104 °F)", "NICE NG143 / NHS sepsis (urgent alone)"),
    Threshold("hypothermia_temp", "temperature", "< 35.0 °C (< 95 °F)", "NHS hypothermia"),
    Threshold("tachycardia_severe", "heart rate, adult", ">= 150 /min (child >= 180)", "OM palpitations.json (DOI 10.1093/europace/eur130); ESI danger zone"),
    Threshold("tachycardia", "heart rate", "> 120 /min (with trauma or infection: shock/sepsis sign)", "ATLS class III; NHS sepsis"),
    Threshold("bradycardia_severe", "heart rate", "<= 40 /min", "OM syncope.json 'Sinus bradycardia <40 bpm' (DOI 10.1093/eurheartj/ehy037)"),
    Threshold("hypoxia", "oxygen saturation", "<= 92 %", "NHS pulse-oximeter advice; ESI level 1 < 90 %; BTS 2017"),
    Threshold("low_bp", "systolic blood pressure", "< 90 mmHg", "ESI / Sepsis-3 qSOFA (SBP <= 100)"),
    Threshold("bp_crisis", "blood pressure", ">= 180 systolic or >= 120 diastolic", "OM headache.json hypertensive emergency (DOI 10.1016/j.annemergmed.2019.07.009)"),
    Threshold("blood_loss_major", "blood loss", ">= 500 mL (a pint, half a litre)", "WHO 2012 PPH; ATLS class II from 750 mL"),
    Threshold("priapism", "erection duration", ">= 4 hours", "NHS priapism"),
    Threshold("seizure_long", "seizure duration", ">= 5 minutes", "NHS999 / OM altered_mental_status.json status epilepticus"),
]
THRESHOLDS += [Threshold(*row) for row in LAB_THRESHOLD_ROWS]

_UNIT_MMOL = r"\s*(mmol(/l| per litre| per liter)?|mmols?)"
_UNIT_MGDL = r"\s*(mg(/| per )?dl|mgs?)"


def measurements(text: str) -> set[str]:
    """Findings from numbers with units (or with a context word that fixes the unit)."""
    out: set[str] = set()
    # glucose
    for m in re.finditer(_GLUCOSE_CTX + r"[^.,;!?\d]{0,25}?" + _NUM + r"(" + _UNIT_MMOL + r"|" + _UNIT_MGDL + r")?", text):
        if _names_other_analyte(text, m.start(2)):  # "INR reading 2.5", "potassium level 2.5": not a blood sugar
            continue
        v = float(m.group(2))
        unit = m.group(3) or ""
        if re.match(_UNIT_MGDL, unit) if unit else False:
            mmol = v / 18.0
        elif unit:
            mmol = v
        elif v >= 40:            # no unit: values this high are mg/dL
            mmol = v / 18.0
        elif v > 35:
            continue
        elif v >= 20:            # 20-35 without unit: very high in mmol/L or very low in mg/dL, both dangerous
            out |= {"glucose_high", "glucose_low"}
            continue
        else:
            mmol = v
        if mmol < 3.0:
            out.add("glucose_low")
        if mmol < 2.2:
            out.add("glucose_very_low")
        if mmol >= 13.9:
            out.add("glucose_high")
        if mmol >= 33.3:
            out.add("glucose_very_high")
    if re.search(r"(meter|sugar|glucose|reading).{0,20}\b(says|reads|shows|just says|is) (hi|high)\b", text):
        out.add("glucose_high")
    # temperature
    age = maternal_context(text).infant_days
    measured_temp = False
    for m in re.finditer(r"(?<![\d/])" + _NUM + r"\s*(°|deg(rees)?|º)?\s*(c|f|celsius|fahrenheit)?\b", text):
        v = float(m.group(1))
        unit = (m.group(4) or "")[:1]
        near = text[max(0, m.start() - 40):m.end() + 5]
        if not re.search(_TEMP_CTX + r"|°|degrees", near):
            continue
        c = (v - 32) * 5 / 9 if (unit == "f" or (not unit and 95 <= v <= 110)) else v if 30 <= v <= 45 else None
        if c is None or not 30 <= c <= 45:
            continue
        measured_temp = True
        if c >= 37.95 and age is not None and age < 91:
            out.add("infant_fever")
        if c >= 38.95 and age is not None and 91 <= age < 183:
            out.add("young_infant_high_fever")
        if c >= 39.95:
            out.add("high_fever")
        if c >= 37.95:
            out.add("fever_measured")
        elif c >= 35.0:
            out.add("temp_normal")
        if c < 35.0:
            out.add("hypothermia_temp")
    if age is not None and age < 91 and not measured_temp and re.search(
            r"(?<!no )(?<!not )(fever|temperature|feels? (very |really )?hot|burning up|feverish)", text):
        out.add("infant_fever")  # "my 6 week old has a fever": no number, the word is enough
    # heart rate
    for m in re.finditer(r"(heart rate|heartrate|pulse|hr|heart is going|heart beat|heartbeat)[^.,;!?\d]{0,20}?(\d{2,3})\b", text):
        v = int(m.group(2))
        if v >= 150:
            out.add("tachycardia_severe")
        if v > 120:
            out.add("tachycardia")
        if v <= 40:
            out.add("bradycardia_severe")
    # oxygen saturation
    for m in re.finditer(r"(oxygen|o2|sats|saturation|spo2|pulse ?ox|oximeter)[^.,;!?\d]{0,25}?(\d{2})\s*(%|percent)?", text):
        v = int(m.group(2))
        if 50 <= v <= 92:
            out.add("hypoxia")
    # blood pressure
    for m in re.finditer(r"\b(\d{2,3})\s*/\s*(\d{2,3})\b", text):
        near = text[max(0, m.start() - 40):m.start()]
        if not re.search(r"blood pressure|bp|pressure", near):
            continue
        sys_, dia = int(m.group(1)), int(m.group(2))
        if sys_ < 90:
            out.add("low_bp")
        if sys_ >= 180 or dia >= 120:
            out.add("bp_crisis")
    # blood loss
    if re.search(r"(lost|losing|loss of) (about |around |over |at least )?(a litre|a liter|(\d{3,4}) ?ml|a pint|half a litre|"
                 r"two pints|(\d(\.\d)?) (litres?|liters?|pints?))( of blood)?", text):
        m = re.search(r"(\d{3,4}) ?ml", text)
        if not m or int(m.group(1)) >= 500:
            out.add("blood_loss_major")
    if re.search(r"(fill|filling|soak|soaking|through) (a |one )?pads? (every|each|in (an|half an|under an)) (half )?(hour|30 min)", text):
        out.add("blood_loss_major")
    # durations
    m = re.search(r"(erection|boner|hard[- ]on).{0,60}?(\d{1,2}|four|five|six|seven|eight) hours", text)
    if m and (not m.group(2).isdigit() or int(m.group(2)) >= 4):
        out.add("priapism")
    m = re.search(r"(seizure|fitting|fit|shaking|jerking|convuls).{0,60}?(\d{1,2}|five|six|seven|eight|ten) min", text)
    if m and (not m.group(2).isdigit() or int(m.group(2)) >= 5):
        out.add("seizure_long")
    out |= lab_measurements(text)
    return out


_GLUCOSE_WORD = re.compile(r"\b(sugar|sugars|glucose|bg|bm|cgm|libre|dexcom|meter)\b")


def _names_other_analyte(text: str, pos: int) -> bool:
    """Whether the last test named before the number at `pos` (same clause) is not a blood sugar."""
    clause = re.split(r"[.,;!?]", text[max(0, pos - 40):pos])[-1]
    other = [m.end() for m in OTHER_ANALYTE.finditer(clause)]
    sugar = [m.end() for m in _GLUCOSE_WORD.finditer(clause)]
    return bool(other) and (not sugar or other[-1] > sugar[-1])


# ---- presentations ---------------------------------------------------------------------------
A, C, P, M = "adult", "child", "pregnancy", "mental health"
PRESENTATIONS: list[Presentation] = [
    # --- cardiovascular
    _p("acute coronary syndrome", A, "possible heart attack: chest pain with sweating, breathlessness, arm/jaw pain or faintness",
       ["chest_pain sweating|pain_radiates|breathless|faint|pale_shock|vomiting|collapse|cardiac_quality", "named_emergency"],
       "OM chest_pain.json ACS (DOI 10.1016/j.jacc.2021.07.053); NHS999 heart attack; ESI 2"),
    _p("aortic dissection or ruptured aneurysm", A, "possible aortic dissection or ruptured aneurysm: tearing pain or known aneurysm with pain and faintness",
       ["tearing_pain", "back_pain|abdo_pain|severe_pain faint|pale_shock|collapse aneurysm"],
       "OM chest_pain.json Aortic Dissection; OM abdominal_pain.json AAA rupture 'known AAA with new pain' (DOI 10.1056/NEJMra2304821)"),
    _p("pulmonary embolism", A, "possible blood clot in the lung: sudden breathlessness or pleuritic chest pain after surgery, with a swollen calf or coughing blood",
       ["pleuritic_pain breathless|post_op|calf_swollen|haemoptysis", "haemoptysis breathless", "breathless calf_swollen|post_op"],
       "OM dyspnea.json Pulmonary Embolism (DOI 10.3238/arztebl.2016.0834); OM lower_extremity_swelling.json DVT red flags"),
    _p("dangerous heart rhythm", A, "very fast or very slow heart rate with symptoms",
       ["tachycardia_severe faint|chest_pain|breathless|pale_shock|confused", "bradycardia_severe faint|collapse|breathless|confused",
        "palpitations collapse|chest_pain", "electric palpitations|chest_pain|faint|collapse|unresponsive"],
       "OM palpitations.json VT/AF red flags (DOI 10.1093/europace/eur130); OM syncope.json bradycardia < 40 (DOI 10.1093/eurheartj/ehy037)"),
    _p("hypertensive emergency", A, "very high blood pressure with headache, vision or chest symptoms",
       ["bp_crisis headache|severe_headache|visual_disturbance|vision_loss|chest_pain|confused|breathless"],
       "OM headache.json Hypertensive Emergency 'Systolic BP greater than 180 or diastolic greater than 120 with end-organ damage' (DOI 10.1016/j.annemergmed.2019.07.009)"),
    _p("shock", A, "signs of shock: low blood pressure with faintness or confusion",
       ["low_bp faint|confused|pale_shock|collapse", "pale_shock sweating faint|confused|collapse|chest_pain|breathless"], "ESI 2 danger-zone vital signs; OM syncope.json 'hypotension or shock'"),
    # --- neurological
    _p("stroke", A, "possible stroke: face droop, arm weakness, speech or sudden vision trouble (FAST)",
       ["face_droop", "speech", "one_sided_weakness", "vision_loss sudden|one_sided_weakness|face_droop|speech|headache"],
       "NHS999 stroke (FAST); OM headache.json cervical artery dissection 'focal deficits'; OM altered_mental_status.json stroke"),
    _p("subarachnoid haemorrhage", A, "possible bleed on the brain: sudden worst-ever (thunderclap) headache",
       ["thunderclap"], "OM headache.json Subarachnoid Hemorrhage 'sudden onset to maximal intensity within seconds to minutes'"),
    _p("status epilepticus or first seizure", f"{A},{C}", "seizure lasting 5 minutes or more, a first seizure or not waking after it",
       ["seizure seizure_long", "seizure_long", "first_seizure", "seizure unresponsive"],
       "NHS999 seizures; OM altered_mental_status.json 'status epilepticus'"),
    _p("unresponsive or not breathing", f"{A},{C}", "unresponsive, collapsed or not breathing normally",
       ["unresponsive", "collapse", "apnoea"],
       "ESI level 1 (unresponsive, apnoea); NHS999 'unconscious'"),
    _p("sudden confusion", A, "sudden confusion or drowsiness with infection, low sugar, a head injury or poisoning",
       ["confused sudden", "confused infection|fever|glucose_low|glucose_high|head_injury|ingested|fumes|hypothermia|heat_illness"],
       "ESI level 2 'new onset confusion, lethargy or disorientation'; NHS999 'sudden confusion'; OM altered_mental_status.json"),
    _p("meningitis", f"{A},{C}", "possible meningitis: fever or headache with stiff neck, light sensitivity or a rash that doesn't fade",
       ["non_blanching_rash", "neck_stiff fever|headache|vomiting|photophobia", "photophobia fever neck_stiff|severe_headache|vomiting",
        "bulging_fontanelle"],
       "OM headache.json Bacterial Meningitis; OM fever.json 'petechial or purpuric rash'; NHS999 rash under a glass; NICE NG143"),
    _p("head injury with red flags", f"{A},{C}", "head injury with loss of consciousness, vomiting, drowsiness, seizure or on blood thinners",
       ["head_injury knocked_out|vomiting|confused|seizure|anticoagulant|unresponsive"],
       "NICE NG232 head injury; OM altered_mental_status.json TBI 'coagulopathy (anticoagulant use)'"),
    _p("spinal cord injury", A, "possible spinal cord injury: numbness, tingling or weakness after an injury",
       ["trauma numb_limbs_both", "shallow_dive numb_limbs_both|neck_back_injury", "neck_back_injury trauma numb_limbs_both"],
       "NEXUS / Canadian C-spine rule (focal neurological deficit, dangerous mechanism); NHS999 'severe injuries'"),
    _p("cauda equina syndrome", A, "possible cauda equina syndrome: back pain with numbness around the bottom or new incontinence",
       ["saddle", "back_pain incontinence_new|retention"], "NHS cauda equina syndrome (go to A&E); OM fever.json 'spinal cord compression'"),
    # --- respiratory / airway
    _p("severe breathing difficulty", f"{A},{C}", "severe breathing difficulty: can't speak, blue lips, retractions, inhaler not working",
       ["severe_breathing", "hypoxia", "breathless at_rest", "breathless stridor", "breathless confused|collapse|unresponsive"],
       "ESI level 1 (severe respiratory distress, SpO2 < 90 %); OM dyspnea.json Asthma 'inability to speak in full sentences'"),
    _p("choking or airway obstruction", f"{A},{C}", "choking or airway obstruction",
       ["choking", "stridor drooling|at_rest|barking_cough", "drooling breathless|stridor"],
       "OM sore_throat.json Epiglottitis 'stridor', 'inability to swallow secretions' (DOI 10.1093/cid/cis629); NHS choking"),
    _p("anaphylaxis", f"{A},{C}", "possible anaphylaxis: allergic signs with airway swelling, breathing difficulty, faintness or low blood pressure",
       ["airway_angioedema", "allergen|hives|angioedema breathless|severe_breathing|faint|low_bp|collapse|airway_angioedema|stridor|wheeze",
        "allergen hives|angioedema vomiting|pale_shock|hoarse|coughing", "sting angioedema", "adrenaline_used"],
       "OM dyspnea.json Anaphylaxis 'upper airway obstruction (stridor)', 'hypotension'; NHS999 'sudden swelling of lips, mouth, throat "
       "or tongue'; NHS insect bites and stings (call 999: swelling of the lips, mouth, throat or tongue); WAO 2020 anaphylaxis criteria"),
    # --- infection
    _p("sepsis", f"{A},{C}", "possible sepsis: infection with confusion, mottled skin, fast breathing, no urine or a racing heart",
       ["infection|fever|fever_measured confused|mottled|breathless|no_urine|rigors|tachycardia|low_bp|floppy|unresponsive|impending_doom",
        "fever_measured tachycardia|tachycardia_severe", "spreading_red floppy|confused|severe_pain|fever"],
       "OM fever.json Sepsis/Septic Shock (DOI 10.1016/j.idc.2007.09.002); NHS sepsis; Sepsis-3 qSOFA"),
    _p("necrotising infection", A, "rapidly spreading, very painful skin infection",
       ["spreading_red severe_pain"], "OM fever.json SSTI 'pain out of proportion', 'rapid progression with systemic toxicity'"),
    # --- bleeding / abdomen
    _p("major haemorrhage", f"{A},{C}", "severe bleeding that won't stop or large blood loss",
       ["bleeding_uncontrolled", "blood_loss_major", "big_wound pale_shock|faint|confused"],
       "NHS999 'heavy bleeding that will not stop'; ATLS haemorrhage classes; ESI 1-2"),
    _p("gastrointestinal bleeding", A, "vomiting blood or black stools, possibly with faintness",
       ["haematemesis", "melaena faint|pale_shock|collapse"],
       "OM abdominal_pain.json PUD 'hematemesis or melena'; OM syncope.json 'GI bleeding'"),
    _p("shock after injury", A, "injury with signs of shock or internal bleeding",
       ["trauma pale_shock|faint|tachycardia|confused distension|abdo_pain|big_wound|pale_shock|faint|tachycardia"],
       "ATLS hypovolaemic shock (tachycardia, pallor, cool skin, thirst); OM abdominal_pain.json 'hemodynamic instability'"),
    _p("limb-threatening injury", A, "cold, white or numb limb after an injury or crush",
       ["limb_ischaemia", "crush numb_limbs_both|limb_ischaemia"], "OM chest_pain.json 'acute limb ischemia'; OM acute_kidney_injury.json 'compartment syndrome signs'"),
    _p("peritonitis or perforation", A, "severe abdominal pain with a rigid belly, faintness or sweating",
       ["rigid_abdomen", "abdo_pain severe_pain faint|sweating|pale_shock|collapse"],
       "OM abdominal_pain.json perforated viscus 'peritonitis with diffuse guarding', 'hemodynamic instability'"),
    _p("bowel obstruction", A, "possible bowel obstruction: no stool or wind with vomiting and a swollen belly",
       ["no_stool_wind vomiting|bilious_vomit|distension", "bilious_vomit distension|abdo_pain"],
       "OM abdominal_pain.json Small Bowel Obstruction red flags"),
    # --- metabolic
    _p("severe hypoglycaemia", f"{A},{C}", "dangerously low blood sugar with symptoms",
       ["glucose_low confused|sweating|faint|unresponsive|seizure|pale_shock|floppy", "glucose_very_low"],
       "ADA 2024 hypoglycaemia levels 2-3 (< 54 mg/dL = 3.0 mmol/L); OM altered_mental_status.json Hypoglycemia"),
    _p("diabetic ketoacidosis or hyperosmolar state", f"{A},{C}", "very high blood sugar with vomiting, deep breathing, drowsiness or ketone breath",
       ["glucose_high vomiting|breathless|confused|ketone_breath|abdo_pain|unresponsive", "glucose_very_high"],
       "ADA 2024 hyperglycaemic crises; OM altered_mental_status.json Hyperglycemic Crisis (DKA/HHS)"),
    # --- urology
    _p("testicular torsion", f"{C},{A}", "possible testicular torsion: sudden testicle pain, swelling or vomiting",
       ["testicle_pain sudden|vomiting|severe_pain|swollen_testicle"],
       "NHS testicular torsion ('go to A&E immediately'); EAU paediatric urology guideline (acute scrotum)"),
    _p("priapism", A, "erection lasting 4 hours or more", ["priapism"], "NHS priapism (A&E if > 4 hours)"),
    _p("acute urinary retention", A, "unable to pass urine with a painful bladder",
       ["retention severe_pain|abdo_pain|distension"], "OM acute_kidney_injury.json obstructive uropathy 'complete anuria', "
       "'palpable bladder' (DOI 10.1038/kisup.2012.1)"),
    # --- toxicology / environment
    _p("poisoning or overdose", f"{A},{C}", "possible poisoning or overdose",
       ["overdose_amount", "caustic ingested", "battery_magnet", "toxic_plant ingested vomiting|confused|faint|drooling|breathless|unresponsive"],
       "OM altered_mental_status.json drug intoxication; NHS poisoning (999 if symptoms); NHS button battery advice"),
    _p("toxic inhalation", A, "toxic fumes or gas with symptoms (mixing cleaners, chemicals, carbon monoxide)",
       ["mixed_chemicals", "fumes|caustic irritation|breathless|wheeze|drooling", "co_alarm", "co_source headache|faint|confused|vomiting",
        "household_symptoms co_source|fumes"],
       "NHS carbon monoxide poisoning; NHS poisoning; ESI 2 high-risk exposure"),
    _p("major burn or electrical injury", f"{A},{C}", "serious burn, scald or electrical injury",
       ["burn_major", "electric"], "NHS burns and scalds (A&E for large, facial, chemical, electrical burns and children)"),
    _p("hypothermia", A, "severe hypothermia: very cold with confusion or barely moving",
       ["hypothermia", "hypothermia_temp confused|unresponsive"], "NHS hypothermia (call 999)"),
    _p("heatstroke", A, "heatstroke: overheated with confusion or no sweating",
       ["heat_illness"], "NHS heat exhaustion and heatstroke (call 999)"),
    _p("drowning", f"{A},{C}", "rescued from water with coughing, drowsiness or breathing trouble",
       ["drowning breathless|confused|unresponsive|severe_breathing|vomiting|coughing"], "ESI 1-2; NHS999"),
    # --- children
    _p("fever in a young baby", C, "fever in a baby under 3 months (38 °C / 100.4 °F or more)",
       ["infant_fever", "infant_u3m fever_measured", "infant_u3m fever !temp_normal"],
       "NICE NG143 red: age < 3 months with temperature >= 38 °C"),
    _p("seriously ill child", C, "a child with red-flag signs: floppy, unresponsive, weak cry, grunting, blue or mottled",
       ["child floppy|weak_cry|mottled|bulging_fontanelle|unresponsive|severe_breathing",
        "child not_feeding jaundice|floppy|unresponsive", "child tachycardia_severe pale_shock|fever|floppy"],
       "NICE NG143 red features; NHS999 for babies and children"),
    _p("severe dehydration in a child", C, "a child with signs of severe dehydration: no wet nappies, sunken eyes",
       ["child no_urine sunken|floppy|vomiting|not_feeding", "child sunken"], "NICE NG143 / CG84 red: reduced skin turgor, sunken eyes"),
    _p("croup or epiglottitis with stridor", C, "noisy breathing (stridor) at rest or drooling in a child",
       ["child stridor", "child barking_cough breathless|drooling|severe_breathing"],
       "OM sore_throat.json Epiglottitis 'stridor', 'inability to swallow secretions'"),
    _p("intussusception", C, "possible intussusception: red-jelly stool or screaming with legs drawn up in a baby",
       ["red_jelly_stool", "colic_legs vomiting|red_jelly_stool|bilious_vomit"], "NHS intussusception; NICE CKS"),
    # --- mental health
    _p("suicide risk", M, "thoughts of suicide or of harming oneself, with or without a plan",
       ["suicidal", "final_acts"], "OM altered_mental_status.json Psychiatric 'suicidal or homicidal ideation'; NHS999 "
       "'someone has seriously harmed themselves or is about to'; 988 Lifeline / Samaritans safe messaging", crisis=True),
    _p("serious self-harm", M, "self-harm with serious injury",
       ["self_harm_injury bleeding_uncontrolled|big_wound|blood_loss_major"], "NHS999; NHS self-harm", crisis=True),
    _p("intentional overdose", M, "an overdose of tablets",
       ["overdose_amount"], "NHS999 suicide attempt; OM altered_mental_status.json drug intoxication"),
    _p("risk to others", M, "a person at risk of harming others (voices, a weapon)",
       ["harm_others strange_beliefs|confused", "strange_beliefs harm_others"], "OM altered_mental_status.json 'homicidal ideation'"),
    _p("someone unreachable after a goodbye", M, "someone who said goodbye or threatened suicide and cannot be reached",
       ["final_acts not_answering|locked_in", "suicidal locked_in"], "NHS999 'about to seriously harm themselves'", crisis=True),
    *MATERNAL_PRESENTATIONS,
    *LAB_PRESENTATIONS,
]
# Same-day presentations (level `urgent`): checked when no emergency presentation matched.
URGENT_PRESENTATIONS: list[Presentation] = [*MATERNAL_URGENT, *LAB_URGENT]

# Extra compound findings defined from the text (kept here so presentations stay declarative).
_EXTRA: dict[str, str] = {
    "aneurysm": r"aneurysm|aaa",
    "post_op": r"(after|since) (my|his|her|the) (op|operation|surgery|knee op|hip op|c[- ]?section)|weeks? after .{0,15}(op|operation|surgery)|"
               r"long[- ]haul flight",
    "calf_swollen": r"calf (has been |is |was )?(swollen|swelling|hot|red|painful)|(swollen|painful) calf",
    "apnoea": r"(not|isn't|stopped|no) breathing(?! (properly|right|normally))",
    "ketone_breath": r"(breath|breathe) (smells|smelling) (like |of )?(nail polish|pear drops|acetone|fruity|sweet)|ketones",
    "swollen_testicle": r"(testicle|ball|nut|scrotum)s? .{0,30}(swollen|swelling|higher than|red)",
    "child": r"\b(baby|babies|child|son|daughter|boy|girl|toddler|grandson|granddaughter|newborn|infant|\d{1,2}[- ](day|week|month|year|yr)s?[- ]old|"
             r"(\d{1,2}) (yo|y/o)|my (little|4|3|2|1|5|6) |teen|teenage)",
    "coughing": r"cough",
}
FINDINGS.update(_EXTRA)
FINDINGS.update(MATERNAL_FINDINGS)
FINDINGS.update(LAB_FINDINGS)


def matching_presentations(found: set[str]) -> list[Presentation]:
    """Emergency presentations whose finding combination is met."""
    return [p for p in PRESENTATIONS if p.matches(found)]


def urgent_presentations(found: set[str]) -> list[Presentation]:
    """Same-day presentations whose finding combination is met."""
    return [p for p in URGENT_PRESENTATIONS if p.matches(found)]
