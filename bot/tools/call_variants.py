"""Agent tool `call_variants`: call variants from an uploaded BAM + reference, or summarise a VCF.

Adapts `genomics_tools` results to JSON data, a short text for the LLM, the VCF and a coverage /
variant-position PNG (`files`), and a Markdown variant table (`tables["Variants"]`). The report
section a clinician can ask for is in `data["report_section"]`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.tools.base import Tool, ToolResult


class CallVariants(Tool):
    name = "call_variants"
    description = ("Call SNVs and small indels from an uploaded BAM/CRAM and its reference FASTA (or summarise an "
                   "uploaded VCF): variant counts, notable variants with gene and zygosity, coverage, caveats, "
                   "a coverage plot and a variant table.")
    parameters = {
        "type": "object",
        "properties": {
            "bam": {"type": "string", "description": "path of the uploaded BAM/CRAM (its .bai beside it)"},
            "reference": {"type": "string", "description": "path of the reference FASTA the reads were aligned to"},
            "vcf": {"type": "string", "description": "path of an uploaded VCF to summarise instead of calling"},
            "region": {"type": "string", "description": "CHR:START-END to call (default: all contigs with reads)"},
            "caller": {"type": "string", "enum": ["cnn", "bcftools"], "description": "variant caller"},
            "genes": {"type": "string", "description": "GFF3/GTF/BED with gene names"},
            "known": {"type": "string", "description": "tabix-indexed VCF of known variants (ClinVar-style)"},
        },
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """A two-variant VCF upload to summarise."""
        path = settings.ensure_home() / "uploads-example" / "sample.vcf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "##fileformat=VCFv4.2\n##contig=<ID=20,length=63025520>\n"
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tsample\n"
            "20\t1000100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n"
            "20\t1000200\t.\tCT\tC\t40\tPASS\t.\tGT\t1/1\n")
        return [{"vcf": str(path)}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        home = settings.ensure_home()
        return [{}, {"bam": str(home / "missing.bam"), "reference": str(home / "missing.fa")},
                {"vcf": str(home / "missing.vcf")}]

    def _out_dir(self, stem: str) -> Path:
        if self.settings is not None:
            home = self.settings.ensure_home()
        else:
            from bot.config import load_settings

            home = load_settings().ensure_home()
        out = home / "genomics" / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 100000:05d}"
        out.mkdir(parents=True, exist_ok=True)
        return out

    def forward(self, bam: str | None = None, reference: str | None = None, vcf: str | None = None,
                region: str | None = None, caller: str | None = None, genes: str | None = None,
                known: str | None = None, **_: Any) -> ToolResult:
        from genomics_tools.annotate import GeneIndex, KnownVariants
        from genomics_tools.plot import plot_variants
        from genomics_tools.summary import summarize_vcf

        if vcf:
            gene_index = GeneIndex.from_file(genes) if genes else None
            known_db = KnownVariants(known) if known else None
            summary = summarize_vcf(vcf, genes=gene_index, known=known_db)
            if known_db is not None:
                known_db.close()
            out = self._out_dir(Path(vcf).name.split(".")[0] or "vcf")
            plot = plot_variants(out / "variants.png", summary.variants,
                                 title=f"{Path(vcf).name}: {sum(summary.counts.values())} variants")
            data = {"mode": "summary", **summary.as_dict(), "report_section": summary.to_report_section()}
            return ToolResult(data=data, text=summary.to_text(), files={"vcf": Path(vcf), "plot": plot},
                              tables={"Variants": summary.to_markdown()})
        if not bam:
            raise UserError("call_variants needs a BAM and its reference FASTA, or a VCF to summarise")
        if not reference:
            raise UserError(f"calling variants in {Path(bam).name} needs the reference FASTA its reads were aligned to: "
                            "upload the FASTA too")
        from genomics_tools.pipeline import CallOptions, call_variants

        default_caller = self.settings.genomics.caller if self.settings is not None else "cnn"
        weights = self.settings.genomics.weights if self.settings is not None else None
        out = self._out_dir(Path(bam).name.split(".")[0] or "sample")
        report = call_variants(CallOptions(
            reference=Path(reference), out=out / "calls.vcf.gz", bam=Path(bam), region=region,
            caller=caller or default_caller, weights=Path(weights) if weights else None, make_index=True,
            genes=Path(genes) if genes else None, known=Path(known) if known else None, plot=out / "variants.png"))
        data = {"mode": "called", **report.as_dict(), "report_section": report.summary.to_report_section()}
        return ToolResult(data=data, text=report.summary.to_text(), files={"vcf": report.vcf, "plot": report.plot},
                          tables={"Variants": report.summary.to_markdown()})
