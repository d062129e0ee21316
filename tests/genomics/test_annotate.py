"""Gene names from GFF3/GTF/BED, known-variant look-ups, and the VCF summary."""

from __future__ import annotations

import pytest

from genomics_tools.errors import UserError
from genomics_tools.annotate import GeneIndex, KnownVariants
from genomics_tools.summary import summarize_vcf

CALLS = ["1\t3\t.\tG\tT\t50\tPASS\t.\tGT\t0/1", "1\t8\t.\tTA\tT\t40\tPASS\t.\tGT\t1/1",
         "1\t44\t.\tA\tG\t30\tPASS\t.\tGT\t1/1"]


@pytest.mark.parametrize("name,text", [
    ("g.gtf", 'chr1\tsrc\tgene\t1\t10\t.\t+\t.\tgene_id "G1"; gene_name "ALPHA";\n'
              'chr1\tsrc\tgene\t40\t54\t.\t+\t.\tgene_id "G2"; gene_name "BETA";\n'),
    ("g.gff3", "##gff-version 3\n1\tsrc\tgene\t1\t10\t.\t+\t.\tID=gene1;Name=ALPHA\n"
               "1\tsrc\tmRNA\t1\t10\t.\t+\t.\tID=tx1;Name=ALPHA-201\n1\tsrc\tgene\t40\t54\t.\t+\t.\tID=gene2;Name=BETA\n"),
    ("g.bed", "1\t0\t10\tALPHA\n1\t39\t54\tBETA\n"),
])
def test_gene_index_formats(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    genes = GeneIndex.from_file(p)
    assert genes.names_at("1", 2) == ["ALPHA"] and genes.names_at("chr1", 43) == ["BETA"]
    assert genes.names_at("1", 20) == [] and genes.names_at("2", 2) == []


def test_gene_file_errors(tmp_path):
    p = tmp_path / "bad.gtf"
    p.write_text("1\tsrc\tgene\n")
    with pytest.raises(UserError):
        GeneIndex.from_file(p)
    with pytest.raises(UserError):
        GeneIndex.from_file(tmp_path / "missing.bed")


@pytest.fixture
def known_vcf(tmp_path, vcf_factory, hand_seq):
    import pysam

    raw = vcf_factory(tmp_path / "known.vcf", ["1\t3\trs123\tG\tT\t.\t.\tCLNSIG=Pathogenic;CLNDN=Test_disease",
                                               "1\t44\trs9\tA\tC\t.\t.\tCLNSIG=Benign"], {"1": len(hand_seq)}, sample=None)
    text = raw.read_text().replace("##contig", '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="sig">\n'
                                   '##INFO=<ID=CLNDN,Number=.,Type=String,Description="dn">\n##contig', 1)
    raw.write_text(text)
    return pysam.tabix_index(str(raw), preset="vcf", force=True)


def test_known_lookup_matches_alleles(known_vcf):
    kv = KnownVariants(known_vcf)
    hit = kv.lookup("1", 2, "G", "T")
    assert hit["id"] == "rs123" and hit["CLNSIG"] == "Pathogenic" and hit["CLNDN"] == "Test_disease"
    assert kv.lookup("1", 43, "A", "G") is None  # same position, other allele
    kv.close()


def test_known_needs_index(tmp_path, vcf_factory):
    p = vcf_factory(tmp_path / "k.vcf", [], {"1": 54}, sample=None)
    with pytest.raises(UserError):
        KnownVariants(p)


def test_summary_counts_genes_known_and_text(tmp_path, vcf_factory, hand_seq, known_vcf):
    calls = vcf_factory(tmp_path / "calls.vcf", CALLS, {"1": len(hand_seq)})
    bed = tmp_path / "g.bed"
    bed.write_text("1\t0\t10\tALPHA\n")
    s = summarize_vcf(calls, genes=GeneIndex.from_file(bed), known=KnownVariants(known_vcf))
    assert s.counts["SNV"] == 2 and s.counts["deletion"] == 1
    assert s.zygosity == {"het": 1, "hom-alt": 2, "unknown": 0}
    top = s.notable(1)[0]
    assert (top.pos, top.genes, top.known["CLNSIG"]) == (3, ["ALPHA"], "Pathogenic")
    text = s.to_text()
    assert "3 variants (2 SNV, 1 deletion)" in text and "1:3 G>T SNV in ALPHA, het" in text and "Pathogenic" in text
    table = s.to_markdown()
    assert table.count("\n") == 4 and "| 1:3 | G | T | SNV | het | ALPHA |" in table
    assert s.to_report_section().startswith("## Genomic findings")
