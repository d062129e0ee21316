"""Agent tool `pharmacogenomics`: CPIC diplotypes, phenotypes and drug recommendations from a VCF.

Adapts `genomics_tools.pgx` to JSON data, a clinician text with cited recommendations, Markdown
tables, and a plain-language patient version (`patient`) without any dose or drug instruction.
`data["report"]` is the compact section a diagnostic report shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.errors import USER_ERRORS, UserError
from bot.tools.base import Tool, ToolResult
from bot.tools.summarize_case import resolve_input


def bundle_medications(path: str | Path) -> list[str]:
    """Names of the current (active) medicines of a FHIR bundle (MedicationRequest/Statement)."""
    from bot.cases.fhir_facts import extract_facts, load_bundle

    return [m.text for m in extract_facts(load_bundle(Path(path))).medications]


def report_section(res: dict[str, Any]) -> dict[str, Any]:
    """The part of a result a report keeps: genes without per-position genotypes, notable recommendations."""
    genes = [{k: v for k, v in g.items() if k != "genotypes"} for g in res["genes"]]
    recs = [r for r in res["recommendations"] if r["actionable"] or r["on_medication_list"]]
    return {"kind": "pharmacogenomics", "build": res["build"], "sample": res["sample"],
            "table_version": res["table_version"], "notes": res["notes"], "genes": genes, "recommendations": recs,
            "medications": res["medications"], "withheld": res.get("withheld", [])}


class Pharmacogenomics(Tool):
    name = "pharmacogenomics"
    description = ("Pharmacogenomics (CPIC) from an uploaded VCF: star-allele diplotypes and phenotypes of CYP2C19, "
                   "CYP2C9, DPYD, TPMT, NUDT15, SLCO1B1, CYP3A5, UGT1A1 and more, and the CPIC recommendation for "
                   "each affected drug with its guideline and PMIDs; the patient's current medicines come first.")
    parameters = {
        "type": "object",
        "properties": {
            "vcf": {"type": "string", "description": "path of the uploaded VCF (plain or bgzipped, gVCF or not)"},
            "build": {"type": "string", "enum": ["GRCh37", "GRCh38"],
                      "description": "genome build when the VCF header does not name it"},
            "sample": {"type": "string", "description": "sample column of a multi-sample VCF"},
            "assume_ref": {"type": "boolean",
                           "description": "treat positions absent from the VCF as reference (whole-genome VCFs only)"},
            "medications": {"type": "array", "items": {"type": "string"},
                            "description": "the patient's current medicines, e.g. ['clopidogrel']"},
            "bundle": {"type": "string", "description": "path of an uploaded FHIR bundle giving current medicines"},
        },
        "required": ["vcf"],
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """CYP2C19 *2/*2 on GRCh38, every CYP2C19 position present; clopidogrel on the medication list."""
        path = settings.ensure_home() / "uploads-example" / "pgx.vcf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example_vcf({"rs4244285": "1/1", "rs12769205": "1/1", "rs3758581": "1/1"}))
        return [{"vcf": str(path), "build": "GRCh38", "medications": ["clopidogrel"]},
                {"vcf": str(path), "assume_ref": True}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        home = settings.ensure_home()
        notvcf = home / "uploads-example" / "not-a-vcf.vcf"
        notvcf.parent.mkdir(parents=True, exist_ok=True)
        notvcf.write_text("hello\n")
        good = home / "uploads-example" / "pgx.vcf"
        good.write_text(example_vcf({"rs4244285": "1/1"}))
        return [{"vcf": str(home / "missing.vcf")}, {"vcf": str(notvcf)},
                {"vcf": str(good), "sample": "nobody"}]

    def forward(self, vcf: str, build: str | None = None, sample: str | None = None, assume_ref: bool = False,
                medications: list[str] | None = None, bundle: str | None = None, **_: Any) -> ToolResult:
        from genomics_tools.pgx import PgxOptions, call_pgx
        from genomics_tools.pgx.render import (genes_markdown, patient_markdown, recommendations_markdown,
                                               to_patient_text, to_text)

        try:
            path = resolve_input(self.settings, vcf)
            meds = list(medications or [])
            if bundle:
                meds += bundle_medications(resolve_input(self.settings, bundle))
            res = call_pgx(PgxOptions(vcf=path, build=build, sample=sample, assume_ref=bool(assume_ref),
                                      medications=meds))
        except USER_ERRORS as exc:
            raise UserError(f"{self.name}: {exc}") from None
        tables = {"Pharmacogenomics": genes_markdown(res)}
        recs = recommendations_markdown(res)
        if recs:
            tables["CPIC recommendations"] = recs
        data = {**res, "report": report_section(res)}
        return ToolResult(data=data, text=to_text(res), files={"vcf": path}, tables=tables,
                          patient={"text": to_patient_text(res), "tables": {"Pharmacogenomics": patient_markdown(res)}})


def example_vcf(genotypes: dict[str, str], build: str = "GRCh38", sample: str = "S1", all_of: tuple[str, ...] = ("CYP2C19",)) -> str:
    """A VCF with a record at every defining position of `all_of` genes (0/0 unless `genotypes[rsid]`)."""
    from genomics_tools.pgx import load_tables

    t = load_tables()
    lines = []
    seen = set()
    wanted = dict(genotypes)
    for g in all_of:
        for v in t.gene_variants(g, build):
            if (v.chrom, v.pos) in seen:
                continue
            seen.add((v.chrom, v.pos))
            lines.append((v.chrom, v.pos, v.ref, v.alt, wanted.pop(v.rsid, "0/0")))
    for rsid, gt in wanted.items():
        v = next((x for x in t.variants[build].values() if x.rsid == rsid), None)
        if v is None:
            raise UserError(f"no defining variant {rsid} in the tables")
        lines.append((v.chrom, v.pos, v.ref, v.alt, gt))
    lines.sort(key=lambda r: (r[0], r[1]))
    body = "".join(f"{c}\t{p}\t.\t{r}\t{a}\t50\tPASS\t.\tGT\t{gt}\n" for c, p, r, a, gt in lines)
    return ("##fileformat=VCFv4.2\n" + f"##reference={build}\n"
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
            f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}\n" + body)
