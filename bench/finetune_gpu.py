#!/usr/bin/env python3
"""LoRA training throughput on one CUDA GPU: medbot's training path vs a plain `Trainer` + PEFT run.

Self-contained: needs only torch, transformers and peft (no weights, no data, no network).
Models are random-initialised Llama-style shapes built from a config; batches are synthetic tokens.
Both sides use the same LoRA rank (16, all linear layers), sequence length, batch size, bf16 and
sdpa attention. Each (shape, method) runs in its own process so peak memory is measured cleanly.

    python bench/finetune_gpu.py                      # 1.1B and 8B, table + JSON on stdout
    python bench/finetune_gpu.py --shapes 1b --steps 10 --out results.json

Reported per row: tokens/s, MFU against 790 TFLOP/s bf16 (4·N FLOPs per token for LoRA training
— forward plus input gradients, frozen weights get no weight gradient — plus 6·L·H·S for causal
attention), and peak allocated GPU memory. Goals: 1.1B >= 1.5x baseline tokens/s, MFU >= 0.35,
peak <= baseline; 8B >= 1.2x at peak <= baseline.

medbot's path (finetune/fastpath.py): frozen bf16 base + fp32 LoRA without autocast, loss through
a chunked fused head that never materialises the logits, per-layer torch.compile, fused AdamW, and
for shapes that need gradient checkpointing, checkpointing only as many layers as the memory the
baseline used allows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEAK_TFLOPS = 790.0

SHAPES = {
    # TinyLlama-1.1B shape
    "1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
               num_key_value_heads=4, vocab_size=32000, max_position_embeddings=2048, rope_theta=10000.0,
               batch=8, seq=2048, grad_ckpt=False),
    # Llama-3-8B shape
    "8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
               num_key_value_heads=8, vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0,
               batch=2, seq=2048, grad_ckpt=True),
}
LORA = dict(r=16, alpha=32, dropout=0.0,
            targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])


def _config(shape: dict):
    from transformers import LlamaConfig

    keys = {k: v for k, v in shape.items() if k not in ("batch", "seq", "grad_ckpt")}
    return LlamaConfig(**keys, tie_word_embeddings=False, attn_implementation="sdpa", use_cache=False)


def _build(shape: dict):
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # build directly in bf16: no fp32 copy of an 8B model
    try:
        with torch.device("cuda"):
            model = LlamaForCausalLM(_config(shape))
    finally:
        torch.set_default_dtype(default)
    return model


def flops_per_token(shape: dict, n_params: int) -> float:
    """4·N (LoRA: forward + input gradients) + 6·L·H·S (causal attention, forward + backward)."""
    return 4.0 * n_params + 6.0 * shape["num_hidden_layers"] * shape["hidden_size"] * shape["seq"]


def _batch(shape: dict, step: int):
    import torch

    g = torch.Generator(device="cuda").manual_seed(1000 + step)
    return torch.randint(0, shape["vocab_size"], (shape["batch"], shape["seq"]), device="cuda", generator=g)


# --------------------------------------------------------------------------------------- workers
def run_baseline(shape: dict, warmup: int, steps: int) -> dict:
    """Hugging Face Trainer + PEFT, as a typical recipe sets it up (bf16 model, bf16=True)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import Trainer, TrainerCallback, TrainingArguments

    model = _build(shape)
    n_params = sum(p.numel() for p in model.parameters())
    model = get_peft_model(model, LoraConfig(r=LORA["r"], lora_alpha=LORA["alpha"], lora_dropout=LORA["dropout"],
                                             target_modules=LORA["targets"], task_type="CAUSAL_LM"))

    class Synthetic(torch.utils.data.Dataset):
        def __len__(self):
            return (warmup + steps) * shape["batch"]

        def __getitem__(self, i):
            g = torch.Generator().manual_seed(i)
            ids = torch.randint(0, shape["vocab_size"], (shape["seq"],), generator=g)
            return {"input_ids": ids, "labels": ids.clone()}

    times: list[float] = []

    class Timer(TrainerCallback):
        t0 = 0.0

        def on_step_begin(self, args, state, control, **kw):
            torch.cuda.synchronize()
            self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            torch.cuda.synchronize()
            times.append(time.perf_counter() - self.t0)

    out = Path(os.environ.get("TMPDIR", "/tmp")) / "medbot_bench_trainer"
    args = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=shape["batch"], max_steps=warmup + steps,
        learning_rate=2e-4, bf16=True, gradient_checkpointing=shape["grad_ckpt"],
        gradient_checkpointing_kwargs={"use_reentrant": False} if shape["grad_ckpt"] else None,
        logging_steps=10_000, save_strategy="no", report_to=[], dataloader_num_workers=2,
        optim="adamw_torch_fused", disable_tqdm=True, remove_unused_columns=False)
    trainer = Trainer(model=model, args=args, train_dataset=Synthetic(), callbacks=[Timer()])
    torch.cuda.reset_peak_memory_stats()
    trainer.train()
    timed = times[warmup:]
    tok = shape["batch"] * shape["seq"] * len(timed) / sum(timed)
    return _row("baseline (Trainer+PEFT)", shape, n_params, tok)


def run_medbot(shape: dict, warmup: int, steps: int, compile_layers: bool, skip_ckpt: int | None,
               budget_gib: float | None) -> dict:
    """medbot's fast path (finetune/fastpath.py) in a bare training loop."""
    import torch

    sys.path.insert(0, str(ROOT))
    from finetune.fastpath import (apply_lora, count_trainable, loss_module, prepare_for_training,
                                   set_checkpointed_layers)

    model = _build(shape)
    model = apply_lora(model, LORA["r"], LORA["alpha"], LORA["dropout"], LORA["targets"])
    _, n_params = count_trainable(model)
    n_params -= sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    prepare_for_training(model, gradient_checkpointing=shape["grad_ckpt"], compile_layers=compile_layers)
    module = loss_module(model, chunk=4096)
    module.train()
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-4, fused=True)
    pos = torch.arange(shape["seq"], device="cuda").expand(shape["batch"], -1)

    def step(i: int) -> float:
        ids = _batch(shape, i)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss_sum, n = module(ids, ids, pos)
        (loss_sum / n).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        return time.perf_counter() - t0

    ckpt_note = None
    if shape["grad_ckpt"]:
        n_layers = shape["num_hidden_layers"]
        if skip_ckpt is None and budget_gib:
            # Measure the activation cost of one un-checkpointed layer, then spend the memory the
            # baseline used (less 3 %) on storing as many layers' activations as fit.
            set_checkpointed_layers(model, 0)
            for i in range(2):
                step(i)
            torch.cuda.reset_peak_memory_stats()
            step(2)
            p0 = torch.cuda.max_memory_allocated()
            set_checkpointed_layers(model, 1)
            step(3)
            torch.cuda.reset_peak_memory_stats()
            step(4)
            per_layer = max(1, torch.cuda.max_memory_allocated() - p0)
            room = budget_gib * 0.97 * 2**30 - p0
            skip_ckpt = max(0, min(n_layers, int(room // per_layer) if room > 0 else 0))
        left = set_checkpointed_layers(model, skip_ckpt or 0)
        ckpt_note = f"{left}/{n_layers} layers checkpointed"
    for i in range(warmup):
        step(100 + i)
    torch.cuda.reset_peak_memory_stats()
    timed = [step(1000 + i) for i in range(steps)]
    tok = shape["batch"] * shape["seq"] * len(timed) / sum(timed)
    row = _row("medbot", shape, n_params, tok)
    row["note"] = ", ".join(x for x in ["compiled layers" if compile_layers else "eager", ckpt_note] if x)
    return row


def _row(method: str, shape: dict, n_params: int, tok_s: float) -> dict:
    import torch

    return {"method": method, "tokens_per_s": tok_s, "params": n_params,
            "mfu": tok_s * flops_per_token(shape, n_params) / (PEAK_TFLOPS * 1e12),
            "peak_gib": torch.cuda.max_memory_allocated() / 2**30,
            "peak_reserved_gib": torch.cuda.max_memory_reserved() / 2**30,
            "batch": shape["batch"], "seq": shape["seq"], "grad_ckpt": shape["grad_ckpt"],
            "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__}


# ------------------------------------------------------------------------------------- driver
def _spawn(shape: str, method: str, args, extra: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--worker", method, "--shapes", shape, "--steps", str(args.steps),
           "--warmup", str(args.warmup), *extra]
    env = {**os.environ, "PYTORCH_CUDA_ALLOC_CONF": os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True"),
           "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    return {"method": method, "error": " | ".join(tail) or f"exit {proc.returncode}"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default="1b,8b", help="comma list of " + ", ".join(SHAPES))
    ap.add_argument("--steps", type=int, default=10, help="timed steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps (compilation, allocator)")
    ap.add_argument("--no-compile", dest="compile", action="store_false", help="medbot path without torch.compile")
    ap.add_argument("--skip-ckpt", type=int, default=None,
                    help="layers left un-checkpointed on checkpointed shapes (default: as many as fit the baseline's memory)")
    ap.add_argument("--only", choices=["baseline", "medbot"], help="run one side only")
    ap.add_argument("--budget-gib", type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker", choices=["baseline", "medbot"], help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--out", help="write the rows as JSON here too")
    args = ap.parse_args(argv)

    if args.worker:
        shape = SHAPES[args.shapes]
        if args.worker == "baseline":
            row = run_baseline(shape, args.warmup, args.steps)
        else:
            row = run_medbot(shape, args.warmup, args.steps, args.compile, args.skip_ckpt, args.budget_gib)
        print("RESULT " + json.dumps(row), flush=True)
        return 0

    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: this benchmark needs one GPU", file=sys.stderr)
        return 2
    results = []
    for name in [s.strip() for s in args.shapes.split(",") if s.strip()]:
        if name not in SHAPES:
            print(f"unknown shape {name!r}; choose from {', '.join(SHAPES)}", file=sys.stderr)
            return 2
        base = _spawn(name, "baseline", args, []) if args.only != "medbot" else None
        extra = [] if args.compile else ["--no-compile"]
        if args.skip_ckpt is not None:
            extra += ["--skip-ckpt", str(args.skip_ckpt)]
        elif base and "peak_gib" in base:
            extra += ["--budget-gib", f"{base['peak_gib']:.3f}"]
        mine = _spawn(name, "medbot", args, extra) if args.only != "baseline" else None
        results.append({"shape": name, "baseline": base, "medbot": mine})
        _print(name, base, mine)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))
    return 0


def _print(name: str, base: dict | None, mine: dict | None) -> None:
    print(f"\n== {name} ==")
    print(f"{'method':26s} {'tokens/s':>10s} {'MFU':>6s} {'peak GiB':>9s}  note")
    for r in (base, mine):
        if not r:
            continue
        if "error" in r:
            print(f"{r['method']:26s} ERROR {r['error']}")
            continue
        print(f"{r['method']:26s} {r['tokens_per_s']:10.0f} {r['mfu']:6.3f} {r['peak_gib']:9.1f}  {r.get('note', '')}")
    if base and mine and "error" not in base and "error" not in mine:
        print(f"speed-up {mine['tokens_per_s'] / base['tokens_per_s']:.2f}x, "
              f"peak memory ratio {mine['peak_gib'] / base['peak_gib']:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
