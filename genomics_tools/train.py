"""Train the CNN caller on simulated chr20 data (`medbot train-caller`).

Plan: for each training slice, simulate reads with dwgsim (coverage and error rate vary by slice),
align them, build examples and label each candidate from the truth VCF (hom-ref when the allele is
not in the truth set). Train with Adam and cross-entropy, then call a held-out slice (disjoint from
training and outside the reserved chr20:50,000,001-55,000,000) end to end and score it with
`compare`. Weights go to `<out>.pt` with a JSON card: command, seed, regions, metrics.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from genomics_tools.regions import Region
from genomics_tools.simulate import SimSpec, overlaps_reserved

# 200 kb slices of chr20 spread over both arms (the centromere gap 25-30 Mb and the reserved
# 50-55 Mb are avoided); held-out slices (card: 45.0-45.3 Mb, benchmark: 40-41 Mb, validation of
# the decision threshold: 47.0-47.5 Mb) are disjoint from all of them.
TRAIN_STARTS_MB = (1.0, 2.5, 4.0, 5.5, 7.0, 8.5, 10.0, 11.5, 13.0, 14.5, 16.0, 17.5, 19.0, 20.5, 22.0,
                   31.0, 32.5, 34.0, 35.5, 37.0, 38.5, 43.0, 46.0, 48.0, 56.0, 58.0, 60.0, 61.5,
                   23.0, 23.5, 39.5, 41.5, 42.0, 44.0, 49.0, 57.0)
TRAIN_SLICE = 200_000
HELDOUT = Region("20", 45_000_000, 45_300_000)  # chr20:45,000,001-45,300,000
COVERAGES = (10, 20, 30, 30, 45, 60)
ERROR_RATES = (0.005, 0.01, 0.015, 0.02)


@dataclass
class TrainOptions:
    """What `train_caller` simulates and how it trains.

    Attributes:
        out: weights path (`.pt`); the card is written beside it as `.json`.
        workdir: folder for simulated data (large; keep it out of git).
        n_slices: how many of the training slices to use.
        seed: seed for dwgsim, shuffling and initialisation.
        epochs: passes over the training examples.
        width, hidden: CNN convolution channels and classifier units.
        batch_size, lr, weight_decay: optimiser settings.
        mutation_rate, indel_fraction: dwgsim settings for training slices.
        heldout: region simulated at 30x for the metrics in the card.
        threads: torch threads.
    """

    out: Path = Path(__file__).parent / "weights" / "cnn_caller.pt"
    workdir: Path = Path("runs/train-caller")
    n_slices: int = len(TRAIN_STARTS_MB)
    seed: int = 7
    epochs: int = 12
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    mutation_rate: float = 0.002
    indel_fraction: float = 0.3
    heldout: Region = field(default_factory=lambda: HELDOUT)
    threads: int = 2
    width: int = 32
    hidden: int = 64


def training_specs(opts: TrainOptions) -> list[SimSpec]:
    """The simulated samples used for training (deterministic for a seed)."""
    specs = []
    for i, mb in enumerate(TRAIN_STARTS_MB[: opts.n_slices]):
        start = int(mb * 1_000_000)
        region = Region("20", start, start + TRAIN_SLICE)
        if overlaps_reserved(region) or _overlaps(region, opts.heldout):
            raise ValueError(f"training slice {region} overlaps held-out or reserved data")
        specs.append(SimSpec(region=region, coverage=COVERAGES[i % len(COVERAGES)],
                             error_rate=ERROR_RATES[i % len(ERROR_RATES)], seed=opts.seed * 1000 + i,
                             mutation_rate=opts.mutation_rate, indel_fraction=opts.indel_fraction))
    return specs


def _overlaps(a: Region, b: Region) -> bool:
    return a.contig == b.contig and a.start < b.end and b.start < a.end


def label_examples(ex, truth_vcf: Path, reference: Path) -> None:
    """Set `ex.labels` from a truth VCF: 0 hom-ref (allele absent), 1 het, 2 hom-alt."""
    import numpy as np

    from genomics_tools.compare import load_alleles

    truth = load_alleles(truth_vcf, str(reference))
    labels = np.zeros(len(ex), dtype=np.int8)
    for j in range(len(ex)):
        z = truth.get((ex.contig, int(ex.pos0[j]), str(ex.ref[j]), str(ex.alt[j])))
        labels[j] = 0 if z is None else (2 if z == "hom" else 1)
    ex.labels = labels


def build_dataset(specs: list[SimSpec], workdir: Path, progress: bool = True):
    """Simulate, align and label every spec; returns the joined Examples and per-spec stats."""
    from tqdm import tqdm

    from genomics_tools.examples import Examples, make_examples
    from genomics_tools.simulate import check_prerequisites, is_cached, simulate

    if not all(is_cached(spec, workdir / f"train_{spec.region.start + 1}") for spec in specs):
        check_prerequisites(needed_for="train-caller")  # one line before any progress bar
    parts, stats = [], []
    for spec in tqdm(specs, desc="simulating", unit="slice", disable=not progress):
        sim = simulate(spec, workdir / f"train_{spec.region.start + 1}")
        region = Region(sim.contig, 0, len(spec.region))
        ex, _ = make_examples(str(sim.bam), str(sim.reference), region)
        label_examples(ex, sim.truth, sim.reference)
        parts.append(ex)
        stats.append({"region": str(spec.region), "coverage": spec.coverage, "error_rate": spec.error_rate,
                      "candidates": len(ex), "variants": int((ex.labels > 0).sum())})
    return Examples.concat(parts), stats


def fit(ex, opts: TrainOptions, progress: bool = True):
    """Train a fresh model on labelled examples; returns (model, history)."""
    import numpy as np
    import torch
    from tqdm import tqdm

    from genomics_tools.model import build_model

    torch.manual_seed(opts.seed)
    torch.set_num_threads(opts.threads)
    rng = np.random.default_rng(opts.seed)
    x = torch.from_numpy(ex.tensors.astype(np.float32))
    s = torch.from_numpy(ex.site.astype(np.float32))
    y = torch.from_numpy(ex.labels.astype(np.int64))
    model = build_model(in_channels=x.shape[1], n_site=s.shape[1], width=opts.width, hidden=opts.hidden)
    optim = torch.optim.AdamW(model.parameters(), lr=opts.lr, weight_decay=opts.weight_decay)
    steps = opts.epochs * ((len(y) + opts.batch_size - 1) // opts.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(optim, max_lr=opts.lr, total_steps=max(steps, 1))
    loss_fn = torch.nn.CrossEntropyLoss()
    history = []
    for epoch in tqdm(range(opts.epochs), desc="training", unit="epoch", disable=not progress):
        model.train()
        order = torch.from_numpy(rng.permutation(len(y)))
        total, correct = 0.0, 0
        for i in range(0, len(y), opts.batch_size):
            b = order[i:i + opts.batch_size]
            if len(b) < 2:
                continue
            logits = model(x[b], s[b])
            loss = loss_fn(logits, y[b])
            optim.zero_grad()
            loss.backward()
            optim.step()
            sched.step()
            total += loss.item() * len(b)
            correct += int((logits.argmax(1) == y[b]).sum())
        history.append({"epoch": epoch + 1, "loss": round(total / len(y), 5), "accuracy": round(correct / len(y), 5)})
    model.eval()
    return model, history


def evaluate_heldout(weights: Path, region: Region, workdir: Path, coverage: float = 30.0, seed: int = 4242) -> dict:
    """Simulate `region` at `coverage` (human-like mutation rate), call it with `weights`, score it."""
    from genomics_tools.callers.cnn import CnnCaller
    from genomics_tools.compare import compare_vcfs
    from genomics_tools.simulate import simulate

    spec = SimSpec(region=region, coverage=coverage, error_rate=0.01, seed=seed, mutation_rate=0.001,
                   indel_fraction=0.2)
    sim = simulate(spec, workdir / f"heldout_{region.start + 1}")
    calls = workdir / f"heldout_{region.start + 1}" / "cnn.vcf.gz"
    CnnCaller(weights=weights).call(sim.bam, sim.reference, [Region(sim.contig, 0, len(region))], calls)
    res = compare_vcfs(sim.truth, calls, bed=sim.bed, reference=sim.reference)
    return {"region": str(region), "coverage": coverage, "error_rate": 0.01, "seed": seed,
            "SNV": res["SNV"], "INDEL": res["INDEL"]}


def train_caller(opts: TrainOptions, command: str | None = None, progress: bool = True) -> dict:
    """Run the whole training plan and write weights + card.

    Returns:
        The card (dict) that was written beside the weights.
    """
    import torch

    random.seed(opts.seed)
    t0 = time.time()
    workdir = Path(opts.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    specs = training_specs(opts)
    ex, stats = build_dataset(specs, workdir, progress)
    t_data = time.time() - t0
    model, history = fit(ex, opts, progress)
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    torch.save(model.state_dict(), tmp)
    os.replace(tmp, out)
    card = {
        "name": out.stem,
        "architecture": {"in_channels": int(ex.tensors.shape[1]), "n_site": int(ex.site.shape[1]),
                         "width": opts.width, "hidden": opts.hidden},
        "command": command or "medbot train-caller " + " ".join(shlex.quote(a) for a in sys.argv[2:]),
        "seed": opts.seed,
        "options": {k: (str(v) if isinstance(v, (Path, Region)) else v) for k, v in asdict(opts).items()},
        "training_regions": stats,
        "examples": {"total": len(ex), "hom_ref": int((ex.labels == 0).sum()), "het": int((ex.labels == 1).sum()),
                     "hom_alt": int((ex.labels == 2).sum())},
        "history": history[-3:],
        "data_seconds": round(t_data, 1),
        "train_seconds": round(time.time() - t0 - t_data, 1),
    }
    card_file = out.with_suffix(".json")
    card_file.write_text(json.dumps(card, indent=2) + "\n")
    card["heldout"] = evaluate_heldout(out, opts.heldout, workdir)
    card_file.write_text(json.dumps(card, indent=2) + "\n")
    return card
