"""CNN shapes, probability helpers and the VCF writer on fixed probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from genomics_tools.vcf_writer import phred


@pytest.mark.parametrize("batch,channels,width,n_site", [(1, 22, 33, 10), (5, 22, 33, 10), (3, 8, 17, 4)])
def test_model_shapes(batch, channels, width, n_site):
    import torch

    from genomics_tools.model import build_model, predict_probs

    m = build_model(in_channels=channels, n_site=n_site).eval()
    x = torch.zeros(batch, channels, width)
    assert m(x, torch.zeros(batch, n_site)).shape == (batch, 3)
    p = predict_probs(m, np.zeros((batch, channels, width), np.float16), np.zeros((batch, n_site), np.float32))
    assert p.shape == (batch, 3) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_phred():
    assert phred(0.1, 99) == pytest.approx(10.0)
    assert phred(0.0, 99) == 99
    with pytest.raises(ValueError):
        phred(1.5, 99)


def test_write_calls_header_genotypes_and_atomicity(tmp_path, hand_ref):
    import pysam

    from genomics_tools.examples import Examples
    from genomics_tools.vcf_writer import write_calls

    ex = Examples(contig="1", pos0=np.array([2, 7, 20]), ref=np.array(["G", "TA", "G"]), alt=np.array(["T", "T", "A"]),
                  kind=np.array([0, 2, 0]), depth=np.array([30, 30, 30]), alt_count=np.array([15, 29, 1]),
                  tensors=np.zeros((3, 22, 33), np.float16), site=np.zeros((3, 10), np.float32),
                  labels=np.full(3, -1, np.int8), probs=np.array([[0.01, 0.98, 0.01], [0.0, 0.05, 0.95], [0.9, 0.1, 0.0]]))
    out = write_calls([ex], hand_ref, tmp_path / "x.vcf.gz", sample="S", version="test 1")
    assert (tmp_path / "x.vcf.gz.tbi").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with pysam.VariantFile(str(out)) as vf:
        assert '##medbot_caller=<ID=cnn,Version="test 1">' in str(vf.header)
        recs = list(vf)
    assert [(r.pos, r.ref, r.alts[0], r.samples["S"]["GT"]) for r in recs] == [(3, "G", "T", (0, 1)), (8, "TA", "T", (1, 1))]
    assert recs[0].samples["S"]["GQ"] == 17 and recs[0].qual == pytest.approx(20.0)
