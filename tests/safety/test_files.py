"""Hostile uploads: truncated, wrong extension, decompression bombs, huge sizes, path traversal."""

import gzip
import json
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.errors import UserError
from bot.safety.files import BGZF_EOF, MB, check_file, copy_into, safe_filename
from bot.uploads import detect_kind, validate_upload

KINDS = {"fhir", "json", "dicom", "nifti", "image", "bam", "cram", "vcf", "fasta", "pdf", "notes", "jsonl", "xml"}


def png_bytes(w=4, h=4, end=True):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    raw = b"".join(b"\x00" + b"\x00" * w for _ in range(h))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    out += chunk(b"IDAT", zlib.compress(raw))
    return out + (chunk(b"IEND", b"") if end else b"")


def nifti_bytes(dims=(4, 4, 4), data=True):
    hdr = bytearray(348)
    struct.pack_into("<i", hdr, 0, 348)
    struct.pack_into("<8h", hdr, 40, len(dims), *dims, *([1] * (7 - len(dims))))
    struct.pack_into("<h", hdr, 70, 2)   # uint8
    struct.pack_into("<h", hdr, 72, 8)   # bitpix
    struct.pack_into("<f", hdr, 108, 352.0)
    hdr[344:348] = b"n+1\x00"
    n = 1
    for d in dims:
        n *= d
    return bytes(hdr) + b"\x00" * 4 + (b"\x01" * n if data else b"\x01" * (n // 2))


def bgzf(data: bytes) -> bytes:
    """A one-block BGZF file (what samtools writes) with its EOF block."""
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    extra = b"BC" + struct.pack("<HH", 2, len(body) + 25)
    head = b"\x1f\x8b\x08\x04" + b"\x00" * 4 + b"\x00\xff" + struct.pack("<H", len(extra)) + extra
    return head + body + struct.pack("<II", zlib.crc32(data), len(data)) + BGZF_EOF


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


GOOD = {
    "scan.png": png_bytes(),
    "brain.nii": nifti_bytes(),
    "brain.nii.gz": gzip.compress(nifti_bytes()),
    "reads.bam": bgzf(b"BAM\x01" + b"\x00" * 40),
    "calls.vcf": "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    "calls.vcf.gz": gzip.compress(b"##fileformat=VCFv4.2\n#CHROM\tPOS\n"),
    "ref.fa": ">chr1\nACGT\n",
    "bundle.json": json.dumps({"resourceType": "Bundle", "entry": []}),
    "notes.txt": "Patient seen today for a cough.",
    "paper.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "article.xml": "<?xml version='1.0'?><article><p>x</p></article>",
    "rows.jsonl": '{"a": 1}\n{"a": 2}\n',
}
WANT = {"scan.png": "image", "brain.nii": "nifti", "brain.nii.gz": "nifti", "reads.bam": "bam",
        "calls.vcf": "vcf", "calls.vcf.gz": "vcf", "ref.fa": "fasta", "bundle.json": "fhir", "notes.txt": "notes",
        "paper.pdf": "pdf", "article.xml": "xml", "rows.jsonl": "jsonl"}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_files_pass(tmp_path, name):
    assert validate_upload(write(tmp_path, name, GOOD[name])) == WANT[name]


HOSTILE = {
    "truncated png": ("scan.png", png_bytes(end=False), "truncated PNG"),
    "png bomb": ("big.png", png_bytes(w=20000, h=20000)[:33] + b"\x00" * 64, "megapixels"),
    "wrong extension": ("scan.png", b"%PDF-1.4\n%%EOF\n", "name says IMAGE but the content is PDF"),
    "not a dicom": ("scan.dcm", b"hello, I am text", "content is not DICOM"),
    "truncated dicom preamble": ("scan.dcm", b"\x00" * 128 + b"DICM" + b"\x02\x00\x10", "not a readable DICOM"),
    "truncated nifti": ("brain.nii", nifti_bytes(data=False), "truncated NIfTI"),
    "corrupt nifti dims": ("brain.nii", nifti_bytes()[:40] + struct.pack("<8h", 3, -5, 4, 4, 1, 1, 1, 1)
                           + nifti_bytes()[56:], "corrupt NIfTI header"),
    "truncated nifti.gz": ("brain.nii.gz", gzip.compress(nifti_bytes((16, 16, 16)))[:-30], "truncated"),
    "truncated bam": ("reads.bam", bgzf(b"BAM\x01" + b"\x00" * 40)[:-28], "truncated BAM"),
    "bam that is text": ("reads.bam", b"@HD\tVN:1.6\n", "content is not BAM"),
    "vcf without header": ("calls.vcf", "chr1\t1\t.\tA\tG\n", "not VCF"),
    "vcf.gz bomb": ("calls.vcf.gz", gzip.compress(b"##fileformat=VCFv4.2\n" + b"\x00" * (40 * MB)), "decompression bomb"),
    "fasta that is not": ("ref.fa", "ACGT\n", "not a FASTA"),
    "malformed json": ("bundle.json", '{"resourceType": "Bundle", ', "malformed JSON"),
    "deep json": ("deep.json", "[" * 100000 + "]" * 100000, "JSON"),
    "bad jsonl line": ("rows.jsonl", '{"a": 1}\n{oops\n', "malformed JSON line 2"),
    "truncated pdf": ("paper.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "truncated PDF"),
    "xml entity bomb": ("article.xml", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa">'
                        '<!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>', "declares entities"),
    "truncated xml": ("article.xml", "<?xml version='1.0'?><article><p>x</p>", "malformed or truncated XML"),
    "binary notes": ("notes.txt", b"\x00\xff\xfe\x00" * 300, "unsupported file type"),
    "empty": ("notes.txt", b"", "empty file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_one_line(tmp_path, case):
    name, data, needle = HOSTILE[case]
    p = write(tmp_path, name, data)
    with pytest.raises(UserError) as err:
        validate_upload(p)
    msg = str(err.value)
    assert needle in msg and "\n" not in msg and p.name in msg


def test_size_limits_are_per_type_and_configurable(tmp_path):
    p = write(tmp_path, "notes.txt", "x" * (2 * MB))
    with pytest.raises(UserError, match="over the 1 MB limit for notes"):
        check_file(p, "notes", {"text": 1})
    check_file(p, "notes", {"text": 3})
    bam = write(tmp_path, "reads.bam", bgzf(b"BAM\x01" + b"\x00" * 40))
    with pytest.raises(UserError, match="pass large BAMs by path"):
        check_file(bam, "bam", {"bam": 0.00001})


def test_compressed_masks_are_not_mistaken_for_bombs(tmp_path):
    # a large, mostly empty NIfTI compresses far beyond any fixed ratio; its header bounds it instead
    p = write(tmp_path, "mask.nii.gz", gzip.compress(nifti_bytes((256, 256, 300))))
    assert validate_upload(p) == "nifti"


@pytest.mark.parametrize("name,want", [
    ("../../etc/passwd", "passwd"), ("..\\..\\windows\\x.dcm", "x.dcm"), ("..", "upload"), ("", "upload"),
    ("a\x00b.txt", "a_b.txt"), ("/abs/path/scan.nii.gz", "scan.nii.gz"), ("x" * 300 + ".vcf", "x" * 116 + ".vcf"),
])
def test_safe_filename(name, want):
    assert safe_filename(name) == want


def test_copy_into_never_writes_outside_the_folder(tmp_path):
    src = write(tmp_path, "src.txt", "hello")
    folder = tmp_path / "conv"
    folder.mkdir()
    for hostile in ("../escape.txt", "../../escape.txt", "..", "sub/../../escape.txt"):
        dest = copy_into(src, folder, hostile)
        assert dest.parent == folder and dest.read_text() == "hello"
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["escape.txt", "upload"]


def test_agent_refuses_bad_upload_before_writing_anything(tmp_path, capsys):
    from bot.cli import main

    bad = write(tmp_path, "scan.png", png_bytes(end=False))
    rc = main(["ask", "what does this show?", "--upload", str(bad)])
    err = capsys.readouterr().err
    assert rc == 2 and "truncated PNG" in err and len(err.strip().splitlines()) == 1
    from bot.config import load_settings
    from bot.store import Store

    s = load_settings()
    assert Store.from_settings(s).list(s.user) == []  # no half-made conversation


EXTS = ["x.png", "x.dcm", "x.nii", "x.nii.gz", "x.bam", "x.vcf", "x.vcf.gz", "x.fa", "x.json", "x.pdf", "x.xml",
        "x.jsonl", "x.txt", "x"]
PREFIXES = [b"", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4", b"\x1f\x8b\x08\x04", b"\x1f\x8b", b"##fileformat=VCF", b">",
            b"{", b"<?xml", b"\x00" * 128 + b"DICM", b"CRAM"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(EXTS), prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=600))
def test_fuzz_upload_checks_only_return_a_kind_or_a_user_error(tmp_path, name, prefix, body):
    p = tmp_path / name
    p.write_bytes(prefix + body)
    try:
        kind = validate_upload(p)
    except UserError as exc:
        assert "\n" not in str(exc)
    else:
        assert kind in KINDS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=400), name=st.sampled_from(sorted(GOOD)))
def test_fuzz_truncations_of_good_files(tmp_path, cut, name):
    data = GOOD[name] if isinstance(GOOD[name], bytes) else GOOD[name].encode()
    p = tmp_path / name
    p.write_bytes(data[: max(0, len(data) - cut)])
    try:
        assert validate_upload(p) in KINDS
    except UserError as exc:
        assert "\n" not in str(exc)


def test_real_dicom_passes_and_its_truncation_is_caught(tmp_path):
    pydicom_data = pytest.importorskip("pydicom.data")
    src = pydicom_data.get_testdata_file("CT_small.dcm")
    data = open(src, "rb").read()
    good = write(tmp_path, "ct.dcm", data)
    assert validate_upload(good) == "dicom"
    cut = write(tmp_path, "ct_cut.dcm", data[: len(data) - 4000])
    with pytest.raises(UserError, match="DICOM"):
        validate_upload(cut)
    renamed = write(tmp_path, "ct.png", data)  # a DICOM named as a PNG
    with pytest.raises(UserError, match="name says IMAGE but the content is DICOM"):
        validate_upload(renamed)
