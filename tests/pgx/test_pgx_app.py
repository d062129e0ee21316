"""`medbot pgx`, the `pharmacogenomics` tool in the chat (clinician and patient) and the report section."""

from __future__ import annotations

import json
import re

import pytest

from bot.agent import Agent
from bot.cli import main
from bot.config import load_settings
from bot.llm.scripted import ScriptedBackend
from bot.reports import write_report
from bot.tools import TOOL_MODULES, ToolRegistry
from pgx_vcfs import bgzip, write_pgx_vcf

PM_38 = {"rs3758581": "1/1", "rs4244285": "1/1", "rs12769205": "1/1"}  # CYP2C19 *2/*2 on GRCh38


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def bundle(path, *meds):
    entries = [{"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1960-01-01"}}]
    for i, m in enumerate(meds):
        entries.append({"resource": {"resourceType": "MedicationRequest", "id": f"m{i}", "status": "active",
                                     "intent": "order", "authoredOn": "2024-01-01",
                                     "subject": {"reference": "Patient/p1"},
                                     "medicationCodeableConcept": {"text": m}}})
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    return path


def test_cli_json_poor_metabolizer_with_clopidogrel_first(tmp_path, capsys):
    vcf = bgzip(write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", PM_38, full=("CYP2C19",)))
    assert main(["pgx", str(vcf), "--meds", "simvastatin,clopidogrel", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(res) >= {"build", "sample", "table_version", "genes", "recommendations"}
    g = next(x for x in res["genes"] if x["gene"] == "CYP2C19")
    assert set(g) >= {"gene", "diplotype", "candidates", "phenotype", "status", "missing_positions"}
    assert (g["diplotype"], g["phenotype"], g["status"]) == ("*2/*2", "Poor Metabolizer", "called")
    first = res["recommendations"][0]
    assert first["drug"] == "clopidogrel" and first["guideline_url"].startswith("https://cpicpgx.org/")
    assert "prasugrel" in first["recommendation"] and first["pmids"]


def test_cli_text_and_medicines_from_a_fhir_bundle(tmp_path, capsys):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", PM_38, full=("CYP2C19",))
    b = bundle(tmp_path / "b.json", "Clopidogrel 75 MG Oral Tablet", "Lisinopril 10 MG Oral Tablet")
    assert main(["pgx", str(vcf), "--bundle", str(b)]) == 0
    out = capsys.readouterr().out
    assert "CYP2C19 *2/*2: Poor Metabolizer" in out
    _, _, rest = out.partition("Current medicines with a CPIC recommendation for this genotype:\n")
    assert rest.startswith("- clopidogrel (CYP2C19 Poor Metabolizer")
    assert "[PMID:21716271]" in rest


@pytest.mark.parametrize("args, match", [
    (["--build", "GRCh36"], "unknown genome build"),
    (["--sample", "nobody"], "sample 'nobody' is not in"),
    (["--meds", "clopidogrell"], "unknown drug"),
    (["--build", "GRCh37"], "header says GRCh38"),
])
def test_cli_bad_arguments(tmp_path, capsys, args, match):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", PM_38, full=("CYP2C19",))
    assert main(["pgx", str(vcf), *args]) == 2
    assert re.search(match, _err(capsys))


def test_cli_bad_files(tmp_path, capsys):
    notvcf = tmp_path / "x.vcf"
    notvcf.write_text("not a vcf\n")
    assert main(["pgx", str(notvcf)]) == 2
    assert "not a VCF" in _err(capsys)
    assert main(["pgx", str(tmp_path / "missing.vcf")]) == 2
    assert "not found" in _err(capsys)
    multi = write_pgx_vcf(tmp_path / "m.vcf", "GRCh38", {"rs12248560": "0/1;1/1"}, samples=("A", "B"))
    assert main(["pgx", str(multi)]) == 2
    assert "--sample" in _err(capsys)


def test_registered():
    assert TOOL_MODULES["pharmacogenomics"] == "bot.tools.pharmacogenomics:Pharmacogenomics"


def make_agent(replies):
    settings = load_settings()
    llm = ScriptedBackend(replies, supports_tools=False)
    tools = ToolRegistry(settings, names=["pharmacogenomics", "make_report"])
    return Agent(settings, backend=llm, retriever=False, tools=tools), llm


def test_chat_clinician_gets_cited_recommendations_and_report_section(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "genome.vcf", "GRCh38", PM_38, full=("CYP2C19",))
    b = bundle(tmp_path / "patient.json", "Clopidogrel 75 MG Oral Tablet")
    agent, llm = make_agent(["Bundle noted.", "CYP2C19 poor metabolizer: clopidogrel is affected."])
    first = agent.ask("Here is my record", uploads=[b], role="clinician")
    res = agent.ask("What does this mean for my medicines?", uploads=[vcf], conversation_id=first.conversation_id,
                    role="clinician")
    call = res.tool_calls[0]
    assert call["name"] == "pharmacogenomics" and "error" not in call and call["arguments"]["bundle"].endswith("patient.json")
    prompt = llm.calls[-1]["messages"][-1]["content"]
    assert "TOOL RESULT from pharmacogenomics" in prompt and "[PMID:21716271]" in prompt
    table = res.tables["CPIC recommendations"]
    assert table.splitlines()[2].startswith("| **clopidogrel** (current medicine) | CYP2C19 | Poor Metabolizer")
    assert "guideline-for-clopidogrel-and-cyp2c19" in table
    # the diagnostic report: Markdown section, FHIR Observations, PDF
    md = write_report(agent.settings, conversation_id=res.conversation_id, fmt="md", out=tmp_path / "r.md").read_text()
    assert "## Pharmacogenomics" in md and "| CYP2C19 | called | *2/*2 | Poor Metabolizer |" in md
    assert md.index("clopidogrel (CYP2C19 Poor Metabolizer") < md.index("| Gene | Status |")
    obj = json.loads(write_report(agent.settings, conversation_id=res.conversation_id, fmt="fhir",
                                  out=tmp_path / "r.json").read_text())
    obs = {o["id"]: o for o in obj["contained"]}
    assert obj["status"] == "preliminary" and {"reference": "#pgx-CYP2C19", "display": "CYP2C19 diplotype"} in obj["result"]
    o = obs["pgx-CYP2C19"]
    assert o["status"] == "preliminary" and o["valueCodeableConcept"]["text"] == "*2/*2"
    assert {"text": "Poor Metabolizer"} in [c["valueCodeableConcept"] for c in o["component"]]
    pdf = write_report(agent.settings, conversation_id=res.conversation_id, fmt="pdf", out=tmp_path / "r.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_chat_patient_gets_plain_words_and_no_dose(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "genome.vcf", "GRCh38", PM_38, full=("CYP2C19",))
    agent, llm = make_agent(["Your body processes some medicines slowly. Avoid standard dose clopidogrel 75 mg. "
                             "Use prasugrel instead."])
    events = list(agent.turn("what does this mean for my medicines?", uploads=[vcf], role="patient"))
    streamed = "".join(e.data for e in events if e.kind == "token")
    assert "mg" not in streamed and "prasugrel" not in streamed and "slowly" in streamed
    res = events[-1].data
    assert res.tool_calls[0]["name"] == "pharmacogenomics"
    prompt = llm.calls[-1]["messages"][-1]["content"]
    assert "much more slowly than usual" in prompt and "prasugrel" not in prompt and "mg" not in prompt
    assert "Discuss these results with your clinician before changing any medicine." in res.answer
    assert not re.search(r"\b\d+\s*mg\b|prasugrel|dose", res.answer, re.I)
    assert "Poor Metabolizer" in res.tables["Pharmacogenomics"] and "CPIC recommendations" not in res.tables
