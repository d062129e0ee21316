"""Literal MedQuAD XML files and an open-medicine-style folder for the knowledge tests."""

from __future__ import annotations

import json
from pathlib import Path

STROKE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000066" source="NIHSeniorHealth" url="http://nihseniorhealth.gov/stroke/toc.html">
<Focus>Stroke</Focus>
<FocusAnnotations>
	<UMLS><CUIs><CUI>C0038454</CUI></CUIs><SemanticGroup>Disorders</SemanticGroup></UMLS>
	<Synonyms><Synonym>Brain attack</Synonym><Synonym>CVA</Synonym></Synonyms>
</FocusAnnotations>
<QAPairs>
	<QAPair pid="1">
		<Question qid="0000066-1" qtype="information">What is (are) Stroke ?</Question>
		<Answer>A stroke occurs when the blood supply to part of the brain is suddenly interrupted.    - Brain cells begin to die within minutes.</Answer>
	</QAPair>
	<QAPair pid="3">
		<Question qid="0000066-3" qtype="symptoms">What are the symptoms of Stroke ?</Question>
		<Answer>The symptoms come on suddenly:    - numbness or weakness of the face, arm, or leg, especially on one side of the body    - confusion, trouble speaking or understanding    - sudden severe headache with no known cause
                Call 911 immediately if you have any of these symptoms.</Answer>
	</QAPair>
	<QAPair pid="4">
		<Question qid="0000066-4" qtype="susceptibility">Who is at risk for Stroke? ?</Question>
		<Answer>Age is the most important risk factor. High blood pressure and smoking also raise the risk.</Answer>
	</QAPair>
	<QAPair pid="9">
		<Question qid="0000066-9" qtype="treatment">What are the treatments for Stroke ?</Question>
		<Answer></Answer>
	</QAPair>
</QAPairs>
</Document>
"""

HBP_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000031" source="NHLBI" url="http://www.nhlbi.nih.gov/health/health-topics/topics/hbp">
<Focus>High Blood Pressure</Focus>
<FocusAnnotations><Synonyms><Synonym>Hypertension</Synonym><Synonym>HBP</Synonym></Synonyms></FocusAnnotations>
<QAPairs>
	<QAPair pid="1">
		<Question qid="0000031-1" qtype="information">What is (are) High Blood Pressure ?</Question>
		<Answer>High blood pressure is a common disease in which blood flows through blood vessels at higher than normal pressures.</Answer>
	</QAPair>
	<QAPair pid="5">
		<Question qid="0000031-5" qtype="treatment">What are the treatments for High Blood Pressure ?</Question>
		<Answer>Lifestyle changes such as a low-salt diet and medicines such as diuretics can control blood pressure.</Answer>
	</QAPair>
</QAPairs>
</Document>
"""

# A CDC file uses another root element; an NINDS file has no pairs at all.
KIDNEY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<DiseaseFile fid="0000397" source="CDC" url="http://www.cdc.gov/kidney/stones/">
<Focus>Kidney Stones</Focus>
<QAPairs>
<QAPair pid="2">
<Question qid="0000397-2" qtype="prevention">How to prevent Kidney Stones ?</Question>
<Answer>Drinking plenty of water every day is the best way to prevent most kidney stones.</Answer>
</QAPair>
</QAPairs>
</DiseaseFile>
"""

EMPTY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<doc docid="0000007" corpus="NINDS" url="http://www.ninds.nih.gov/disorders/holmes_adie/holmes_adie.htm">
<doctitle-focus>Holmes-Adie</doctitle-focus>
</doc>
"""

ACS_MD = """# Antithrombotic Therapy in Acute Coronary Syndromes — ESC 2023

## Antiplatelet Therapy

### Aspirin (Class I, Level of Evidence A)
- **Loading dose:** 150–300 mg orally
- **Maintenance dose:** 75–100 mg once daily, continued indefinitely.

### P2Y12 Inhibitors

DAPT with aspirin plus a potent P2Y12 inhibitor is recommended for 12 months (Class I, Level of Evidence A).

| Drug | Loading | Maintenance |
|---|---|---|
| Ticagrelor | 180 mg | 90 mg twice daily |

> **OpenMedicine Calculator:** `calculate_grace` — available via MCP.

---

## Algorithm

```
Suspected ACS
  → ECG within 10 minutes
```
"""

REGISTRY = [{"id": "esc_acs_2023", "title": "2023 ESC Guidelines for the management of acute coronary syndromes",
             "doi": "10.1093/eurheartj/ehad191", "year": 2023, "organization": "ESC", "topics": ["aspirin"],
             "sections": ["antithrombotic_therapy"]}]

CHEST_PAIN = {
    "differential_id": "chest_pain", "title": "Chest Pain Differential Diagnosis",
    "description": "Differential diagnosis for acute chest pain in adults.", "keywords": ["chest pain"],
    "source_doi": "10.1016/j.jacc.2021.07.053", "source_description": "2021 AHA/ACC Chest Pain Guideline",
    "diagnoses": [{"name": "Acute Coronary Syndrome (ACS)", "likelihood": "must_not_miss",
                   "key_features": ["Substernal pressure"], "red_flags": ["ST changes on ECG", "Elevated troponin"],
                   "recommended_tests": ["Serial troponin", "calculate_heart_score"], "related_guidelines": [],
                   "age_modifier": None, "sex_modifier": None}],
}


def write_medquad_repo(root: Path) -> Path:
    """A MedQuAD-like checkout with the nine answered subset folders (most empty)."""
    from retrieval.knowledge.medquad import SUBSETS

    for name in SUBSETS:
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "7_SeniorHealth_QA" / "0000066.xml").write_text(STROKE_XML)
    (root / "8_NHLBI_QA_XML" / "0000031.xml").write_text(HBP_XML)
    (root / "9_CDC_QA" / "0000397.xml").write_text(KIDNEY_XML)
    (root / "6_NINDS_QA" / "0000007.xml").write_text(EMPTY_XML)
    return root


def write_open_medicine(root: Path) -> Path:
    """An open-medicine-like package folder: registry, one summary, one differential file."""
    (root / "guidelines" / "content" / "esc_acs_2023").mkdir(parents=True)
    (root / "guidelines" / "registry.json").write_text(json.dumps(REGISTRY))
    (root / "guidelines" / "content" / "esc_acs_2023" / "antithrombotic_therapy.md").write_text(ACS_MD)
    (root / "mcp" / "differentials" / "data").mkdir(parents=True)
    (root / "mcp" / "differentials" / "data" / "chest_pain.json").write_text(json.dumps(CHEST_PAIN))
    return root
