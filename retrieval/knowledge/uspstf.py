"""USPSTF recommendation statements with their grades (US Preventive Services Task Force; US
government work, public domain).

The source is a JSON list of 142 statements (title "Topic: Service -- Population", recommendation
text, grade A/B/C/D/I) without dates, some of them older than the topic's current statement. Only
the recommendation text and the grade are used. Each statement is dated by its topic's current
final recommendation (`YEARS`, checked against the statement's wording, e.g. breast cancer
screening "40 to 74 years" is the 2024 statement); a topic whose year cannot be told is left out
(`LEFT_OUT`), and so is a statement whose text is not the current one.

One document per topic (kind "uspstf", collection "guideline"); one section per population, named
"<population> (Grade B)", so the grade stays with its text in every chunk.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from retrieval.types import Document, Section

DATA_FILE = "uspstf.jsonl.gz"
KIND = "uspstf"
#: How records become documents; a change re-ingests the statements in every home.
TEXT_FORMAT = "1"
ORGANIZATION = "US Preventive Services Task Force"
URL = "https://www.uspreventiveservicestaskforce.org/"
GRADES = {"A", "B", "C", "D", "I"}

# Year of each topic's current final recommendation statement.
YEARS: dict[str, int] = {
    "Abdominal Aortic Aneurysm: Screening": 2019,
    "Adolescent Idiopathic Scoliosis: Screening": 2018,
    "Anxiety Disorders in Adults: Screening": 2023,
    "Anxiety in Children and Adolescents: Screening": 2022,
    "Aspirin Use to Prevent Cardiovascular Disease: Preventive Medication": 2022,
    "Aspirin Use to Prevent Preeclampsia and Related Morbidity and Mortality: Preventive Medication": 2021,
    "Asymptomatic Bacteriuria in Adults: Screening": 2019,
    "Asymptomatic Carotid Artery Stenosis: Screening": 2021,
    "Atrial Fibrillation: Screening": 2022,
    "Autism Spectrum Disorder in Young Children: Screening": 2016,
    "BRCA-Related Cancer: Risk Assessment, Genetic Counseling, and Genetic Testing": 2019,
    "Bacterial Vaginosis in Pregnant Persons to Prevent Preterm Delivery: Screening": 2020,
    "Bladder Cancer in Adults: Screening": 2011,
    "Breast Cancer: Medication Use to Reduce Risk": 2019,
    "Breast Cancer: Screening": 2024,
    "Breastfeeding: Primary Care Behavioral Counseling Interventions": 2025,
    "Cardiovascular Disease Risk: Screening With Electrocardiography": 2018,
    "Cardiovascular Disease: Risk Assessment With Nontraditional Risk Factors": 2018,
    "Celiac Disease: Screening": 2017,
    "Cervical Cancer: Screening": 2018,
    "Chlamydia and Gonorrhea: Screening": 2021,
    "Chronic Obstructive Pulmonary Disease: Screening": 2022,
    "Cognitive Impairment in Older Adults: Screening": 2020,
    "Colorectal Cancer: Screening": 2021,
    "Depression and Suicide Risk in Adults: Screening": 2023,
    "Depression and Suicide Risk in Children and Adolescents: Screening": 2022,
    "Eating Disorders in Adolescents and Adults: Screening": 2022,
    "Falls Prevention in Community-Dwelling Older Adults: Interventions": 2024,
    "Folic Acid Supplementation to Prevent Neural Tube Defects: Preventive Medication": 2023,
    "Food Insecurity: Screening": 2025,
    "Genital Herpes Infection: Serologic Screening": 2023,
    "Gestational Diabetes: Screening": 2021,
    "Healthy Diet and Physical Activity for Cardiovascular Disease Prevention in Adults With Cardiovascular "
    "Risk Factors: Behavioral Counseling Interventions": 2020,
    "Healthy Diet and Physical Activity for Cardiovascular Disease Prevention in Adults Without Cardiovascular "
    "Disease Risk Factors: Behavioral Counseling Interventions": 2022,
    "Healthy Weight and Weight Gain In Pregnancy: Behavioral Counseling Interventions": 2021,
    "Hearing Loss in Older Adults: Screening": 2021,
    "Hepatitis B Virus Infection in Adolescents and Adults: Screening": 2020,
    "Hepatitis B Virus Infection in Pregnant Women: Screening": 2019,
    "Hepatitis C Virus Infection in Adolescents and Adults: Screening": 2020,
    "High Blood Pressure in Children and Adolescents: Screening": 2020,
    "High Body Mass Index in Children and Adolescents: Interventions": 2024,
    "Hormone Therapy in Postmenopausal Persons: Primary Prevention of Chronic Conditions": 2022,
    "Human Immunodeficiency Virus (HIV) Infection: Screening": 2019,
    "Hypertension in Adults: Screening": 2021,
    "Hypertensive Disorders of Pregnancy: Screening": 2023,
    "Illicit Drug Use in Children, Adolescents, and Young Adults: Primary Care-Based Interventions": 2020,
    "Impaired Visual Acuity in Older Adults: Screening": 2022,
    "Intimate Partner Violence and Caregiver Abuse of Older or Vulnerable Adults: Screening": 2025,
    "Iron Deficiency and Iron Deficiency Anemia During Pregnancy: Screening and Supplementation": 2024,
    "Latent Tuberculosis Infection in Adults: Screening": 2023,
    "Lipid Disorders in Children and Adolescents: Screening": 2023,
    "Lung Cancer: Screening": 2021,
    "Obstructive Sleep Apnea in Adults: Screening": 2022,
    "Ocular Prophylaxis for Gonococcal Ophthalmia Neonatorum: Preventive Medication": 2019,
    "Oral Cancer: Screening": 2013,
    "Oral Health in Adults: Screening and Preventive Interventions": 2023,
    "Oral Health in Children and Adolescents Aged 5 to 17 Years: Screening and Preventive Interventions": 2023,
    "Osteoporosis to Prevent Fractures: Screening": 2025,
    "Ovarian Cancer: Screening": 2018,
    "Pancreatic Cancer: Screening": 2019,
    "Perinatal Depression: Preventive Interventions": 2019,
    "Peripheral Artery Disease and Cardiovascular Disease: Screening and Risk Assessment With the Ankle-Brachial "
    "Index": 2018,
    "Prediabetes and Type 2 Diabetes in Children and Adolescents: Screening": 2022,
    "Prediabetes and Type 2 Diabetes: Screening": 2021,
    "Prevention of Acquisition of HIV: Preexposure Prophylaxis": 2023,
    "Prevention of Child Maltreatment: Primary Care Interventions": 2024,
    "Prevention of Dental Caries in Children Younger Than 5 Years: Screening and Interventions": 2021,
    "Primary Open-Angle Glaucoma: Screening": 2022,
    "Prostate Cancer: Screening": 2018,
    "Rh(D) Incompatibility: Screening": 2004,
    "Sexually Transmitted Infections: Behavioral Counseling": 2020,
    "Skin Cancer Prevention: Behavioral Counseling": 2018,
    "Skin Cancer: Screening": 2023,
    "Statin Use for the Primary Prevention of Cardiovascular Disease in Adults: Preventive Medication": 2022,
    "Syphilis Infection During Pregnancy: Screening": 2025,
    "Syphilis Infection in Nonpregnant Adolescents and Adults: Screening": 2022,
    "Testicular Cancer: Screening": 2011,
    "Thyroid Cancer: Screening": 2017,
    "Thyroid Dysfunction: Screening": 2015,
    "Tobacco Smoking Cessation in Adults, Including Pregnant Persons: Interventions": 2021,
    "Tobacco Use in Children and Adolescents: Primary Care Interventions": 2020,
    "Unhealthy Alcohol Use in Adolescents and Adults: Screening and Behavioral Counseling Interventions": 2018,
    "Unhealthy Drug Use: Screening": 2020,
    "Vision in Children Ages 6 Months to 5 Years: Screening": 2017,
    "Vitamin D Deficiency in Adults: Screening": 2021,
    "Vitamin, Mineral, and Multivitamin Supplementation to Prevent Cardiovascular Disease and Cancer: Preventive "
    "Medication": 2022,
    "Weight Loss to Prevent Obesity-Related Morbidity and Mortality in Adults: Behavioral Interventions": 2018,
}

# Topics left out, with the reason (their statements' wording fits more than one release).
LEFT_OUT: dict[str, str] = {
    "Iron Deficiency Anemia in Young Children: Screening": "wording shared by the 2015 and a later statement",
    "Speech and Language Delay and Disorders in Children: Screening":
        "wording shared by the 2015 and a later statement",
    "Vitamin D, Calcium, or Combined Supplementation for the Primary Prevention of Fractures in Community-Dwelling "
    "Adults: Preventive Medication": "2018 doses-based statements; the topic has been updated since",
}

# Sentences that point to parts of the USPSTF page not carried here.
_POINTER = re.compile(r"^(?:\(?See |Go to |Literature scans |Read the |For more |\(Screening refers)", re.I)


def split_title(title: str) -> tuple[str, str]:
    """'Breast Cancer: Screening -- Women aged 40 to 74 years' -> (topic, population)."""
    topic, _, population = title.partition(" -- ")
    return " ".join(topic.split()), " ".join(population.split())


def clean_recommendation(text: str) -> str:
    """The recommendation's own sentences: glued sentences split, pointers to other sections dropped."""
    text = " ".join((text or "").split()).replace("--", "-")
    text = re.sub(r"([a-z)\]])\.(?=[A-Z(])", r"\1. ", text)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text)
    return " ".join(s for s in sentences if s and not _POINTER.match(s)).strip()


def parse_statements(raw: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Dated records of the source statements, and how many statements each left-out topic had.

    Returns:
        ([{id, topic, population, grade, text, year}], {left-out topic: statements})

    Raises:
        ValueError: a statement without title, text or a known grade.
    """
    out: list[dict[str, Any]] = []
    dropped: dict[str, int] = {}
    for st in raw:
        topic, population = split_title(st.get("title") or "")
        grade = (st.get("grade") or "").strip().upper()
        text = clean_recommendation(st.get("recommendation") or "")
        if not topic or not text or grade not in GRADES:
            raise ValueError(f"statement {st.get('id')!r}: no title, recommendation or grade A-D/I")
        year = YEARS.get(topic)
        if year is None:
            dropped[topic] = dropped.get(topic, 0) + 1
            continue
        out.append({"id": str(st.get("id") or f"{topic} -- {population}"), "topic": topic, "population": population,
                    "grade": grade, "text": text, "year": year})
    return out, dropped


def data_path():
    """The bundled data file (an importlib.resources Traversable)."""
    return resources.files("retrieval") / "data" / DATA_FILE


def read_records(path=None) -> Iterator[dict[str, Any]]:
    """Records of a USPSTF JSON-lines file (default: the bundled one).

    Raises:
        UserError: the file is missing or not valid JSON lines.
    """
    src = data_path() if path is None else Path(path)
    from retrieval.knowledge.records import read_gz_jsonl

    yield from read_gz_jsonl(src, "USPSTF")


def digest(path=None) -> str:
    """sha256 of the data file plus the text format: what `ensure_bundled` remembers."""
    src = data_path() if path is None else Path(path)
    return hashlib.sha256(src.read_bytes()).hexdigest() + f".text{TEXT_FORMAT}"


def _slug(topic: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")


def cite_as(topic: str, year: int) -> str:
    """'US Preventive Services Task Force. Breast Cancer: Screening. Recommendation statement, 2024.'"""
    return f"{ORGANIZATION}. {topic}. Recommendation statement, {year}."


def to_documents(records: Iterable[dict[str, Any]]) -> Iterator[Document]:
    """One document per topic (in first-seen order), one section per population with its grade."""
    topics: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        topics.setdefault(rec["topic"], []).append(rec)
    for topic, recs in topics.items():
        year = max(int(r["year"]) for r in recs)
        sections = [Section(text=r["text"], name=f"{r['population'] or 'All'} (Grade {r['grade']})") for r in recs]
        meta = {"collection": "guideline", "guideline": f"USPSTF recommendation: {topic}", "organization": ORGANIZATION,
                "publisher": ORGANIZATION, "url": URL, "year": year, "note": f"USPSTF, {year}",
                "cite_as": cite_as(topic, year), "grades": sorted({r["grade"] for r in recs}),
                "doc_type": "recommendation statement"}
        yield Document(doc_id=f"uspstf:{_slug(topic)}", kind=KIND, title=topic, sections=sections, meta=meta,
                       version=f"{year}.{TEXT_FORMAT}")


def documents(path=None) -> Iterator[Document]:
    """Documents of a USPSTF data file (default: the bundled one)."""
    yield from to_documents(read_records(path))
