"""Training of the default 2.5D segmenter on synthetic cases of the MNI152 template."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision_tools.model import NetConfig


@dataclass
class TrainOptions:
    """Options of `medbot train-segmenter`.

    Attributes:
        out: weights file to write (`.pt`; the model card goes beside it as `.json`).
        seed: seeds the cases (case i uses seed*100_000 + i), the network init and the sampling.
        cases: synthetic training volumes generated up front.
        iterations: optimiser steps.
        batch_size: slices per step.
        crop: train on random crop x crop windows of the slices (None: whole slices).
        lr: peak learning rate (one-cycle schedule).
        lesion_fraction: share of each batch drawn from slices that contain a lesion.
        val_cases: validation volumes (seeds 50_000+) checked every `val_every` steps; the best
            weights are kept.
        heldout_cases: held-out volumes (seeds 900_000+) evaluated once at the end for the card.
        threads: torch CPU threads (1 by default: on a shared, busy machine one thread is several
            times faster than two, whose OpenMP workers wait for each other).
        cache_dir: keep the generated training cases here and reuse them on the next run (None: no cache).
        checkpoint: write the best weights so far beside `out` as `<stem>.best.pt` (+ card).
        net: network hyper-parameters.
        command: the command line recorded in the model card.
    """

    out: Path = Path("vision_tools/weights/default.pt")
    seed: int = 0
    cases: int = 24
    iterations: int = 2000
    batch_size: int = 12
    crop: int | None = 64
    lr: float = 3e-3
    lesion_fraction: float = 0.5
    val_cases: int = 2
    val_every: int = 500
    heldout_cases: int = 4
    threads: int | None = 1
    checkpoint: bool = True
    cache_dir: Path | None = None
    net: NetConfig = field(default_factory=NetConfig)
    command: str = ""


def _slices(images: np.ndarray, labels: np.ndarray, context: int):
    """Index of usable (case, z) pairs and those holding a lesion."""
    brain = (labels > 0).any(axis=(1, 2))  # (cases, Z)
    lesion = (labels == 4).any(axis=(1, 2))
    z = labels.shape[3]
    usable = np.argwhere(brain)
    return usable, np.argwhere(lesion), z


def _batch(images, labels, pairs, context: int, multiple: int, rng: np.random.Generator, crop: int | None = None):
    """A batch of 2.5D slice stacks (B, 2*context+1, H, W) and labels (B, 1, H, W).

    With `crop`, each sample is a random crop x crop window (cheaper steps); slices with a lesion
    get a window that contains one of its voxels.
    """
    import torch
    import torch.nn.functional as F

    z = images.shape[3]
    xs, ys = [], []
    for c, k in pairs:
        idx = np.clip(np.arange(k - context, k + context + 1), 0, z - 1)
        x = images[c][:, :, idx].transpose(2, 0, 1)
        y = labels[c][:, :, k]
        if crop and (x.shape[1] > crop or x.shape[2] > crop):
            cx, cy = min(crop, x.shape[1]), min(crop, x.shape[2])
            lesion = np.argwhere(y == 4)
            if len(lesion):
                px, py = lesion[rng.integers(len(lesion))]
                x0 = int(rng.integers(max(0, px - cx + 1), min(px, x.shape[1] - cx) + 1))
                y0 = int(rng.integers(max(0, py - cy + 1), min(py, x.shape[2] - cy) + 1))
            else:
                x0 = int(rng.integers(0, x.shape[1] - cx + 1))
                y0 = int(rng.integers(0, x.shape[2] - cy + 1))
            x, y = x[:, x0:x0 + cx, y0:y0 + cy], y[x0:x0 + cx, y0:y0 + cy]
        if rng.random() < 0.5:  # left-right flip: the template and its labels are near-symmetric
            x, y = x[:, ::-1], y[::-1]
        xs.append(np.ascontiguousarray(x))
        ys.append(np.ascontiguousarray(y))
    x = torch.from_numpy(np.stack(xs))
    y = torch.from_numpy(np.stack(ys).astype(np.int64))[:, None]
    px, py = (-x.shape[2]) % multiple, (-x.shape[3]) % multiple
    return F.pad(x, (0, py, 0, px)), F.pad(y, (0, py, 0, px))


def train(options: TrainOptions, progress: bool = True) -> dict:
    """Generate cases, train the network, keep the best validation weights, write weights + card.

    Returns:
        The model card (also written as JSON beside the weights).
    """
    import torch
    from monai.losses import DiceCELoss
    from tqdm import tqdm

    from vision_tools.model import build_network
    from vision_tools.segmenters.default import DefaultSegmenter
    from vision_tools.training.evaluate import VALIDATION_SEED0, evaluate_segmenter
    from vision_tools.training.labels import load_template
    from vision_tools.training.synth import make_case

    if options.threads:
        torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    t_start = time.perf_counter()
    template = load_template(int(round(options.net.spacing_mm)))
    shape = template.t1.shape
    cache = (Path(options.cache_dir) / f"segmenter-cases-seed{options.seed}-n{options.cases}.npz") if options.cache_dir else None
    if cache is not None and cache.is_file():
        with np.load(cache) as z:
            images, labels = z["images"], z["labels"]
    else:
        images = np.zeros((options.cases,) + shape, dtype=np.float32)
        labels = np.zeros((options.cases,) + shape, dtype=np.uint8)
        for i in tqdm(range(options.cases), desc="synthetic cases", disable=not progress):
            images[i], labels[i] = make_case(template, options.seed * 100_000 + i)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(cache.stem + ".tmp.npz")
            np.savez(tmp, images=images, labels=labels)
            os.replace(tmp, cache)
    t_data = time.perf_counter() - t_start
    usable, lesion_pairs, _ = _slices(images, labels, options.net.context)

    net = build_network(options.net)
    # batch=True: Dice over the whole batch, so slices without a lesion do not swamp the rare lesion class
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True, include_background=True, batch=True, smooth_nr=1e-5, smooth_dr=1e-5)
    opt = torch.optim.AdamW(net.parameters(), lr=options.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=options.lr, total_steps=options.iterations, pct_start=0.1)
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_weights = out.with_name(out.stem + ".training.pt")
    best = (-1.0, None, 0)
    history = []
    n_lesion = int(round(options.batch_size * options.lesion_fraction)) if len(lesion_pairs) else 0
    bar = tqdm(range(1, options.iterations + 1), desc="training", disable=not progress)
    running = None
    for step in bar:
        net.train()
        pairs = [usable[j] for j in rng.integers(len(usable), size=options.batch_size - n_lesion)]
        pairs += [lesion_pairs[j] for j in rng.integers(len(lesion_pairs), size=n_lesion)] if n_lesion else []
        x, y = _batch(images, labels, pairs, options.net.context, options.net.multiple, rng, options.crop)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        sched.step()
        value = loss.item()
        running = value if running is None else 0.95 * running + 0.05 * value
        bar.set_postfix(loss=f"{running:.3f}")
        if step % options.val_every == 0 or step == options.iterations:
            torch.save(net.state_dict(), tmp_weights)
            _write_card(tmp_weights, options, {}, {}, 0.0)
            seg = DefaultSegmenter(tmp_weights)
            seg._net = net.eval()
            seg.check_output = False
            val = evaluate_segmenter(seg, n=options.val_cases, seed0=VALIDATION_SEED0)
            score = float(np.nanmean(list(val["dice"].values())))
            history.append({"step": step, "loss": round(running, 4), "val_dice": val["dice"]})
            if progress:
                bar.write(f"step {step}: loss {running:.3f} validation Dice {val['dice']}")
            if score > best[0]:
                best = (score, {k: v.detach().clone() for k, v in net.state_dict().items()}, step)
                if options.checkpoint:  # keep a usable model on disk if the run is stopped early
                    ckpt = out.with_name(out.stem + ".best.pt")
                    torch.save(best[1], ckpt)
                    _write_card(ckpt, options, {"dice": val["dice"], "seeds": val["seeds"], "cases": val["cases"],
                                                "seconds_per_volume": val["seconds_per_volume"]},
                                {"history": history, "best_step": step}, time.perf_counter() - t_start)
    t_train = time.perf_counter() - t_start - t_data
    net.load_state_dict(best[1])
    net.eval()
    torch.save(best[1], tmp_weights)
    seg = DefaultSegmenter(tmp_weights)
    seg._net = net
    held = evaluate_segmenter(seg, n=options.heldout_cases)
    card = _write_card(out, options, held, {"history": history, "best_step": best[2],
                                            "seconds_data": round(t_data, 1), "seconds_training": round(t_train, 1)},
                       time.perf_counter() - t_start)
    os.replace(tmp_weights, out)
    for leftover in (tmp_weights.with_suffix(".json"), out.with_name(out.stem + ".best.pt"), out.with_name(out.stem + ".best.json")):
        leftover.unlink(missing_ok=True)
    return card


def _write_card(weights: Path, options: TrainOptions, held: dict, log: dict, seconds: float) -> dict:
    import torch

    card = {
        "name": "medbot default brain segmenter (demo)",
        "task": "brain tissue (CSF, grey matter, white matter) and lesion segmentation on T1 MRI",
        "intended_use": "demonstration only: trained on one template brain with synthetic lesions; not for diagnosis",
        "labels": {"0": "background (outside nilearn's MNI152 brain mask)",
                   "1": "csf: inside the brain mask where 1 - p(GM) - p(WM) is the largest of the three",
                   "2": "grey matter: argmax is load_mni152_gm_template",
                   "3": "white matter: argmax is load_mni152_wm_template",
                   "4": "lesion: synthetic ellipsoid lesions (T1-dark or T1-bright) inserted with known masks"},
        "net": options.net.to_dict(),
        "input": {"modality": "MR (T1)", "spacing_mm": options.net.spacing_mm, "orientation": "RAS axial slices",
                  "normalisation": "0.5th percentile -> 0, 99.5th percentile of the foreground -> 1, clip to 1.5"},
        "training": {"command": options.command, "seed": options.seed, "cases": options.cases,
                     "case_seeds": f"{options.seed * 100_000}..{options.seed * 100_000 + options.cases - 1}",
                     "iterations": options.iterations, "batch_size": options.batch_size, "crop": options.crop, "lr": options.lr,
                     "lesion_fraction": options.lesion_fraction, "torch": torch.__version__,
                     "machine": f"{platform.machine()} CPU, {torch.get_num_threads()} threads",
                     "seconds_total": round(seconds, 1), **{k: v for k, v in log.items() if k != "history"}},
        "heldout": {"what": "unseen augmentations and lesions of the same MNI152 brain (other seeds); measures "
                            "robustness, not generalisation to patients",
                    **({"seeds": held["seeds"], "cases": held["cases"], "seconds_per_volume": held["seconds_per_volume"]}
                       if held else {})},
        "heldout_dice": held.get("dice", {}) if held else {},
        **({"heldout_lesions": held["lesions"]} if held and held.get("lesions") else {}),
        "history": log.get("history", []),
    }
    path = Path(weights).with_suffix(".json")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return card


__all__ = ["TrainOptions", "train"]
