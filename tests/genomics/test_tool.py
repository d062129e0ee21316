"""The `call_variants` agent tool on an uploaded VCF (summary only)."""

from __future__ import annotations

from bot.tools import TOOL_MODULES, ToolRegistry

CALLS = ["1\t3\t.\tG\tT\t50\tPASS\t.\tGT\t0/1", "1\t8\t.\tTA\tT\t40\tPASS\t.\tGT\t1/1",
         "1\t36\t.\tC\tCT\t45\tPASS\t.\tGT\t0/1", "1\t44\t.\tA\tG\t30\tPASS\t.\tGT\t1/1"]


def test_registered():
    assert TOOL_MODULES["call_variants"] == "bot.tools.call_variants:CallVariants"
    schema = ToolRegistry(names=["call_variants"]).schemas()[0]["function"]
    assert schema["name"] == "call_variants" and {"bam", "reference", "vcf"} <= set(schema["parameters"]["properties"])


def test_summarises_uploaded_vcf(tmp_path, vcf_factory, hand_seq, medbot_home):
    vcf = vcf_factory(tmp_path / "upload.vcf", CALLS, {"1": len(hand_seq)})
    genes = tmp_path / "genes.bed"
    genes.write_text("1\t30\t40\tGAMMA\n")
    res = ToolRegistry().run("call_variants", {"vcf": str(vcf), "genes": str(genes)})
    assert res.data["mode"] == "summary"
    assert res.data["counts"]["SNV"] == 2 and res.data["counts"]["insertion"] == 1
    assert res.files["vcf"] == vcf
    png = res.files["plot"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and str(png).startswith(str(medbot_home))
    assert "| 1:36 | C | CT | insertion | het | GAMMA |" in res.tables["Variants"]
    assert "4 variants" in res.text and "in GAMMA" in res.text
    assert res.data["report_section"].startswith("## Genomic findings")
