import gzip
import shutil

import pytest

from retrieval.errors import UserError
from retrieval.readers import discover, read_documents
from retrieval.readers.medline import file_version


def test_medline_fields_and_structured_abstract(data_dir):
    docs = {d.doc_id: d for d in read_documents(data_dir / "pubmed19n0001.xml")}
    assert len(docs) == 8
    a = docs["pmid:1001"]
    assert a.kind == "pubmed"
    assert a.title == "Aspirin for secondary prevention after acute myocardial infarction: a randomized trial"
    assert a.meta["journal"] == "The Lancet" and a.meta["year"] == 1988 and a.meta["pmid"] == "1001"
    assert a.meta["pub_types"] == ["Randomized Controlled Trial", "Journal Article"]
    assert "Myocardial Infarction" in a.meta["mesh"]
    assert [s.name for s in a.sections] == ["Background", "Methods", "Results", "Conclusions"]
    assert "(p < 0.001)" in a.sections[2].text
    assert a.version == "19-0001|20180101"
    assert docs["pmid:1008"].sections == []  # title only


def test_medline_update_file_has_revisions_and_deletions(data_dir):
    docs = read_documents(data_dir / "pubmed19n0900.xml")
    deleted = [d.doc_id for d in docs if d.deleted]
    assert deleted == ["pmid:1005"]
    rev = next(d for d in docs if d.doc_id == "pmid:1003")
    assert rev.version == "19-0900|20200615" and "Vitamin B12" in rev.sections[0].text


def test_gzipped_medline_reads_the_same(data_dir, tmp_path):
    gz = tmp_path / "pubmed19n0001.xml.gz"
    with open(data_dir / "pubmed19n0001.xml", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    plain = read_documents(data_dir / "pubmed19n0001.xml")
    packed = read_documents(gz)
    assert [(d.doc_id, d.title, d.sections) for d in plain] == [(d.doc_id, d.title, d.sections) for d in packed]


def test_file_version_orders_releases():
    from pathlib import Path

    keys = [file_version(Path(n)) for n in ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz", "pubmed20n1100.xml", "mine.xml")]
    assert keys == ["20-0014", "21-1298", "20-1100", "00-0000"]
    assert sorted(keys) == ["00-0000", "20-0014", "20-1100", "21-1298"]


def test_pmc_sections_skip_tables_and_references(data_dir):
    (doc,) = read_documents(data_dir / "trial.nxml")
    assert doc.doc_id == "pmc:PMC3001" and doc.kind == "pmc"
    assert doc.meta["pmid"] == "2001" and doc.meta["year"] == 2010 and doc.meta["journal"] == "PLoS Medicine"
    assert [s.name for s in doc.sections] == ["Abstract", "Introduction", "Methods", "Results"]
    text = " ".join(s.text for s in doc.sections)
    assert "ignored table text" not in text and "must not be indexed" not in text
    assert "Diarrhoea kills hundreds of thousands of children each year. Most deaths" in text


def test_markdown_txt_jsonl(data_dir):
    (md,) = read_documents(data_dir / "guideline.md")
    assert md.title == "Managing acute chest pain in primary care"
    assert [s.name for s in md.sections] == ["Red flags", "Aspirin"]
    (txt,) = read_documents(data_dir / "hygiene.txt")
    assert len(txt.sections) == 3 and txt.title == "hygiene"
    notes = read_documents(data_dir / "notes.jsonl")
    assert [n.doc_id for n in notes] == ["jsonl:note-1", "jsonl:note-2"]
    assert notes[0].title == "Warfarin and antibiotics" and notes[0].meta["year"] == 2015


def test_pdf_pages(tmp_path):
    pdf = tmp_path / "leaflet.pdf"
    _make_pdf(pdf, ["Ibuprofen can upset the stomach. Take it with food.", "Do not exceed 1200 mg a day without advice."])
    (doc,) = read_documents(pdf)
    assert [s.page for s in doc.sections] == [1, 2]
    assert "Take it with food" in doc.sections[0].text


def _make_pdf(path, pages, encrypt: str | None = None):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for text in pages:
        if text:
            c.drawString(72, 720, text)
        c.showPage()
    c.save()
    if encrypt:
        from pypdf import PdfReader, PdfWriter

        w = PdfWriter(clone_from=PdfReader(str(path)))
        w.encrypt(encrypt)
        with open(path, "wb") as fh:
            w.write(fh)


@pytest.mark.parametrize("name,content,message", [
    ("broken.xml", b"<PubmedArticleSet><PubmedArticle><MedlineCitation>", "corrupt XML"),
    ("empty.xml", b"", "empty"),
    ("other.xml", b"<html><body/></html>", "not a PubMed/MEDLINE XML"),
    ("blob.txt", b"\x00\x01\x02binary\x00", "binary"),
    ("latin.md", "caf\xe9".encode("latin-1"), "not UTF-8"),
    ("bad.jsonl", b'{"id": 1, "text": "ok"}\n{oops\n', "invalid JSON"),
    ("bad.nxml", b"<article><front>", "corrupt XML"),
    ("truncated.xml.gz", gzip.compress(b"<PubmedArticleSet>" + b"<x/>" * 1000)[:40], "truncated or corrupt gzip"),
    ("image.png", b"\x89PNG\r\n", "unsupported file type"),
])
def test_bad_files_raise_one_line_user_errors(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(UserError) as err:
        read_documents(p)
    assert message in str(err.value) and str(p) in str(err.value) and "\n" not in str(err.value)


def test_empty_and_encrypted_pdf(tmp_path):
    empty = tmp_path / "empty.pdf"
    _make_pdf(empty, [""])
    with pytest.raises(UserError, match="no extractable text"):
        read_documents(empty)
    locked = tmp_path / "locked.pdf"
    _make_pdf(locked, ["secret text"], encrypt="pw")
    with pytest.raises(UserError, match="encrypted PDF"):
        read_documents(locked)
    zero = tmp_path / "zero.pdf"
    zero.write_bytes(b"")
    with pytest.raises(UserError, match="empty file"):
        read_documents(zero)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 garbage garbage")
    with pytest.raises(UserError):
        read_documents(junk)


def test_discover_walks_folders_and_reports_missing(data_dir, tmp_path):
    files, errors = discover([data_dir, tmp_path / "nope"])
    assert sorted(f.name for f in files) == sorted(["guideline.md", "hygiene.txt", "notes.jsonl", "pubmed19n0001.xml",
                                                   "pubmed19n0900.xml", "trial.nxml"])
    assert errors == [f"{tmp_path / 'nope'}: no such file or folder"]
