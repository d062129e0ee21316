"""Classify uploaded files by content (not only by extension) and route them to a tool."""

from __future__ import annotations

import json
from pathlib import Path

from bot.errors import UserError

# upload kind -> (tool name, argument name that receives the file path)
ROUTES: dict[str, tuple[str, str]] = {
    "fhir": ("summarize_case", "path"),
    "notes": ("summarize_case", "path"),
    "dicom": ("segment_image", "path"),
    "nifti": ("segment_image", "path"),
    "image": ("segment_image", "path"),
    "bam": ("call_variants", "bam"),
    "cram": ("call_variants", "bam"),
    "vcf": ("call_variants", "vcf"),
}

_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image", b"\xff\xd8\xff": "image"}
# extension -> the kind its content must have
_EXT_KIND = {".dcm": "dicom", ".nii": "nifti", ".nii.gz": "nifti", ".png": "image", ".jpg": "image",
             ".jpeg": "image", ".bam": "bam", ".cram": "cram", ".vcf": "vcf", ".vcf.gz": "vcf", ".bcf": "vcf",
             ".fa": "fasta", ".fasta": "fasta", ".fa.gz": "fasta", ".fasta.gz": "fasta", ".fna": "fasta",
             ".pdf": "pdf", ".jsonl": "jsonl", ".xml": "xml", ".xml.gz": "xml", ".nxml": "xml", ".json": "json"}
_JSON_SNIFF_MAX = 20 * 1024 * 1024  # larger JSON goes through the size limits before being parsed


def _ext(name: str) -> str:
    for ext in sorted(_EXT_KIND, key=len, reverse=True):
        if name.endswith(ext):
            return ext
    return ""


def _content_kind(path: Path, head: bytes) -> str | None:
    """The kind the bytes say, or None for plain text/JSON that needs a closer look."""
    import gzip
    import zlib

    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    for magic, kind in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"CRAM"):
        return "cram"
    if len(head) >= 348 and head[344:348] in (b"n+1\x00", b"ni1\x00") or head[4:8] == b"n+2\x00":
        return "nifti"
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(1024)
        except (OSError, EOFError, zlib.error):
            return "gzip"
        if inner.startswith(b"BAM\x01"):
            return "bam"
        if inner.startswith(b"BCF") or inner.startswith(b"##fileformat=VCF"):
            return "vcf"
        if len(inner) >= 348 and inner[344:348] in (b"n+1\x00", b"ni1\x00"):
            return "nifti"
        if inner.lstrip().startswith(b">"):
            return "fasta"
        if inner.lstrip().startswith(b"<"):
            return "xml"
        return "gzip"
    if head.startswith(b"##fileformat=VCF"):
        return "vcf"
    return None


def detect_kind(path: Path) -> str:
    """One of fhir, json, dicom, nifti, image, bam, cram, vcf, fasta, pdf, notes, jsonl, xml.

    The content decides; an extension that promises another kind than the content is refused.

    Raises:
        UserError: unreadable or unrecognised file, or content that does not match the extension.
    """
    import json

    path = Path(path)
    if not path.is_file():
        raise UserError(f"not a file: {path.name}")
    name = path.name.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise UserError(f"cannot read {path.name}: {exc.strerror}") from None
    ext = _ext(name)
    expected = _EXT_KIND.get(ext)
    kind = _content_kind(path, head)
    if kind == "dicom" or (kind is None and expected == "dicom" and head[:2] in (b"\x08\x00", b"\x02\x00")):
        return _agree(path, "dicom", expected)
    if kind == "gzip":
        raise UserError(f"{path.name}: truncated or corrupt compressed file (or unknown content)")
    if kind is not None:
        return _agree(path, kind, expected)
    if expected in ("dicom", "nifti", "image", "bam", "cram", "pdf") or (expected or "").endswith(".gz"):
        raise UserError(f"{path.name}: the content is not {expected.upper() if expected else 'what the name says'}")
    if expected == "fasta" or (expected is None and head.lstrip().startswith(b">")):
        return _agree(path, "fasta", expected)
    if expected == "jsonl":
        return "jsonl"
    if expected == "xml" or (expected is None and head.lstrip().startswith(b"<?xml")):
        return _agree(path, "xml", expected)
    if expected == "json" or head.lstrip().startswith((b"{", b"[")):
        try:
            if path.stat().st_size > _JSON_SNIFF_MAX:
                return "json"  # too large to sniff: the size limits decide
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise UserError(f"{path.name}: malformed JSON ({exc.__class__.__name__})") from None
        if isinstance(obj, dict) and obj.get("resourceType") in ("Bundle", "Patient"):
            return "fhir"
        return "json"
    if expected == "vcf":
        raise UserError(f"{path.name}: the content is not VCF (no ##fileformat header)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut at the end of the sample
            raise UserError(f"{path.name}: unsupported file type") from None
    return "notes"


def _agree(path: Path, kind: str, expected: str | None) -> str:
    """`kind`, unless the extension promised a different kind."""
    if expected and expected != kind and not (expected == "json" and kind == "fhir"):
        raise UserError(f"{path.name}: the name says {expected.upper()} but the content is {kind.upper()}")
    return kind


def validate_upload(path: Path, safety=None) -> str:
    """`detect_kind` plus the hostile-file checks (size limits, truncation, decompression bombs).

    Args:
        path: the uploaded file.
        safety: `Settings.safety` (limits); None uses the defaults.

    Returns:
        The upload kind.

    Raises:
        UserError: one line naming the file and the problem.
    """
    from bot.safety.files import check_file

    kind = detect_kind(path)
    limits = getattr(safety, "max_upload_mb", None)
    ratio = getattr(safety, "max_decompressed_ratio", 200.0)
    check_file(path, kind, limits, ratio)
    return kind


def route(kind: str) -> tuple[str, str] | None:
    """(tool, argument) for an upload kind, or None when no tool handles it."""
    return ROUTES.get(kind)
