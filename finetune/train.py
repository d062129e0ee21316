"""LoRA fine-tuning with accelerate: one process on CPU/GPU, or `accelerate launch` for DDP/FSDP.

Stages: `setup` reads the recipe and data, `build` loads the model and wraps it with LoRA,
`fit` trains. Output folder (`training.output_dir`):

    adapter/            PEFT adapter + medbot_adapter.json (base model fingerprint)
    config.yaml         the resolved recipe
    metrics.json        loss / eval loss / tokens/s history and the summary
    checkpoints/step-N  resumable accelerate state (with `training.save_every`)
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finetune.config import FinetuneConfig, dump_config
from finetune.errors import UserError


@dataclass
class TrainResult:
    """What `train` returns (also written to metrics.json)."""

    output_dir: Path
    adapter_dir: Path
    steps: int
    train_loss: float | None
    eval_loss_start: float | None
    eval_loss: float | None
    tokens_per_s: float
    train_tokens: int
    seconds: float
    trainable_params: int
    total_params: int
    device: str
    history: list[dict[str, Any]] = field(default_factory=list)
    resumed_from: int | None = None

    def summary(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items() if k != "history"}


@dataclass
class Prepared:
    """Everything `fit` needs, built by `setup` + `build`."""

    cfg: FinetuneConfig
    tokenizer: Any
    model: Any
    base_folder: Path
    train_rows: list
    val_rows: list
    device: str
    dropped: int


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _precision(cfg: FinetuneConfig, device: str) -> str:
    import torch

    p = cfg.training.precision
    if p == "auto":
        return "bf16" if device == "cuda" and torch.cuda.is_bf16_supported() else "no"
    if p in ("bf16", "fp16") and device != "cuda":
        return "no"  # CPU autocast gains nothing for LoRA training; keep fp32 there
    return {"fp32": "no"}.get(p, p)


def setup(cfg: FinetuneConfig, home: Path) -> FinetuneConfig:
    """Resolve paths and check the recipe against the machine.

    Raises:
        UserError: data files missing, QLoRA without CUDA.
    """
    import torch

    cfg = cfg.resolve(home)
    if cfg.lora.qlora and not torch.cuda.is_available():
        raise UserError("lora.qlora needs a CUDA GPU (bitsandbytes 4-bit); set lora.qlora: false to train on CPU")
    for p in (cfg.data.train, cfg.data.validation):
        if p and not Path(p).is_file():
            raise UserError(f"data file not found: {p} (make one with `medbot finetune build-data`)")
    return cfg


def build(cfg: FinetuneConfig, home: Path) -> Prepared:
    """Read and tokenise the data, load the base model, add LoRA.

    Raises:
        UserError: bad rows, samples longer than the context, unknown target modules.
    """
    from finetune.data.chat import read_chat_jsonl
    from finetune.data.encoding import encode_dataset, ensure_chat_template
    from finetune.fastpath import apply_lora, prepare_for_training
    from finetune.model import load_base, load_tokenizer, resolve_base
    from finetune.targets import target_modules
    from transformers import AutoConfig

    device = _device()
    train_raw = read_chat_jsonl(cfg.data.train, cfg.data.max_samples)
    val_raw = read_chat_jsonl(cfg.data.validation) if cfg.data.validation else []
    folder = resolve_base(cfg.model, home)
    # Tokenise before loading the weights: data errors come fast and cheap.
    tok = load_tokenizer(folder)
    ensure_chat_template(tok)
    n_pos = getattr(AutoConfig.from_pretrained(str(folder)), "max_position_embeddings", None) or 10**9
    max_len = min(cfg.data.max_seq_len, n_pos)
    train_rows, dropped = encode_dataset(tok, train_raw, max_len, cfg.data.too_long, Path(cfg.data.train).name)
    val_rows: list = []
    if val_raw:
        val_rows, d2 = encode_dataset(tok, val_raw, max_len, cfg.data.too_long, Path(cfg.data.validation).name)
        dropped += d2
    _, lm, folder = load_base(cfg.model, home, device, qlora=cfg.lora.qlora, folder=folder)
    try:
        targets = target_modules(lm, cfg.lora.target_modules)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    model = apply_lora(lm, cfg.lora.r, cfg.lora.alpha, cfg.lora.dropout, targets, seed=cfg.training.seed)
    gc = cfg.training.gradient_checkpointing
    prepare_for_training(model, gradient_checkpointing=(device == "cuda") if gc == "auto" else bool(gc),
                         compile_layers=cfg.training.compile and device == "cuda")
    return Prepared(cfg, tok, model, folder, train_rows, val_rows, device, dropped)


def _latest_checkpoint(out: Path) -> Path | None:
    ck = out / "checkpoints"
    found = [p for p in ck.glob("step-*") if (p / "medbot_state.json").is_file()] if ck.is_dir() else []
    return max(found, key=lambda p: int(p.name.split("-")[1])) if found else None


def _atomic_json(path: Path, obj: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2, default=str)
    os.replace(tmp, path)


def fit(prep: Prepared, *, progress: bool = True, resume: bool = True, log=None) -> TrainResult:
    """Train the adapter and save it with the recipe and metrics.

    Args:
        prep: output of `build`.
        progress: show a progress bar (main process only).
        resume: continue from the latest checkpoint in the output folder, if any.
        log: optional callable receiving each logged record (dict).

    Returns:
        Final figures; the same figures are in `metrics.json`.
    """
    import torch
    from accelerate import Accelerator
    from tqdm.auto import tqdm
    from transformers import get_scheduler

    from finetune.adapter import write_meta
    from finetune.data.packing import batches, collate, pack
    from finetune.fastpath import count_trainable, loss_module
    from finetune.model import base_fingerprint

    cfg, tc = prep.cfg, prep.cfg.training
    out = Path(tc.output_dir)
    random.seed(tc.seed)
    torch.manual_seed(tc.seed)
    acc = Accelerator(mixed_precision=_precision(cfg, prep.device), gradient_accumulation_steps=tc.grad_accum,
                      cpu=prep.device == "cpu")
    if acc.is_main_process:
        out.mkdir(parents=True, exist_ok=True)
    L = min(cfg.data.max_seq_len, max(len(e.input_ids) for e in prep.train_rows + prep.val_rows))
    rows = pack(prep.train_rows, L, cfg.data.packing)
    val_rows = pack(prep.val_rows, L, cfg.data.packing) if prep.val_rows else []
    pad_id = prep.tokenizer.pad_token_id if prep.tokenizer.pad_token_id is not None else 0
    world, rank = acc.num_processes, acc.process_index
    per_epoch = max(1, len(batches(rows, tc.batch_size, tc.seed, 0)) // world // tc.grad_accum)
    total_steps = tc.max_steps or max(1, math.ceil(per_epoch * tc.epochs))

    trainable, total = count_trainable(prep.model)
    module = loss_module(prep.model)
    module = acc.prepare(module)
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=tc.lr, weight_decay=tc.weight_decay, fused=prep.device == "cuda")
    # accelerate steps a prepared scheduler once per process at each optimizer step: scale by world.
    sched = get_scheduler(tc.scheduler if tc.scheduler != "constant" else "constant_with_warmup", opt,
                          num_warmup_steps=tc.warmup_steps * world, num_training_steps=total_steps * world)
    opt, sched = acc.prepare(opt, sched)

    start_step, resumed = 0, None
    ck = _latest_checkpoint(out) if resume else None
    if ck is not None:
        acc.load_state(str(ck))
        start_step = json.loads((ck / "medbot_state.json").read_text())["step"]
        resumed = start_step

    def micro_batches(from_step: int):
        """Yield this rank's micro-batches, deterministic per epoch, skipping completed steps."""
        skip = from_step * tc.grad_accum
        epoch = 0
        while True:
            bs = batches(rows, tc.batch_size, tc.seed, epoch)
            mine = bs[rank::world][: per_epoch * tc.grad_accum] or bs[:1]
            for b in mine:
                if skip:
                    skip -= 1
                    continue
                yield b
            epoch += 1

    def evaluate() -> float | None:
        if not val_rows:
            return None
        module.eval()
        tot = torch.zeros(2, device=acc.device, dtype=torch.float64)
        vb = batches(val_rows, tc.batch_size, tc.seed, 0, shuffle=False)
        vb = vb[rank::world][: tc.eval_batches] if tc.eval_batches else vb[rank::world]
        with torch.no_grad():
            for b in vb:
                t = collate(b, pad_id, L)
                loss, n = module(t["input_ids"].to(acc.device), t["labels"].to(acc.device),
                                 t["position_ids"].to(acc.device))
                tot += torch.stack([loss.double(), n.double()])
        tot = acc.reduce(tot, reduction="sum")
        module.train()
        return float(tot[0] / tot[1]) if tot[1] > 0 else None

    history: list[dict[str, Any]] = []
    eval_start = evaluate() if start_step == 0 else None
    if eval_start is not None:
        history.append({"step": 0, "eval_loss": eval_start})
    module.train()
    it = micro_batches(start_step)
    bar = tqdm(total=total_steps, initial=start_step, disable=not (progress and acc.is_main_process),
               desc="finetune", unit="step", dynamic_ncols=True)
    tokens, t_train, last_loss = 0, 0.0, None
    win_loss = torch.zeros(2, device=acc.device, dtype=torch.float64)
    win_tokens, win_t = 0, 0.0
    eval_loss = None
    step = start_step
    while step < total_steps:
        t0 = time.perf_counter()
        for _ in range(tc.grad_accum):
            t = collate(next(it), pad_id, L)
            with acc.accumulate(module):
                loss_sum, n = module(t["input_ids"].to(acc.device), t["labels"].to(acc.device),
                                     t["position_ids"].to(acc.device))
                loss = loss_sum / n.clamp(min=1)
                acc.backward(loss)
                if acc.sync_gradients and tc.max_grad_norm:
                    acc.clip_grad_norm_(params, tc.max_grad_norm)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
            win_loss += torch.stack([loss_sum.detach().double(), n.double()])
            win_tokens += t["n_tokens"]
        if prep.device == "cuda":
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        t_train += dt
        win_t += dt
        step += 1
        bar.update(1)
        if step % tc.log_every == 0 or step == total_steps:
            red = acc.reduce(win_loss.clone(), reduction="sum")
            tok_all = int(acc.reduce(torch.tensor(win_tokens, device=acc.device), reduction="sum"))
            last_loss = float(red[0] / red[1]) if red[1] > 0 else None
            rec = {"step": step, "loss": last_loss, "lr": sched.get_last_lr()[0],
                   "tokens_per_s": tok_all / win_t if win_t else 0.0}
            tokens += tok_all
            history.append(rec)
            bar.set_postfix(loss=f"{last_loss:.4f}" if last_loss is not None else "-",
                            tok_s=f"{rec['tokens_per_s']:.0f}")
            if log:
                log(rec)
            win_loss.zero_()
            win_tokens, win_t = 0, 0.0
        if tc.eval_every and step % tc.eval_every == 0 and step != total_steps:
            ev = evaluate()
            history.append({"step": step, "eval_loss": ev})
            if log:
                log({"step": step, "eval_loss": ev})
        if tc.save_every and step % tc.save_every == 0 and step != total_steps:
            _save_checkpoint(acc, out, step)
    bar.close()
    eval_loss = evaluate()
    if eval_loss is not None:
        history.append({"step": step, "eval_loss": eval_loss})
        if log:
            log({"step": step, "eval_loss": eval_loss})

    adapter_dir = out / "adapter"
    result = TrainResult(
        output_dir=out, adapter_dir=adapter_dir, steps=step, train_loss=last_loss, eval_loss_start=eval_start,
        eval_loss=eval_loss, tokens_per_s=tokens / t_train if t_train else 0.0, train_tokens=tokens,
        seconds=round(t_train, 3), trainable_params=trainable, total_params=total, device=prep.device,
        history=history, resumed_from=resumed)
    acc.wait_for_everyone()
    peft_model = acc.unwrap_model(module).inner
    state = acc.get_state_dict(module)
    state = {k[len("inner."):] if k.startswith("inner.") else k: v for k, v in state.items()}
    if acc.is_main_process:
        tmp = Path(tempfile.mkdtemp(prefix=".adapter.", dir=out))
        peft_model.save_pretrained(str(tmp), state_dict=state)
        src_gguf = getattr(peft_model.get_base_model().config, "medbot_source_gguf", None)
        write_meta(tmp, base_fingerprint(peft_model.get_base_model().config), str(prep.base_folder),
                   {"source_gguf": src_gguf, "steps": step})
        prep.tokenizer.save_pretrained(str(tmp))
        if adapter_dir.exists():
            shutil.rmtree(adapter_dir)
        os.replace(tmp, adapter_dir)
        (out / "config.yaml").write_text(dump_config(cfg), encoding="utf-8")
        _atomic_json(out / "metrics.json", {**result.summary(), "history": history,
                                            "dropped_samples": prep.dropped,
                                            "train_samples": len(prep.train_rows),
                                            "validation_samples": len(prep.val_rows),
                                            "packed_rows": len(rows), "seq_len": L})
    acc.wait_for_everyone()
    return result


def _save_checkpoint(acc, out: Path, step: int) -> None:
    ck = out / "checkpoints" / f"step-{step}"
    acc.save_state(str(ck))
    if acc.is_main_process:
        _atomic_json(ck / "medbot_state.json", {"step": step})
        for old in (out / "checkpoints").glob("step-*"):
            if old != ck and (old / "medbot_state.json").is_file():
                shutil.rmtree(old, ignore_errors=True)
    acc.wait_for_everyone()


def train(cfg: FinetuneConfig, home: Path, *, progress: bool = True, resume: bool = True, log=None) -> TrainResult:
    """setup -> build -> fit (see module docstring).

    Raises:
        UserError: bad recipe, data or machine for the recipe.
    """
    cfg = setup(cfg, home)
    return fit(build(cfg, home), progress=progress, resume=resume, log=log)
