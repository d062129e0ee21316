"""Checks on user files before any work starts: BAM/CRAM, reference FASTA, VCF.

Every check raises `UserError` with one line that says what is wrong and what to do, so the CLI
and the agent tool can refuse bad input before anything is written.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from genomics_tools.errors import InternalError, UserError

# The empty BGZF block every complete BGZF file ends with (SAM/BAM spec, section 4.1.2).
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def check_exists(path: str | Path, what: str) -> Path:
    """Return `path` as a Path, or raise UserError naming `what` when it is missing."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{what} not found: {p}")
    return p


def is_bgzf(path: Path) -> bool:
    """True when the file starts like a BGZF block (gzip with the BC extra field)."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    return len(head) >= 16 and head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


def check_bgzf_complete(path: Path, what: str) -> None:
    """Raise UserError when a BGZF file lacks its end-of-file block (a truncated download/copy)."""
    size = path.stat().st_size
    if size < len(BGZF_EOF):
        raise UserError(f"{what} {path} is truncated ({size} bytes)")
    with open(path, "rb") as fh:
        fh.seek(size - len(BGZF_EOF))
        if fh.read() != BGZF_EOF:
            raise UserError(f"{what} {path} is truncated (no BGZF end-of-file block); copy it again")


def reference_contigs(reference: str | Path) -> dict[str, int]:
    """Contig names and lengths of an indexed (or indexable) FASTA.

    Raises:
        UserError: missing, unreadable or non-FASTA file.
    """
    import pysam

    ref = check_exists(reference, "reference FASTA")
    if ref.suffix == ".gz" and not is_bgzf(ref):
        raise UserError(f"reference {ref} is gzip but not bgzip-compressed: run `bgzip -d` then `bgzip`")
    with open(ref, "rb") as fh:
        head = fh.read(2)
    if head[:1] != b">" and head[:2] != b"\x1f\x8b":
        raise UserError(f"reference {ref} is not a FASTA file (it does not start with '>')")
    try:
        with pysam.FastaFile(str(ref)) as fa:
            return dict(zip(fa.references, fa.lengths))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read reference {ref}: {exc}") from None


def check_alignments(bam: str | Path, reference: str | Path, make_index: bool = False) -> dict[str, int]:
    """Check that a BAM/CRAM is complete, coordinate-sorted, indexed and matches the reference.

    Args:
        bam: BAM or CRAM path.
        reference: FASTA the reads were aligned to.
        make_index: build a missing index (with pysam's samtools) instead of refusing.

    Returns:
        The BAM's contig lengths.

    Raises:
        UserError: truncated, unsorted, unindexed (without make_index), or contigs that do not
            match the reference.
    """
    import pysam

    path = check_exists(bam, "alignment file")
    is_cram = path.suffix == ".cram"
    if not is_cram:
        if not is_bgzf(path):
            raise UserError(f"{path} is not a BAM file (no BGZF header)")
        check_bgzf_complete(path, "BAM")
    try:
        with pysam.AlignmentFile(str(path), "rc" if is_cram else "rb", reference_filename=str(reference)) as af:
            header = af.header.to_dict()
            lengths = dict(zip(af.references, af.lengths))
            first = [r for _, r in zip(range(2000), af.fetch(until_eof=True))]
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {path}: {str(exc).splitlines()[0] if str(exc) else 'bad file'}") from None
    sort_order = header.get("HD", {}).get("SO")
    if sort_order not in (None, "coordinate"):
        raise UserError(f"{path} is not coordinate-sorted (SO:{sort_order}): run `samtools sort`")
    last = (-1, -1)
    for read in first:
        if read.is_unmapped and read.reference_id < 0:
            break
        key = (read.reference_id, read.reference_start)
        if key < last:
            raise UserError(f"{path} is not coordinate-sorted: run `samtools sort`")
        last = key
    ref_lengths = reference_contigs(reference)
    shared = [c for c in lengths if c in ref_lengths]
    if not shared:
        raise UserError(f"contigs in {path.name} ({', '.join(list(lengths)[:3])}) do not match the reference "
                        f"({', '.join(list(ref_lengths)[:3])})")
    for c in shared:
        if lengths[c] != ref_lengths[c]:
            raise UserError(f"contig {c} is {lengths[c]} bp in {path.name} but {ref_lengths[c]} bp in the reference")
    if not _has_index(path):
        if not make_index:
            raise UserError(f"{path} has no index (.bai/.csi): run `samtools index {path}` or pass --index")
        index_bam(path)
    return lengths


def index_bam(path: str | Path) -> None:
    """Write the `.bai` (BAM) or `.crai` (CRAM) of a coordinate-sorted file with the samtools inside pysam.

    Raises:
        UserError: the file cannot be indexed (not sorted, not BAM/CRAM).
    """
    import pysam

    try:
        pysam.index(str(path), catch_stdout=False)
    except pysam.SamtoolsError as exc:
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        raise UserError(f"cannot index {Path(path).name}: {lines[-1] if lines else exc}") from None


def _has_index(path: Path) -> bool:
    cands = [Path(str(path) + ext) for ext in (".bai", ".csi", ".crai")] + [path.with_suffix(".bai")]
    return any(c.is_file() for c in cands)


def open_vcf(path: str | Path):
    """Open a VCF/BCF with pysam, turning header errors into one-line UserErrors."""
    import pysam

    p = check_exists(path, "VCF")
    if p.suffix == ".gz":
        if not is_bgzf(p):
            raise UserError(f"{p} is gzip but not bgzip-compressed: recompress it with `bgzip`")
        check_bgzf_complete(p, "VCF")
    try:
        vf = pysam.VariantFile(str(p))
    except (OSError, ValueError) as exc:
        raise UserError(f"{p} has a broken VCF header: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}") from None
    if vf.format not in ("VCF", "BCF"):
        vf.close()
        raise UserError(f"{p} is not a VCF file")
    return vf


def _run(cmd: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    """Run an external tool; its failure becomes an InternalError with the tool's last line."""
    try:
        proc = subprocess.run(cmd, capture_output=True, **kw)
    except FileNotFoundError:
        from genomics_tools.binaries import MissingProgram, install_hint

        raise MissingProgram(install_hint([cmd[0]], what)) from None
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines() if isinstance(proc.stderr, bytes) else []
        raise InternalError(f"{what} failed: {err[-1] if err else f'exit {proc.returncode}'}")
    return proc


run_tool = _run


@contextmanager
def atomic_vcf(out: str | Path) -> Iterator[Path]:
    """Yield a temporary `.vcf.gz` path beside `out`; on success move it (and its .tbi) into place.

    Nothing is left at `out` when the body raises.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".vcf.gz", dir=out.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tbi = Path(str(tmp_path) + ".tbi")
        if tbi.exists():
            os.replace(tbi, str(out) + ".tbi")
        os.replace(tmp_path, out)
    finally:
        for leftover in (tmp_path, Path(str(tmp_path) + ".tbi")):
            if leftover.exists():
                leftover.unlink()
