"""`medbot pgx VCF`: CPIC pharmacogenomics from a VCF (stdlib-only imports at module level)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli_common import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pgx", help="pharmacogenomics (CPIC) from a VCF: diplotypes, phenotypes, drug recommendations",
                       description="Star-allele diplotypes, phenotypes and CPIC recommendations from a VCF (plain or "
                                   "bgzipped, gVCF or not). Absent positions are never assumed to be reference "
                                   "unless the file is a gVCF or --assume-ref is given.")
    p.add_argument("vcf", type=Path, metavar="VCF", help="VCF, VCF.gz or BCF of one or more samples")
    p.add_argument("--build", help="GRCh37 or GRCh38 when the VCF header does not say (the header wins)")
    p.add_argument("--sample", help="sample column (required for a multi-sample VCF)")
    p.add_argument("--assume-ref", dest="assume_ref", action="store_true",
                   help="treat defining positions absent from the VCF as homozygous reference (whole-genome/exome "
                        "VCFs that list every variant)")
    p.add_argument("--meds", help="current medicines, comma-separated (e.g. clopidogrel,simvastatin): flagged first")
    p.add_argument("--bundle", type=Path, help="FHIR bundle whose active MedicationRequests are the current medicines")
    p.add_argument("--all", action="store_true", help="list every recommendation, also for normal phenotypes")
    add_json_flag(p)
    p.set_defaults(handler=_pgx)


def _pgx(args: argparse.Namespace) -> int:
    from bot.tools.pharmacogenomics import bundle_medications
    from genomics_tools.pgx import PgxOptions, call_pgx, load_tables
    from genomics_tools.pgx.recommend import match_medications
    from genomics_tools.pgx.render import recommendations_markdown, to_text

    meds = [m.strip() for m in (args.meds or "").split(",") if m.strip()]
    match_medications(meds, load_tables(), strict=True)  # a typed name that is no CPIC drug: exit 2
    from_bundle = bundle_medications(args.bundle) if args.bundle else []
    res = call_pgx(PgxOptions(vcf=args.vcf, build=args.build, sample=args.sample, assume_ref=args.assume_ref,
                              medications=meds + from_bundle))
    if args.json:
        print_json(res)
        return 0
    print(to_text(res))
    if args.all:
        print("\n" + recommendations_markdown(res, only_actionable=False))
    return 0
