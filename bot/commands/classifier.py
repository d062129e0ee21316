"""`medbot train-classifier FOLDER` (standard library only at import)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli_common import add_json_flag, print_json, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-classifier", help="train a lesion classifier (MONAI DenseNet121) on a class-per-subfolder image folder",
                       description="Train a MONAI DenseNet121 on FOLDER/<class>/<images> (DICOM, NIfTI, PNG/JPEG; 2D or 3D "
                                   "from the data) with a held-out split; writes classifier.pt and a classifier.json model "
                                   "card with per-class precision/recall and the confusion matrix. Use it with "
                                   "`medbot segment --classifier OUT`.")
    p.add_argument("folder", help="folder with one subfolder of images per class")
    p.add_argument("--out", help="output folder (default: $MEDBOT_HOME/classifiers/<folder name>)")
    p.add_argument("--modality", help="modality of the images when the files do not say (NIfTI), e.g. MR")
    p.add_argument("--size", type=int, help="input edge in voxels (default 64 for 2D, 32 for 3D)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--max-steps", dest="max_steps", type=int, help="stop after this many optimiser steps")
    p.add_argument("--batch-size", dest="batch_size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--heldout", type=float, default=0.2, help="share of each class held out for evaluation (default 0.2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, help="torch CPU threads (default 1)")
    add_json_flag(p)
    p.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    from bot.errors import UserError
    from vision_tools.classifier.train import ClassifierOptions, confusion_text, train_classifier

    settings = settings_from_args(args)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    if args.max_steps is not None and args.max_steps < 1:
        raise UserError("--max-steps must be at least 1")
    out = Path(args.out) if args.out else settings.home / "classifiers" / (folder.resolve().name or "classifier")
    flags = [f"--{k.replace('_', '-')} {getattr(args, k)}" for k in ("epochs", "batch_size", "lr", "heldout", "seed")
             if getattr(args, k) is not None]
    flags += [f"--{k.replace('_', '-')} {getattr(args, k)}" for k in ("size", "max_steps", "modality") if getattr(args, k)]
    options = ClassifierOptions(folder=folder, out=out, size=args.size, epochs=args.epochs, max_steps=args.max_steps,
                                batch_size=args.batch_size, lr=args.lr, heldout=args.heldout, seed=args.seed,
                                modality=args.modality, threads=args.threads or settings.vision.threads or 1,
                                max_mb=settings.safety.max_upload_mb,
                                command=f"medbot train-classifier {folder} " + " ".join(flags))
    card = train_classifier(options, progress=not args.json)
    if args.json:
        print_json({"model": str(out), "classes": card["classes"], "input": card["input"], "heldout": card["heldout"]})
        return 0
    sys.stdout.write(f"wrote {out / 'classifier.pt'} and {out / 'classifier.json'} "
                     f"({card['input']['spatial_dims']}D, classes: {', '.join(card['classes'])})\n"
                     + confusion_text(card) + "\n")
    return 0
