"""Stage 1 (`make_examples`): candidate sites and pileup tensors from reads + reference.

Candidates come from the pileup scan: a base or an exact indel allele seen in at least
`min_alt_count` reads and a minimum fraction of the depth. Each candidate gets a pileup tensor
(channels x window columns centred on the site) and a small vector of site features. The result is
an `Examples` object, saved as `.npz` so the next stage can run alone.

Tensor channels (C = 22, W = 2 * half_window + 1):
    0-3   reference base one-hot
    4-11  fraction of reads showing A, C, G, T on the forward (4-7) and reverse (8-11) strand
    12-13 fraction of reads with a deletion over the column, forward/reverse
    14-15 fraction of reads with an insertion after the column, forward/reverse
    16-19 mean base quality of A, C, G, T / 40
    20    depth of the column / depth at the site
    21    fraction of reads supporting the candidate allele, on the columns it spans
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genomics_tools.pileup import BASES, Pileup
from genomics_tools.normalize import normalize

N_CHANNELS = 22
SITE_FEATURES = ("alt_frac", "other_frac", "log_depth", "depth_100", "is_snv", "is_ins", "is_del",
                 "indel_len", "alt_baseq", "repeat_units", "alt_count_30", "het_vs_error_llr")
LLR_ERROR_RATE = 0.02  # per-read error rate assumed by the het-vs-error likelihood-ratio feature
KIND_SNV, KIND_INS, KIND_DEL = 0, 1, 2


@dataclass
class CandidateOptions:
    """Thresholds for candidate sites and the tensor window.

    Attributes:
        min_alt_count: reads that must show the allele.
        min_snv_frac: minimum allele fraction for a substitution.
        min_indel_frac: minimum allele fraction for an insertion or deletion.
        half_window: columns on each side of the site in the tensor.
        max_indel_len: longer indels are not proposed.
    """

    min_alt_count: int = 2
    min_snv_frac: float = 0.12
    min_indel_frac: float = 0.08
    half_window: int = 16
    max_indel_len: int = 50


@dataclass
class Examples:
    """Candidates of one region with their tensors (arrays of length N).

    Attributes:
        contig: contig name.
        pos0: 0-based position of the first REF base.
        ref, alt: alleles (numpy str arrays).
        kind: 0 SNV, 1 insertion, 2 deletion.
        depth, alt_count: read depth and allele support at the site.
        tensors: float16 (N, C, W).
        site: float32 (N, len(SITE_FEATURES)).
        labels: int8 genotype class (0 hom-ref, 1 het, 2 hom-alt; -1 unknown).
        probs: float32 (N, 3) genotype probabilities once predicted, else None.
    """

    contig: str
    pos0: object
    ref: object
    alt: object
    kind: object
    depth: object
    alt_count: object
    tensors: object
    site: object
    labels: object
    probs: object = None

    def __len__(self) -> int:
        return len(self.pos0)

    def save(self, path: str | Path) -> Path:
        """Write the examples (and probabilities, if any) to a compressed `.npz`."""
        import numpy as np

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = {} if self.probs is None else {"probs": self.probs}
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, contig=np.array(self.contig), pos0=self.pos0, ref=self.ref, alt=self.alt,
                            kind=self.kind, depth=self.depth, alt_count=self.alt_count, tensors=self.tensors,
                            site=self.site, labels=self.labels, **extra)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Examples":
        """Read examples written by `save`.

        Raises:
            UserError: not an examples file.
        """
        import numpy as np

        from genomics_tools.errors import UserError

        try:
            z = np.load(path, allow_pickle=False)
            return cls(contig=str(z["contig"]), pos0=z["pos0"], ref=z["ref"], alt=z["alt"], kind=z["kind"],
                       depth=z["depth"], alt_count=z["alt_count"], tensors=z["tensors"], site=z["site"],
                       labels=z["labels"], probs=z["probs"] if "probs" in z.files else None)
        except (OSError, KeyError, ValueError) as exc:
            raise UserError(f"{path} is not a medbot examples file: {exc}") from None

    @staticmethod
    def concat(parts: list["Examples"]) -> "Examples":
        """Join examples of several regions (contig of the first part is kept)."""
        import numpy as np

        cat = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
        return Examples(parts[0].contig, cat("pos0"), cat("ref"), cat("alt"), cat("kind"), cat("depth"),
                        cat("alt_count"), cat("tensors"), cat("site"), cat("labels"))


def find_candidates(pile: Pileup, options: CandidateOptions | None = None) -> list[tuple[int, str, str, int, int, int]]:
    """Candidate alleles of a pileup.

    Args:
        pile: the scanned region.
        options: thresholds.

    Returns:
        Sorted list of (pos0, ref, alt, kind, depth, alt_count); indels are left-aligned and their
        support merged across the positions the aligner wrote them at.
    """
    import numpy as np

    opts = options or CandidateOptions()
    s0 = pile.region.start
    L = len(pile.region)
    ref = pile.ref
    depth = pile.depth
    counts = pile.base_counts.sum(axis=0)  # (4, L)
    ref_idx = np.array([BASES.find(b) for b in ref], dtype=np.int64)
    masked = counts.copy()
    valid = ref_idx >= 0
    masked[ref_idx[valid], np.nonzero(valid)[0]] = -1
    best = masked.argmax(axis=0)
    best_n = masked.max(axis=0)
    ok = valid & (best_n >= opts.min_alt_count) & (best_n >= opts.min_snv_frac * np.maximum(depth, 1))
    out: list[tuple[int, str, str, int, int, int]] = []
    for i in np.nonzero(ok)[0]:
        out.append((s0 + int(i), ref[i], BASES[best[i]], KIND_SNV, int(depth[i]), int(best_n[i])))

    def base_at(p: int) -> str:
        return ref[p - s0] if 0 <= p - s0 < L else "N"

    merged: dict[tuple[int, str, str], int] = {}
    for (anchor, kind, what), n in pile.indels.items():
        i = anchor - s0
        if not 0 <= i < L or ref[i] == "N":
            continue
        if kind == "D":
            if what > opts.max_indel_len or i + what >= L:
                continue
            r, a = ref[i:i + what + 1], ref[i]
        else:
            if len(what) > opts.max_indel_len or "N" in what:
                continue
            r, a = ref[i], ref[i] + what
        key = normalize(anchor, r, a, base_at)
        merged[key] = merged.get(key, 0) + n
    for (p, r, a), n in merged.items():
        i = p - s0
        if not 0 <= i < L:
            continue
        d = int(max(depth[i], depth[min(i + 1, L - 1)]))
        if n >= opts.min_alt_count and n >= opts.min_indel_frac * max(d, 1):
            out.append((p, r, a, KIND_INS if len(a) > len(r) else KIND_DEL, d, n))
    out.sort(key=lambda c: (c[0], c[3], c[2]))
    return out


def het_vs_error_llr(alt_count: int, depth: int, error_rate: float = LLR_ERROR_RATE) -> float:
    """Log-likelihood ratio of `alt_count` of `depth` reads under a het (p=0.5) versus sequencing error,
    scaled by 1/20 and clipped to [-3, 3] (a calibrated hint that holds across coverages)."""
    import math

    ref_count = max(depth - alt_count, 0)
    llr = alt_count * math.log(0.5 / error_rate) + ref_count * math.log(0.5 / (1.0 - error_rate))
    return max(-3.0, min(3.0, llr / 20.0))


def _repeat_units(ref: str, i: int, unit: str) -> int:
    """How many copies of `unit` follow 0-based index `i` in `ref`."""
    if not unit:
        return 0
    n, j = 0, i
    while ref[j:j + len(unit)] == unit and n < 20:
        n += 1
        j += len(unit)
    return n


def build_examples(pile: Pileup, candidates: list, options: CandidateOptions | None = None) -> Examples:
    """Pileup tensors and site features for `candidates` (from `find_candidates`)."""
    import numpy as np

    opts = options or CandidateOptions()
    hw = opts.half_window
    W = 2 * hw + 1
    L = len(pile.region)
    s0 = pile.region.start
    depth = pile.depth.astype(np.float32)
    d = np.maximum(depth, 1.0)
    ref_idx = np.array([BASES.find(b) for b in pile.ref], dtype=np.int64)
    feats = np.zeros((N_CHANNELS - 2, L + 2 * hw), dtype=np.float32)
    core = slice(hw, hw + L)
    onehot = np.zeros((4, L), dtype=np.float32)
    valid = ref_idx >= 0
    onehot[ref_idx[valid], np.nonzero(valid)[0]] = 1.0
    feats[0:4, core] = onehot
    feats[4:12, core] = pile.base_counts.reshape(8, L) / d
    feats[12:14, core] = pile.del_cover / d
    feats[14:16, core] = pile.ins_after / d
    per_base = pile.base_counts.sum(axis=0)
    feats[16:20, core] = pile.qual_sums / np.maximum(per_base, 1) / 40.0
    dpad = np.zeros(L + 2 * hw, dtype=np.float32)
    dpad[core] = depth
    n = len(candidates)
    tensors = np.zeros((n, N_CHANNELS, W), dtype=np.float32)
    site = np.zeros((n, len(SITE_FEATURES)), dtype=np.float32)
    pos0 = np.array([c[0] for c in candidates], dtype=np.int64)
    if n:
        idx = (pos0 - s0)[:, None] + np.arange(W)[None, :]  # padded coordinates: centre at pos - s0 + hw
        tensors[:, :N_CHANNELS - 2, :] = feats[:, idx].transpose(1, 0, 2)
        centre_depth = np.maximum(dpad[pos0 - s0 + hw], 1.0)
        tensors[:, N_CHANNELS - 2, :] = dpad[idx] / centre_depth[:, None]
    for j, (p, r, a, kind, dp, ac) in enumerate(candidates):
        i = p - s0
        frac = ac / max(dp, 1)
        span = max(len(r), 1) if kind == KIND_DEL else 1
        lo, hi = hw + (1 if kind == KIND_DEL else 0), hw + span
        tensors[j, N_CHANNELS - 1, lo:max(hi, lo + 1)] = frac
        nonref = float(pile.base_counts[:, :, i].sum() - (pile.base_counts[:, ref_idx[i], i].sum() if ref_idx[i] >= 0 else 0))
        other = max(nonref - (ac if kind == KIND_SNV else 0), 0.0) / max(dp, 1)
        if kind == KIND_SNV:
            b = BASES.index(a)
            alt_q = pile.qual_sums[b, i] / max(per_base[b, i], 1) / 40.0
            unit, ilen = "", 0
        else:
            alt_q = pile.qual_sums[:, i].sum() / max(per_base[:, i].sum(), 1) / 40.0
            unit = a[1:] if kind == KIND_INS else r[1:]
            ilen = len(unit)
        site[j] = (frac, other, np.log1p(dp) / 5.0, min(dp, 100) / 100.0, kind == KIND_SNV, kind == KIND_INS,
                   kind == KIND_DEL, min(ilen, 20) / 20.0, alt_q, _repeat_units(pile.ref, i + 1, unit) / 10.0,
                   min(ac, 60) / 30.0, het_vs_error_llr(ac, dp))
    return Examples(
        contig=pile.region.contig, pos0=pos0,
        ref=np.array([c[1] for c in candidates], dtype=str), alt=np.array([c[2] for c in candidates], dtype=str),
        kind=np.array([c[3] for c in candidates], dtype=np.int8),
        depth=np.array([c[4] for c in candidates], dtype=np.int32),
        alt_count=np.array([c[5] for c in candidates], dtype=np.int32),
        tensors=tensors.astype(np.float16), site=site, labels=np.full(n, -1, dtype=np.int8))


def make_examples(bam: str, reference: str, region, scan_options=None, options: CandidateOptions | None = None,
                  out: str | Path | None = None) -> tuple[Examples, Pileup]:
    """Run stage 1 on one region: scan, find candidates, build tensors (and save them to `out`).

    Returns:
        (examples, pileup); the pileup is kept for coverage summaries and plots.
    """
    from genomics_tools.pileup import scan

    pile = scan(bam, reference, region, scan_options)
    ex = build_examples(pile, find_candidates(pile, options), options)
    if out is not None:
        ex.save(out)
    return ex, pile
