import pytest

from finetune.errors import UserError
from finetune.data.encoding import IGNORE, encode_chat, encode_dataset, ensure_chat_template
from finetune.data.packing import collate, pack


@pytest.fixture(scope="module")
def tok(smol_dir):
    from transformers import AutoTokenizer

    t = AutoTokenizer.from_pretrained(str(smol_dir))
    ensure_chat_template(t)
    return t


def _target_text(tok, enc):
    return tok.decode([i for i, l in zip(enc.input_ids, enc.labels) if l != IGNORE])


def test_loss_only_on_assistant_tokens(tok, make_rows):
    msgs = make_rows()[0]["messages"]
    enc = encode_chat(tok, msgs)
    assert len(enc.input_ids) == len(enc.labels)
    target = _target_text(tok, enc)
    assert target.startswith(msgs[-1]["content"])
    assert "<|im_end|>" in target  # the model learns to stop
    assert msgs[1]["content"] not in target and "You are medbot" not in target
    assert enc.input_ids == tok.apply_chat_template(msgs, tokenize=True, return_dict=True)["input_ids"]


def test_multi_turn_labels_every_assistant_turn(tok):
    msgs = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there."},
            {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Goodbye now."}]
    target = _target_text(tok, encode_chat(tok, msgs))
    assert "Hello there." in target and "Goodbye now." in target and "Bye" not in target.replace("Goodbye", "")


def test_tokenizer_without_template_gets_chatml(smol_dir, make_rows):
    from transformers import AutoTokenizer

    t = AutoTokenizer.from_pretrained(str(smol_dir))
    t.chat_template = None
    ensure_chat_template(t)
    enc = encode_chat(t, make_rows(system=False)[0]["messages"])
    assert _target_text(t, enc).startswith("Hypertension is")


def test_too_long_error_drop_truncate(tok, make_rows):
    rows = make_rows()
    with pytest.raises(UserError, match=r"sample 1 has \d+ tokens, longer than max_seq_len 20"):
        encode_dataset(tok, rows, 20, "error", "train.jsonl")
    lengths = sorted(len(e.input_ids) for e in encode_dataset(tok, rows, 10**6)[0])
    cut = lengths[len(lengths) // 2]
    kept, dropped = encode_dataset(tok, rows, cut, "drop")
    assert dropped == sum(n > cut for n in lengths) > 0
    assert len(kept) == len(rows) - dropped and all(len(e.input_ids) <= cut for e in kept)
    with pytest.raises(UserError, match="no sample left"):
        encode_dataset(tok, rows, 20, "truncate")  # truncation cuts every answer off


def test_packing_fits_and_restarts_positions(tok, make_rows):
    enc, _ = encode_dataset(tok, make_rows(), 128)
    rows = pack(enc, 128)
    assert len(rows) < len(enc)
    assert sorted(e.index for r in rows for e in r) == list(range(len(enc)))
    assert all(sum(len(e.input_ids) for e in r) <= 128 for r in rows)
    b = collate(rows, tok.pad_token_id, 128)
    assert b["input_ids"].shape == (len(rows), 128)
    assert b["n_tokens"] == sum(len(e.input_ids) for e in enc)
    first = rows[0]
    n0 = len(first[0].input_ids)
    assert b["position_ids"][0, n0].item() == 0 and b["position_ids"][0, n0 - 1].item() == n0 - 1


def test_packed_samples_do_not_attend_to_each_other(tiny_dir, tok, make_rows):
    """Logits of a sample inside a packed row equal its logits alone (training forward: no cache)."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(tiny_dir), attn_implementation="sdpa").eval()
    enc, _ = encode_dataset(tok, make_rows()[:2], 128)
    packed = collate(pack(enc, 256), tok.pad_token_id)
    assert packed["input_ids"].shape[0] == 1
    with torch.no_grad():
        both = model(input_ids=packed["input_ids"], position_ids=packed["position_ids"], use_cache=False).logits[0]
        order = sorted(enc, key=lambda e: (-len(e.input_ids), e.index))
        at = 0
        for e in order:
            alone = model(input_ids=torch.tensor([e.input_ids])).logits[0]
            torch.testing.assert_close(both[at:at + len(e.input_ids)], alone, atol=1e-4, rtol=1e-4)
            at += len(e.input_ids)
