"""`medbot summarize` hands its case to a warm medbot: same text and JSON, its loaded model, in-process otherwise."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main

BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1", "gender": "female",
                                            "birthDate": "1960-04-12"}},
    {"fullUrl": "urn:uuid:c1", "resource": {
        "resourceType": "Condition", "id": "c1",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}],
                 "text": "Hypertension"},
        "subject": {"reference": "urn:uuid:p1"}, "onsetDateTime": "2015-03-02T00:00:00Z"}},
    {"fullUrl": "urn:uuid:m1", "resource": {
        "resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
        "medicationCodeableConcept": {"text": "lisinopril 10 MG Oral Tablet"},
        "subject": {"reference": "urn:uuid:p1"}, "authoredOn": "2015-03-02T00:00:00Z"}},
    {"fullUrl": "urn:uuid:o1", "resource": {
        "resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body Weight"}], "text": "Body Weight"},
        "subject": {"reference": "urn:uuid:p1"}, "effectiveDateTime": "2024-11-05T00:00:00Z",
        "valueQuantity": {"value": 72.5, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}},
]}
# one traceable sentence and one with a number the record does not hold (the check removes it)
NARRATIVE = "She has had hypertension since 2015-03-02 and weighed 72.5 kg on 2024-11-05. Her pulse was 131 per minute."


class CountingLoads:
    """`bot.llm.load_backend` stand-in: a scripted model that always writes NARRATIVE; counts the loads."""

    def __init__(self):
        self.loads = 0

    def __call__(self, settings):
        from bot.llm.scripted import ScriptedBackend

        self.loads += 1
        return ScriptedBackend([NARRATIVE] * 50)


@pytest.fixture
def loads(monkeypatch):
    import bot.llm

    counter = CountingLoads()
    monkeypatch.setattr(bot.llm, "load_backend", counter)
    return counter


class Served:
    """The agent the warm medbot serves (it uses `turn`, `warm_up` and, for summaries, `backend`)."""

    def __init__(self, agent):
        self.agent = agent

    def turn(self, *args, **kwargs):
        return self.agent.turn(*args, **kwargs)

    def warm_up(self):
        self.agent.warm_up()

    @property
    def backend(self):
        return self.agent.backend


@pytest.fixture
def warm(medbot_home, loads):
    """A warm medbot (in a thread of this process) for the test's home, stopped afterwards."""
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.warm.server import WarmServer

    settings = load_settings()
    server = WarmServer(settings, Served(Agent(settings)), on_stop=lambda: server.close())
    server.start()
    yield server
    server.close()


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(BUNDLE), encoding="utf-8")
    return path


def _run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["summarize", *argv])
    got = capsys.readouterr()
    return rc, got.out, got.err


def _without_timings(obj: dict) -> dict:
    out = dict(obj)
    assert out.pop("timings")["facts_s"] >= 0
    return out


def test_text_output_is_identical_warm_or_in_process(warm, loads, bundle, capsys):
    rc, cold, _ = _run(capsys, str(bundle), "--no-warm")
    assert rc == 0 and loads.loads == 1
    rc, handed, _ = _run(capsys, str(bundle))
    assert rc == 0
    assert loads.loads == 2  # the warm medbot loaded its model once (its agent's backend); this process none
    rc, again, _ = _run(capsys, str(bundle))
    assert loads.loads == 2  # the second summary reuses the warm model
    assert handed == cold == again
    assert cold.startswith("## Case summary") and "Hypertension" in cold
    assert "She has had hypertension since 2015-03-02" in cold and "131" not in cold
    assert "1 number(s) or date(s) not traceable to the record were removed" in cold


def test_json_is_identical_warm_or_in_process(warm, loads, bundle, capsys):
    rc, cold, _ = _run(capsys, str(bundle), "--json", "--no-warm", "--role", "patient", "--as-of", "2025-01-01")
    assert rc == 0 and loads.loads == 1
    rc, handed, _ = _run(capsys, str(bundle), "--json", "--role", "patient", "--as-of", "2025-01-01")
    assert rc == 0 and loads.loads == 2
    cold, handed = json.loads(cold), json.loads(handed)
    assert handed["model"] == "scripted" and handed["narrative_source"] == "llm"
    assert handed["facts"]["as_of"] == "2025-01-01" and handed["summary"].startswith("## Case summary")
    assert _without_timings(cold) == _without_timings(handed)


def test_stdin_case_is_handed_over_too(warm, loads, capsys, monkeypatch):
    notes = b"45-year-old woman.\nProblems: asthma (2010-02-01)\nMedications: salbutamol inhaler\n"
    monkeypatch.setattr("sys.stdin", type("S", (), {"buffer": io.BytesIO(notes)})())
    rc, cold, _ = _run(capsys, "-", "--no-warm")
    monkeypatch.setattr("sys.stdin", type("S", (), {"buffer": io.BytesIO(notes)})())
    rc2, handed, _ = _run(capsys, "-")
    assert rc == rc2 == 0 and loads.loads == 2
    assert handed == cold and "asthma" in handed


def test_errors_are_the_same_warm_or_in_process(warm, loads, bundle, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Bundle", "entry": []}', encoding="utf-8")
    for argv in ([str(bad)], [str(bundle), "--as-of", "May 5th"], [str(tmp_path / "none.json")]):
        rc, _, cold = _run(capsys, *argv, "--no-warm")
        rc2, _, handed = _run(capsys, *argv)
        assert rc == rc2 == 2 and handed == cold and cold.startswith("medbot: error:") and cold.count("\n") == 1
    assert "no Patient" in _run(capsys, str(bad))[2]


def test_without_a_warm_medbot_or_with_other_settings_it_runs_in_process(warm, loads, bundle, capsys, monkeypatch):
    rc, out, _ = _run(capsys, str(bundle), "--max-tokens", "17")  # settings differ: the warm one refuses
    assert rc == 0 and loads.loads == 1 and "## Case summary" in out
    warm.close()
    rc, out2, _ = _run(capsys, str(bundle))  # none runs
    assert rc == 0 and loads.loads == 2 and out2 == out
    rc, out3, _ = _run(capsys, str(bundle), "--no-llm")  # no model needed: never handed over
    assert rc == 0 and loads.loads == 2 and "assembled from the facts" in out3


def test_a_summary_waits_its_turn_behind_a_running_one(warm, loads, bundle, capsys):
    from bot.config import load_settings
    from bot.warm.client import open_summary

    settings = load_settings()
    with warm.lock:  # another terminal job holds the warm medbot
        job = open_summary(settings, {"path": str(bundle)}, stream=False)
        assert job is not None
        events = job.events()
        first = next(events)
        assert first.kind == "queued" and first.data == {"ahead": 1, "warming": False}
    kinds = [ev.kind for ev in events]
    assert kinds == ["done"]


def test_the_warm_model_writes_a_summary_with_the_idle_cores_then_goes_back(warm, bundle, capsys, monkeypatch):
    import bot.cases.cpu
    import bot.llm
    from bot.llm.scripted import ScriptedBackend

    calls = []

    class Ctx:
        def set_n_threads(self, n, n_batch):
            calls.append((n, n_batch))

    class Llama:  # the parts of llama_cpp.Llama a summary touches
        n_threads, n_threads_batch, _ctx = 2, 2, Ctx()

        def __call__(self, *args, **kwargs):  # llama_cpp.Llama is callable (a SerialBackend wraps callables)
            raise AssertionError("not called")

    class LlamaLike(ScriptedBackend):
        llm = Llama()

    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: LlamaLike([NARRATIVE] * 5))
    monkeypatch.setattr(bot.cases.cpu, "current_threads", lambda configured=None: 1)  # busy cores: one idle
    rc, out, _ = _run(capsys, str(bundle), "--json")
    assert rc == 0 and json.loads(out)["timings"]["threads"] == 1
    assert calls == [(1, 1), (2, 2)]  # one thread for the summary, then the loaded number again

    # `medbot serve` shares the model with the web chat through a SerialBackend
    from bot.warm.serial import SerialBackend
    from bot.warm.summarize import job_threads

    put_back = job_threads(SerialBackend(lambda: LlamaLike()), 1)
    assert put_back is not None and calls[-1] == (1, 1)
    put_back()
    assert calls[-1] == (2, 2)


def test_job_threads_leaves_other_backends_alone():
    from bot.llm.scripted import ScriptedBackend
    from bot.warm.summarize import job_threads

    assert job_threads(ScriptedBackend(), 1) is None
