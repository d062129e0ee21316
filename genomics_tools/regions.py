"""Genomic regions: parsing `CHR:START-END` strings and BED files (stdlib only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from genomics_tools.errors import UserError

_REGION = re.compile(r"^(?P<contig>[^:\s]+)(?::(?P<start>[\d,]+)(?:-(?P<end>[\d,]+))?)?$")


@dataclass(frozen=True)
class Region:
    """A half-open, 0-based interval `[start, end)` on `contig`."""

    contig: str
    start: int
    end: int

    def __post_init__(self):
        if self.start < 0 or self.end <= self.start:
            raise UserError(f"empty region {self}: the end must lie after the start")

    def __str__(self) -> str:  # 1-based inclusive, as samtools writes it
        return f"{self.contig}:{self.start + 1}-{self.end}"

    def __len__(self) -> int:
        return self.end - self.start


def parse_region(text: str, contig_lengths: dict[str, int] | None = None) -> Region:
    """Parse `CHR`, `CHR:START-END` (1-based, inclusive; commas allowed) into a Region.

    Args:
        text: the region string.
        contig_lengths: when given, the contig must exist and the end is clipped to its length.

    Returns:
        The 0-based half-open Region.

    Raises:
        UserError: malformed text, unknown contig, or an empty region.
    """
    m = _REGION.match(text.strip())
    if not m:
        raise UserError(f"bad region '{text}': expected CHR:START-END")
    contig = m["contig"]
    if contig_lengths is not None and contig not in contig_lengths:
        known = ", ".join(list(contig_lengths)[:5])
        raise UserError(f"region contig '{contig}' is not in the reference (contigs: {known})")
    length = (contig_lengths or {}).get(contig)
    start = int(m["start"].replace(",", "")) - 1 if m["start"] else 0
    if m["end"]:
        end = int(m["end"].replace(",", ""))
    elif length is not None:
        end = length
    else:
        raise UserError(f"bad region '{text}': give START-END")
    if start < 0:
        raise UserError(f"bad region '{text}': positions start at 1")
    if length is not None:
        if start >= length:
            raise UserError(f"empty region '{text}': {contig} has only {length} bases")
        end = min(end, length)
    if end <= start:
        raise UserError(f"empty region '{text}': the end must lie after the start")
    return Region(contig, start, end)


def read_bed(path: str | Path) -> list[Region]:
    """Read a BED file (0-based starts) into Regions; header/track/comment lines are skipped.

    Raises:
        UserError: unreadable file or malformed line.
    """
    regions: list[Region] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read BED file {path}: {exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        try:
            regions.append(Region(parts[0], int(parts[1]), int(parts[2])))
        except (IndexError, ValueError):
            raise UserError(f"bad BED line {n} in {path}: '{line[:60]}'") from None
    return regions


class RegionSet:
    """Fast membership test for positions in a list of regions."""

    def __init__(self, regions: list[Region]):
        import bisect

        self._bisect = bisect
        self._by_contig: dict[str, tuple[list[int], list[int]]] = {}
        merged: dict[str, list[list[int]]] = {}
        for r in sorted(regions, key=lambda r: (r.contig, r.start)):
            iv = merged.setdefault(r.contig, [])
            if iv and r.start <= iv[-1][1]:
                iv[-1][1] = max(iv[-1][1], r.end)
            else:
                iv.append([r.start, r.end])
        for c, iv in merged.items():
            self._by_contig[c] = ([s for s, _ in iv], [e for _, e in iv])

    def contains(self, contig: str, pos0: int) -> bool:
        """True when the 0-based position lies inside one of the regions."""
        if contig not in self._by_contig:
            return False
        starts, ends = self._by_contig[contig]
        i = self._bisect.bisect_right(starts, pos0) - 1
        return i >= 0 and pos0 < ends[i]
