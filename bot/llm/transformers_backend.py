"""transformers backend: any Hugging Face model folder (or a GGUF via `gguf_file=`), CPU or CUDA,
with an optional PEFT LoRA adapter. Native tool calls when the chat template accepts `tools`."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Iterator

from bot.errors import UserError
from bot.llm.base import Chunk, Completion, collect

_TOOL_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.S)


def load_model_and_tokenizer(model: str, device: str = "auto", adapter: str | None = None):
    """Load a causal LM + tokenizer from a folder or a .gguf file, optionally with a PEFT adapter.

    Raises:
        UserError: missing path, not a model folder, adapter for another base model.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(model).expanduser()
    kwargs: dict[str, Any] = {}
    if path.suffix == ".gguf":
        if not path.is_file():
            raise UserError(f"model file not found: {model}")
        src, kwargs["gguf_file"] = str(path.parent), path.name
    else:
        if not path.is_dir() or not (path / "config.json").is_file():
            raise UserError(f"not a Hugging Face model folder (no config.json): {model}")
        src = str(path)
    dev = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
    dtype = torch.bfloat16 if dev == "cuda" else torch.float32
    try:
        tok = AutoTokenizer.from_pretrained(src, **kwargs)
        lm = AutoModelForCausalLM.from_pretrained(src, dtype=dtype, **kwargs)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load model {model}: {str(exc).splitlines()[0]}") from None
    if adapter:
        lm = attach_adapter(lm, adapter)
    lm.to(dev).eval()
    return lm, tok


def attach_adapter(lm, adapter: str):
    """Wrap `lm` with the PEFT adapter in folder `adapter`, checking it was trained for this base."""
    from peft import PeftConfig, PeftModel

    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise UserError(f"not a PEFT adapter folder (no adapter_config.json): {adapter}")
    cfg = PeftConfig.from_pretrained(str(folder))
    base_arch = getattr(lm.config, "architectures", None) or [type(lm).__name__]
    try:
        return PeftModel.from_pretrained(lm, str(folder))
    except (RuntimeError, ValueError, KeyError) as exc:
        raise UserError(f"adapter {adapter} does not fit this base model ({base_arch[0]}; adapter base "
                        f"{cfg.base_model_name_or_path}): {str(exc).splitlines()[0]}") from None


def parse_tool_calls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Extract `<tool_call>{...}</tool_call>` blocks (Hermes/Qwen/SmolLM3 style); return remaining text."""
    calls = []
    for i, m in enumerate(_TOOL_CALL.finditer(text)):
        try:
            obj = json.loads(m.group(1))
        except json.JSONDecodeError:
            continue
        args = obj.get("arguments", obj.get("parameters", {}))
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                args = {"_raw": args}
        calls.append({"id": f"call_{i}", "name": obj.get("name", ""), "arguments": args})
    return _TOOL_CALL.sub("", text).strip(), calls


class TransformersBackend:
    is_demo = False

    def __init__(self, model: str, *, device: str = "auto", adapter: str | None = None, seed: int = 0,
                 defaults: dict[str, Any] | None = None):
        self.model, self.tokenizer = load_model_and_tokenizer(model, device, adapter)
        self.seed = seed
        self.name = Path(model).name + (f" + LoRA {Path(adapter).name}" if adapter else "")
        self.defaults = dict(defaults or {})
        template = getattr(self.tokenizer, "chat_template", None) or ""
        self.supports_tools = "tools" in template

    @classmethod
    def from_settings(cls, settings) -> "TransformersBackend":
        from bot.llm import bundled

        model = settings.model or bundled.DEFAULT_MODEL
        if model in bundled.MODELS:
            model = str(bundled.bundled_gguf(model))
        return cls(model, device=settings.device, adapter=settings.adapter, seed=settings.seed,
                   defaults={"max_tokens": settings.max_tokens, "temperature": settings.temperature})

    def encode(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None):
        kwargs = {"tools": tools} if tools and self.supports_tools else {}
        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True, **kwargs)
        return {k: v.to(self.model.device) for k, v in ids.items()}

    def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               **gen: Any) -> Iterator[Chunk]:
        import torch
        from transformers import TextIteratorStreamer

        opts = {**self.defaults, **{k: v for k, v in gen.items() if v is not None}}
        inputs = self.encode(messages, tools)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=not tools)
        temperature = float(opts.get("temperature", 0.0))
        kwargs = dict(**inputs, streamer=streamer, max_new_tokens=int(opts.get("max_tokens", 384)),
                      do_sample=temperature > 0, pad_token_id=self.tokenizer.eos_token_id)
        if temperature > 0:
            kwargs["temperature"] = temperature
            torch.manual_seed(self.seed)
        errors: list[BaseException] = []

        def run():
            try:
                with torch.no_grad():
                    self.model.generate(**kwargs)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(exc)
                streamer.end()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        buffered: list[str] = []
        for text in streamer:
            if tools:
                buffered.append(text)  # tool calls can only be parsed from the whole output
            elif text:
                yield Chunk(text=text)
        thread.join()
        if errors:
            raise errors[0]
        if tools:
            text, calls = parse_tool_calls("".join(buffered))
            text = text.replace(self.tokenizer.eos_token or "\0", "")
            yield Chunk(text=text, tool_calls=calls, finish_reason="tool_calls" if calls else "stop")
        else:
            yield Chunk(finish_reason="stop")

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 **gen: Any) -> Completion:
        return collect(self.stream(messages, tools, **gen))
