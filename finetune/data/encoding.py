"""Chat samples -> token ids with the model's chat template; labels only on assistant tokens.

Assistant spans are found by rendering the conversation up to each assistant turn: the text
between "prompt with generation header" and "prompt plus the assistant turn" is what the model
must learn to write (for ChatML that is the content and its `<|im_end|>`). Everything else gets
label -100 and does not count in the loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from finetune.errors import UserError

IGNORE = -100

# Used when a tokenizer has no chat template (e.g. a bare base model).
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass
class Encoded:
    """One tokenised sample: ids, labels (-100 = no loss) and its source row index."""

    input_ids: list[int]
    labels: list[int]
    index: int

    @property
    def n_target(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


def ensure_chat_template(tokenizer) -> None:
    """Give `tokenizer` a ChatML template (and a pad token) when it has none."""
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = CHATML_TEMPLATE
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token


def _render(tokenizer, messages, **kw) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, **kw)


def assistant_spans(tokenizer, messages: list[dict[str, Any]]) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans written by the assistant."""
    full = _render(tokenizer, messages)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prompt = _render(tokenizer, messages[:i], add_generation_prompt=True)
        upto = _render(tokenizer, messages[: i + 1])
        if full.startswith(upto) and upto.startswith(prompt) and len(prompt) >= cursor:
            spans.append((len(prompt), len(upto)))
            cursor = len(upto)
            continue
        # Templates that rewrite earlier turns: fall back to the content's position.
        start = full.find(m["content"], cursor)
        if start < 0:
            raise UserError("the chat template does not reproduce assistant messages verbatim; cannot mask the loss")
        spans.append((start, start + len(m["content"])))
        cursor = start + len(m["content"])
    return full, spans


def encode_chat(tokenizer, messages: list[dict[str, Any]], index: int = 0) -> Encoded:
    """Tokenise one conversation with loss on assistant tokens only.

    Args:
        tokenizer: a fast Hugging Face tokenizer with a chat template.
        messages: OpenAI-format messages (already validated).
        index: the sample's row number, kept for error messages.

    Returns:
        The ids and labels (same length).
    """
    text, spans = assistant_spans(tokenizer, messages)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    labels = [IGNORE] * len(ids)
    for t, (s, e) in enumerate(enc["offset_mapping"]):
        if e <= s:
            continue
        for a, b in spans:
            if a <= s < b:
                labels[t] = ids[t]
                break
    return Encoded(ids, labels, index)


def encode_dataset(tokenizer, rows: list[dict[str, Any]], max_len: int, too_long: str = "error",
                   name: str = "data") -> tuple[list[Encoded], int]:
    """Tokenise every row; handle samples longer than `max_len`.

    Args:
        too_long: `error` (raise), `drop` (skip) or `truncate` (keep the first `max_len` tokens).

    Returns:
        The encoded samples and how many were dropped.

    Raises:
        UserError: a sample is longer than `max_len` with `too_long="error"`, or nothing is left.
    """
    out: list[Encoded] = []
    dropped = 0
    for i, row in enumerate(rows):
        e = encode_chat(tokenizer, row["messages"], i)
        if len(e.input_ids) > max_len:
            if too_long == "error":
                raise UserError(f"{name} sample {i + 1} has {len(e.input_ids)} tokens, longer than max_seq_len "
                                f"{max_len} (raise data.max_seq_len or set data.too_long: drop|truncate)")
            if too_long == "drop":
                dropped += 1
                continue
            e = Encoded(e.input_ids[:max_len], e.labels[:max_len], i)
        if e.n_target == 0:
            dropped += 1
            continue
        out.append(e)
    if not out:
        raise UserError(f"{name}: no sample left to train on after tokenisation")
    return out, dropped
