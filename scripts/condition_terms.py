"""Regenerate bot/answers/data/condition_terms.txt: disease words from ICD-10-CM category titles.

Usage: .venv/bin/python scripts/condition_terms.py
"""

import re
from pathlib import Path

import simple_icd_10_cm as cm

GENERIC = set("""attacks accommodation adjustment around attention balance behavior block blood branch branched breaks brief broad cause causes cells central chain changes characterized chemical chemicals color combined common compressions conduct contact containing continuity contracted conversion crisis current cycle defects deficit defined degree density descriptions development developmental dietary direct distress disturbances dysfunction early eating elements elevation elimination embedded emotional episode essential excessive extent external factors female fingers first floor fluid forming frequent function functioning gender german group heavy human identified identity impaired induced inner internal internally involved irregular isolated joint junction known language limited liquids local lower major mature mechanism media middle morphological motor movement movements nervous nutrient occurring onset openings organic otherwise participation parts pathways period persistent physical physiological pressure primarily procedures process profound progressive psychological rapidly reactive reconstructed recurrent regional related resulting ridge scanty secretion sexual sexually shared simple skills small social solids specific specification spontaneous structure structures subsequent substance substances supporting surface sweat taken thickening tract transient transmitted ultraviolet uncertain underlying unidentified upper usually variable vision visual volume white within yellow
abuse alcohol exposure factor failure reaction sleep stress other unspecified specified disorder disorders disease diseases chronic acute without classified
elsewhere involving certain conditions condition status history family personal due following associated
complicated complication complications primary secondary multiple single unknown abnormal abnormalities
findings syndrome syndromes injury sequelae effects effect severe moderate caused organism organisms
types stage stages deficiency excluding including agent agents nature persons person origin
congenital newborn perinatal pregnancy childbirth puerperium maternal fetus mother except site sites
region regions portion organs organ system systems tissue tissues general functional mental behavioral
behavioural according affecting adult african allied absent accessory adolescence acquired childhood infancy
elderly years body bodies using influence involvement localized unspecific""".split())
# Lay names of common conditions that ICD-10-CM titles do not use.
LAY = {"stroke", "cancer", "tumor", "tumour", "flu", "covid", "heartburn", "sepsis", "lupus", "shingles"}

words = sorted({w for c in cm.get_all_codes(with_dots=True) if cm.is_category(c) and "A" <= c[0] <= "N"
                for w in re.findall(r"[a-z]{5,}", cm.get_description(c).lower()) if w not in GENERIC} | LAY)
out = Path(__file__).resolve().parents[1] / "bot/answers/data/condition_terms.txt"
out.write_text("# Disease words from ICD-10-CM category titles, chapters A-N (simple-icd-10-cm), generic words removed.\n"
               "# Regenerate: scripts/condition_terms.py\n" + "\n".join(words) + "\n", encoding="utf-8")
print(f"{len(words)} words -> {out}")
