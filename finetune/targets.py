"""Which linear layers LoRA adapts, per architecture (`lora.target_modules: auto`)."""

from __future__ import annotations

_LLAMA_LIKE = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# model_type -> module name suffixes: attention and MLP projections.
TARGETS: dict[str, list[str]] = {
    **{t: _LLAMA_LIKE for t in ("llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text",
                                "smollm3", "olmo", "olmo2", "granite", "cohere", "starcoder2_llama")},
    "phi": ["q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2"],
    "phi3": ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"],
    "gpt2": ["c_attn", "c_proj", "c_fc"],
    "gpt_neox": ["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"],
    "falcon": ["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"],
    "starcoder2": ["q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj"],
    "bloom": ["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"],
    "opt": ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"],
}


def linear_names(model) -> list[str]:
    """Suffixes of every linear (or Conv1D) layer except the output head."""
    import torch

    names: set[str] = set()
    out = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    for name, mod in model.named_modules():
        if mod is out:
            continue
        if isinstance(mod, torch.nn.Linear) or type(mod).__name__ in ("Conv1D", "Linear4bit", "Linear8bitLt"):
            names.add(name.rsplit(".", 1)[-1])
    names.discard("lm_head")
    return sorted(names)


def target_modules(model, spec: str | list[str] = "auto") -> list[str]:
    """Module suffixes to wrap with LoRA.

    Args:
        model: a transformers causal LM.
        spec: `auto` (table above, else every linear layer), `all-linear`, or explicit names.

    Returns:
        The names, each present in `model`.

    Raises:
        ValueError: explicit names that match no module.
    """
    present = set(linear_names(model))
    if isinstance(spec, list):
        missing = [n for n in spec if n not in present]
        if missing:
            raise ValueError(f"lora.target_modules not found in the model: {', '.join(missing)} "
                             f"(linear layers: {', '.join(sorted(present))})")
        return list(spec)
    if spec == "auto":
        table = TARGETS.get(getattr(model.config, "model_type", ""), [])
        chosen = [n for n in table if n in present]
        if chosen:
            return chosen
    return sorted(present)
