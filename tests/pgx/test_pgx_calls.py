"""genomics_tools.pgx on synthetic VCFs: diplotypes, phenotypes, honesty about missing data, bad input."""

from __future__ import annotations

import pytest

from genomics_tools.errors import UserError
from genomics_tools.pgx import PgxOptions, call_pgx, load_tables
from pgx_vcfs import bgzip, write_pgx_vcf

# rs3758581 (CYP2C19 I331V): GRCh38's reference carries the rare allele (*38), so a *1 haplotype on
# GRCh38 is 'alt' there; on GRCh37 the reference is *1 and the same site is not needed.
STAR1_38 = {"rs3758581": "1/1"}


def gene(res, name):
    return next(g for g in res["genes"] if g["gene"] == name)


def run(path, **kw):
    return call_pgx(PgxOptions(vcf=path, **kw))


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
@pytest.mark.parametrize("gts, diplotype, phenotype", [
    ({}, "*1/*1", "Normal Metabolizer"),
    ({"rs4244285": "0/1", "rs12769205": "0/1"}, "*1/*2", "Intermediate Metabolizer"),
    ({"rs4244285": "1/1", "rs12769205": "1/1"}, "*2/*2", "Poor Metabolizer"),
    ({"rs12248560": "0/1"}, "*1/*17", "Rapid Metabolizer"),
    ({"rs4244285": "0/1", "rs12769205": "0/1", "rs12248560": "0/1"}, "*2/*17", "Intermediate Metabolizer"),
])
def test_cyp2c19_diplotypes_on_both_builds(tmp_path, build, gts, diplotype, phenotype):
    extra = STAR1_38 if build == "GRCh38" else {}
    vcf = write_pgx_vcf(tmp_path / "s.vcf", build, {**extra, **gts}, full=("CYP2C19",))
    res = run(vcf)
    g = gene(res, "CYP2C19")
    assert (g["status"], g["diplotype"], g["phenotype"]) == ("called", diplotype, phenotype)
    assert g["candidates"] == [diplotype] and g["missing_positions"] == []
    assert res["build"] == build and res["build_source"] == "vcf header"
    assert res["table_version"] == "pypgx 0.27.0"


def test_grch38_reference_is_star38_not_star1(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {}, full=("CYP2C19",))
    assert gene(run(vcf), "CYP2C19")["diplotype"] == "*38/*38"


def test_poor_metabolizer_gets_the_cited_clopidogrel_recommendation_first(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {**STAR1_38, "rs4244285": "1/1", "rs12769205": "1/1"},
                        full=("CYP2C19",))
    res = run(vcf, medications=["clopidogrel 75 MG Oral Tablet", "lisinopril 10 MG Oral Tablet"])
    first = res["recommendations"][0]
    assert first["drug"] == "clopidogrel" and first["on_medication_list"] and first["gene"] == "CYP2C19"
    assert first["phenotype"] == "Poor Metabolizer"
    assert "prasugrel or ticagrelor" in first["recommendation"]
    assert first["guideline_url"] == "https://cpicpgx.org/guidelines/guideline-for-clopidogrel-and-cyp2c19/"
    assert "21716271" in first["pmids"] and first["cpic_level"] == "A"
    assert res["medications"]["unmatched"] == ["lisinopril 10 MG Oral Tablet"]
    assert all(r["gene"] != "DPYD" for r in res["recommendations"])  # DPYD is not called: nothing about it


def test_dpyd_2a_heterozygous(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {"rs3918290": "0/1"}, full=("DPYD",))
    res = run(vcf, medications=["capecitabine"])
    g = gene(res, "DPYD")
    assert (g["diplotype"], g["phenotype"]) == ("Reference/c.1905+1G>A (*2A)", "Intermediate Metabolizer")
    rec = res["recommendations"][0]
    assert rec["drug"] == "capecitabine" and "50%" in rec["recommendation"] and rec["pmids"]


@pytest.mark.parametrize("gt, diplotype, phenotype", [("0/1", "*1/*5", "Decreased Function"),
                                                      ("1/1", "*5/*5", "Poor Function")])
def test_slco1b1_star5(tmp_path, gt, diplotype, phenotype):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh37", {"rs4149056": gt}, full=("SLCO1B1",))
    g = gene(run(vcf), "SLCO1B1")
    assert (g["status"], g["diplotype"], g["phenotype"]) == ("called", diplotype, phenotype)


@pytest.mark.parametrize("build, diplotype, phenotype", [("GRCh37", "*3/*3", "Poor Metabolizer"),
                                                         ("GRCh38", "*1/*1", "Normal Metabolizer")])
def test_hom_ref_cyp3a5_takes_the_reference_allele_of_the_build(tmp_path, build, diplotype, phenotype):
    # only a CYP2C19 record: CYP3A5 is entirely assumed reference
    vcf = write_pgx_vcf(tmp_path / "s.vcf", build, {"rs12248560": "0/1"})
    res = run(vcf, assume_ref=True)
    g = gene(res, "CYP3A5")
    assert (g["status"], g["diplotype"], g["phenotype"]) == ("called", diplotype, phenotype)
    assert {x["source"] for x in g["genotypes"]} == {"assumed_reference"}
    assert any("assumed" in n for n in res["notes"])


def test_missing_positions_are_partial_or_not_called_never_reference(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {"rs4244285": "1/1", "rs12769205": "1/1"})
    res = run(vcf, medications=["clopidogrel"])
    g = gene(res, "CYP2C19")
    assert g["status"] == "partial" and g["phenotype"] is None
    n_positions = len({v.pos for v in load_tables().gene_variants("CYP2C19", "GRCh38")})
    assert len(g["missing_positions"]) == n_positions - 2 and "10:94761900" in g["missing_positions"]
    cyp3a5 = gene(res, "CYP3A5")
    assert cyp3a5["status"] == "not_called" and cyp3a5["diplotype"] is None and cyp3a5["missing_positions"]
    assert res["recommendations"] == []
    assert res["medications"]["matched"][0]["recommendation"] is False


def test_gvcf_reference_blocks_count_as_reference(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "s.g.vcf", "GRCh38", {**STAR1_38, "rs4244285": "1/1", "rs12769205": "1/1"},
                        gvcf_blocks=[("10", 94750000, 94775366), ("10", 94775368, 94781858),
                                     ("10", 94781860, 94842865), ("10", 94842867, 94860000)])
    res = run(vcf)
    g = gene(res, "CYP2C19")
    assert res["gvcf"] and (g["status"], g["diplotype"], g["phenotype"]) == ("called", "*2/*2", "Poor Metabolizer")
    assert "gvcf_block" in {x["source"] for x in g["genotypes"]}
    assert gene(res, "CYP2C9")["status"] == "not_called"  # no block covers it: still missing


def test_unphased_sites_give_candidates_and_no_phenotype_when_they_disagree(tmp_path):
    # NUDT15 *2 = *3 + *6 variants: unphased hets are *1/*2 (cis) or *3/*6 (trans)
    gts = {"13-48037782-A-AGGAGTC": "0/1", "rs116855232": "0/1"}
    res = run(write_pgx_vcf(tmp_path / "u.vcf", "GRCh38", gts, full=("NUDT15",)))
    g = gene(res, "NUDT15")
    assert sorted(g["candidates"]) == ["*1/*2", "*3/*6"] and g["diplotype_basis"] == "most_likely"
    assert g["diplotype"] in g["candidates"] and g["phenotype"] is None
    assert sorted(g["phenotype_candidates"]) == ["Intermediate Metabolizer", "Possible Intermediate Metabolizer"]
    phased = run(write_pgx_vcf(tmp_path / "p.vcf", "GRCh38", {"13-48037782-A-AGGAGTC": "1|0", "rs116855232": "0|1"},
                               full=("NUDT15",)))
    g = gene(phased, "NUDT15")
    assert g["candidates"] == ["*3/*6"] and g["phenotype"] == "Possible Intermediate Metabolizer"


def test_structural_genes_are_not_called_with_the_reason(tmp_path):
    res = run(write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {"rs12248560": "0/1"}), assume_ref=True)
    assert "copy-number" in gene(res, "CYP2D6")["reason"] and gene(res, "CYP2D6")["status"] == "not_called"
    assert "HLA typing" in gene(res, "HLA-B")["reason"]


def test_no_pgx_records_is_not_an_error(tmp_path):
    vcf = tmp_path / "elsewhere.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##reference=GRCh38\n"
                   '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n20\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n")
    res = run(vcf, assume_ref=True)
    assert all(g["status"] == "not_called" for g in res["genes"])
    assert any("no records in any pharmacogene" in n for n in res["notes"]) and res["recommendations"] == []


def test_bgzipped_chr_prefixed_vcf_with_build_from_contig_lengths(tmp_path):
    plain = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {**STAR1_38, "rs12248560": "1/1"}, full=("CYP2C19",),
                          header_build=False, contigs=True, chr_prefix=True)
    res = run(bgzip(plain))
    assert res["build"] == "GRCh38" and gene(res, "CYP2C19")["diplotype"] == "*17/*17"


def test_build_from_option_and_inferred(tmp_path):
    plain = write_pgx_vcf(tmp_path / "s.vcf", "GRCh37", {"rs12248560": "0/1"}, full=("CYP2C19",), header_build=False)
    assert run(plain, build="hg19")["build"] == "GRCh37"
    inferred = run(plain)
    assert inferred["build"] == "GRCh37" and inferred["build_source"].startswith("inferred")


def test_multi_sample_needs_a_sample_name(tmp_path):
    vcf = write_pgx_vcf(tmp_path / "m.vcf", "GRCh38", {**{k: "1/1;1/1" for k in STAR1_38},
                                                        "rs12248560": "0/1;1/1"},
                        full=("CYP2C19",), samples=("A", "B"))
    with pytest.raises(UserError, match="2 samples .*--sample"):
        run(vcf)
    assert gene(run(vcf, sample="B"), "CYP2C19")["diplotype"] == "*17/*17"
    with pytest.raises(UserError, match="sample 'C' is not in"):
        run(vcf, sample="C")


def test_wrong_build_is_refused(tmp_path):
    vcf37 = write_pgx_vcf(tmp_path / "s.vcf", "GRCh37", {"rs12248560": "0/1"}, full=("CYP2C19", "SLCO1B1"),
                          header_build=False)
    with pytest.raises(UserError, match="wrong genome build.*match GRCh37"):
        run(vcf37, build="GRCh38")
    labelled = write_pgx_vcf(tmp_path / "h.vcf", "GRCh37", {"rs12248560": "0/1"}, full=("CYP2C19",))
    with pytest.raises(UserError, match="header says GRCh37"):
        run(labelled, build="GRCh38")


@pytest.mark.parametrize("content, match", [
    ("just some text\n", "not a VCF"),
    ("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n10\t1\t.\tA\tG\t.\t.\t.\n", "no sample"),
])
def test_bad_files(tmp_path, content, match):
    p = tmp_path / "bad.vcf"
    p.write_text(content)
    with pytest.raises(UserError, match=match):
        run(p)


def test_truncated_bgzip_and_unknown_build_and_drug(tmp_path):
    gz = bgzip(write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {"rs12248560": "0/1"}, full=("CYP2C19", "DPYD")))
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    with pytest.raises(UserError, match="truncated|corrupt"):
        run(cut)
    with pytest.raises(UserError, match="unknown genome build"):
        run(gz, build="GRCh36")
    with pytest.raises(UserError, match="unknown drug 'clopidogrell'"):
        run(gz, medications=["clopidogrell"], strict_medications=True)


def test_indexed_vcf_is_read_by_region(tmp_path):
    import pysam

    plain = write_pgx_vcf(tmp_path / "s.vcf", "GRCh38", {"rs3758581": "1/1", "rs12248560": "0/1", "rs3918290": "0/1"},
                          full=("CYP2C19", "DPYD"), contigs=True, chr_prefix=True)
    gz = bgzip(plain)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    res = run(gz)
    assert gene(res, "CYP2C19")["diplotype"] == "*1/*17"
    assert gene(res, "DPYD")["phenotype"] == "Intermediate Metabolizer"
