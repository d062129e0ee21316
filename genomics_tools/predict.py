"""Stage 2 (`call_variants`): genotype probabilities for saved examples."""

from __future__ import annotations

from pathlib import Path

from genomics_tools.examples import Examples
from genomics_tools.model import load_model, predict_probs


def predict_examples(examples: Examples, weights: str | Path | None = None, model=None) -> Examples:
    """Fill `examples.probs` with P(hom-ref, het, hom-alt) from the CNN.

    Args:
        examples: output of stage 1.
        weights: `.pt` file with its JSON card; default: the committed weights.
        model: an already loaded model (skips loading).

    Returns:
        The same examples, with `probs` set.
    """
    if model is None:
        model, _ = load_model(weights)
    examples.probs = predict_probs(model, examples.tensors, examples.site)
    return examples


def predict_file(examples_npz: str | Path, out_npz: str | Path, weights: str | Path | None = None) -> Path:
    """Stage 2 between files: read examples, write them back with probabilities."""
    ex = predict_examples(Examples.load(examples_npz), weights)
    return ex.save(out_npz)
