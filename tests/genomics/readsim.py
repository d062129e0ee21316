"""A tiny read simulator for tests that must run without dwgsim: random genome, planted variants, pairs.

Reads are 2x`read_len` pairs from fragments of about `insert` bases, half of them from the reverse
strand, with uniform substitution errors; the truth VCF lists the planted SNVs and 1-3 bp indels
(0/1 on one haplotype, 1/1 on both), all at least `margin` bases from the ends and 150 apart.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from pathlib import Path

_COMP = str.maketrans("ACGT", "TGCA")


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


@dataclass
class SimulatedSample:
    reference: Path
    fastqs: list[Path]
    truth: Path
    contig: str
    n_variants: int


def _plant(ref: str, rng: random.Random, n: int, margin: int) -> list[tuple[int, str, str, str]]:
    """Variants as (pos0, ref, alt, genotype), sorted, non-overlapping."""
    slots = sorted(rng.sample(range(margin // 150, (len(ref) - margin) // 150), n))
    out = []
    for i, slot in enumerate(slots):
        pos = slot * 150 + rng.randrange(0, 100)
        gt = "1/1" if i % 3 == 0 else "0/1"
        kind = i % 4
        if kind == 3:  # deletion of 1-3 bases after an anchor base
            k = 1 + i % 3
            out.append((pos, ref[pos:pos + k + 1], ref[pos], gt))
        elif kind == 2:  # insertion of 1-3 bases after an anchor base
            k = 1 + i % 3
            out.append((pos, ref[pos], ref[pos] + "".join(rng.choice("ACGT") for _ in range(k)), gt))
        else:
            out.append((pos, ref[pos], rng.choice([b for b in "ACGT" if b != ref[pos]]), gt))
    return out


def _haplotype(ref: str, variants, which: int) -> str:
    parts, last = [], 0
    for pos, r, a, gt in variants:
        if which == 1 and gt == "0/1":
            continue
        parts.append(ref[last:pos])
        parts.append(a)
        last = pos + len(r)
    parts.append(ref[last:])
    return "".join(parts)


def simulate_sample(folder: Path, length: int = 6000, coverage: float = 25.0, n_variants: int = 16,
                    read_len: int = 150, insert: int = 350, error: float = 0.003, seed: int = 5,
                    contig: str = "sim1", margin: int = 600) -> SimulatedSample:
    """Write ref.fa (+ .fai), reads_1/2.fq.gz and truth.vcf into `folder`."""
    import pysam

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ref = "".join(rng.choice("ACGT") for _ in range(length))
    variants = _plant(ref, rng, n_variants, margin)
    haps = [_haplotype(ref, variants, 0), _haplotype(ref, variants, 1)]
    fa = folder / "ref.fa"
    fa.write_text(f">{contig}\n" + "".join(ref[i:i + 60] + "\n" for i in range(0, length, 60)))
    pysam.faidx(str(fa))
    fq = [folder / "reads_1.fq.gz", folder / "reads_2.fq.gz"]
    qual = "D" * read_len  # Q35
    n_pairs = int(length * coverage / (2 * read_len))
    with gzip.open(fq[0], "wt") as f1, gzip.open(fq[1], "wt") as f2:
        for i in range(n_pairs):
            hap = haps[rng.randrange(2)]
            size = max(2 * read_len, int(rng.gauss(insert, 30)))
            start = rng.randrange(0, len(hap) - size)
            frag = hap[start:start + size]
            if rng.random() < 0.5:
                frag = revcomp(frag)
            reads = [frag[:read_len], revcomp(frag[-read_len:])]
            for fh, seq, end in zip((f1, f2), reads, (1, 2)):
                seq = "".join(rng.choice([b for b in "ACGT" if b != c]) if rng.random() < error else c for c in seq)
                fh.write(f"@pair{i}/{end}\n{seq}\n+\n{qual}\n")
    rows = [f"{contig}\t{pos + 1}\t.\t{r}\t{a}\t50\tPASS\t.\tGT\t{gt}" for pos, r, a, gt in variants]
    truth = folder / "truth.vcf"
    truth.write_text("\n".join(["##fileformat=VCFv4.2", f"##contig=<ID={contig},length={length}>",
                                '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
                                "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTRUTH"] + rows) + "\n")
    return SimulatedSample(fa, fq, truth, contig, len(variants))
