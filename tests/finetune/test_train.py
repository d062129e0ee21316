import json
import shutil

import pytest

from finetune.errors import UserError
from finetune.config import parse_config
from finetune.train import train


def test_fused_loss_matches_full_logits(tiny_dir):
    import torch
    from transformers import AutoModelForCausalLM

    from finetune.fastpath import apply_lora, causal_lm_loss

    torch.manual_seed(0)
    m = apply_lora(AutoModelForCausalLM.from_pretrained(str(tiny_dir)), 4, 8, 0.0, ["q_proj", "v_proj"])
    for n, p in m.named_parameters():
        if "lora_B" in n:
            torch.nn.init.normal_(p, std=0.1)
    ids = torch.randint(0, 1000, (2, 24))
    labels = ids.clone()
    labels[:, :10] = -100
    grads = []
    for fused in (True, False):
        m.zero_grad()
        loss, n = causal_lm_loss(m, ids, labels, fused=fused, chunk=7)
        (loss / n).backward()
        grads.append([p.grad.clone() for p in m.parameters() if p.requires_grad])
        if fused:
            first = loss.item()
    assert n.item() == 2 * 14  # labels[:, 1:] has 23 positions, 9 of them masked
    assert first == pytest.approx(loss.item(), rel=1e-5)
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-4)


def test_fused_loss_grad_for_trainable_head():
    import torch

    from finetune.fastpath import fused_linear_cross_entropy

    torch.manual_seed(0)
    h = torch.randn(10, 6, requires_grad=True)
    w = torch.randn(30, 6, requires_grad=True)
    y = torch.randint(0, 30, (10,))
    fused_linear_cross_entropy(h, w, y, chunk=3).backward()
    gh, gw = h.grad.clone(), w.grad.clone()
    h.grad = w.grad = None
    torch.nn.functional.cross_entropy(h @ w.t(), y, reduction="sum").backward()
    torch.testing.assert_close(gh, h.grad)
    torch.testing.assert_close(gw, w.grad)


def _logits(folder, adapter=None, text="What is hypertension?"):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder))
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter))
    model.eval()
    ids = tok(text, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_tiny_overfits_saves_and_reloads_identically(tiny_dir, data_files, make_recipe, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from finetune.train import build, fit, setup

    train_f, _ = data_files
    cfg = parse_config(make_recipe(train_f, train_f, tiny_dir, tmp_path / "run", max_steps=30, lr=3e-2))
    prep = build(setup(cfg, tmp_path), tmp_path)
    res = fit(prep, progress=False)
    # Overfit check: loss on the fixed set goes well down.
    assert res.eval_loss < 0.8 * res.eval_loss_start
    out = tmp_path / "run"
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 30 and metrics["tokens_per_s"] > 0
    assert [h["step"] for h in metrics["history"] if "loss" in h] == list(range(1, 31))
    assert (out / "config.yaml").is_file() and (out / "adapter" / "medbot_adapter.json").is_file()
    meta = json.loads((out / "adapter" / "medbot_adapter.json").read_text())
    assert meta["fingerprint"]["hidden_size"] == 32
    # The in-memory trained model and the reloaded adapter give identical logits.
    prep.model.eval()
    ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
    with torch.no_grad():
        live = prep.model(input_ids=ids).logits
        base = AutoModelForCausalLM.from_pretrained(str(tiny_dir))
        reloaded = PeftModel.from_pretrained(base, str(out / "adapter")).eval()(input_ids=ids).logits
        plain = AutoModelForCausalLM.from_pretrained(str(tiny_dir)).eval()(input_ids=ids).logits
    torch.testing.assert_close(live, reloaded, atol=0, rtol=0)
    # ...and the adapter changes the model's output.
    assert (reloaded - plain).abs().max() > 1e-2


def test_resume_from_checkpoint_matches_uninterrupted_run(tiny_dir, data_files, make_recipe, tmp_path):
    from safetensors.torch import load_file

    train_f, val_f = data_files
    full = parse_config(make_recipe(train_f, val_f, tiny_dir, tmp_path / "a", max_steps=4, save_every=2))
    res_a = train(full, tmp_path, progress=False)
    assert (tmp_path / "a" / "checkpoints" / "step-2" / "medbot_state.json").is_file()
    # A run interrupted after step 2 holds only that checkpoint; it must finish the same way.
    (tmp_path / "b" / "checkpoints").mkdir(parents=True)
    shutil.copytree(tmp_path / "a" / "checkpoints" / "step-2", tmp_path / "b" / "checkpoints" / "step-2")
    resumed = parse_config(make_recipe(train_f, val_f, tiny_dir, tmp_path / "b", max_steps=4, save_every=2))
    res_b = train(resumed, tmp_path, progress=False)
    assert res_b.resumed_from == 2 and res_b.steps == 4
    wa = load_file(str(tmp_path / "a" / "adapter" / "adapter_model.safetensors"))
    wb = load_file(str(tmp_path / "b" / "adapter" / "adapter_model.safetensors"))
    assert wa.keys() == wb.keys()
    for k in wa:
        assert (wa[k] - wb[k]).abs().max() < 1e-6, k
    assert res_a.eval_loss == pytest.approx(res_b.eval_loss, rel=1e-5)


def test_smollm2_few_steps_fixed_seed_loss_goes_down(smol_dir, tmp_path, make_rows, jsonl, make_recipe):
    import torch

    from finetune.train import build, fit, setup

    f = jsonl(tmp_path / "two.jsonl", make_rows()[:2])
    cfg = parse_config(make_recipe(f, f, smol_dir, tmp_path / "smol", max_steps=3, lr=2e-3, batch_size=2))
    cfg.data.max_seq_len = 96
    prep = build(setup(cfg, tmp_path), tmp_path)
    res = fit(prep, progress=False)
    assert res.eval_loss < res.eval_loss_start
    assert (tmp_path / "smol" / "adapter" / "adapter_model.safetensors").is_file()
    ids = torch.tensor([prep.train_rows[0].input_ids])
    prep.model.eval()
    with torch.no_grad():
        tuned = prep.model(input_ids=ids).logits
        with prep.model.disable_adapter():
            plain = prep.model(input_ids=ids).logits
    assert (tuned - plain).abs().max() > 1e-3


def test_qlora_without_cuda_is_user_error(data_files, make_recipe, tiny_dir, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    train_f, _ = data_files
    r = make_recipe(train_f, None, tiny_dir, tmp_path / "q")
    r["lora"]["qlora"] = True
    with pytest.raises(UserError, match="qlora needs a CUDA GPU"):
        train(parse_config(r), tmp_path, progress=False)


def test_unknown_target_module_is_user_error(data_files, make_recipe, tiny_dir, tmp_path):
    train_f, _ = data_files
    r = make_recipe(train_f, None, tiny_dir, tmp_path / "t")
    r["lora"]["target_modules"] = ["q_proj", "attn_qkv"]
    with pytest.raises(UserError, match="attn_qkv"):
        train(parse_config(r), tmp_path, progress=False)


def test_target_modules_per_architecture(tiny_dir):
    from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel

    from finetune.targets import target_modules

    llama = AutoModelForCausalLM.from_pretrained(str(tiny_dir))
    assert target_modules(llama) == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    gpt2 = GPT2LMHeadModel(GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=50))
    assert target_modules(gpt2) == ["c_attn", "c_proj", "c_fc"]
    assert "lm_head" not in target_modules(gpt2, "all-linear")
