"""`medbot finetune ...` in-process: exit codes, one-line errors, files written."""

import json

import pytest
import yaml

from bot.cli import main

XML = """<?xml version="1.0"?><PubmedArticleSet>{}</PubmedArticleSet>"""
ART = """<PubmedArticle><MedlineCitation><PMID>{p}</PMID><Article><Journal><JournalIssue><PubDate><Year>2021</Year>
</PubDate></JournalIssue><Title>J Med</Title></Journal><ArticleTitle>Trial {p} of salt reduction</ArticleTitle>
<Abstract><AbstractText>Salt intake raises blood pressure in study {p}. We enrolled 300 adults.
Salt was cut by half for six months while weight, diet and exercise were recorded every month.
Blood pressure was measured at each clinic visit by trained nurses using the same device.
Blood pressure fell by 5 mmHg in group {p}, and fewer people needed a second medicine.</AbstractText></Abstract></Article>
<MeshHeadingList><MeshHeading><DescriptorName>Hypertension</DescriptorName></MeshHeading></MeshHeadingList>
</MedlineCitation></PubmedArticle>"""


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.startswith("medbot: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_build_data_from_xml(tmp_path, capsys):
    src = tmp_path / "m.xml"
    src.write_text(XML.format("".join(ART.format(p=100 + i) for i in range(30))))
    rc = main(["finetune", "build-data", "--source", str(src), "--out", str(tmp_path / "d"), "--json",
               "--val-fraction", "0.2"])
    assert rc == 0
    man = json.loads(capsys.readouterr().out)
    assert man["articles_used"] == 30 and man["train"] > 0 and man["validation"] > 0
    assert man["train"] + man["validation"] == 90
    rows = [json.loads(x) for x in (tmp_path / "d" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == man["train"] and all("[PMID:" in r["messages"][-1]["content"] for r in rows)
    assert json.loads((tmp_path / "d" / "manifest.json").read_text())["tasks"] == ["qa", "summary", "evidence"]


def test_build_data_missing_source(tmp_path, capsys):
    assert main(["finetune", "build-data", "--source", str(tmp_path / "none.xml")]) == 2
    assert "MEDLINE file not found" in _one_line_error(capsys)


def test_build_data_bad_task(tmp_path, capsys):
    src = tmp_path / "m.xml"
    src.write_text(XML.format(ART.format(p=1)))
    assert main(["finetune", "build-data", "--source", str(src), "--tasks", "qa,poems", "--out", str(tmp_path)]) == 2
    assert "unknown task" in _one_line_error(capsys)
    assert not (tmp_path / "train.jsonl").exists()


def _recipe_file(tmp_path, make_recipe, train, base, **kw):
    p = tmp_path / "r.yaml"
    r = make_recipe(train, None, base, tmp_path / "out", max_steps=2)
    for section, values in kw.items():
        r[section].update(values)
    p.write_text(yaml.safe_dump(r))
    return p


def test_train_cli_json(tmp_path, capsys, tiny_dir, data_files, make_recipe):
    train_f, _ = data_files
    cfg = _recipe_file(tmp_path, make_recipe, train_f, tiny_dir)
    assert main(["finetune", "train", "--config", str(cfg), "--json", "--max-steps", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == 3 and out["device"] == "cpu"
    assert (tmp_path / "out" / "adapter" / "adapter_model.safetensors").is_file()


def test_train_rows_missing_fields(tmp_path, capsys, tiny_dir, make_recipe):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant"}]}) + "\n")
    cfg = _recipe_file(tmp_path, make_recipe, bad, tiny_dir)
    assert main(["finetune", "train", "--config", str(cfg)]) == 2
    assert "bad.jsonl:1: messages[1] missing field 'content'" in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_train_sample_longer_than_context(tmp_path, capsys, tiny_dir, data_files, make_recipe):
    train_f, _ = data_files
    cfg = _recipe_file(tmp_path, make_recipe, train_f, tiny_dir, data={"max_seq_len": 24})
    assert main(["finetune", "train", "--config", str(cfg)]) == 2
    assert "longer than max_seq_len 24" in _one_line_error(capsys)


def test_train_qlora_without_cuda(tmp_path, capsys, tiny_dir, data_files, make_recipe):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    train_f, _ = data_files
    cfg = _recipe_file(tmp_path, make_recipe, train_f, tiny_dir, lora={"qlora": True})
    assert main(["finetune", "train", "--config", str(cfg)]) == 2
    assert "qlora needs a CUDA GPU" in _one_line_error(capsys)


def test_train_unknown_key_and_missing_config(tmp_path, capsys):
    p = tmp_path / "r.yaml"
    p.write_text("data: {train: x.jsonl}\ntraining: {stepz: 3}\n")
    assert main(["finetune", "train", "--config", str(p)]) == 2
    assert "unknown key 'training.stepz'" in _one_line_error(capsys)
    assert main(["finetune", "train", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "config file not found" in _one_line_error(capsys)
