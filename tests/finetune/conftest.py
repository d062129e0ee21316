"""Fixtures for the finetune tests: a tiny random Llama and the bundled SmolLM2 as safetensors."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

ROWS = [
    ("What is hypertension?", "Hypertension is persistently high blood pressure [PMID:1001]."),
    ("What does metformin treat?", "Metformin lowers blood sugar in type 2 diabetes [PMID:1002]."),
    ("Name a symptom of asthma.", "Wheezing is a common symptom of asthma [PMID:1003]."),
    ("What is an MRI?", "An MRI uses magnets and radio waves to image the body [PMID:1004]."),
    ("What vitamin does sunlight help make?", "Sunlight helps the skin make vitamin D [PMID:1005]."),
    ("What organ filters blood?", "The kidneys filter the blood and make urine [PMID:1006]."),
]


def chat_rows(rows=ROWS, system: bool = True):
    out = []
    for q, a in rows:
        msgs = [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        if system:
            msgs.insert(0, {"role": "system", "content": "You are medbot."})
        out.append({"messages": msgs})
    return out


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def smol_dir() -> Path:
    """SmolLM2-135M-Instruct from the bundled GGUF, materialised as safetensors.

    Converting the GGUF takes a while on 2 cores, so the result is kept between test runs in a
    cache folder (MEDBOT_TEST_CACHE, default: the system temp dir), keyed by the GGUF's hash.
    """
    from bot.llm import bundled_gguf
    from finetune.model import materialize_gguf

    cache = Path(os.environ.get("MEDBOT_TEST_CACHE") or Path(tempfile.gettempdir()) / "medbot-test-cache")
    return materialize_gguf(bundled_gguf("smollm2"), cache)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory, smol_dir) -> Path:
    """A 2-layer random Llama (hidden 32) with SmolLM2's tokenizer and chat template."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    out = tmp_path_factory.mktemp("tiny")
    tok = AutoTokenizer.from_pretrained(str(smol_dir))
    cfg = LlamaConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, vocab_size=len(tok), max_position_embeddings=512,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      initializer_range=0.3)  # logits with some range, so a LoRA can fit quickly
    torch.manual_seed(0)
    LlamaForCausalLM(cfg).save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


@pytest.fixture
def data_files(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", chat_rows())
    val = write_jsonl(tmp_path / "validation.jsonl", chat_rows(ROWS[:3]))
    return train, val


@pytest.fixture
def make_rows():
    """`make_rows(pairs=ROWS, system=True)` -> chat samples."""
    return chat_rows


@pytest.fixture
def jsonl():
    """`jsonl(path, rows)` writes a JSONL file."""
    return write_jsonl


def recipe(train: Path, val: Path | None, base: Path, out: Path, **training) -> dict:
    t = {"output_dir": str(out), "max_steps": 6, "batch_size": 2, "lr": 5e-3, "log_every": 1, "seed": 0,
         "warmup_steps": 0, "scheduler": "constant", **training}
    return {"model": {"base": str(base)},
            "data": {"train": str(train), "validation": str(val) if val else None, "max_seq_len": 128},
            "lora": {"r": 8, "alpha": 16, "target_modules": "auto"},
            "training": t}


@pytest.fixture
def make_recipe():
    """`make_recipe(train, val, base, out, **training)` -> recipe dict."""
    return recipe
