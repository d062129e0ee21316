"""`medbot call-variants` and `medbot train-caller` (stdlib-only imports at module level)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from bot.cli_common import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("call-variants", help="call SNVs and small indels from a BAM/CRAM or FASTQ",
                       description="Call SNVs and small indels (CNN or bcftools) into a bgzipped, indexed VCF.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--bam", type=Path, help="coordinate-sorted BAM/CRAM (indexed, or pass --index)")
    src.add_argument("--fastq", type=Path, nargs="+", metavar="FASTQ", help="1 or 2 FASTQ files, aligned first")
    p.add_argument("--ref", type=Path, required=True, help="reference FASTA (with .fai, or indexable)")
    p.add_argument("--region", help="CHR:START-END, 1-based inclusive (default: every contig with reads)")
    p.add_argument("--caller", choices=["cnn", "bcftools"], help="variant caller (default from settings: cnn)")
    p.add_argument("--out", type=Path, required=True, help="output .vcf.gz (a .tbi index is written beside it)")
    p.add_argument("--index", action="store_true", help="build a missing BAM index instead of refusing")
    p.add_argument("--weights", type=Path, help="CNN weights .pt with its .json card (default: bundled)")
    p.add_argument("--aligner", choices=["minimap2", "bwa"], default="minimap2",
                   help="aligner for --fastq: minimap2 (built in through mappy; the minimap2 program, when "
                        "installed, is faster) or bwa (needs the bwa and samtools programs)")
    p.add_argument("--genes", type=Path, help="GFF3/GTF/BED with gene names for annotation")
    p.add_argument("--known", type=Path, help="bgzipped, tabix-indexed VCF of known variants (e.g. ClinVar)")
    p.add_argument("--plot", type=Path, help="write a coverage / variant-position PNG here")
    add_json_flag(p)
    p.set_defaults(handler=_call)

    t = sub.add_parser("train-caller", help="train the CNN variant caller on simulated chr20 reads",
                       description="Simulate reads (dwgsim) on chr20 slices, align, build pileup tensors, train "
                                   "the CNN and score a held-out slice; writes weights + a JSON card. Needs the "
                                   "Debian packages dwgsim and vt-examples (chr20).")
    t.add_argument("--out", type=Path, help="weights .pt (default: the bundled genomics_tools/weights/cnn_caller.pt)")
    t.add_argument("--workdir", type=Path, help="folder for simulated data (default: $MEDBOT_HOME/train-caller)")
    t.add_argument("--seed", type=int, default=7)
    t.add_argument("--epochs", type=int, default=12)
    t.add_argument("--slices", type=int, help="use only the first N training slices (quick runs)")
    add_json_flag(t)
    t.set_defaults(handler=_train)


def _call(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from genomics_tools.pipeline import CallOptions, call_variants

    settings = load_settings()
    weights = args.weights or (Path(settings.genomics.weights) if settings.genomics.weights else None)
    opts = CallOptions(reference=args.ref, out=args.out, bam=args.bam, fastq=list(args.fastq or []),
                       region=args.region, caller=args.caller or settings.genomics.caller, weights=weights,
                       make_index=args.index, aligner=args.aligner, genes=args.genes, known=args.known,
                       plot=args.plot, progress=not args.json and sys.stderr.isatty())
    report = call_variants(opts)
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.summary.to_text())
        print(f"\nwrote {report.vcf} (+ .tbi)" + (f" and {report.plot}" if report.plot else ""))
    return 0


def _train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from bot.config import load_settings
    from genomics_tools.train import TRAIN_STARTS_MB, TrainOptions, train_caller

    settings = load_settings()
    opts = TrainOptions(seed=args.seed, epochs=args.epochs,
                        workdir=args.workdir or settings.ensure_home() / "train-caller")
    if args.out:
        opts = replace(opts, out=args.out)
    if args.slices:
        opts = replace(opts, n_slices=min(args.slices, len(TRAIN_STARTS_MB)))
    command = "medbot train-caller " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    card = train_caller(opts, command=command, progress=not args.json)
    if args.json:
        print_json(card)
    else:
        h = card["heldout"]
        print(f"wrote {opts.out} and {Path(opts.out).with_suffix('.json')}")
        print(f"held-out {h['region']} at {h['coverage']:g}x: SNV F1 {h['SNV']['f1']:.4f}, "
              f"indel F1 {h['INDEL']['f1']:.4f}")
    return 0
