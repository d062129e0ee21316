"""FASTQ -> sorted, indexed BAM.

`minimap2` (the default) runs from pip alone: reads go through `mappy`, the minimap2 library, with
the short-read preset (`-x sr`), are written as BAM with pysam and sorted/indexed by the samtools
that pysam embeds. When the minimap2 and samtools programs are installed, the faster multi-threaded
pipe `minimap2 -ax sr | samtools sort` is used instead; both give minimap2's alignments.
`bwa` needs the bwa and samtools programs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from genomics_tools.binaries import have, require
from genomics_tools.errors import InternalError, UserError
from genomics_tools.inputs import check_exists, index_bam, reference_contigs, run_tool

ALIGNERS = ("minimap2", "bwa")
ENGINES = ("auto", "mappy", "programs")
MAX_FRAG_LEN = 800  # minimap2's `sr` preset: longer fragments are not proper pairs


def align_fastq(reference: str | Path, fastqs: list[str | Path], out_bam: str | Path, aligner: str = "minimap2",
                threads: int = 2, sample: str = "SAMPLE", engine: str = "auto") -> Path:
    """Align single- or paired-end reads and write a coordinate-sorted, indexed BAM.

    Args:
        reference: FASTA (bwa builds its index beside it when missing).
        fastqs: one (single-end) or two (paired-end) FASTQ files, plain or gzipped.
        out_bam: output path; written atomically with its `.bai`.
        aligner: "minimap2" or "bwa".
        threads: aligner and sort threads.
        sample: SM tag of the read group.
        engine: for minimap2, "mappy" (pip only), "programs" (the minimap2 and samtools programs), or
            "auto": the programs when both are on PATH, else mappy.

    Returns:
        `out_bam`.

    Raises:
        UserError: unknown aligner, missing files, more than two FASTQs, unreadable reads;
            `MissingProgram` when the chosen path needs a program that is not installed.
        InternalError: the aligner or the sort failed.
    """
    if aligner not in ALIGNERS:
        raise UserError(f"unknown aligner '{aligner}' (known: {', '.join(ALIGNERS)})")
    if engine not in ENGINES:
        raise UserError(f"unknown alignment engine '{engine}' (known: {', '.join(ENGINES)})")
    if not 1 <= len(fastqs) <= 2:
        raise UserError("give one FASTQ (single-end) or two (paired-end)")
    ref = check_exists(reference, "reference FASTA")
    reads = [check_exists(f, "FASTQ") for f in fastqs]
    if aligner == "bwa":
        require(("bwa", "samtools"), "--aligner bwa", alternative="use --aligner minimap2, which needs neither")
        use_programs = True
    elif engine == "programs":
        require(("minimap2", "samtools"), "the minimap2 program engine", alternative="use the mappy engine")
        use_programs = True
    else:
        use_programs = engine == "auto" and have("minimap2", "samtools")
    out = Path(out_bam)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.bam")
    raw = out.with_name(f".{out.name}.unsorted.bam")
    try:
        if use_programs:
            _align_programs(ref, reads, tmp, aligner, threads, sample)
        else:
            _align_mappy(ref, reads, raw, sample, threads)
            _sort(raw, tmp, threads)
        index_bam(tmp)
        os.replace(str(tmp) + ".bai", str(out) + ".bai")
        os.replace(tmp, out)
    finally:
        for leftover in (tmp, raw, Path(str(tmp) + ".bai")):
            if leftover.exists():
                leftover.unlink()
    return out


def _align_programs(ref: Path, reads: list[Path], tmp: Path, aligner: str, threads: int, sample: str) -> None:
    """`minimap2 -ax sr` or `bwa mem`, piped into `samtools sort`."""
    rg = f"@RG\\tID:{sample}\\tSM:{sample}"
    if aligner == "minimap2":
        cmd = ["minimap2", "-ax", "sr", "-t", str(threads), "-R", rg, str(ref), *map(str, reads)]
    else:
        if not Path(str(ref) + ".bwt").is_file():
            run_tool(["bwa", "index", str(ref)], "bwa index")
        cmd = ["bwa", "mem", "-t", str(threads), "-R", rg, str(ref), *map(str, reads)]
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


def _sort(src: Path, dst: Path, threads: int) -> None:
    """Coordinate-sort a BAM with the samtools inside pysam."""
    import pysam

    try:
        pysam.sort("-@", str(max(threads - 1, 0)), "-o", str(dst), str(src), catch_stdout=False)
    except pysam.SamtoolsError as exc:
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        raise InternalError(f"sorting the aligned reads failed: {lines[-1] if lines else exc}") from None


def _read_pairs(reads: list[Path]):
    """Yield ((name, seq, qual), mate or None) from one or two FASTQ files, checking that mates agree."""
    import mappy

    def records(path: Path):
        it = mappy.fastx_read(str(path))
        if it is None:
            raise UserError(f"cannot read FASTQ {path}")
        return it

    first = records(reads[0])
    if len(reads) == 1:
        for rec in first:
            yield rec, None
        return
    second = records(reads[1])
    n = 0
    for a in first:
        b = next(second, None)
        if b is None:
            raise UserError(f"{reads[0].name} has more reads than {reads[1].name}: give the two files of one pair")
        if _stem(a[0]) != _stem(b[0]):
            raise UserError(f"read {n + 1} is {a[0]} in {reads[0].name} but {b[0]} in {reads[1].name}: "
                            "the files are not mates")
        n += 1
        yield a, b
    if next(second, None) is not None:
        raise UserError(f"{reads[1].name} has more reads than {reads[0].name}: give the two files of one pair")


def _stem(name: str) -> str:
    return name[:-2] if name.endswith(("/1", "/2")) else name


def _align_mappy(ref: Path, reads: list[Path], out: Path, sample: str, threads: int, batch: int = 2000) -> None:
    """Map every read (pair) with mappy and write the primary alignments, unsorted, to `out`.

    mappy releases the GIL while it maps, so `threads` worker threads map batches of reads at once;
    batches are written in input order.
    """
    import threading
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor
    from itertools import islice

    import mappy
    import pysam

    contigs = reference_contigs(ref)
    tid = {name: i for i, name in enumerate(contigs)}
    aligner = mappy.Aligner(str(ref), preset="sr", n_threads=max(threads, 1))
    if not aligner:
        raise UserError(f"minimap2 (mappy) cannot index the reference {ref}")
    header = {"HD": {"VN": "1.6", "SO": "unsorted"},
              "SQ": [{"SN": name, "LN": length} for name, length in contigs.items()],
              "RG": [{"ID": sample, "SM": sample}],
              "PG": [{"ID": "minimap2", "PN": "mappy", "VN": getattr(mappy, "__version__", "?"), "CL": "preset=sr"}]}
    paired = len(reads) == 2
    local = threading.local()

    def map_batch(pairs: list) -> list:
        if not hasattr(local, "buf"):  # one mappy buffer per worker thread
            local.buf = mappy.ThreadBuffer()
        return [(r1, r2, list(aligner.map(r1[1], r2[1] if r2 else None, name=_stem(r1[0]), buf=local.buf)))
                for r1, r2 in pairs]

    source = _read_pairs(reads)
    batches = iter(lambda: list(islice(source, batch)), [])
    with pysam.AlignmentFile(str(out), "wbu", header=header) as bam, \
            ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        pending: deque = deque()  # at most 2 batches per thread in memory (Executor.map would read all input)
        for b in batches:
            pending.append(pool.submit(map_batch, b))
            if len(pending) >= 2 * max(threads, 1):
                _write(bam, pending.popleft().result(), tid, sample, paired)
        while pending:
            _write(bam, pending.popleft().result(), tid, sample, paired)


def _write(bam, mapped: list, tid: dict[str, int], sample: str, paired: bool) -> None:
    """Write the records of one mapped batch."""
    for r1, r2, hits in mapped:
        mates = [r1, r2] if paired else [r1]
        primary = [_primary(hits, k, len(mates[k][1])) for k in range(len(mates))]
        for k, (name, seq, qual) in enumerate(mates):
            mate = primary[1 - k] if paired else None
            bam.write(_record(bam.header, tid, _stem(name), seq, qual, primary[k], sample, paired, k, mate))


class _Hit:
    """The fields of a mappy hit that a SAM record needs, with query coordinates on the read as given."""

    __slots__ = ("ctg", "r_st", "r_en", "q_st", "q_en", "strand", "mapq", "cigar", "NM")

    def __init__(self, h, length: int, second: bool):
        self.ctg, self.r_st, self.r_en, self.strand = h.ctg, h.r_st, h.r_en, h.strand
        self.mapq, self.cigar, self.NM = h.mapq, h.cigar, h.NM
        # mappy maps the second read of a pair reverse-complemented and flips its strand back, but
        # leaves its query coordinates on the reverse complement
        self.q_st, self.q_en = (length - h.q_en, length - h.q_st) if second else (h.q_st, h.q_en)


def _primary(hits: list, k: int, length: int) -> _Hit | None:
    """The primary alignment of read `k` (0 or 1) of a pair, or None when it is unmapped."""
    h = next((h for h in hits if h.is_primary and h.read_num == k + 1), None)
    return None if h is None else _Hit(h, length, second=k == 1)


def _record(header, tid: dict[str, int], name: str, seq: str, qual: str | None, hit, sample: str, paired: bool,
            k: int, mate):
    """One SAM record as minimap2 writes it for a primary alignment (or an unmapped read)."""
    import mappy
    import pysam

    a = pysam.AlignedSegment(header)
    a.query_name = name
    flag = 0
    if paired:
        flag |= 0x1 | (0x40 if k == 0 else 0x80)
        if mate is None:
            flag |= 0x8
        elif mate.strand < 0:
            flag |= 0x20
    if hit is None:
        flag |= 0x4
        a.query_sequence = seq
        if qual:
            a.query_qualities = pysam.qualitystring_to_array(qual)
        if mate is not None:  # SAM convention: an unmapped read is placed at its mapped mate
            a.reference_id = a.next_reference_id = tid[mate.ctg]
            a.reference_start = a.next_reference_start = mate.r_st
        a.flag = flag
        a.set_tag("RG", sample)
        return a
    if hit.strand < 0:
        flag |= 0x10
        seq, qual = mappy.revcomp(seq), qual[::-1] if qual else qual
        left, right = len(seq) - hit.q_en, hit.q_st
    else:
        left, right = hit.q_st, len(seq) - hit.q_en
    cigar = [(op, n) for n, op in hit.cigar]
    if left:
        cigar.insert(0, (4, left))
    if right:
        cigar.append((4, right))
    a.reference_id = tid[hit.ctg]
    a.reference_start = hit.r_st
    a.mapping_quality = hit.mapq
    a.cigartuples = cigar
    a.query_sequence = seq
    if qual:
        a.query_qualities = pysam.qualitystring_to_array(qual)
    if mate is not None:
        a.next_reference_id = tid[mate.ctg]
        a.next_reference_start = mate.r_st
        if mate.ctg == hit.ctg:
            start, end = min(hit.r_st, mate.r_st), max(hit.r_en, mate.r_en)
            leftmost = hit.r_st < mate.r_st or (hit.r_st == mate.r_st and k == 0)
            a.template_length = (end - start) if leftmost else -(end - start)
            fwd, rev = (hit, mate) if hit.strand > 0 else (mate, hit)
            if hit.strand != mate.strand and fwd.r_st <= rev.r_en and end - start <= MAX_FRAG_LEN:
                flag |= 0x2
    elif paired:  # mate unmapped: it sits at this read's position
        a.next_reference_id = tid[hit.ctg]
        a.next_reference_start = hit.r_st
    a.flag = flag
    a.set_tag("NM", hit.NM)
    a.set_tag("RG", sample)
    return a
