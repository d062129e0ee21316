"""`medbot ingest` / `medbot search` in-process, with the fake embedder patched in."""

import json
import os

import pytest

from bot.cli import main
from retrieval_fakes import FakeEmbedder


@pytest.fixture
def fake_cli(home, monkeypatch):
    monkeypatch.setattr("retrieval.index.make_embedder", lambda spec=None, threads=None: FakeEmbedder())
    return home


def test_ingest_then_search_json(fake_cli, corpus, capsys):
    rc = main(["ingest", str(corpus), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert {f["status"] for f in out["files"]} == {"ok"} and len(out["files"]) == 6
    assert out["dense"]["state"] == "done" and out["dense"]["done"] == out["dense"]["total"] == out["bm25_docs"]
    rc = main(["search", "--json", "--k", "2", "aspirin after myocardial infarction"])
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and len(res["passages"]) == 2
    p = res["passages"][0]
    assert p["source"]["pmid"] == "1001" and p["source"]["title"].startswith("Aspirin for secondary prevention")
    assert p["source"]["year"] == 1988 and p["source"]["journal"] == "The Lancet"
    assert p["snippet"] and isinstance(p["score"], float) and res["status"]["dense_complete"] is True


def test_search_text_output_and_filters(fake_cli, corpus, capsys):
    assert main(["ingest", str(corpus / "pubmed19n0001.xml"), "--lexical-only"]) == 0
    capsys.readouterr()
    assert main(["search", "digoxin toxicity", "--year-max", "1980", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [PMID:1006] Digoxin toxicity in elderly patients")
    assert "(British Medical Journal, 1975)" in out
    assert "dense 0/" in out  # the dense index is still empty: say so
    assert main(["search", "aspirin", "--pub-type", "Review", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert all("Review" in p["source"]["pub_types"] for p in res["passages"])


def test_bad_files_one_line_each_others_indexed(fake_cli, corpus, capsys, tmp_path):
    (corpus / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle>")
    (corpus / "blob.txt").write_bytes(b"\x00\x01binary")
    (corpus / "empty.pdf").write_bytes(b"")
    missing = tmp_path / "missing.pdf"
    rc = main(["ingest", str(corpus), str(missing)])
    cap = capsys.readouterr()
    assert rc == 2
    errors = [line for line in cap.err.splitlines() if line.startswith("medbot: error:")]
    assert len(errors) == 4
    assert any("broken.xml: corrupt XML" in e for e in errors) and any("blob.txt: binary" in e for e in errors)
    assert any("empty.pdf: empty file" in e for e in errors) and any("missing.pdf: no such file" in e for e in errors)
    assert "Traceback" not in cap.err
    # 8 citations, 1 guideline, 1 txt, 2 notes, 1 PMC article, 1 new in the update (which also revises and deletes one)
    assert "+14 new, 1 replaced, 1 deleted" in cap.out
    assert main(["search", "--json", "warfarin antibiotics INR"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["passages"][0]["source"]["doc_id"] == "jsonl:note-1"


def test_status_and_bad_flags(fake_cli, corpus, capsys):
    assert main(["ingest", str(corpus / "hygiene.txt"), "--lexical-only"]) == 0
    capsys.readouterr()
    assert main(["ingest", "--status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["bm25_docs"] == st["dense_total"] == 1 and st["dense_done"] == 0 and st["filling"] is False
    assert main(["search", "hands", "--k", "0"]) == 2
    assert "k must be between 1 and 100" in capsys.readouterr().err
    assert main(["search", "hands", "--chroma-url", "ftp://x"]) == 2
    assert "bad Chroma URL" in capsys.readouterr().err
    assert main(["ingest", "--batch-size", "0", str(corpus)]) == 2


def test_search_without_index_and_auto_build_off_is_empty_not_a_crash(fake_cli, capsys):
    assert main(["search", "aspirin"]) == 0
    assert "no passages found" in capsys.readouterr().out


def test_help_is_light():
    import subprocess
    import sys

    code = ("import sys, bot.cli; bot.cli.build_parser(); "
            "bad=[m for m in ('torch','chromadb','sentence_transformers','bm25s','lxml','numpy') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=os.getcwd(), check=True)
    assert out.stdout.strip() == ""


def test_auto_build_indexes_bundled_knowledge_first_and_search_json_fields(fake_cli, corpus, tmp_path, monkeypatch, capsys):
    """A fresh home with auto-build: consumer and guideline text are searchable, MEDLINE follows;
    `search --json` shows collection, title and url, and the role sets which collection leads."""
    from knowledge_fixtures import write_medquad_repo, write_open_medicine
    from retrieval.knowledge import guideline_source, medquad, medquad_source

    data = tmp_path / "mq.jsonl.gz"
    medquad.write_records(medquad.parse_repository(write_medquad_repo(tmp_path / "MedQuAD")), data)
    om = write_open_medicine(tmp_path / "om")
    monkeypatch.setattr("retrieval.knowledge.bundled_sources", lambda: [medquad_source(data), guideline_source(om)])
    monkeypatch.setattr("retrieval.corpus.default_corpus_files", lambda: [corpus / "pubmed19n0001.xml"])
    monkeypatch.setenv("MEDBOT_RETRIEVAL__AUTO_BUILD", "true")
    assert main(["search", "--json", "--k", "3", "warning signs of a stroke"]) == 0
    res = json.loads(capsys.readouterr().out)
    top = res["passages"][0]
    assert top["collection"] == "consumer" and top["title"] == "What are the symptoms of Stroke ?"
    assert top["url"] == "http://nihseniorhealth.gov/stroke/toc.html" and top["source"]["note"] == "NIH, as of 2017"
    assert res["prefer"] == "patient" and res["status"]["documents"] == 8 + 6 + 2
    assert res["status"]["documents_by_collection"] == {"consumer": 6, "guideline": 2, "literature": 8}
    assert main(["search", "--json", "--role", "clinician", "--only", "guideline", "aspirin maintenance dose"]) == 0
    res = json.loads(capsys.readouterr().out)
    g = res["passages"][0]
    assert g["collection"] == "guideline" and g["url"] == "https://doi.org/10.1093/eurheartj/ehad191"
    assert g["source"]["section"] == "Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)"
    assert g["source"]["cite_as"].startswith("summary of 2023 ESC Guidelines")
    assert main(["search", "--k", "1", "aspirin maintenance dose", "--only", "guideline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [DOC:guideline:esc_acs_2023/antithrombotic_therapy] Antithrombotic Therapy")
    assert "guideline · Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A) · https://doi.org/" in out
    with pytest.raises(SystemExit) as exc:
        main(["search", "aspirin", "--only", "news"])
    assert exc.value.code == 2 and "invalid choice: 'news'" in capsys.readouterr().err
