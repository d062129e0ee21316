"""Export a PEFT LoRA adapter as a GGUF LoRA that llama.cpp applies on top of a GGUF base model.

The GGUF LoRA format (`general.type = adapter`, `adapter.type = lora`, `adapter.lora.alpha`) holds
for every adapted matrix `W` two tensors `<gguf name>.weight.lora_a` (torch shape `[r, in]`) and
`.lora_b` (`[out, r]`); llama.cpp adds `alpha / r * B @ A` to `W`. llama-architecture GGUFs store
the query/key projections with rows permuted for llama.cpp's rotary layout (transformers undoes
that permutation when it loads a GGUF), so the rows of `B` for `q_proj`/`k_proj` get the same
permutation here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from finetune.adapter import read_adapter
from bot.errors import UserError

# fingerprint field -> GGUF metadata key suffix (prefixed with the architecture name)
_GGUF_FIELDS = {"hidden_size": "embedding_length", "num_hidden_layers": "block_count",
                "num_attention_heads": "attention.head_count", "num_key_value_heads": "attention.head_count_kv",
                "intermediate_size": "feed_forward_length"}
_PERMUTED_ARCHS = {"llama"}


def _permute(w, n_head: int, n_head_kv: int | None = None):
    """llama.cpp's q/k row permutation (convert_hf_to_gguf `LlamaModel.permute`)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _field(reader, key: str) -> Any:
    f = reader.fields.get(key)
    if f is None:
        return None
    if len(f.data) == 1:
        v = f.parts[f.data[0]]
        if f.types and f.types[0].name == "STRING":
            return bytes(v).decode("utf-8")
        return v.tolist()[0] if hasattr(v, "tolist") else v
    return [f.parts[i] for i in f.data]


def gguf_facts(base_gguf: Path) -> dict[str, Any]:
    """Architecture, hyper-parameters and tensor shapes (torch order) of a GGUF model.

    Raises:
        UserError: the file is missing or not a GGUF model.
    """
    import gguf

    if not base_gguf.is_file():
        raise UserError(f"base model file not found: {base_gguf}")
    try:
        reader = gguf.GGUFReader(str(base_gguf))
    except (ValueError, OSError) as exc:
        raise UserError(f"not a GGUF model: {base_gguf} ({exc})") from None
    arch = _field(reader, "general.architecture")
    facts: dict[str, Any] = {"arch": arch}
    for fp, key in _GGUF_FIELDS.items():
        facts[fp] = _field(reader, f"{arch}.{key}")
    toks = reader.fields.get("tokenizer.ggml.tokens")
    facts["vocab_size"] = len(toks.data) if toks is not None else None
    facts["shapes"] = {t.name: tuple(int(x) for x in reversed(t.shape.tolist())) for t in reader.tensors}
    return facts


def _load_adapter_tensors(adapter_dir: Path) -> dict[str, Any]:
    st = adapter_dir / "adapter_model.safetensors"
    if st.is_file():
        from safetensors.numpy import load_file

        return load_file(str(st))
    bin_ = adapter_dir / "adapter_model.bin"
    if bin_.is_file():
        import torch

        return {k: v.float().numpy() for k, v in torch.load(str(bin_), map_location="cpu", weights_only=True).items()}
    raise UserError(f"no adapter weights (adapter_model.safetensors) in {adapter_dir}")


def _hf_module(key: str) -> tuple[str, str] | None:
    """('model.layers.0.self_attn.q_proj', 'a'|'b') from a PEFT key, or None for other tensors."""
    for part, ab in ((".lora_A.", "a"), (".lora_B.", "b")):
        if part in key:
            mod = key.split(part)[0]
            for prefix in ("base_model.model.", "base_model."):
                if mod.startswith(prefix):
                    mod = mod[len(prefix):]
                    break
            return mod, ab
    return None


def _cache_path(adapter_dir: Path, base_gguf: Path, cache_dir: Path | None) -> Path:
    h = hashlib.sha1()
    for p in sorted(adapter_dir.glob("adapter_*")):
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}".encode())
    st = base_gguf.stat()
    h.update(f"{base_gguf.resolve()}|{st.st_size}".encode())
    folder = cache_dir if cache_dir is not None else adapter_dir
    return folder / f"{adapter_dir.resolve().name}-{h.hexdigest()[:12]}.lora.gguf"


def adapter_to_gguf(adapter_dir: str | Path, base_gguf: str | Path, cache_dir: str | Path | None = None) -> Path:
    """Convert a PEFT LoRA adapter to a GGUF LoRA for `llama_cpp.Llama(lora_path=...)`.

    The result is cached: a second call with the same adapter files and base returns the same
    path without converting again.

    Args:
        adapter_dir: PEFT adapter folder (adapter_config.json + adapter_model.safetensors).
        base_gguf: the GGUF model the adapter will be applied to (the one it was trained on, or
            the GGUF export of that base).
        cache_dir: where to write `<adapter>-<hash>.lora.gguf` (default: inside `adapter_dir`).

    Returns:
        Path of the GGUF LoRA file.

    Raises:
        UserError: not an adapter folder, adapter trained for another base (architecture or
            shapes differ), or a target module llama.cpp has no tensor for.
    """
    import gguf
    import numpy as np

    adapter_dir = Path(adapter_dir).expanduser()
    base_gguf = Path(base_gguf).expanduser()
    cfg, meta = read_adapter(adapter_dir)
    facts = gguf_facts(base_gguf)
    out = _cache_path(adapter_dir, base_gguf, Path(cache_dir).expanduser() if cache_dir else None)
    if out.is_file():
        return out

    fp = meta.get("fingerprint") or {}
    for key in ("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                "intermediate_size", "vocab_size"):
        a, b = fp.get(key), facts.get(key)
        if a is not None and b is not None and int(a) != int(b):
            raise UserError(f"adapter {adapter_dir} was trained for another base model "
                            f"({key}={a}; {base_gguf.name} has {b})")
    arch = facts["arch"]
    arch_enum = {v: k for k, v in gguf.MODEL_ARCH_NAMES.items()}.get(arch)
    if arch_enum is None:
        raise UserError(f"llama.cpp architecture {arch!r} of {base_gguf.name} is not known to the gguf package")
    name_map = gguf.get_tensor_name_map(arch_enum, int(facts["num_hidden_layers"]))
    n_head, n_kv = facts["num_attention_heads"], facts["num_key_value_heads"]

    r = int(cfg.get("r", 8))
    alpha = float(cfg.get("lora_alpha", r))
    if cfg.get("use_rslora"):
        alpha = alpha * r ** 0.5  # rsLoRA scales by alpha/sqrt(r); llama.cpp by alpha/r
    if cfg.get("rank_pattern") or cfg.get("alpha_pattern"):
        raise UserError("adapters with per-layer rank_pattern/alpha_pattern cannot be exported to GGUF")

    pairs: dict[str, dict[str, Any]] = {}
    for key, value in _load_adapter_tensors(adapter_dir).items():
        hit = _hf_module(key)
        if hit is None:
            raise UserError(f"adapter tensor {key} is not a LoRA matrix; only LoRA weights can be exported")
        pairs.setdefault(hit[0], {})[hit[1]] = np.asarray(value, dtype=np.float32)
    if not pairs:
        raise UserError(f"adapter {adapter_dir} holds no LoRA weights")

    tensors: list[tuple[str, Any]] = []
    for mod, ab in sorted(pairs.items()):
        if set(ab) != {"a", "b"}:
            raise UserError(f"adapter module {mod} lacks lora_A or lora_B")
        name = name_map.get_name(mod)
        if name is None:
            raise UserError(f"llama.cpp has no tensor for adapter module {mod} ({arch})")
        A, B = ab["a"], ab["b"]
        base_shape = facts["shapes"].get(f"{name}.weight")
        if base_shape is None or base_shape != (B.shape[0], A.shape[1]):
            raise UserError(f"adapter {adapter_dir} was trained for another base model: {mod} is "
                            f"{B.shape[0]}x{A.shape[1]}, {base_gguf.name} has {name}.weight {base_shape}")
        if arch in _PERMUTED_ARCHS:
            if name.endswith("attn_q"):
                B = _permute(B, n_head, n_head)
            elif name.endswith("attn_k"):
                B = _permute(B, n_head, n_kv)
        tensors.append((f"{name}.weight.lora_a", np.ascontiguousarray(A)))
        tensors.append((f"{name}.weight.lora_b", np.ascontiguousarray(B)))

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        w = gguf.GGUFWriter(tmp, arch)
        w.add_string("general.type", "adapter")
        w.add_string("adapter.type", "lora")
        w.add_float32("adapter.lora.alpha", alpha)
        w.add_string("general.name", adapter_dir.resolve().name)
        for tname, arr in tensors:
            w.add_tensor(tname, arr)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    (out.with_suffix(".json")).write_text(json.dumps({"adapter": str(adapter_dir), "base": str(base_gguf),
                                                      "tensors": len(tensors), "alpha": alpha, "r": r}) + "\n")
    return out
