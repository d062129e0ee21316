"""medbot's LoRA training path: the parts that make a step cheap. Needs only torch, transformers, peft.

What differs from a plain `Trainer` + PEFT step:

- The frozen base stays in bf16 on GPU (no fp32 copy, no autocast casts of frozen weights);
  only the LoRA matrices are fp32 and trained.
- The loss never materialises the `[tokens, vocab]` logits: hidden states of target tokens only
  go through the output head in chunks, and the gradient w.r.t. the hidden states is computed
  in the same pass (`fused_linear_cross_entropy`). Prompt tokens (label -100) skip the head.
- Optional `torch.compile` of each decoder layer (fuses norms, rotary and SwiGLU elementwise ops).
- Gradient checkpointing without re-entrant autograd.

This module is imported by `bench/finetune_gpu.py` on machines where medbot is not installed,
so it must not import anything outside torch, transformers and peft.
"""

from __future__ import annotations

from typing import Any

IGNORE = -100


def _torch():
    import torch

    return torch


class _FusedLinearCE:
    """Autograd function built lazily (so importing this module does not import torch)."""

    fn = None

    @classmethod
    def get(cls):
        if cls.fn is not None:
            return cls.fn
        torch = _torch()

        class FusedLinearCrossEntropy(torch.autograd.Function):
            @staticmethod
            def forward(ctx, hidden, weight, targets, chunk):
                # hidden [N, H], weight [V, H], targets [N]; returns the summed loss.
                n = hidden.shape[0]
                grad_h = torch.empty_like(hidden)
                grad_w = torch.zeros_like(weight, dtype=torch.float32) if weight.requires_grad else None
                total = torch.zeros((), dtype=torch.float32, device=hidden.device)
                for s in range(0, n, chunk):
                    h = hidden[s:s + chunk]
                    logits = (h @ weight.t()).float()
                    lse = torch.logsumexp(logits, dim=-1)
                    y = targets[s:s + chunk]
                    total += (lse - logits.gather(1, y[:, None]).squeeze(1)).sum()
                    # d(sum CE)/d logits = softmax - onehot, computed in place to save memory.
                    logits.sub_(lse[:, None]).exp_()
                    logits.scatter_add_(1, y[:, None], torch.full_like(y[:, None], -1, dtype=logits.dtype))
                    g = logits.to(hidden.dtype)
                    grad_h[s:s + chunk] = g @ weight
                    if grad_w is not None:
                        grad_w += (g.t() @ h).float()
                ctx.save_for_backward(grad_h, grad_w if grad_w is not None else torch.empty(0))
                ctx.has_w = grad_w is not None
                return total

            @staticmethod
            def backward(ctx, grad_out):
                grad_h, grad_w = ctx.saved_tensors
                gh = grad_h * grad_out.to(grad_h.dtype)
                gw = (grad_w * grad_out).to(grad_h.dtype) if ctx.has_w else None
                return gh, gw, None, None

        cls.fn = FusedLinearCrossEntropy
        return cls.fn


def fused_linear_cross_entropy(hidden, weight, targets, chunk: int = 4096):
    """Sum of cross-entropy of `hidden @ weight.T` against `targets`, without keeping the logits.

    Args:
        hidden: [N, H] hidden states of the positions that carry a target.
        weight: [V, H] output head (frozen or trainable).
        targets: [N] token ids.
        chunk: rows of logits computed at once (memory ~ chunk * V * 4 bytes).

    Returns:
        A scalar float32 tensor (sum over N); differentiable w.r.t. `hidden` and `weight`.
    """
    return _FusedLinearCE.get().apply(hidden, weight, targets, chunk)


def _plain_head(model) -> bool:
    """True when logits are exactly `hidden @ lm_head.weight.T` (no bias, scaling or softcapping)."""
    cfg = model.config
    if getattr(cfg, "final_logit_softcapping", None) or getattr(cfg, "logit_scale", None) not in (None, 1, 1.0):
        return False
    head = model.get_output_embeddings()
    return head is not None and getattr(head, "bias", None) is None and hasattr(head, "weight")


def _causal_lm(model):
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def causal_lm_loss(model, input_ids, labels, position_ids=None, attention_mask=None, chunk: int = 4096,
                   fused: bool = True):
    """Summed next-token loss over labelled positions, and the number of those positions.

    Args:
        model: a transformers causal LM (optionally wrapped by peft or DDP).
        input_ids, labels, position_ids, attention_mask: [B, L] tensors (labels -100 = no loss).
        fused: use the chunked head + loss (falls back to full logits when the head is not plain).

    Returns:
        (loss_sum float32 scalar, n_targets int tensor)
    """
    torch = _torch()
    inner = getattr(model, "module", model)  # DDP / compiled wrappers
    lm = _causal_lm(inner)
    y = labels[:, 1:]
    mask = y != IGNORE
    n = mask.sum()
    kw: dict[str, Any] = {"input_ids": input_ids, "use_cache": False}
    if position_ids is not None:
        kw["position_ids"] = position_ids
    if attention_mask is not None:
        kw["attention_mask"] = attention_mask
    if fused and _plain_head(lm):
        hidden = _decoder(lm)(**kw).last_hidden_state[:, :-1]
        h = hidden[mask]
        w = lm.get_output_embeddings().weight
        chunk = max(128, min(chunk, (1 << 28) // w.shape[0]))  # at most ~1 GiB of fp32 logits at once
        return fused_linear_cross_entropy(h, w, y[mask], chunk), n
    logits = model(**kw).logits[:, :-1].float()
    loss = torch.nn.functional.cross_entropy(logits[mask], y[mask], reduction="sum")
    return loss, n


def _decoder(lm):
    dec = lm.get_decoder() if hasattr(lm, "get_decoder") else None
    if dec is None:
        dec = getattr(lm, "model", None) or getattr(lm, "transformer", None)
    if dec is None:
        raise ValueError(f"cannot find the decoder of {type(lm).__name__}")
    return dec


def loss_module(model, chunk: int = 4096, fused: bool = True):
    """An `nn.Module` whose forward returns `(loss_sum, n_targets)` for a batch.

    Wrapping the loss in a module lets DDP/FSDP (via accelerate) see the whole step as one forward,
    so gradient synchronisation hooks fire even though the head is applied outside the model.
    """
    torch = _torch()

    class CausalLMLoss(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner
            self._no_split_modules = getattr(_causal_lm(inner), "_no_split_modules", None)

        def forward(self, input_ids, labels, position_ids=None, attention_mask=None):
            return causal_lm_loss(self.inner, input_ids, labels, position_ids, attention_mask, chunk, fused)

    return CausalLMLoss(model)


def apply_lora(model, r: int, alpha: float, dropout: float, targets: list[str], seed: int = 0):
    """Wrap `model` with a trainable LoRA adapter (everything else frozen, adapters in fp32).

    Returns:
        The `peft.PeftModel`.
    """
    torch = _torch()
    from peft import LoraConfig, get_peft_model

    import warnings

    torch.manual_seed(seed)
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
    cfg = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=targets, bias="none",
                     task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, cfg)
    for name, p in peft_model.named_parameters():
        if p.requires_grad and p.dtype != torch.float32:
            p.data = p.data.float()
    return peft_model


def prepare_for_training(model, gradient_checkpointing: bool, compile_layers: bool = False):
    """Gradient checkpointing (non-reentrant) and per-layer `torch.compile`, in place."""
    lm = _causal_lm(model)
    if gradient_checkpointing:
        lm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if hasattr(lm, "enable_input_require_grads"):
            lm.enable_input_require_grads()
    lm.config.use_cache = False
    if compile_layers:
        for layer in decoder_layers(lm):
            layer.compile(dynamic=False)
    return model


def decoder_layers(model):
    """The list of decoder blocks of a (peft-wrapped) causal LM."""
    dec = _decoder(_causal_lm(getattr(model, "module", model)))
    layers = getattr(dec, "layers", None)
    return layers if layers is not None else getattr(dec, "h", [])


def set_checkpointed_layers(model, skip: int) -> int:
    """Keep gradient checkpointing on all but the last `skip` decoder layers.

    Memory freed elsewhere (no logits) can pay for storing some layers' activations, which saves
    their recomputation. Returns the number of layers still checkpointed.
    """
    layers = list(decoder_layers(model))
    n = len(layers)
    for i, layer in enumerate(layers):
        if hasattr(layer, "gradient_checkpointing"):
            layer.gradient_checkpointing = i < n - skip
    return sum(1 for layer in layers if getattr(layer, "gradient_checkpointing", False))


def count_trainable(model) -> tuple[int, int]:
    """(trainable parameters, all parameters)."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable, total
