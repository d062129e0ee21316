"""`medbot finetune train | build-data` (stdlib-only imports at top level)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli_common import add_json_flag, print_json, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("finetune", help="LoRA fine-tuning: build a chat dataset, train an adapter")
    actions = p.add_subparsers(dest="finetune_action", metavar="ACTION")

    t = actions.add_parser("train", help="train a LoRA adapter from a YAML recipe",
                           description="Train a LoRA adapter. Multi-GPU: accelerate launch -m bot.cli finetune train ...")
    t.add_argument("--config", required=True, help="recipe YAML (see configs/finetune/)")
    t.add_argument("--output-dir", dest="output_dir", help="overrides training.output_dir")
    t.add_argument("--max-steps", dest="max_steps", type=int, help="overrides training.max_steps")
    t.add_argument("--base", help="overrides model.base (HF folder or .gguf)")
    t.add_argument("--no-resume", dest="resume", action="store_false",
                   help="start over even if the output folder has a checkpoint")
    t.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_json_flag(t)
    t.set_defaults(handler=_train)

    b = actions.add_parser("build-data", help="make a chat JSONL instruction set from the MEDLINE corpus")
    b.add_argument("--source", action="append", metavar="XML",
                   help="MEDLINE XML or .xml.gz file (repeatable); default: the bundled MEDLINE baseline files")
    b.add_argument("--out", help="output folder (default: $MEDBOT_HOME/finetune/data)")
    b.add_argument("--max-articles", dest="max_articles", type=int, help="use at most N articles")
    b.add_argument("--val-fraction", dest="val_fraction", type=float, default=0.1,
                   help="share of articles held out for validation (default 0.1)")
    b.add_argument("--tasks", default="qa,summary,evidence", help="comma list of qa, summary, evidence")
    b.add_argument("--max-abstract-chars", dest="max_abstract_chars", type=int, default=1500,
                   help="skip longer abstracts (keeps samples within a small context)")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_json_flag(b)
    b.set_defaults(handler=_build_data)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _train(args: argparse.Namespace) -> int:
    from finetune.config import load_config
    from finetune.train import train

    settings = settings_from_args(args)
    cfg = load_config(args.config)
    if args.output_dir:
        cfg.training.output_dir = args.output_dir
    if args.max_steps:
        cfg.training.max_steps = args.max_steps
    if args.base:
        cfg.model.base = args.base
    res = train(cfg, settings.home, progress=args.progress and not args.json, resume=args.resume)
    if args.json:
        print_json(res.summary())
    else:
        start = f"{res.eval_loss_start:.4f} -> " if res.eval_loss_start is not None else ""
        ev = f", eval loss {start}{res.eval_loss:.4f}" if res.eval_loss is not None else ""
        print(f"trained {res.steps} steps on {res.device}: loss {res.train_loss:.4f}{ev}, "
              f"{res.tokens_per_s:.0f} tokens/s; adapter in {res.adapter_dir}")
    return 0


def _build_data(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from finetune.data.builders import BuildOptions, build_dataset
    from finetune.data.chat import write_chat_jsonl
    from finetune.data.medline import bundled_medline_files, read_medline

    settings = settings_from_args(args)
    opts = BuildOptions(tasks=tuple(t.strip() for t in args.tasks.split(",") if t.strip()),
                        val_fraction=args.val_fraction, seed=args.seed, max_articles=args.max_articles,
                        max_abstract_chars=args.max_abstract_chars)
    sources = [Path(s).expanduser() for s in args.source] if args.source else bundled_medline_files()
    for s in sources:
        if not s.is_file():
            from finetune.errors import UserError

            raise UserError(f"MEDLINE file not found: {s}")

    def articles():
        for s in sources:
            yield from read_medline(s)

    out = Path(args.out).expanduser() if args.out else settings.home / "finetune" / "data"
    with tqdm(desc="articles", unit="art", disable=not args.progress or args.json, file=sys.stderr) as bar:
        res = build_dataset(articles(), opts, progress=bar.update)
    n_train = write_chat_jsonl(res.train, out / "train.jsonl")
    n_val = write_chat_jsonl(res.validation, out / "validation.jsonl")
    manifest = {**res.manifest(), "sources": [s.name for s in sources], "tasks": list(opts.tasks),
                "seed": opts.seed, "val_fraction": opts.val_fraction,
                "train_file": str(out / "train.jsonl"), "validation_file": str(out / "validation.jsonl")}
    import json

    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print_json(manifest)
    else:
        print(f"{n_train} training and {n_val} validation samples from {res.articles_used} articles "
              f"({manifest['validation_articles']} held out) in {out}")
    return 0
