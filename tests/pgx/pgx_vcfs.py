"""Synthetic VCFs for pharmacogenomics tests, written from the CPIC tables' own defining variants."""

from __future__ import annotations

from pathlib import Path

GRCH38_CONTIGS = {"1": 248956422, "7": 159345973, "10": 133797422, "12": 133275309, "13": 114364328}
GRCH37_CONTIGS = {"1": 249250621, "7": 159138663, "10": 135534747, "12": 133851895, "13": 115169878}


def variant(rsid: str, build: str):
    """The defining variant named by rsID, or by the tables' key 'CHROM-POS-REF-ALT'."""
    from genomics_tools.pgx import load_tables

    t = load_tables()
    if "-" in rsid:
        return t.variants[build][rsid]
    return next(v for v in t.variants[build].values() if v.rsid == rsid)


def gene_positions(gene: str, build: str):
    from genomics_tools.pgx import load_tables

    seen, out = set(), []
    for v in load_tables().gene_variants(gene, build):
        if (v.chrom, v.pos) not in seen:
            seen.add((v.chrom, v.pos))
            out.append(v)
    return out


def write_pgx_vcf(path: Path, build: str, genotypes: dict[str, str], full: tuple[str, ...] = (),
                  samples: tuple[str, ...] = ("S1",), header_build: bool = True, contigs: bool = False,
                  gvcf_blocks: list[tuple[str, int, int]] = (), drop: tuple[str, ...] = (), chr_prefix: bool = False,
                  phased: bool = False) -> Path:
    """Write a VCF: `genotypes` rsid -> GT (one per sample, ';'-separated for several samples); every
    defining position of the `full` genes gets a 0/0 record unless given; `drop` rsids are left out."""
    rows = {}
    for gene in full:
        for v in gene_positions(gene, build):
            rows[(v.chrom, v.pos)] = (v.chrom, v.pos, v.ref, v.alt, ";".join("0/0" for _ in samples))
    for rsid, gt in genotypes.items():
        v = variant(rsid, build)
        rows[(v.chrom, v.pos)] = (v.chrom, v.pos, v.ref, v.alt, gt)
    for rsid in drop:
        v = variant(rsid, build)
        rows.pop((v.chrom, v.pos), None)
    pre = "chr" if chr_prefix else ""
    head = ["##fileformat=VCFv4.2"]
    if header_build:
        head.append(f"##reference={build}")
    if contigs:
        lengths = GRCH38_CONTIGS if build == "GRCh38" else GRCH37_CONTIGS
        head += [f"##contig=<ID={pre}{c},length={n}>" for c, n in lengths.items()]
    head.append('##INFO=<ID=END,Number=1,Type=Integer,Description="End of the block">')
    head.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    if gvcf_blocks:
        head.append('##ALT=<ID=NON_REF,Description="Any other allele">')
    head.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples))
    body = []
    for c, p, r, a, gt in rows.values():
        gts = gt.split(";")
        if phased:
            gts = [g.replace("/", "|") for g in gts]
        body.append((c, p, f"{pre}{c}\t{p}\t.\t{r}\t{a}\t50\tPASS\t.\tGT\t" + "\t".join(gts)))
    for c, start, end in gvcf_blocks:
        body.append((c, start, f"{pre}{c}\t{start}\t.\tN\t<NON_REF>\t.\tPASS\tEND={end}\tGT\t"
                     + "\t".join("0/0" for _ in samples)))
    body.sort(key=lambda x: (int(x[0]) if x[0].isdigit() else 99, x[1]))
    path.write_text("\n".join(head + [b for _, _, b in body]) + "\n")
    return path


def bgzip(path: Path) -> Path:
    import pysam

    out = Path(str(path) + ".gz")
    pysam.tabix_compress(str(path), str(out), force=True)
    return out

