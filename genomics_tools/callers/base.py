"""The VariantCaller protocol shared by the CNN caller and the bcftools baseline."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from genomics_tools.regions import Region


@runtime_checkable
class VariantCaller(Protocol):
    """Calls SNVs and small indels from aligned reads.

    Attributes:
        name: short caller name written into the VCF header (`##medbot_caller=<ID=name,...>`).
    """

    name: ClassVar[str]

    @property
    def version(self) -> str:
        """Version string written into the VCF header."""

    def call(self, bam: str | Path, reference: str | Path, regions: list[Region], out: str | Path,
             sample: str | None = None) -> Path:
        """Call variants in `regions` and write a bgzipped, tabix-indexed VCF 4.2 to `out`.

        Args:
            bam: coordinate-sorted, indexed BAM/CRAM (already checked).
            reference: FASTA the reads were aligned to.
            regions: regions to call.
            out: `.vcf.gz` path; written atomically (nothing is left there on failure).
            sample: sample name (default: the BAM's read-group SM or the file stem).

        Returns:
            `out`.
        """


def sample_name(bam: str | Path) -> str:
    """The sample name of a BAM: first read group's SM tag, else the file stem."""
    import pysam

    try:
        with pysam.AlignmentFile(str(bam), check_sq=False) as af:
            for rg in af.header.to_dict().get("RG", []):
                if rg.get("SM"):
                    return rg["SM"]
    except (OSError, ValueError):
        pass
    return Path(bam).name.split(".")[0] or "SAMPLE"


def split_regions(regions: list[Region], chunk: int) -> list[Region]:
    """Cut regions into pieces of at most `chunk` bases (bounded memory per scan)."""
    out = []
    for r in regions:
        for s in range(r.start, r.end, chunk):
            out.append(Region(r.contig, s, min(s + chunk, r.end)))
    return out
