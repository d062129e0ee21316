"""Variant calling for medbot: pileup scan -> pileup tensors -> CNN genotypes -> VCF.

Stages are joined by files, as in DeepVariant: `examples.make_examples` writes candidate sites and
their pileup tensors (`.npz`), `predict.predict_examples` adds genotype probabilities, and
`vcf_writer.write_calls` turns them into a bgzipped, indexed VCF 4.2. `callers` holds the
`VariantCaller` protocol with the CNN caller and the bcftools baseline; `compare` scores a call set
against a truth set; `annotate` and `summary` turn a VCF into what a clinician reads.

Heavy libraries (pysam, numpy, torch, matplotlib) are imported inside the functions that need them.
"""

__version__ = "0.1.0"
