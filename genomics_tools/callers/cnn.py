"""medbot's CNN caller: pileup scan -> tensors -> CNN genotypes -> VCF."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from genomics_tools import __version__
from genomics_tools.callers.base import sample_name, split_regions
from genomics_tools.examples import CandidateOptions
from genomics_tools.pileup import DepthTrack, ScanOptions
from genomics_tools.regions import Region


class CnnCaller:
    """DeepVariant-style caller with medbot's trained weights.

    Args:
        weights: `.pt` weights with a JSON card; default: the committed weights.
        scan_options, candidate_options: read filters and candidate thresholds.
        chunk: largest region scanned at once (bases).
        progress: show a progress bar over chunks.
        keep_pileups: keep each chunk's depth (`DepthTrack`) in `self.pileups` (for coverage plots).
    """

    name: ClassVar[str] = "cnn"

    def __init__(self, weights: str | Path | None = None, scan_options: ScanOptions | None = None,
                 candidate_options: CandidateOptions | None = None, chunk: int = 1_000_000,
                 progress: bool = False, keep_pileups: bool = False):
        self.weights = weights
        self.scan_options = scan_options or ScanOptions()
        self.candidate_options = candidate_options or CandidateOptions()
        self.chunk = chunk
        self.progress = progress
        self.keep_pileups = keep_pileups
        self.pileups: list = []
        self._model = None
        self._card: dict = {}

    def _load(self):
        if self._model is None:
            from genomics_tools.model import load_model

            self._model, self._card = load_model(self.weights)
        return self._model

    @property
    def version(self) -> str:
        self._load()
        return f"medbot-cnn {__version__} weights={self._card.get('name', 'custom')}"

    def call(self, bam, reference, regions: list[Region], out, sample: str | None = None) -> Path:
        """See `VariantCaller.call`."""
        from tqdm import tqdm

        from genomics_tools.examples import make_examples
        from genomics_tools.predict import predict_examples
        from genomics_tools.vcf_writer import write_calls

        model = self._load()
        parts = []
        self.pileups = []
        chunks = split_regions(regions, self.chunk)
        for region in tqdm(chunks, desc="calling", unit="chunk", disable=not self.progress):
            ex, pile = make_examples(str(bam), str(reference), region, self.scan_options, self.candidate_options)
            parts.append(predict_examples(ex, model=model))
            if self.keep_pileups:  # depth only: whole Pileups of a chromosome would not fit in memory
                self.pileups.append(DepthTrack(pile.region, pile.depth.astype("int32")))
        return write_calls(parts, reference, out, sample=sample or sample_name(bam), version=self.version,
                           caller=self.name)
