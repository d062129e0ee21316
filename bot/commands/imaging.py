"""`medbot segment` and `medbot train-segmenter` (standard library only at import)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.cli_common import add_json_flag, print_json, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("segment", help="segment a medical image (DICOM file/series folder, NIfTI, PNG/JPEG) and measure it",
                       description="Segment an image: label mask (NIfTI, and DICOM SEG for DICOM input), volumes in mL, "
                                   "findings with diameter and centroid, and an overlay PNG. The default segmenter is a "
                                   "demo model for T1 brain MRI.")
    p.add_argument("image", help="DICOM file, DICOM series folder, NIfTI (.nii/.nii.gz), PNG or JPEG")
    p.add_argument("--segmenter", help="'default' or a user model: MONAI bundle folder, TorchScript (.ts/.pt) or "
                                       "ONNX (.onnx) with a JSON config (default: settings vision.segmenter)")
    p.add_argument("--out", help="output folder (default: $MEDBOT_HOME/segmentations/<image>-<time>)")
    p.add_argument("--no-dicom-seg", dest="dicom_seg", action="store_false", help="do not write a DICOM SEG")
    p.add_argument("--threads", type=int, help="CPU threads for inference")
    p.add_argument("--classifier", help="lesion classifier from `medbot train-classifier` (its output folder): adds a "
                                        "class and probability to each lesion (default: settings vision.classifier; "
                                        "none ships with medbot)")
    add_json_flag(p)
    p.set_defaults(handler=_segment)

    t = sub.add_parser("train-segmenter", help="train medbot's default brain segmenter from the MNI152 template",
                       description="Train the default 2.5D UNet on synthetic cases of nilearn's MNI152 template "
                                   "(augmentations + synthetic lesions); writes weights and a JSON model card with the "
                                   "held-out Dice.")
    t.add_argument("--out", help="weights file (.pt) to write (default: $MEDBOT_HOME/segmenters/default.pt)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--cases", type=int, default=24, help="synthetic training volumes")
    t.add_argument("--iterations", type=int, default=2000)
    t.add_argument("--batch-size", dest="batch_size", type=int, default=12)
    t.add_argument("--crop", type=int, default=64, help="train on random CROP x CROP windows of the slices (0: whole slices)")
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--val-every", dest="val_every", type=int, default=500)
    t.add_argument("--heldout-cases", dest="heldout_cases", type=int, default=4)
    t.add_argument("--threads", type=int, help="torch CPU threads (default 1: fastest on a busy shared machine)")
    add_json_flag(t)
    t.set_defaults(handler=_train)


def _segment(args: argparse.Namespace) -> int:
    from bot.errors import UserError
    from vision_tools.pipeline import SegmentOptions, segment_file

    settings = settings_from_args(args)
    image = Path(args.image)
    if not image.exists():
        raise UserError(f"{image}: no such file or folder")
    name = args.segmenter or settings.vision.segmenter
    threads = args.threads or settings.vision.threads
    if args.out:
        out = Path(args.out)
    else:
        stem = image.name.split(".")[0] or "image"
        out = settings.home / "segmentations" / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    classifier = args.classifier or settings.vision.classifier
    if classifier and not Path(classifier).expanduser().exists():
        raise UserError(f"--classifier {classifier}: no such file or folder")
    options = SegmentOptions(segmenter=name, out_dir=out, dicom_seg=args.dicom_seg, threads=threads,
                             max_mb=settings.safety.max_upload_mb, min_finding_ml=settings.vision.min_finding_ml,
                             classifier=classifier)
    report = segment_file(image, options)
    if args.json:
        print_json(report.to_dict())
        return 0
    out_lines = [report.text, "", report.table, ""]
    if report.lesion_table:
        out_lines += ["Lesions (numbered as in the overlay):", "", report.lesion_table, ""]
    out_lines += [f"{role}: {path}" for role, path in report.files.items()]
    sys.stdout.write("\n".join(out_lines) + "\n")
    return 0


def _train(args: argparse.Namespace) -> int:
    from bot.errors import UserError
    from vision_tools.training.train import TrainOptions, train

    settings = settings_from_args(args)
    for flag in ("cases", "iterations", "batch_size", "heldout_cases", "val_every"):
        if getattr(args, flag) < 1:
            raise UserError(f"--{flag.replace('_', '-')} must be at least 1")
    out = Path(args.out) if args.out else settings.home / "segmenters" / "default.pt"
    if out.suffix != ".pt":
        raise UserError(f"--out {out}: the weights file must end in .pt")
    options = TrainOptions(out=out, seed=args.seed, cases=args.cases, iterations=args.iterations,
                           batch_size=args.batch_size, crop=args.crop or None, lr=args.lr, val_every=args.val_every,
                           heldout_cases=args.heldout_cases, threads=args.threads or settings.vision.threads or 1,
                           cache_dir=settings.home / "cache",
                           command="medbot train-segmenter " + _flags(args))
    card = train(options, progress=not args.json)
    if args.json:
        print_json({"weights": str(out), "card": str(out.with_suffix(".json")), "heldout_dice": card["heldout_dice"]})
    else:
        sys.stdout.write(f"wrote {out} and {out.with_suffix('.json')}\nheld-out Dice: {card['heldout_dice']}\n")
    return 0


def _flags(args: argparse.Namespace) -> str:
    """Every training flag spelled out, so the model card's command reproduces the run."""
    import shlex

    parts = []
    for flag in ("seed", "cases", "iterations", "batch_size", "crop", "lr", "val_every", "heldout_cases"):
        parts.append(f"--{flag.replace('_', '-')} {getattr(args, flag)}")
    parts.append(f"--threads {args.threads or 1}")
    if args.out:
        parts.append(f"--out {shlex.quote(str(args.out))}")
    return " ".join(parts)
