"""Typed fine-tuning recipe (`configs/finetune/*.yaml`): unknown keys are rejected.

A recipe has four sections with the same keys in YAML and code:

```yaml
model:    {base: null, dtype: auto}
data:     {train: "{home}/finetune/data/train.jsonl", validation: ..., max_seq_len: 512}
lora:     {r: 16, alpha: 32, target_modules: auto}
training: {output_dir: "{home}/finetune/runs/NAME", max_steps: 100, lr: 2.0e-4}
```

Paths may start with `{home}`, replaced by the medbot data directory (`MEDBOT_HOME`); other
relative paths are relative to the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from finetune.errors import UserError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelConfig(_Section):
    """The base model to adapt."""

    base: str | None = None
    """Hugging Face model folder or a `.gguf` file; None = the bundled SmolLM2-135M-Instruct GGUF
    (loaded through transformers once and cached as safetensors under `{home}/finetune/base`)."""
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    """Weights of the frozen base: auto = bfloat16 on CUDA, float32 on CPU."""
    attn_implementation: Literal["sdpa", "eager", "flash_attention_2"] = "sdpa"
    init: Literal["pretrained", "random"] = "pretrained"
    """`random` builds the architecture from the base's config without its weights (tests, benchmarks)."""


class DataConfig(_Section):
    """Chat JSONL files (one `{"messages": [...]}` object per line)."""

    train: str
    validation: str | None = None
    max_seq_len: int = Field(512, ge=16)
    packing: bool = True
    """Pack several short samples into one sequence (attention stays within each sample)."""
    too_long: Literal["error", "drop", "truncate"] = "error"
    """What to do with a sample longer than `max_seq_len`."""
    max_samples: int | None = Field(None, ge=1)


class LoraConfig(_Section):
    """LoRA / QLoRA adapter."""

    r: int = Field(16, ge=1)
    alpha: float = Field(32.0, gt=0)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    target_modules: Literal["auto", "all-linear"] | list[str] = "auto"
    """`auto` = attention and MLP projections chosen per architecture."""
    qlora: bool = False
    """Load the base in 4-bit NF4 with bitsandbytes (CUDA only)."""


class TrainingConfig(_Section):
    """Optimisation, logging and checkpoints."""

    output_dir: str = "{home}/finetune/runs/default"
    seed: int = 0
    max_steps: int | None = Field(None, ge=1)
    """Optimizer steps; None = `epochs` passes over the training data."""
    epochs: float = Field(1.0, gt=0)
    batch_size: int = Field(4, ge=1)
    grad_accum: int = Field(1, ge=1)
    lr: float = Field(2.0e-4, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warmup_steps: int = Field(0, ge=0)
    scheduler: Literal["cosine", "linear", "constant"] = "cosine"
    max_grad_norm: float | None = 1.0
    precision: Literal["auto", "bf16", "fp16", "fp32"] = "auto"
    """auto = bf16 on CUDA (when supported), fp32 on CPU."""
    gradient_checkpointing: bool | Literal["auto"] = "auto"
    """auto = on with CUDA, off on CPU (tiny models gain nothing)."""
    compile: bool = False
    """torch.compile each decoder layer (CUDA)."""
    eval_every: int | None = Field(None, ge=1)
    """Steps between validation passes; None = at the end only."""
    eval_batches: int | None = Field(None, ge=1)
    save_every: int | None = Field(None, ge=1)
    """Steps between resumable checkpoints; None = none."""
    log_every: int = Field(10, ge=1)
    num_workers: int = Field(0, ge=0)


class FinetuneConfig(_Section):
    """A whole fine-tuning recipe."""

    model: ModelConfig = Field(default_factory=ModelConfig)
    data: DataConfig
    lora: LoraConfig = Field(default_factory=LoraConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)

    @model_validator(mode="after")
    def _check(self) -> "FinetuneConfig":
        if self.lora.qlora and self.model.init == "random":
            raise ValueError("lora.qlora needs pretrained weights (model.init: pretrained)")
        return self

    def resolve(self, home: Path) -> "FinetuneConfig":
        """A copy whose `{home}` paths point into `home` (user `~` expanded)."""

        def fix(p: str | None) -> str | None:
            if p is None:
                return None
            return str(Path(p.replace("{home}", str(home))).expanduser())

        out = self.model_copy(deep=True)
        out.model.base = fix(out.model.base)
        out.data.train = fix(out.data.train)
        out.data.validation = fix(out.data.validation)
        out.training.output_dir = fix(out.training.output_dir)
        return out


def _describe(err: ValidationError, origin: str) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "recipe"
        if e["type"] == "extra_forbidden":
            parts.append(f"unknown key '{loc}'")
        elif e["type"] == "missing":
            parts.append(f"missing key '{loc}'")
        else:
            parts.append(f"'{loc}': {e['msg']}")
    return f"invalid fine-tuning config {origin}: " + "; ".join(parts)


def parse_config(data: dict, origin: str = "<dict>") -> FinetuneConfig:
    """Validate a recipe dictionary.

    Raises:
        UserError: unknown keys, missing keys or bad values, naming them.
    """
    if not isinstance(data, dict):
        raise UserError(f"invalid fine-tuning config {origin}: expected a mapping at top level")
    try:
        return FinetuneConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(_describe(exc, origin)) from None


def load_config(path: str | Path) -> FinetuneConfig:
    """Read and validate a YAML recipe.

    Args:
        path: the YAML file.

    Returns:
        The validated config (paths not yet resolved; see `FinetuneConfig.resolve`).

    Raises:
        UserError: missing file, YAML syntax error, unknown keys or bad values.
    """
    import yaml

    p = Path(path).expanduser()
    if not p.is_file():
        raise UserError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot parse {path}: {first}") from None
    return parse_config(data or {}, str(path))


def dump_config(cfg: FinetuneConfig) -> str:
    """The recipe as YAML (saved next to each adapter)."""
    import yaml

    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)
