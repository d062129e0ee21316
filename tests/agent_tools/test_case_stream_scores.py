"""Case summaries: facts first, the narrative streamed and checked per sentence, the fill paused,
and clinical scores in summaries, --json and reports (Markdown, PDF, FHIR)."""

from __future__ import annotations

import base64
import json

import pytest

from bot.cases import case_from_file, summarize_facts, summarize_file
from bot.cases.eval_suite import split_scores, untraceable_summary
from bot.cases.narrative import prompt_facts
from bot.cases.render import facts_text
from bot.cases.trace import TraceIndex, check_text
from bot.cli import main
from bot.config import load_settings
from bot.llm.base import Chunk
from bot.llm.scripted import ScriptedBackend
from bot.reports import write_report
from bot.scores.render import TREATMENT
from bot.store import Store


def _af_bundle(tmp_path):
    """A 73-year-old woman with atrial fibrillation, a past stroke, aspirin, BP and creatinine."""
    entries = [
        {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1950-06-15"},
        {"resourceType": "Condition", "id": "af", "clinicalStatus": {"coding": [{"code": "active"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "49436004", "display": "Atrial fibrillation"}]},
         "onsetDateTime": "2019-01-01"},
        {"resourceType": "Condition", "id": "stroke", "clinicalStatus": {"coding": [{"code": "resolved"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "230690007", "display": "Stroke"}]},
         "onsetDateTime": "2015-03-01", "abatementDateTime": "2015-05-01"},
        {"resourceType": "MedicationRequest", "id": "asa", "status": "active", "intent": "order", "authoredOn": "2023-01-01",
         "medicationCodeableConcept": {"coding": [{"display": "Aspirin 81 MG Oral Tablet"}]}},
        {"resourceType": "Observation", "id": "bp", "status": "final", "effectiveDateTime": "2024-03-01",
         "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure"}]},
         "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                        "valueQuantity": {"value": 150, "unit": "mm[Hg]"}},
                       {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                        "valueQuantity": {"value": 85, "unit": "mm[Hg]"}}]},
        {"resourceType": "Observation", "id": "cr", "status": "final", "effectiveDateTime": "2024-03-01",
         "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0", "display": "Creatinine"}]},
         "valueQuantity": {"value": 1.1, "unit": "mg/dL"}},
    ]
    p = tmp_path / "af.json"
    p.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in entries]}))
    return p


class RecordingBackend:
    """Streams a fixed text word by word and records, in `events`, each chunk it yields."""

    name = "recording"
    is_demo = False

    def __init__(self, text: str, events: list, finish: str = "stop"):
        self.text, self.events, self.finish = text, events, finish

    def stream(self, messages, tools=None, **gen):
        self.events.append(("prompt", messages[1]["content"]))
        for n, word in enumerate(self.text.split(" ")):
            self.events.append(("chunk", n))
            yield Chunk(text=word + " ")
        yield Chunk(finish_reason=self.finish)


NARRATIVE = ("The patient is a 73-year-old female. Her blood pressure was 999/85 mm[Hg]. "
             "She has atrial fibrillation since 2019-01-01. She takes aspirin.")


def test_facts_are_shown_before_the_model_loads_and_sentences_stream(tmp_path):
    facts, rec = case_from_file(None, _af_bundle(tmp_path))
    events: list = []

    def factory():
        events.append(("load", None))
        return RecordingBackend(NARRATIVE, events)

    summary = summarize_facts(facts, scores=[], emit=lambda t: events.append(("emit", t)), backend_factory=factory)
    kinds = [k for k, _ in events]
    assert kinds[0] == "emit" and "### Active problems" in events[0][1]  # facts before anything else
    assert kinds.index("load") > 0
    emitted = [t for k, t in events if k == "emit"]
    # the first sentence is shown while the model is still writing (before the last chunk)
    first = next(i for i, (k, t) in enumerate(events) if k == "emit" and "73-year-old" in t)
    last_chunk = max(i for i, (k, _) in enumerate(events) if k == "chunk")
    assert first < last_chunk
    assert not any("999" in t for t in emitted)  # an untraceable sentence is never shown
    assert summary.narrative == ("The patient is a 73-year-old female. She has atrial fibrillation since 2019-01-01. "
                                 "She takes aspirin.")
    assert summary.flags and summary.flags[0]["token"] == "999"
    assert set(summary.timings) >= {"model_load_s", "prompt_s", "generation_s", "check_s", "chunks"}


def test_generation_stops_after_five_sentences_and_drops_a_cut_fragment(tmp_path):
    facts, _ = case_from_file(None, _af_bundle(tmp_path))
    events: list = []
    seven = " ".join(f"Point {w} holds." for w in ["one", "two", "three", "four", "five", "six", "seven"])
    summary = summarize_facts(facts, backend=RecordingBackend(seven + " And more words here", events))
    assert summary.narrative == " ".join(f"Point {w} holds." for w in ["one", "two", "three", "four", "five"])
    assert max(n for k, n in events if k == "chunk") < len(seven.split(" "))  # the model was stopped early
    assert summary.timings["finish"] == "sentences"
    cut = summarize_facts(facts, backend=RecordingBackend("She takes aspirin. She has atrial fib", [], finish="length"))
    assert cut.narrative == "She takes aspirin."


def test_streamed_check_equals_the_whole_text_check(rich_bundle):
    facts, _ = case_from_file(None, rich_bundle)
    item = facts.vitals[0]
    text = (f"Value {item.value} {item.unit or ''} on {item.date}. Made up 12345 units. "
            "Dr. Who saw 2099-01-01 come. Last line")
    whole, flags = check_text(" ".join(text.split()), TraceIndex.from_facts(facts))
    summary = summarize_facts(facts, backend=ScriptedBackend([text]))
    assert summary.narrative == whole
    assert [f["token"] for f in summary.flags] == [f["token"] for f in flags] == ["12345", "2099-01-01"]


def test_prompt_is_shorter_and_keeps_what_the_narrative_speaks_of(rich_bundle):
    facts, _ = case_from_file(None, rich_bundle)
    prompt = prompt_facts(facts)
    assert len(prompt) < 0.75 * len(facts_text(facts))
    for item in facts.problems[:8] + facts.medications[:8] + facts.allergies[:5]:
        assert item.text in prompt
    assert "Procedures" not in prompt and "Imaging" not in prompt
    # a section's shared date is written once
    labs = next(line for line in prompt.splitlines() if line.startswith("Latest laboratory"))
    assert labs.count(facts.labs[0].date) >= 1


def test_summarize_pauses_the_fill_while_the_model_writes(tmp_path, monkeypatch, capsys):
    from retrieval.dense_fill import answering_now

    settings = load_settings()
    seen = []

    class Pausing(ScriptedBackend):
        def stream(self, messages, tools=None, **gen):
            seen.append(answering_now(settings.home))
            yield from super().stream(messages, tools, **gen)

    monkeypatch.setattr("bot.llm.load_backend", lambda s: Pausing(["She takes aspirin."]))
    rc = main(["summarize", str(_af_bundle(tmp_path))])
    out = capsys.readouterr().out
    assert rc == 0 and seen == [True]
    assert not answering_now(settings.home)  # released once the summary is done
    assert out.index("### Active problems") < out.index("## Clinical scores") < out.index("She takes aspirin.")


def test_summary_holds_scores_with_inputs_sources_dates_and_doi(tmp_path):
    path = _af_bundle(tmp_path)
    summary = summarize_file(None, path)
    _, section = split_scores(summary.markdown)
    assert "### CHA2DS2-VASc = 4" in section  # age 65-74, stroke history, female
    assert "| prior stroke, TIA or thromboembolism | yes | recorded, Condition/stroke | 2015-03-01 |" in section
    assert "DOI 10.1378/chest.09-1584" in section
    assert "HAS-BLED" in section and "Ask for:" in section
    assert untraceable_summary(summary, json.loads(path.read_text())) == []


def test_summarize_json_has_scores(tmp_path, capsys):
    rc = main(["summarize", str(_af_bundle(tmp_path)), "--no-llm", "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert rc == 0
    cha = next(s for s in obj["scores"] if s["key"] == "cha2ds2_vasc")
    assert cha["value"] == 4 and cha["interpretation"] and cha["doi"] == "10.1378/chest.09-1584"
    stroke = next(i for i in cha["inputs"] if i["key"] == "stroke_tia_te")
    assert stroke["source"] == "Condition/stroke" and stroke["date"] == "2015-03-01"
    assert set(obj["timings"]) >= {"facts_s", "total_s"}


def test_patient_never_sees_treatment_text(tmp_path, capsys):
    path = _af_bundle(tmp_path)
    clinician = summarize_file(None, path)
    assert TREATMENT.search(split_scores(clinician.markdown)[1])  # the clinician's view has it...
    rc = main(["summarize", str(path), "--no-llm", "--role", "patient"])
    out = capsys.readouterr().out
    assert rc == 0 and "## Your scores" in out and "CHA2DS2-VASc: 4" in out
    assert not TREATMENT.search(split_scores(out)[1])  # ...the patient's does not
    assert "anticoagulation" not in out.lower()
    main(["summarize", str(path), "--no-llm", "--role", "patient", "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert obj["scores"] and all("interpretation" not in s and "corrections" not in s for s in obj["scores"])
    assert not TREATMENT.search(json.dumps(obj["scores"]))


def test_case_report_has_scores_in_markdown_pdf_and_fhir(tmp_path):
    from fhir.resources.R4B.observation import Observation
    from pypdf import PdfReader

    settings = load_settings()
    path = _af_bundle(tmp_path)
    md = write_report(settings, case=path, fmt="md", out=tmp_path / "r.md").read_text()
    assert "## Clinical scores" in md and "### CHA2DS2-VASc = 4" in md and "DOI 10.1378/chest.09-1584" in md
    assert "| Input | Value | Source | Date |" in md
    pdf = write_report(settings, case=path, fmt="pdf", out=tmp_path / "r.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Clinical scores" in text and "CHA2DS2-VASc = 4" in text and "10.1378/chest.09-1584" in text
    obj = json.loads(write_report(settings, case=path, fmt="fhir", out=tmp_path / "r.json").read_text())
    obs = {o["id"]: o for o in obj["contained"]}
    cha, egfr = obs["score-cha2ds2-vasc"], obs["score-ckd-epi"]
    for o in (cha, egfr):
        Observation.model_validate(o)
        assert o["status"] == "preliminary" and o["subject"] == {"reference": "Patient/p1"}
        assert {"reference": f"#{o['id']}", "display": o["code"]["text"]} in obj["result"]
    assert "coding" not in cha["code"] and cha["valueQuantity"]["value"] == 4  # no LOINC for CHA2DS2-VASc
    assert egfr["code"]["coding"][0] == {"system": "http://loinc.org", "code": "98979-8",
                                         "display": egfr["code"]["coding"][0]["display"]}
    assert {"reference": "Condition/stroke"} in cha["derivedFrom"]
    assert "10.1378/chest.09-1584" in cha["note"][0]["text"]
    form = base64.b64decode(obj["presentedForm"][0]["data"]).decode()
    assert "## Clinical scores" in form


def test_conversation_report_carries_the_scores_tool_result(tmp_path):
    from bot.tools.scores import Scores

    settings = load_settings()
    path = settings.home / "conversations" / "up" / "af.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(_af_bundle(tmp_path).read_bytes())
    res = Scores(settings).run(path=str(path), score=["CHA2DS2-VASc"])
    store = Store.from_settings(settings)
    cid = store.create(user=settings.user, role="clinician")
    store.append(cid, "user", "CHA2DS2-VASc for this patient?")
    store.append(cid, "assistant", "CHA2DS2-VASc is 4.", {
        "tool_calls": [{"name": "scores", "arguments": {"path": str(path)}, "summary": res.text[:200],
                        "report": res.data["report"]}],
        "tables": res.tables, "citations": [], "files": {}})
    store.close()
    md = write_report(settings, conversation_id=cid, fmt="md", out=tmp_path / "c.md").read_text()
    assert md.count("### CHA2DS2-VASc = 4") == 1  # the scores section, not the tool table as well
    obj = json.loads(write_report(settings, conversation_id=cid, fmt="fhir", out=tmp_path / "c.json").read_text())
    assert [o["id"] for o in obj["contained"]] == ["score-cha2ds2-vasc"]
    assert obj["code"]["coding"][0]["code"] == "60591-5"  # a case report


@pytest.mark.parametrize("cores, load1, configured, expected", [
    (2, 0.2, None, 2), (2, 1.3, None, 1), (2, 7.5, None, 1), (16, 8.4, None, 8), (2, 7.5, 2, 2), (1, 0.0, None, 1)])
def test_model_threads_are_the_idle_cores(cores, load1, configured, expected):
    from bot.cases.cpu import narrative_threads

    assert narrative_threads(cores, load1, configured) == expected


def test_narrative_dates_are_written_as_in_the_record(tmp_path):
    path = _af_bundle(tmp_path)
    facts, rec = case_from_file(None, path)
    summary = summarize_facts(facts, backend=ScriptedBackend(
        ["She was last seen on March 1, 2024. Atrial fibrillation began 1/1/2019. She was seen on March 2, 2024."]))
    assert summary.narrative == "She was last seen on 2024-03-01. Atrial fibrillation began 2019-01-01."
    assert [f["token"] for f in summary.flags] == ["March 2, 2024"]
    assert untraceable_summary(summary, json.loads(path.read_text())) == []
