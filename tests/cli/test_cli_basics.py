"""The `medbot` command in-process: subcommands, bad input, one-line errors, exit codes."""

import subprocess
import sys

import pytest

from bot.cli import main

EXPECTED = {"ask", "chat", "serve", "history", "followups", "letter", "eval", "doctor"}


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {name}" in out for name in EXPECTED)


def test_help_is_import_light():
    code = ("import sys, bot.cli\n"
            "try:\n    bot.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'gradio', 'chromadb', 'sentence_transformers', 'llama_cpp', 'monai', "
            "'pysam', 'transformers') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "HEAVY []" in out


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_empty_question(capsys):
    assert main(["ask", "   "]) == 2
    assert "empty question" in _err(capsys)


def test_non_utf8_question(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe bad")))
    assert main(["ask", "-"]) == 2
    assert "UTF-8" in _err(capsys)


def test_unknown_model_path(capsys, tmp_path):
    assert main(["ask", "--model", str(tmp_path / "missing.gguf"), "hello"]) == 2
    assert "model file not found" in _err(capsys)


def test_unreachable_url(capsys):
    assert main(["ask", "--model", "http://127.0.0.1:9", "hello"]) == 2
    assert "cannot reach" in _err(capsys)


def test_bad_config_key_exits_2(capsys, medbot_home):
    medbot_home.mkdir()
    (medbot_home / "config.toml").write_text("colour = 'blue'\n")
    assert main(["ask", "hello"]) == 2
    assert "unknown key 'colour'" in _err(capsys)


def test_unknown_flag_is_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ask", "--frobnicate", "x"])
    assert exc.value.code == 2
    assert "unrecognized arguments" in _err(capsys)


def test_history_unknown_conversation(capsys):
    assert main(["history", "export", "nope"]) == 2
    assert "no conversation 'nope'" in _err(capsys)


def test_serve_refuses_open_bind_without_auth(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "--auth-file" in _err(capsys)
