"""Checks on untrusted files before any tool parses them: sizes, truncation, decompression bombs, names.

`check_file(path, kind, limits)` raises `UserError` with one line naming the file and the problem;
it reads headers and trailers, and streams compressed data through a bounded decompressor, so a
hostile file costs at most its size limit in time and a fixed amount of memory.
`safe_filename(name)` turns any client-supplied name into one plain file name (no folders, no
`..`, no control characters), so uploads are only ever written inside their conversation folder.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import struct
import unicodedata
import zlib
from pathlib import Path
from typing import Any, Mapping

from bot.errors import UserError

MB = 1024 * 1024
# upload kind -> key of `SafetySettings.max_upload_mb`
LIMIT_KEY = {"fhir": "json", "json": "json", "image": "image", "dicom": "dicom", "nifti": "nifti", "bam": "bam",
             "cram": "bam", "vcf": "vcf", "fasta": "fasta", "pdf": "pdf", "notes": "text", "xml": "xml",
             "jsonl": "jsonl"}
DEFAULT_LIMITS_MB = {"json": 20, "image": 200, "dicom": 500, "nifti": 500, "bam": 200, "vcf": 100, "fasta": 200,
                     "pdf": 50, "text": 10, "xml": 200, "jsonl": 200}
MAX_PIXELS = 100_000_000  # a PNG/JPEG larger than this is refused as a decompression bomb
MAX_VOXELS = 1_000_000_000
MIN_BOMB_BYTES = 16 * MB  # ratios only matter once the output is this large
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_NAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_filename(name: str, default: str = "upload") -> str:
    """A plain file name from a client-supplied one: basename only, no `..`, no control characters.

    Examples: `../../etc/passwd` -> `passwd`; `C:\\x\\scan.dcm` -> `scan.dcm`; `..` -> `upload`.
    """
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = _NAME_BAD.sub("_", name).strip(" .")
    if not name or set(name) <= {".", "_"}:
        return default
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 120 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:120]
    return name


def limit_bytes(kind: str, limits: Mapping[str, float] | None = None) -> int:
    """The size limit of an upload kind in bytes."""
    table = {**DEFAULT_LIMITS_MB, **(limits or {})}
    return int(float(table.get(LIMIT_KEY.get(kind, "text"), DEFAULT_LIMITS_MB["text"])) * MB)


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def gunzip_head(path: Path, n: int) -> bytes:
    """The first `n` decompressed bytes of a gzip file (b"" when it is corrupt)."""
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(n)
    except (OSError, EOFError, zlib.error):
        return b""


def check_gzip_stream(path: Path, max_out: int, max_ratio: float) -> int:
    """Decompress a gzip (or BGZF) file in bounded chunks; returns the decompressed size.

    Raises:
        UserError: truncated or corrupt stream; output beyond `max_out`, or beyond `max_ratio`
            times the input once past MIN_BOMB_BYTES (a decompression bomb).
    """
    size_in = max(1, path.stat().st_size)
    out = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(256 * 1024)
            if not chunk:
                break
            data = chunk
            while data:
                try:
                    piece = d.decompress(data, 1 << 20)
                except zlib.error:
                    raise UserError(f"{path.name}: corrupt compressed data") from None
                out += len(piece)
                if out > max_out or (out > MIN_BOMB_BYTES and out > max_ratio * size_in):
                    cap = max_out if max_ratio == float("inf") else min(max_out, int(max_ratio * size_in))
                    raise UserError(f"{path.name}: refused, it decompresses to more than "
                                    f"{max(1, cap // MB)} MB (decompression bomb?)")
                if d.unused_data:  # next gzip member (BGZF is a series of members)
                    data = d.unused_data
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    continue
                data = d.unconsumed_tail
    if not d.eof:
        raise UserError(f"{path.name}: truncated compressed data")
    return out


def _check_png(path: Path, head: bytes, size: int) -> None:
    if len(head) < 33 or head[12:16] != b"IHDR":
        raise UserError(f"{path.name}: truncated or corrupt PNG header")
    w, h = struct.unpack(">II", head[16:24])
    if w == 0 or h == 0:
        raise UserError(f"{path.name}: PNG with zero size")
    if w * h > MAX_PIXELS:
        raise UserError(f"{path.name}: refused, {w}x{h} pixels is more than {MAX_PIXELS // 1_000_000} megapixels")
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 12))
        if b"IEND" not in fh.read():
            raise UserError(f"{path.name}: truncated PNG (no end marker)")


def _check_jpeg(path: Path, size: int) -> None:
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 2))
        if fh.read() != b"\xff\xd9":
            raise UserError(f"{path.name}: truncated JPEG (no end marker)")


def _check_pdf(path: Path, size: int) -> None:
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 2048))
        if b"%%EOF" not in fh.read():
            raise UserError(f"{path.name}: truncated PDF (no end-of-file marker)")


def nifti_header(raw: bytes) -> dict[str, Any] | None:
    """Dims, datatype bits and data offset of a NIfTI-1/2 header, or None when it is not one."""
    for endian in ("<", ">"):
        if len(raw) >= 348 and struct.unpack(endian + "i", raw[:4])[0] == 348:
            dims = struct.unpack(endian + "8h", raw[40:56])
            bitpix = struct.unpack(endian + "h", raw[72:74])[0]
            offset = struct.unpack(endian + "f", raw[108:112])[0]
            return {"dims": dims, "bitpix": bitpix, "offset": int(offset), "version": 1}
        if len(raw) >= 540 and struct.unpack(endian + "i", raw[:4])[0] == 540:
            dims = struct.unpack(endian + "8q", raw[16:80])
            bitpix = struct.unpack(endian + "h", raw[14:16])[0]
            offset = struct.unpack(endian + "q", raw[168:176])[0]
            return {"dims": dims, "bitpix": bitpix, "offset": int(offset), "version": 2}
    return None


def _check_nifti(path: Path, size: int, limit: int, max_ratio: float) -> None:
    gz = is_gzip(path)
    raw = gunzip_head(path, 544) if gz else path.open("rb").read(544)
    hdr = nifti_header(raw)
    if hdr is None:
        raise UserError(f"{path.name}: not a NIfTI file (bad header)")
    ndim = hdr["dims"][0]
    dims = hdr["dims"][1:1 + ndim] if 1 <= ndim <= 7 else ()
    if not dims or any(d <= 0 for d in dims) or hdr["bitpix"] not in (1, 8, 16, 24, 32, 64, 128, 256):
        raise UserError(f"{path.name}: corrupt NIfTI header (dimensions {hdr['dims']}, {hdr['bitpix']} bits)")
    voxels = 1
    for d in dims:
        voxels *= int(d)
    if voxels > MAX_VOXELS:
        raise UserError(f"{path.name}: refused, {voxels:,} voxels is more than {MAX_VOXELS:,}")
    need = max(hdr["offset"], 348) + voxels * hdr["bitpix"] // 8
    if gz and need > 8 * limit:
        raise UserError(f"{path.name}: refused, the header declares {need // MB:,} MB of image data")
    # a NIfTI's own header bounds its decompressed size (masks compress far beyond any fixed ratio)
    have = check_gzip_stream(path, need + MB, float("inf")) if gz else size
    if have < need:
        raise UserError(f"{path.name}: truncated NIfTI ({have:,} bytes of image data, header says {need:,})")


def _check_bam(path: Path, size: int) -> None:
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(max(0, size - len(BGZF_EOF)))
        tail = fh.read()
    if head != b"\x1f\x8b\x08\x04" or gunzip_head(path, 4) != b"BAM\x01":
        raise UserError(f"{path.name}: not a BAM file")
    if tail != BGZF_EOF:
        raise UserError(f"{path.name}: truncated BAM (no end-of-file block)")


def _check_dicom(path: Path) -> None:
    try:
        import pydicom
        from pydicom.errors import InvalidDicomError
    except ImportError:  # structure cannot be checked without pydicom: the reader will
        return
    try:
        ds = pydicom.dcmread(path, force=False)
        if len(ds) == 0:
            raise UserError(f"{path.name}: not a readable DICOM file (no data elements)")
        if "PixelData" in ds:
            ts = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
            if ts is not None and not ts.is_compressed:
                frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
                need = (int(ds.Rows) * int(ds.Columns) * frames * int(getattr(ds, "SamplesPerPixel", 1))
                        * int(ds.BitsAllocated) // 8)
                if len(ds.PixelData) < need:
                    raise UserError(f"{path.name}: truncated DICOM pixel data ({len(ds.PixelData):,} of {need:,} bytes)")
    except UserError:
        raise
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError, AttributeError, TypeError,
            struct.error, OverflowError, MemoryError) as exc:
        raise UserError(f"{path.name}: not a readable DICOM file ({type(exc).__name__})") from None


def _check_json(path: Path, jsonl: bool) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path.name}: not UTF-8 text") from None
    try:
        if jsonl:
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    json.loads(line)
        else:
            json.loads(text)
    except json.JSONDecodeError as exc:
        where = f" line {n}" if jsonl else ""
        raise UserError(f"{path.name}: malformed JSON{where} ({exc.msg})") from None
    except RecursionError:
        raise UserError(f"{path.name}: refused, JSON nested too deeply") from None


def _check_xml(path: Path, limit: int, max_ratio: float) -> None:
    import xml.etree.ElementTree as ET

    gz = is_gzip(path)
    if gz:
        check_gzip_stream(path, limit * 8, max_ratio)
    opener = gzip.open if gz else open
    with opener(path, "rb") as fh:
        head = fh.read(65536)
        if re.search(rb"<!ENTITY", head, re.IGNORECASE):
            raise UserError(f"{path.name}: refused, XML declares entities (entity expansion or external entities)")
        fh.seek(0)
        try:
            for _ in ET.iterparse(fh, events=("end",)):
                pass
        except ET.ParseError as exc:
            raise UserError(f"{path.name}: malformed or truncated XML ({exc})") from None


def _check_text(path: Path, kind: str, limit: int, max_ratio: float) -> None:
    gz = is_gzip(path)
    if gz:
        check_gzip_stream(path, limit * 8, max_ratio)
        head = gunzip_head(path, 4096)
    else:
        head = path.open("rb").read(4096)
    if kind == "vcf" and not (head.startswith(b"##fileformat=VCF") or head.startswith(b"BCF")):
        raise UserError(f"{path.name}: not a VCF file (no ##fileformat header)")
    if kind == "fasta" and not head.lstrip().startswith(b">"):
        raise UserError(f"{path.name}: not a FASTA file (no '>' header)")
    if kind == "notes":
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{path.name}: not UTF-8 text") from None


def check_file(path: str | Path, kind: str, limits: Mapping[str, float] | None = None,
               max_ratio: float = 200.0) -> None:
    """Refuse a hostile or broken upload of a known kind.

    Args:
        path: the file.
        kind: its kind from `bot.uploads.detect_kind`.
        limits: MB per limit key (`SafetySettings.max_upload_mb`); missing keys use the defaults.
        max_ratio: largest accepted decompressed/compressed size ratio.

    Raises:
        UserError: too large, truncated, corrupt, or a decompression bomb (one line naming the file).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"cannot read {path.name}: {exc.strerror}") from None
    limit = limit_bytes(kind, limits)
    if size > limit:
        raise UserError(f"{path.name}: {size / MB:.1f} MB is over the {limit / MB:.0f} MB limit for {kind} files"
                        + (" (pass large BAMs by path on the command line)" if kind in ("bam", "cram") else ""))
    if size == 0:
        raise UserError(f"{path.name}: empty file")
    with open(path, "rb") as fh:
        head = fh.read(64)
    try:
        if kind == "image":
            if head.startswith(b"\x89PNG"):
                _check_png(path, head, size)
            elif head.startswith(b"\xff\xd8\xff"):
                _check_jpeg(path, size)
        elif kind == "pdf":
            _check_pdf(path, size)
        elif kind == "nifti":
            _check_nifti(path, size, limit, max_ratio)
        elif kind == "bam":
            _check_bam(path, size)
        elif kind == "dicom":
            _check_dicom(path)
        elif kind in ("json", "fhir", "jsonl"):
            _check_json(path, kind == "jsonl")
        elif kind == "xml":
            _check_xml(path, limit, max_ratio)
        elif kind in ("vcf", "fasta", "notes"):
            _check_text(path, kind, limit, max_ratio)
    except (OSError, EOFError, zlib.error) as exc:
        raise UserError(f"{path.name}: unreadable {kind} file ({type(exc).__name__})") from None


def copy_into(src: str | Path, folder: str | Path, name: str | None = None) -> Path:
    """Copy `src` into `folder` under a safe name, atomically (temporary file, then rename).

    Returns:
        The destination path (always directly inside `folder`).
    """
    import shutil
    import tempfile

    folder = Path(folder)
    dest = folder / safe_filename(name or Path(src).name)
    if dest.resolve().parent != folder.resolve():  # belt and braces: never outside the folder
        raise UserError(f"refused file name {name!r}")
    if Path(src).resolve() == dest.resolve():
        return dest
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest
