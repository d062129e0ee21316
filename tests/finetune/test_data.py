import gzip
import json

import pytest

from finetune.errors import UserError
from finetune.data.builders import BuildOptions, build_dataset, is_validation, key_finding, plain_language
from finetune.data.chat import read_chat_jsonl, validate_sample, write_chat_jsonl
from finetune.data.medline import Article, bundled_medline_files, read_medline


@pytest.mark.parametrize("obj, msg", [
    ({}, "missing field 'messages'"),
    ({"messages": []}, "non-empty list"),
    ({"messages": [{"content": "hi"}]}, r"messages\[0\] missing field 'role'"),
    ({"messages": [{"role": "user"}]}, r"messages\[0\] missing field 'content'"),
    ({"messages": [{"role": "doctor", "content": "x"}]}, "unknown role 'doctor'"),
    ({"messages": [{"role": "user", "content": "x"}]}, "no assistant message"),
    ([1, 2], "expected a JSON object"),
])
def test_invalid_samples_are_named(obj, msg):
    with pytest.raises(UserError, match=msg):
        validate_sample(obj, "f.jsonl:3")


def test_read_reports_file_and_line(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]})
                 + "\n\n" + json.dumps({"messages": [{"role": "user"}]}) + "\n")
    with pytest.raises(UserError, match=r"d.jsonl:3: messages\[0\] missing field 'content'"):
        read_chat_jsonl(p)


def test_write_then_read_round_trip(tmp_path, make_rows):
    rows = make_rows()
    assert write_chat_jsonl(rows, tmp_path / "x" / "a.jsonl") == len(rows)
    assert read_chat_jsonl(tmp_path / "x" / "a.jsonl") == rows
    assert not list((tmp_path / "x").glob(".*"))  # no temp file left behind


def _art(pmid, abstract=None, **kw):
    abstract = abstract or (f"Background sentence for study {pmid}. Methods were applied to 120 patients. "
                            f"Results showed a clear change in outcome {pmid}. Treatment was associated with "
                            f"fewer adverse events (95% CI 0.5-0.9). Hypertension improved in most cases {pmid}.")
    return Article(pmid=pmid, title=f"Study {pmid} of hypertension", abstract=abstract, journal="J Test",
                   year="2020", mesh=("Humans", "Hypertension"), **kw)


def test_key_finding_prefers_labelled_conclusion():
    a = Article(pmid="1", title="T", abstract="x", sections=(("BACKGROUND", "Old idea. More."),
                                                              ("CONCLUSIONS", "Drug A halves risk. Use it.")))
    assert key_finding(a) == "Drug A halves risk. Use it."
    b = _art("2")
    assert key_finding(b).endswith("Hypertension improved in most cases 2.")


def test_plain_language_drops_stats_and_jargon():
    s = plain_language("Treatment was associated with fewer adverse events (95% CI 0.5-0.9) in hypertension.")
    assert s == "Treatment was linked to fewer side effects in high blood pressure."


def test_build_dedups_splits_by_article_and_cites():
    arts = [_art(str(1000 + i)) for i in range(60)]
    arts.append(_art("1000"))  # same PMID again
    arts.append(_art("9999", abstract=arts[1].abstract))  # same abstract under another PMID
    res = build_dataset(arts, BuildOptions(val_fraction=0.2, min_abstract_chars=50))
    assert res.articles_used == 60 and res.duplicates_dropped == 2
    train_p = {r["pmid"] for r in res.train}
    val_p = {r["pmid"] for r in res.validation}
    assert train_p and val_p and not (train_p & val_p)
    assert all(is_validation(p, 0.2) for p in val_p)
    for row in res.train + res.validation:
        answer = row["messages"][-1]["content"]
        assert f"[PMID:{row['pmid']}]" in answer
        assert row["messages"][-1]["role"] == "assistant"
        validate_sample(row, "built")
    tasks = res.manifest()["by_task"]
    assert set(tasks) == {"qa", "summary", "evidence"}
    keys = [json.dumps(r["messages"]) for r in res.train + res.validation]
    assert len(keys) == len(set(keys))


def test_summary_is_plain_and_evidence_uses_condition():
    res = build_dataset([_art("42"), _art("43")], BuildOptions(val_fraction=0.0, min_abstract_chars=50))
    by = {r["task"]: r for r in res.train if r["pmid"] == "42"}
    assert "high blood pressure" in by["summary"]["messages"][-1]["content"]
    assert "(95% CI" not in by["summary"]["messages"][-1]["content"]
    assert "hypertension" in by["evidence"]["messages"][1]["content"].lower()


def test_unknown_task_is_user_error():
    with pytest.raises(UserError, match="unknown task"):
        BuildOptions(tasks=("qa", "poetry"))


def test_no_usable_article_is_user_error():
    with pytest.raises(UserError, match="no usable article"):
        build_dataset([_art("1", abstract="Too short.")], BuildOptions())


XML = """<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID>111</PMID><Article><Journal><JournalIssue><PubDate><Year>2019</Year>
</PubDate></JournalIssue><Title>Test Journal</Title></Journal><ArticleTitle>Aspirin and stroke.</ArticleTitle>
<Abstract><AbstractText Label="BACKGROUND">Stroke is common.</AbstractText>
<AbstractText Label="CONCLUSIONS">Aspirin lowered <i>stroke</i> risk.</AbstractText></Abstract></Article>
<MeshHeadingList><MeshHeading><DescriptorName>Stroke</DescriptorName></MeshHeading></MeshHeadingList>
</MedlineCitation></PubmedArticle>
<PubmedArticle><MedlineCitation><PMID>112</PMID><Article><ArticleTitle>No abstract here</ArticleTitle>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""


def test_read_medline_xml_and_gzip(tmp_path):
    p = tmp_path / "m.xml.gz"
    with gzip.open(p, "wt") as fh:
        fh.write(XML)
    arts = list(read_medline(p))
    assert len(arts) == 1
    a = arts[0]
    assert (a.pmid, a.title, a.journal, a.year) == ("111", "Aspirin and stroke", "Test Journal", "2019")
    assert a.sections[1] == ("CONCLUSIONS", "Aspirin lowered stroke risk.")
    assert a.mesh == ("Stroke",)


def test_malformed_xml_is_user_error(tmp_path):
    p = tmp_path / "bad.xml"
    p.write_text("<PubmedArticleSet><PubmedArticle>")
    with pytest.raises(UserError, match="cannot read MEDLINE XML"):
        list(read_medline(p))


def test_bundled_medline_streams_with_limit():
    files = bundled_medline_files()
    assert len(files) == 2
    arts = list(read_medline(files[0], limit=20))
    assert len(arts) == 20 and all(a.pmid and a.abstract for a in arts)
