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
    "vcf": ("call_variants", "vcf"),
}

_IMAGE_MAGIC = {b"\x89PNG": "image", b"\xff\xd8\xff": "image"}


def detect_kind(path: Path) -> str:
    """One of fhir, json, dicom, nifti, image, bam, cram, vcf, fasta, pdf, notes, jsonl, xml.

    Raises:
        UserError: unreadable or unrecognised file.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"not a file: {path.name}")
    name = path.name.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise UserError(f"cannot read {path.name}: {exc.strerror}") from None
    if len(head) >= 132 and head[128:132] == b"DICM" or name.endswith(".dcm"):
        return "dicom"
    if name.endswith((".nii", ".nii.gz")):
        return "nifti"
    for magic, kind in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return kind
    if name.endswith((".bam",)):
        return "bam"
    if name.endswith(".cram"):
        return "cram"
    if name.endswith((".vcf", ".vcf.gz", ".bcf")):
        return "vcf"
    if name.endswith((".fa", ".fasta", ".fa.gz", ".fasta.gz", ".fna")):
        return "fasta"
    if head.startswith(b"%PDF"):
        return "pdf"
    if name.endswith(".jsonl"):
        return "jsonl"
    if name.endswith((".xml", ".xml.gz", ".nxml")):
        return "xml"
    if name.endswith(".json") or head.lstrip().startswith(b"{"):
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"{path.name}: malformed JSON ({exc.__class__.__name__})") from None
        if isinstance(obj, dict) and obj.get("resourceType") in ("Bundle", "Patient"):
            return "fhir"
        return "json"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path.name}: unsupported file type") from None
    return "notes"


def route(kind: str) -> tuple[str, str] | None:
    """(tool, argument) for an upload kind, or None when no tool handles it."""
    return ROUTES.get(kind)
