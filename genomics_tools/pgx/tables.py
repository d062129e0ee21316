"""The CPIC / PharmGKB tables shipped as CSV data inside the `pypgx` wheel, read as plain data.

`pypgx` itself is never imported (its pipeline needs Java and Beagle); `importlib.util.find_spec`
only locates the installed package folder. Install it with `pip install --no-deps pypgx==0.27.0`.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from genomics_tools.errors import InternalError, UserError

BUILDS = ("GRCh37", "GRCh38")
_BUILD_ALIASES = {"grch37": "GRCh37", "hg19": "GRCh37", "b37": "GRCh37", "37": "GRCh37",
                  "grch38": "GRCh38", "hg38": "GRCh38", "b38": "GRCh38", "38": "GRCh38"}

# Allele function from most to least severe (the tables' own priority order).
FUNCTION_ORDER = [
    "No Function", "Severely Decreased Function", "Decreased Function", "Possible Decreased Function",
    "Increased Function", "Possible Increased Function", "Class I (Deficient with CNSHA)", "Class II (Deficient)",
    "Class III (Deficient)", "Unfavorable Response", "Malignant Hyperthermia Associated", "Uncertain Function",
    "Unknown Function", "Normal Function", "Favorable Response", "Class IV (Normal)",
]


def normalize_build(build: str) -> str:
    """'GRCh37' or 'GRCh38' from a build name or alias (hg19, b37, hg38...).

    Raises:
        UserError: an unknown build.
    """
    b = _BUILD_ALIASES.get(str(build).strip().lower())
    if b is None:
        raise UserError(f"unknown genome build '{build}': use GRCh37 or GRCh38")
    return b


def norm_chrom(name: str) -> str:
    """Chromosome name without 'chr' ('chr10' -> '10', 'chrM'/'MT' -> 'M')."""
    c = name[3:] if name.lower().startswith("chr") else name
    return "M" if c.upper() in ("M", "MT") else c.upper() if c.lower() in ("x", "y") else c


@dataclass(frozen=True)
class Variant:
    """A defining variant in one build: 1-based position, REF and ALT as in the tables."""

    gene: str
    chrom: str
    pos: int
    ref: str
    alt: str
    rsid: str = ""

    @property
    def key(self) -> str:
        return f"{self.chrom}-{self.pos}-{self.ref}-{self.alt}"


@dataclass(frozen=True)
class Allele:
    gene: str
    name: str
    function: str
    score: float | None
    core: dict[str, frozenset[str]]  # build -> variant keys (empty: the build's reference carries it)
    sv: bool
    n_impacts: dict[str, int] = field(default_factory=dict)

    def priority(self, build: str, ref_allele: str) -> tuple:
        """Sort key of the tables: severe function first, then more (coding) core variants."""
        f = FUNCTION_ORDER.index(self.function) if self.function in FUNCTION_ORDER else len(FUNCTION_ORDER)
        return (f, -len(self.core[build]), -self.n_impacts.get(build, 0), self.name == ref_allele)


@dataclass(frozen=True)
class Gene:
    name: str
    target: bool
    has_variants: bool
    sv: bool
    method: str  # "Diplotype" | "Score" | "N/A"
    ref_allele: str
    default: dict[str, str]  # build -> the allele the reference genome carries
    region: dict[str, tuple[str, int, int]]  # build -> (chrom, start, end), 1-based inclusive


@dataclass
class Tables:
    """Everything read from the CSV files (see `load_tables`)."""

    version: str
    data_dir: Path
    genes: dict[str, Gene]
    alleles: dict[str, list[Allele]]
    variants: dict[str, dict[str, Variant]]  # build -> key -> Variant (defining variants only)
    variant_rsid: dict[str, str]
    diplotypes: dict[tuple[str, str, str], str]  # (gene, a, b) -> phenotype, both orders
    equations: dict[str, list[tuple[str, str]]]  # gene -> [(phenotype, equation)]
    priority: dict[tuple[str, str], str]  # (gene, phenotype) -> priority
    recommendations: list[dict[str, str]]
    cpic: list[dict[str, str]]

    def allele(self, gene: str, name: str) -> Allele | None:
        return next((a for a in self.alleles.get(gene, []) if a.name == name), None)

    def gene_variants(self, gene: str, build: str) -> list[Variant]:
        keys = set().union(*(a.core[build] for a in self.alleles.get(gene, []) if not a.sv)) if self.alleles.get(gene) else set()
        return sorted((self.variants[build][k] for k in keys if k in self.variants[build]), key=lambda v: (v.pos, v.alt))

    def drugs(self) -> set[str]:
        return {r["Drug"].lower() for r in self.cpic} | {r["Drug"].lower() for r in self.recommendations}


def data_dir() -> Path:
    """The folder of pypgx's CSV tables, found without importing pypgx.

    Raises:
        InternalError: pypgx is not installed.
    """
    spec = importlib.util.find_spec("pypgx")
    if spec is None or not spec.submodule_search_locations:
        raise InternalError("the pharmacogenomics tables are missing: pip install --no-deps pypgx==0.27.0")
    d = Path(list(spec.submodule_search_locations)[0]) / "api" / "data"
    if not (d / "allele-table.csv").is_file():
        raise InternalError(f"the pharmacogenomics tables are missing from {d}")
    return d


def _rows(d: Path, name: str) -> list[dict[str, str]]:
    with open(d / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _na(x: str | None) -> bool:
    return x is None or x.strip() in ("", "N/A", "None")


def _region(s: str) -> tuple[str, int, int]:
    chrom, _, span = s.partition(":")
    start, _, end = span.partition("-")
    return norm_chrom(chrom), int(start), int(end)


@functools.lru_cache(maxsize=2)
def load_tables(directory: str | None = None) -> Tables:
    """Read the tables (cached per folder).

    Args:
        directory: folder holding the CSV files; default: the installed pypgx package data.
    """
    d = Path(directory) if directory else data_dir()
    try:
        version = "pypgx " + importlib.metadata.version("pypgx")
    except importlib.metadata.PackageNotFoundError:
        version = f"tables at {d}"
    genes = {}
    for r in _rows(d, "gene-table.csv"):
        region = {b: _region(r[f"{b}Region"]) for b in BUILDS if not _na(r[f"{b}Region"])}
        genes[r["Gene"]] = Gene(r["Gene"], r["Target"] == "TRUE", r["Variants"] == "TRUE", r["SV"] == "TRUE",
                                r["PhenotypeMethod"], r["RefAllele"],
                                {b: r[f"{b}Default"] for b in BUILDS}, region)
    variants: dict[str, dict[str, Variant]] = {b: {} for b in BUILDS}
    impacts: dict[str, bool] = {}
    rsid: dict[str, str] = {}
    for r in _rows(d, "variant-table.csv"):
        for b in BUILDS:
            name = r[f"{b}Name"]
            if _na(name):
                continue
            chrom, pos, ref, alt = name.split("-", 3)
            v = Variant(r["Gene"], norm_chrom(chrom), int(pos), ref, alt, r["rsID"] if not _na(r["rsID"]) else "")
            variants[b][v.key] = v
            impacts[v.key] = not _na(r["Impact"])
            rsid[v.key] = v.rsid
    alleles: dict[str, list[Allele]] = {}
    for r in _rows(d, "allele-table.csv"):
        core = {}
        for b in BUILDS:
            raw = r[f"{b}Core"]
            core[b] = frozenset() if _na(raw) else frozenset(_key(x) for x in raw.split(","))
        score = None if _na(r["ActivityScore"]) else float(r["ActivityScore"])
        alleles.setdefault(r["Gene"], []).append(Allele(
            r["Gene"], r["StarAllele"], r["Function"], score, core, r["SV"] == "TRUE",
            {b: sum(impacts.get(k, False) for k in core[b]) for b in BUILDS}))
    diplotypes = {}
    for r in _rows(d, "diplotype-table.csv"):
        a, _, b = r["Diplotype"].partition("/")
        diplotypes[(r["Gene"], a, b)] = r["Phenotype"]
        diplotypes[(r["Gene"], b, a)] = r["Phenotype"]
    equations: dict[str, list[tuple[str, str]]] = {}
    for r in _rows(d, "equation-table.csv"):
        equations.setdefault(r["Gene"], []).append((r["Phenotype"], r["Equation"]))
    priority = {(r["Gene"], r["Phenotype"]): r["Priority"] for r in _rows(d, "phenotype-table.csv")}
    return Tables(version, d, genes, alleles, variants, rsid, diplotypes, equations, priority,
                  _rows(d, "recommendation-table.csv"), _rows(d, "cpic-table.csv"))


def _key(name: str) -> str:
    chrom, pos, ref, alt = name.strip().split("-", 3)
    return f"{norm_chrom(chrom)}-{pos}-{ref}-{alt}"


_EQ = re.compile(r"^\s*(?:([\d.]+)\s*(<=|<)\s*)?score\s*(?:(<=|<|==)\s*([\d.]+))?\s*$")


def in_range(equation: str, score: float) -> bool:
    """Evaluate an equation-table row such as '1 <= score < 2' or '2 == score' without eval().

    Raises:
        InternalError: an equation of a form the tables did not use before.
    """
    eq = equation.strip()
    m = re.match(r"^([\d.]+)\s*==\s*score$", eq) or re.match(r"^score\s*==\s*([\d.]+)$", eq)
    if m:
        return score == float(m.group(1))
    m = _EQ.match(eq)
    if not m:
        raise InternalError(f"unsupported phenotype equation in the tables: {equation!r}")
    lo, lo_op, hi_op, hi = m.groups()
    ok = True
    if lo is not None:
        ok &= float(lo) <= score if lo_op == "<=" else float(lo) < score
    if hi is not None:
        ok &= score <= float(hi) if hi_op == "<=" else (score < float(hi) if hi_op == "<" else score == float(hi))
    return ok
