"""FASTQ -> sorted, indexed BAM with minimap2 (`-ax sr`) or bwa mem, piped into samtools sort."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from genomics_tools.errors import InternalError, UserError
from genomics_tools.inputs import check_exists, run_tool

ALIGNERS = ("minimap2", "bwa")


def align_fastq(reference: str | Path, fastqs: list[str | Path], out_bam: str | Path, aligner: str = "minimap2",
                threads: int = 2, sample: str = "SAMPLE") -> Path:
    """Align single- or paired-end reads and write a coordinate-sorted, indexed BAM.

    Args:
        reference: FASTA (bwa builds its index beside it when missing).
        fastqs: one (single-end) or two (paired-end) FASTQ files, plain or gzipped.
        out_bam: output path; written atomically with its `.bai`.
        aligner: "minimap2" or "bwa".
        threads: aligner threads.
        sample: SM tag of the read group.

    Returns:
        `out_bam`.

    Raises:
        UserError: unknown aligner, missing files, or more than two FASTQs.
        InternalError: the aligner failed.
    """
    if aligner not in ALIGNERS:
        raise UserError(f"unknown aligner '{aligner}' (known: {', '.join(ALIGNERS)})")
    if not 1 <= len(fastqs) <= 2:
        raise UserError("give one FASTQ (single-end) or two (paired-end)")
    ref = check_exists(reference, "reference FASTA")
    reads = [str(check_exists(f, "FASTQ")) for f in fastqs]
    rg = f"@RG\\tID:{sample}\\tSM:{sample}"
    if aligner == "minimap2":
        cmd = ["minimap2", "-ax", "sr", "-t", str(threads), "-R", rg, str(ref), *reads]
    else:
        if not Path(str(ref) + ".bwt").is_file():
            run_tool(["bwa", "index", str(ref)], "bwa index")
        cmd = ["bwa", "mem", "-t", str(threads), "-R", rg, str(ref), *reads]
    out = Path(out_bam)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.bam")
    try:
        aln = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        srt = subprocess.run(["samtools", "sort", "-@", "1", "-o", str(tmp), "-"], stdin=aln.stdout,
                             capture_output=True)
        aln.stdout.close()
        err = aln.stderr.read().decode(errors="replace")
        if aln.wait() != 0:
            lines = [ln for ln in err.splitlines() if ln.strip()]
            raise UserError(f"{aligner} could not align the reads: {lines[-1] if lines else 'failed'}")
        if srt.returncode != 0:
            raise InternalError(f"samtools sort failed: {srt.stderr.decode(errors='replace').strip()[-200:]}")
        run_tool(["samtools", "index", str(tmp)], "samtools index")
        os.replace(str(tmp) + ".bai", str(out) + ".bai")
        os.replace(tmp, out)
    except FileNotFoundError as exc:
        raise InternalError(f"{exc.filename} is not installed") from None
    finally:
        for leftover in (tmp, Path(str(tmp) + ".bai")):
            if leftover.exists():
                leftover.unlink()
    return out
