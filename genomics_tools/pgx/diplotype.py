"""From genotypes at a gene's defining positions to star-allele diplotypes and a phenotype.

A haplotype is called as the tables define it: every allele whose core variants it carries is a
candidate, alleles contained in another candidate are dropped, the build's reference allele is
added where the reference genome does not carry the gene's reference allele, and the most severe
candidate wins. Unphased heterozygous sites are tried on both haplotypes; the assignments whose
haplotypes the called alleles explain best (fewest observed variants left over) give the candidate
diplotypes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from genomics_tools.pgx.tables import Allele, Tables, in_range

MAX_UNPHASED_HETS = 12  # 2**11 assignments at most


@dataclass(frozen=True)
class Haplotypes:
    """Alt alleles carried at a gene's defining variants: keys per haplotype, and how they are known."""

    hom: frozenset[str]
    het: tuple[str, ...]
    phased_hap1: frozenset[str] | None  # het keys on haplotype 1 when every het site is phased together


def name_key(allele: str) -> tuple:
    """Sort alleles by number ('*2' before '*17'; 'Reference' first), as the tables' diplotypes do."""
    if allele == "Reference":
        return (0, allele)
    m = re.search(r"c\.(\d+)", allele) if "c." in allele else re.match(r"\*(\d+)", allele)
    return (int(m.group(1)) if m else 99999, len(allele), allele)


def diplotype_name(a: str, b: str) -> str:
    x, y = sorted((a, b), key=name_key)
    return f"{x}/{y}"


def _unit(gene: str, build: str, tables: Tables) -> tuple[list[Allele], str, set[str]]:
    alleles = [a for a in tables.alleles.get(gene, []) if not a.sv]
    info = tables.genes[gene]
    ref = tables.allele(gene, info.ref_allele)
    background = set(ref.core[build]) if ref is not None else set()
    return alleles, info.default[build], background


def call_haplotype(gene: str, build: str, observed: frozenset[str], tables: Tables) -> tuple[str, int]:
    """(allele, number of observed variants it leaves unexplained) for one haplotype."""
    alleles, default, background = _unit(gene, build, tables)
    ref_name = tables.genes[gene].ref_allele
    cands = [a for a in alleles if a.core[build] and a.core[build] <= observed]
    kept = [a for a in cands if not any(b is not a and (a.core[build] < b.core[build] or
                                                         (a.core[build] == b.core[build] and cands.index(b) < cands.index(a)))
                                        for b in cands)]
    names = [a.name for a in kept]
    if not kept or (ref_name != default and ref_name not in names and default not in names):
        d = tables.allele(gene, default)
        if d is not None:
            kept.append(d)
    if not kept:
        return default, len(observed - background)
    best = min(kept, key=lambda a: a.priority(build, ref_name))
    return best.name, len(observed - best.core[build] - background)


def candidate_diplotypes(gene: str, build: str, haps: Haplotypes, tables: Tables) -> list[str] | None:
    """Diplotypes consistent with the genotypes, most likely first; None when too many unphased sites.

    Most likely: fewest observed variants left unexplained, then fewest alleles other than the
    build's reference allele, then allele order.
    """
    _, default, _ = _unit(gene, build, tables)
    if haps.phased_hap1 is not None:
        assignments = [haps.phased_hap1]
    elif len(haps.het) > MAX_UNPHASED_HETS:
        return None
    elif not haps.het:
        assignments = [frozenset()]
    else:
        first, rest = haps.het[0], haps.het[1:]
        assignments = [frozenset((first, *(k for k, on in zip(rest, bits) if on)))
                       for bits in itertools.product((0, 1), repeat=len(rest))]
    scored: dict[str, tuple] = {}
    for h1 in assignments:
        h2 = frozenset(haps.het) - h1
        a, ua = call_haplotype(gene, build, haps.hom | h1, tables)
        b, ub = call_haplotype(gene, build, haps.hom | h2, tables)
        name = diplotype_name(a, b)
        key = (ua + ub, (a != default) + (b != default), name_key(min(a, b, key=name_key)), name)
        if name not in scored or key < scored[name]:
            scored[name] = key
    best = min(k[0] for k in scored.values())
    return [n for n, k in sorted(scored.items(), key=lambda kv: kv[1]) if k[0] == best]


def phenotype(gene: str, diplotype: str, tables: Tables) -> str | None:
    """Phenotype of a diplotype from the tables; None for genes the tables give no phenotype."""
    info = tables.genes[gene]
    a, _, b = diplotype.partition("/")
    if info.method == "Diplotype":
        return tables.diplotypes.get((gene, a, b), "Indeterminate")
    if info.method == "Score":
        sa, sb = tables.allele(gene, a), tables.allele(gene, b)
        if sa is None or sb is None or sa.score is None or sb.score is None:
            return "Indeterminate"
        score = sa.score + sb.score
        for pheno, eq in tables.equations.get(gene, []):
            if in_range(eq, score):
                return pheno
        return "Indeterminate"
    return None
