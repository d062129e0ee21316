"""Pileup scan: one pass over the reads of a region into per-position count arrays.

The scan walks each read's CIGAR once and accumulates, with numpy, per reference position and
strand: counts of A/C/G/T (bases with quality >= `min_baseq`), summed base qualities, reads that
span a deletion, and insertions that follow the position. Exact indel alleles are counted in a
dictionary so candidates name the precise allele. Everything downstream (candidates, tensors,
coverage plots) slices these arrays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from genomics_tools.regions import Region

BASES = "ACGT"


@dataclass
class ScanOptions:
    """Read filters for the pileup scan.

    Attributes:
        min_mapq: reads with a lower mapping quality are skipped.
        min_baseq: bases with a lower quality are not counted as base evidence.
        max_reads: stop after this many reads (guards against runaway depth).
    """

    min_mapq: int = 5
    min_baseq: int = 10
    max_reads: int = 5_000_000


@dataclass
class Pileup:
    """Counts for `region` (arrays are indexed by `pos - region.start`).

    Attributes:
        region: the scanned region.
        ref: reference bases of the region, upper case.
        base_counts: int32 (2 strands, 4 bases, L).
        qual_sums: float32 (4 bases, L) summed base qualities per base.
        del_cover: int32 (2, L) reads whose alignment deletes this base.
        ins_after: int32 (2, L) reads with an insertion right after this base.
        indels: Counter of (pos0_anchor, "D", length) / (pos0_anchor, "I", inserted_seq).
        n_reads: reads used.
    """

    region: Region
    ref: str
    base_counts: object
    qual_sums: object
    del_cover: object
    ins_after: object
    indels: Counter = field(default_factory=Counter)
    n_reads: int = 0

    @property
    def depth(self):
        """Reads covering each position (bases of any quality-passing call plus deletions)."""
        return self.base_counts.sum(axis=(0, 1)) + self.del_cover.sum(axis=0)


@dataclass
class DepthTrack:
    """Per-base read depth of a region (what coverage summaries and plots keep of a Pileup)."""

    region: Region
    depth: object


def _lookup():
    import numpy as np

    table = np.full(256, 4, dtype=np.int8)
    for i, b in enumerate(BASES):
        table[ord(b)] = i
        table[ord(b.lower())] = i
    return table


def scan(bam_path: str, reference: str, region: Region, options: ScanOptions | None = None) -> Pileup:
    """Scan the reads overlapping `region` into a Pileup.

    Args:
        bam_path: coordinate-sorted, indexed BAM/CRAM (checked beforehand by `inputs`).
        reference: FASTA path.
        region: where to count.
        options: read filters.

    Returns:
        The Pileup for the region.
    """
    import numpy as np
    import pysam

    opts = options or ScanOptions()
    L = len(region)
    s0 = region.start
    with pysam.FastaFile(reference) as fa:
        ref = fa.fetch(region.contig, region.start, region.end).upper()
    table = _lookup()
    del_diff = np.zeros((2, L + 1), dtype=np.int32)
    ins_after = np.zeros((2, L), dtype=np.int32)
    indels: Counter = Counter()
    seq_chunks: list[bytes] = []
    qual_chunks: list[bytes] = []
    blk_r: list[int] = []
    blk_q: list[int] = []
    blk_n: list[int] = []
    blk_s: list[int] = []
    qoff = 0
    n = 0
    with pysam.AlignmentFile(bam_path, reference_filename=reference) as af:
        for read in af.fetch(region.contig, region.start, region.end):
            if (read.flag & 0xF04) or read.mapping_quality < opts.min_mapq:
                continue  # unmapped, secondary, qc-fail, duplicate, supplementary
            seq = read.query_sequence
            if not seq:
                continue
            n += 1
            if n > opts.max_reads:
                break
            strand = 1 if read.is_reverse else 0
            seq_chunks.append(seq.encode())
            qual_chunks.append(bytes(read.query_qualities))
            r = read.reference_start
            q = 0
            for op, ln in read.cigartuples:
                if op == 0 or op == 7 or op == 8:
                    blk_r.append(r)
                    blk_q.append(qoff + q)
                    blk_n.append(ln)
                    blk_s.append(strand)
                    r += ln
                    q += ln
                elif op == 1:
                    a = r - 1 - s0
                    if 0 <= a < L:
                        ins_after[strand, a] += 1
                        indels[(r - 1, "I", seq[q:q + ln].upper())] += 1
                    q += ln
                elif op == 2:
                    a, b = max(r - s0, 0), min(r + ln - s0, L)
                    if a < b:
                        del_diff[strand, a] += 1
                        del_diff[strand, b] -= 1
                    if 0 <= r - 1 - s0 < L:
                        indels[(r - 1, "D", ln)] += 1
                    r += ln
                elif op == 3:
                    r += ln
                elif op == 4:
                    q += ln
            qoff += len(seq)
    base_counts = np.zeros((2, 4, L), dtype=np.int32)
    qual_sums = np.zeros((4, L), dtype=np.float32)
    if blk_n:
        seq_all = np.frombuffer(b"".join(seq_chunks), dtype=np.uint8)
        qual_all = np.frombuffer(b"".join(qual_chunks), dtype=np.uint8)
        lens = np.asarray(blk_n, dtype=np.int64)
        total = int(lens.sum())
        starts = np.repeat(np.cumsum(lens) - lens, lens)
        within = np.arange(total, dtype=np.int64) - starts
        qidx = np.repeat(np.asarray(blk_q, dtype=np.int64), lens) + within
        ridx = np.repeat(np.asarray(blk_r, dtype=np.int64), lens) + within - s0
        strand_idx = np.repeat(np.asarray(blk_s, dtype=np.int64), lens)
        base = table[seq_all[qidx]].astype(np.int64)
        qual = qual_all[qidx]
        keep = (ridx >= 0) & (ridx < L) & (base < 4) & (qual >= opts.min_baseq)
        ridx, base, qual, strand_idx = ridx[keep], base[keep], qual[keep], strand_idx[keep]
        flat = (strand_idx * 4 + base) * L + ridx
        base_counts = np.bincount(flat, minlength=2 * 4 * L).reshape(2, 4, L).astype(np.int32)
        qual_sums = np.bincount(base * L + ridx, weights=qual, minlength=4 * L).reshape(4, L).astype(np.float32)
    del_cover = np.cumsum(del_diff, axis=1)[:, :L].astype(np.int32)
    return Pileup(region, ref, base_counts, qual_sums, del_cover, ins_after, indels, min(n, opts.max_reads))
