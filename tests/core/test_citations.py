import datetime as dt

from bot.citations import citation_record, evidence_note
from core_fakes import ASPIRIN, STROKE


def test_evidence_note_warns_when_all_old():
    assert "Caution" in evidence_note([ASPIRIN], 10, dt.date(2026, 1, 1))
    note = evidence_note([ASPIRIN, STROKE], 10, dt.date(2026, 1, 1))
    assert note.startswith("Evidence published 1988-2021") and "Caution" not in note


def test_citation_record_has_pubmed_link():
    rec = citation_record(ASPIRIN)
    assert rec["id"] == "PMID:3081859" and rec["kind"] == "pubmed" and rec["year"] == 1988
    assert rec["url"] == "https://pubmed.ncbi.nlm.nih.gov/3081859/"
