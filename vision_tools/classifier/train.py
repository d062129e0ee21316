"""`medbot train-classifier FOLDER`: a MONAI DenseNet121 on a class-per-subfolder image folder.

2D or 3D follows the data. A stratified held-out split (seeded) is never trained on; the model card
reports its accuracy, per-class precision and recall, and the confusion matrix.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision_tools.classifier.model import CARD_KIND, CARD_NAME, WEIGHTS_NAME, build_network
from vision_tools.errors import UserError


@dataclass
class ClassifierOptions:
    """Options of `medbot train-classifier`.

    Attributes:
        folder: the labelled folder (one subfolder per class).
        out: output folder for `classifier.pt` and `classifier.json`.
        size: input edge in voxels (None: 64 for 2D, 32 for 3D).
        epochs: passes over the training images.
        max_steps: stop after this many optimiser steps (None: all epochs).
        batch_size: images per step.
        lr: AdamW learning rate.
        heldout: share of each class kept out for evaluation (at least one image per class).
        seed: split, initialisation and augmentation seed.
        modality: modality of the images when the files do not say (NIfTI): "MR", "CT"...
        threads: torch CPU threads.
        max_mb: per-kind file size limits.
        command: the command line recorded in the card.
    """

    folder: Path
    out: Path
    size: int | None = None
    epochs: int = 20
    max_steps: int | None = None
    batch_size: int = 16
    lr: float = 1e-3
    heldout: float = 0.2
    seed: int = 0
    modality: str | None = None
    threads: int | None = 1
    max_mb: dict[str, float] | None = None
    command: str = ""


def split(targets: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: (train indices, held-out indices), at least one of each class on both sides.

    Raises:
        UserError: a class with fewer than two images, or a fraction outside (0, 1).
    """
    if not 0.0 < fraction < 1.0:
        raise UserError(f"--heldout {fraction}: must be between 0 and 1")
    rng = np.random.default_rng(seed)
    train, held = [], []
    for k in np.unique(targets):
        idx = np.flatnonzero(targets == k)
        if len(idx) < 2:
            raise UserError(f"class {k} has {len(idx)} image; each class needs at least two (one to train, one to test)")
        idx = rng.permutation(idx)
        n_held = min(len(idx) - 1, max(1, int(round(fraction * len(idx)))))
        held += idx[:n_held].tolist()
        train += idx[n_held:].tolist()
    return np.array(sorted(train)), np.array(sorted(held))


def metrics(truth: np.ndarray, pred: np.ndarray, classes: list[str]) -> dict:
    """Accuracy, per-class precision/recall/support and the confusion matrix (rows = truth)."""
    k = len(classes)
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(truth, pred):
        cm[int(t), int(p)] += 1
    per = {}
    for i, name in enumerate(classes):
        tp, col, row = cm[i, i], cm[:, i].sum(), cm[i].sum()
        per[name] = {"precision": round(tp / col, 4) if col else None, "recall": round(tp / row, 4) if row else None,
                     "support": int(row)}
    return {"accuracy": round(float(np.trace(cm)) / max(1, cm.sum()), 4), "per_class": per,
            "confusion_matrix": {"rows": "true class", "columns": "predicted class", "classes": classes,
                                 "matrix": cm.tolist()}}


def _augment(x, rng: np.random.Generator):
    """Random flips along each spatial axis (lesion class does not depend on side or direction)."""
    import torch

    for axis in range(2, x.ndim):
        if rng.random() < 0.5:
            x = torch.flip(x, dims=(axis,))
    return x


def train_classifier(options: ClassifierOptions, progress: bool = True) -> dict:
    """Load the folder, train, evaluate on the held-out split, write weights and card.

    Returns:
        The model card (also written as `classifier.json`).

    Raises:
        UserError: bad folder layout or options (see `load_folder`, `split`).
    """
    import platform

    import torch
    from tqdm import tqdm

    from vision_tools.classifier.data import load_folder

    for name in ("epochs", "batch_size"):
        if getattr(options, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    if options.size is not None and options.size < 32:
        raise UserError("--size must be at least 32 (DenseNet121 halves the input five times)")
    t0 = time.perf_counter()
    data = load_folder(options.folder, options.size, options.max_mb)
    modalities = data.modalities
    if options.modality:
        wanted = options.modality.upper()
        if modalities and modalities != [wanted]:
            raise UserError(f"--modality {wanted}: the files say {'/'.join(modalities)}")
        modalities = [wanted]
    if not modalities:
        raise UserError("the images do not say their modality (NIfTI); give it with --modality (e.g. MR)")
    train_idx, held_idx = split(data.targets, options.heldout, options.seed)
    if options.threads:
        torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    net = build_network(data.spatial_dims, data.channels, len(data.classes))
    opt = torch.optim.AdamW(net.parameters(), lr=options.lr, weight_decay=1e-4)
    x_all = torch.from_numpy(data.images)
    y_all = torch.from_numpy(data.targets)
    steps_per_epoch = int(np.ceil(len(train_idx) / options.batch_size))
    total = steps_per_epoch * options.epochs if options.max_steps is None else min(options.max_steps, steps_per_epoch * options.epochs)
    loss_fn = torch.nn.CrossEntropyLoss()
    step, history = 0, []
    bar = tqdm(total=total, desc="training", disable=not progress)
    while step < total:
        order = rng.permutation(train_idx)
        losses = []
        for start in range(0, len(order), options.batch_size):
            if step >= total:
                break
            idx = order[start:start + options.batch_size]
            if len(idx) < 2 and len(order) > 1:  # batch norm needs two samples
                idx = np.concatenate([idx, order[:1]])
            net.train()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(_augment(x_all[idx], rng)), y_all[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
            bar.update(1)
        history.append({"step": step, "loss": round(float(np.mean(losses)), 4)})
    bar.close()
    seconds_train = time.perf_counter() - t0
    net.eval()
    with torch.inference_mode():
        pred = torch.cat([net(x_all[held_idx[i:i + 32]]).argmax(1) for i in range(0, len(held_idx), 32)]).numpy()
    held = metrics(data.targets[held_idx], pred, data.classes)
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    counts = lambda idx: {c: int((data.targets[idx] == k).sum()) for k, c in enumerate(data.classes)}  # noqa: E731
    card = {
        "kind": CARD_KIND,
        "name": out.name,
        "intended_use": "trained by a user on their own labelled images; medbot has not validated it and it is not for diagnosis",
        "network": "MONAI DenseNet121",
        "classes": data.classes,
        "input": {"spatial_dims": data.spatial_dims, "size": int(data.images.shape[-1]), "channels": data.channels,
                  "modalities": modalities, "crop_mm": data.extent_mm,
                  "normalisation": "RAS axes, resized to size per axis (trilinear), z-score per image",
                  "lesion_crops": ("segment --classifier cuts crop_mm around each lesion centroid"
                                   + (" on the axial slice through it" if data.spatial_dims == 2 else ""))},
        "training": {"command": options.command, "folder": str(Path(options.folder)), "seed": options.seed,
                     "epochs": options.epochs, "steps": step, "batch_size": options.batch_size, "lr": options.lr,
                     "images": counts(train_idx), "augmentation": "random flips along each axis",
                     "torch": torch.__version__, "machine": f"{platform.machine()} CPU, {torch.get_num_threads()} threads",
                     "seconds": round(seconds_train, 1), "history": history},
        "heldout": {"fraction": options.heldout, "images": counts(held_idx),
                    "files": [data.files[i] for i in held_idx], **held},
    }
    weights, card_path = out / WEIGHTS_NAME, out / CARD_NAME
    for path, write in ((weights, lambda p: torch.save(net.state_dict(), p)),
                        (card_path, lambda p: p.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8"))):
        tmp = path.with_name(".tmp-" + path.name)
        write(tmp)
        os.replace(tmp, path)
    return card


def confusion_text(card: dict) -> str:
    """Held-out metrics as plain text: accuracy, a precision/recall table and the confusion matrix."""
    held = card["heldout"]
    classes = held["confusion_matrix"]["classes"]
    width = max(10, *(len(c) for c in classes))
    lines = [f"held-out accuracy {held['accuracy']:.3f} on {sum(held['images'].values())} images",
             f"{'class':<{width}} {'precision':>9} {'recall':>7} {'n':>4}"]
    for c in classes:
        p = held["per_class"][c]
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        lines.append(f"{c:<{width}} {fmt(p['precision']):>9} {fmt(p['recall']):>7} {p['support']:>4}")
    lines.append("confusion matrix (rows true, columns predicted): " + ", ".join(classes))
    for c, row in zip(classes, held["confusion_matrix"]["matrix"]):
        lines.append(f"{c:<{width}} " + " ".join(f"{v:>5d}" for v in row))
    return "\n".join(lines)
