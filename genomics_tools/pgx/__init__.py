"""Pharmacogenomics from a VCF: CPIC star-allele diplotypes, phenotypes and recommendations.

Reads the CPIC / PharmGKB tables shipped as CSV in the `pypgx` wheel (never imports pypgx).
`call_pgx(PgxOptions(vcf=...))` returns the JSON-able result; `render` turns it into text,
Markdown and a plain-language version for patients.
"""

from genomics_tools.pgx.caller import PgxOptions, call_pgx, panel
from genomics_tools.pgx.tables import load_tables, normalize_build

__all__ = ["PgxOptions", "call_pgx", "panel", "load_tables", "normalize_build"]
