"""The adapter in llama.cpp: GGUF LoRA export checked against transformers + peft."""

import json

import numpy as np
import pytest

from bot.errors import USER_ERRORS as UserError  # bot (GGUF conversion) and finetune (adapter metadata) errors
from finetune.adapter import write_meta
from bot.llm.lora_gguf import adapter_to_gguf

pytest.importorskip("llama_cpp")
pytest.importorskip("gguf")


def _random_adapter(base_dir, out, targets, seed=0, std=0.05):
    import torch
    from transformers import AutoModelForCausalLM

    from finetune.fastpath import apply_lora
    from finetune.model import base_fingerprint

    model = apply_lora(AutoModelForCausalLM.from_pretrained(str(base_dir)), 8, 16, 0.0, targets, seed=seed)
    g = torch.Generator().manual_seed(seed)
    for n, p in model.named_parameters():
        if "lora_B" in n:
            p.data = torch.randn(p.shape, generator=g) * std
    model.save_pretrained(str(out))
    write_meta(out, base_fingerprint(model.get_base_model().config), str(base_dir))
    return model


@pytest.fixture(scope="module")
def gguf_path():
    from bot.llm import bundled_gguf

    return bundled_gguf("smollm2")


def _cpp_last_logits(gguf_file, ids, lora=None):
    from llama_cpp import Llama

    kw = {"lora_path": str(lora)} if lora else {}
    llm = Llama(model_path=str(gguf_file), n_ctx=128, logits_all=True, verbose=False, n_threads=2, seed=0, **kw)
    llm.eval(ids)
    out = np.array(llm.scores[len(ids) - 1], dtype=np.float64)
    llm.close() if hasattr(llm, "close") else None
    return out


@pytest.mark.parametrize("targets, std", [(["q_proj", "k_proj"], 0.2),
                                         (["v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], 0.1)],
                         ids=["qk-permuted", "v-o-mlp"])
def test_gguf_lora_matches_peft(smol_dir, gguf_path, tmp_path, targets, std, monkeypatch):
    """The change the adapter makes to the next-token logits is the same in llama.cpp and peft.

    The base logits themselves differ a little (llama.cpp quantises activations for Q4_1 matmuls),
    so the adapter is made large enough for its effect to dominate that noise.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    import bot.llm.lora_gguf as export

    adapter = tmp_path / "adapter"
    peft_model = _random_adapter(smol_dir, adapter, targets, std=std).eval()
    tok = AutoTokenizer.from_pretrained(str(smol_dir))
    ids = tok("The patient has high blood pressure and asks about salt", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        hf_lora = peft_model(input_ids=torch.tensor([ids])).logits[0, -1].double().numpy()
        base = AutoModelForCausalLM.from_pretrained(str(smol_dir)).eval()
        hf_base = base(input_ids=torch.tensor([ids])).logits[0, -1].double().numpy()
    lora_file = adapter_to_gguf(adapter, gguf_path, cache_dir=tmp_path / "cache")
    assert lora_file.is_file() and lora_file.parent == tmp_path / "cache"
    cpp_base = _cpp_last_logits(gguf_path, ids)
    cpp_lora = _cpp_last_logits(gguf_path, ids, lora_file)
    d_hf, d_cpp = hf_lora - hf_base, cpp_lora - cpp_base
    assert np.abs(d_hf).max() > 0.5  # the adapter really changes the output
    corr = np.corrcoef(d_hf, d_cpp)[0, 1]
    assert corr > 0.9, corr
    if "q_proj" in targets:
        # Without llama.cpp's q/k row permutation the effect no longer matches.
        monkeypatch.setattr(export, "_PERMUTED_ARCHS", set())
        wrong = _cpp_last_logits(gguf_path, ids, adapter_to_gguf(adapter, gguf_path, cache_dir=tmp_path / "wrong"))
        assert np.corrcoef(d_hf, wrong - cpp_base)[0, 1] < corr - 0.3
        monkeypatch.undo()
    # Converting again reuses the cached file.
    mtime = lora_file.stat().st_mtime_ns
    assert adapter_to_gguf(adapter, gguf_path, cache_dir=tmp_path / "cache") == lora_file
    assert lora_file.stat().st_mtime_ns == mtime


def test_adapter_for_another_base_is_refused(tiny_dir, gguf_path, tmp_path):
    adapter = tmp_path / "tiny-adapter"
    _random_adapter(tiny_dir, adapter, ["q_proj", "v_proj"])
    with pytest.raises(UserError, match="trained for another base model"):
        adapter_to_gguf(adapter, gguf_path, cache_dir=tmp_path)
    # Without medbot's metadata the tensor shapes still catch it.
    (adapter / "medbot_adapter.json").unlink()
    with pytest.raises(UserError, match="trained for another base model"):
        adapter_to_gguf(adapter, gguf_path, cache_dir=tmp_path)
    assert not list(tmp_path.glob("*.gguf"))


def test_not_an_adapter_folder(tmp_path, gguf_path):
    with pytest.raises(UserError, match="no adapter_config.json"):
        adapter_to_gguf(tmp_path, gguf_path)


def test_adapter_changes_llamacpp_chat_output(smol_dir, tmp_path):
    """The default backend with `--adapter` answers differently (greedy decoding)."""
    from bot.config import load_settings
    from bot.llm import load_backend

    adapter = tmp_path / "adapter"
    _random_adapter(smol_dir, adapter, ["q_proj", "v_proj", "down_proj"], std=0.2)
    msgs = [{"role": "user", "content": "What is high blood pressure?"}]
    env = {"MEDBOT_HOME": str(tmp_path / "home")}
    plain = load_backend(load_settings({"model": "smollm2", "temperature": 0.0, "max_tokens": 12}, environ=env))
    tuned = load_backend(load_settings({"model": "smollm2", "temperature": 0.0, "max_tokens": 12, "adapter": str(adapter)},
                                       environ=env))
    a = plain.complete(msgs).text
    b = tuned.complete(msgs).text
    assert a and b and a != b
    assert json.loads(next((tmp_path / "home" / "adapters").glob("*.json")).read_text())["tensors"] == 6 * 30
