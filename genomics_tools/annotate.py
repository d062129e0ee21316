"""Annotation from user-supplied files: gene names (GFF3/GTF/BED) and known variants (tabix VCF).

No gene model or ClinVar ships with medbot; the clinician supplies them. Contig names match with
or without a `chr` prefix.
"""

from __future__ import annotations

import bisect
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from genomics_tools.errors import UserError
from genomics_tools.inputs import check_exists

KNOWN_INFO_FIELDS = ("CLNSIG", "CLNDN", "CLNREVSTAT", "CLNVC", "GENEINFO", "MC", "RS", "AF", "AF_ESP", "AF_EXAC",
                     "AF_TGP")


def _canon(contig: str) -> str:
    return contig[3:] if contig.lower().startswith("chr") else contig


@dataclass(frozen=True)
class Gene:
    """A named interval (0-based, half-open)."""

    contig: str
    start: int
    end: int
    name: str


def _gff_name(attrs: str, is_gtf: bool) -> str | None:
    keys = ("gene_name", "gene_id", "transcript_id") if is_gtf else ("Name", "gene_name", "gene", "ID")
    for key in keys:
        m = re.search(rf'(?:^|;)\s*{key}[ =]"?([^";]+)"?', attrs)
        if m:
            return m.group(1).strip()
    return None


class GeneIndex:
    """Gene intervals by contig; `names_at(contig, pos0)` lists the genes covering a position."""

    def __init__(self, genes: list[Gene]):
        self._by: dict[str, list[Gene]] = {}
        for g in sorted(genes, key=lambda g: (g.contig, g.start)):
            self._by.setdefault(_canon(g.contig), []).append(g)
        self._starts = {c: [g.start for g in gs] for c, gs in self._by.items()}
        self._maxlen = {c: max(g.end - g.start for g in gs) for c, gs in self._by.items()}

    def __len__(self) -> int:
        return sum(len(v) for v in self._by.values())

    @classmethod
    def from_file(cls, path: str | Path) -> "GeneIndex":
        """Read genes from GFF3, GTF or BED (optionally gzipped).

        GFF/GTF: `gene` features when present, else every feature; the name comes from
        gene_name/Name/gene_id. BED: the 4th column (or `chr:start-end` when absent).

        Raises:
            UserError: unreadable file, malformed line, or no genes found.
        """
        p = check_exists(path, "gene annotation file")
        name = p.name.lower().removesuffix(".gz")
        kind = "bed" if name.endswith(".bed") else "gtf" if name.endswith(".gtf") else "gff"
        opener = gzip.open if p.name.lower().endswith(".gz") else open
        genes: list[Gene] = []
        features: list[Gene] = []
        try:
            with opener(p, "rt", encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip() or line.startswith(("#", "track", "browser")):
                        continue
                    cols = line.rstrip("\n").split("\t")
                    if kind == "bed":
                        if len(cols) < 3:
                            cols = line.split()
                        s, e = int(cols[1]), int(cols[2])
                        genes.append(Gene(cols[0], s, e, cols[3] if len(cols) > 3 else f"{cols[0]}:{s + 1}-{e}"))
                        continue
                    if len(cols) < 9:
                        raise ValueError("expected 9 tab-separated columns")
                    gname = _gff_name(cols[8], kind == "gtf")
                    if not gname:
                        continue
                    g = Gene(cols[0], int(cols[3]) - 1, int(cols[4]), gname)
                    (genes if cols[2] == "gene" else features).append(g)
        except (OSError, UnicodeDecodeError, ValueError, IndexError) as exc:
            where = f" line {n}" if "n" in locals() else ""
            raise UserError(f"cannot read gene annotation {p.name}{where}: {exc}") from None
        genes = genes or features
        if not genes:
            raise UserError(f"no genes found in {p.name}")
        return cls(genes)

    def names_at(self, contig: str, pos0: int) -> list[str]:
        """Names of the genes that cover `pos0` (deduplicated, in order of start)."""
        c = _canon(contig)
        if c not in self._by:
            return []
        genes, starts = self._by[c], self._starts[c]
        hi = bisect.bisect_right(starts, pos0)
        lo = bisect.bisect_left(starts, pos0 - self._maxlen[c])
        out: list[str] = []
        for g in genes[lo:hi]:
            if g.start <= pos0 < g.end and g.name not in out:
                out.append(g.name)
        return out


class KnownVariants:
    """Look-ups in a bgzipped, tabix-indexed VCF of known variants (ClinVar-style INFO shown)."""

    def __init__(self, path: str | Path):
        import pysam

        from genomics_tools.inputs import open_vcf

        p = check_exists(path, "known-variant VCF")
        self.path = p
        self._vf = open_vcf(p)
        if not (Path(str(p) + ".tbi").is_file() or Path(str(p) + ".csi").is_file()):
            self._vf.close()
            raise UserError(f"known-variant VCF {p.name} must be bgzipped and tabix-indexed (tabix -p vcf)")
        self._contigs = {_canon(c): c for c in self._vf.header.contigs}
        self._pysam = pysam

    def lookup(self, contig: str, pos0: int, ref: str, alt: str) -> dict | None:
        """The known record with the same position and alleles, as {"id", INFO fields...}, else None."""
        c = self._contigs.get(_canon(contig), contig)
        try:
            records = list(self._vf.fetch(c, pos0, pos0 + 1))
        except ValueError:
            return None
        for rec in records:
            if rec.pos - 1 != pos0 or rec.ref.upper() != ref.upper() or alt.upper() not in [a.upper() for a in rec.alts or ()]:
                continue
            out: dict = {"id": rec.id or "."}
            for key in KNOWN_INFO_FIELDS:
                if key in rec.info:
                    v = rec.info[key]
                    out[key] = "|".join(str(x) for x in v) if isinstance(v, tuple) else str(v)
            return out
        return None

    def close(self) -> None:
        self._vf.close()
