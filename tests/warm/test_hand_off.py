"""`medbot ask` / `medbot chat` hand turns to a warm medbot: same output, queueing, refusals."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from bot.cli import main

QUESTION = "I have had a headache since yesterday"


def _ask_json(capsys, *flags) -> dict:
    capsys.readouterr()
    assert main(["ask", "--json", *flags, QUESTION]) == 0
    return json.loads(capsys.readouterr().out)


def _same_but_ids(a: dict, b: dict) -> None:
    a, b = dict(a), dict(b)
    assert a.pop("conversation_id") != b.pop("conversation_id")
    assert a == b


def test_ask_json_is_identical_warm_or_in_process(warm, capsys):
    cold = _ask_json(capsys, "--no-warm")
    assert warm.spy.turns == 0
    handed = _ask_json(capsys)
    assert warm.spy.turns == 1
    assert set(handed) >= {"answer", "citations", "triage", "tool_calls", "model", "conversation_id", "followup"}
    _same_but_ids(cold, handed)
    assert handed["model"] == "scripted"


def test_ask_text_output_is_identical(warm, capsys):
    capsys.readouterr()
    assert main(["ask", "--no-warm", QUESTION]) == 0
    cold = capsys.readouterr().out
    assert main(["ask", QUESTION]) == 0
    handed = capsys.readouterr().out
    assert warm.spy.turns == 1
    ids = re.compile(r"\b[0-9a-f]{8,32}\b")
    assert ids.sub("ID", cold) == ids.sub("ID", handed)
    assert "(conversation " in handed and "model scripted" in handed


def test_the_warm_turn_is_stored_in_the_home(warm, capsys):
    out = _ask_json(capsys)
    capsys.readouterr()
    assert main(["history", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert out["conversation_id"] in json.dumps(rows)


@pytest.mark.parametrize("flags", [["--max-tokens", "17"], ["--model", "smollm2-other.gguf"], ["--temperature", "0.9"]])
def test_other_settings_run_in_process(warm, capsys, flags, monkeypatch):
    capsys.readouterr()
    main(["ask", "--json", *flags, QUESTION])
    assert warm.spy.turns == 0


def test_another_home_runs_in_process(warm, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDBOT_HOME", str(tmp_path / "other-home"))
    _ask_json(capsys)
    assert warm.spy.turns == 0


def test_errors_are_the_same_warm_or_in_process(warm, capsys):
    capsys.readouterr()
    assert main(["ask", "--no-warm", "--conversation", "nope", QUESTION]) == 2
    cold = capsys.readouterr().err
    assert main(["ask", "--conversation", "nope", QUESTION]) == 2
    handed = capsys.readouterr().err
    assert warm.spy.turns == 1
    assert handed == cold == "medbot: error: no conversation 'nope'\n"


def test_follow_up_accepted_with_yes_after_a_warm_turn(warm, capsys):
    out = _ask_json(capsys, "--yes")
    assert warm.spy.turns == 1
    assert out["followup"]["status"] == "scheduled" and out["followup"]["id"]
    assert main(["followups", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == out["followup"]["id"]


def test_a_waiting_turn_is_told_so_then_answered(warm, medbot_home):
    from bot.config import load_settings
    from bot.warm.client import open_turn, queued_text

    warm.lock.acquire()  # the model is busy with another turn
    try:
        turn = open_turn(load_settings(), QUESTION)
        assert turn is not None
        events = turn.events()
        first = next(events)
        assert first.kind == "queued" and first.data["ahead"] == 1
        assert queued_text(first.data) == "(medbot is answering another question; yours is next)"
    finally:
        warm.lock.release()
    rest = list(events)
    assert rest[-1].kind == "done" and rest[-1].data.to_json()["answer"]
    assert [e.kind for e in rest].count("token") >= 1


def test_queued_turn_prints_on_stderr(warm, capsys):
    import threading

    warm.lock.acquire()
    threading.Timer(1.0, warm.lock.release).start()
    capsys.readouterr()
    assert main(["ask", "--json", QUESTION]) == 0
    captured = capsys.readouterr()
    assert "yours is next" in captured.err
    assert json.loads(captured.out)["answer"]  # stdout stays one JSON object


def test_warming_up_is_named(warm):
    from bot.warm.client import queued_text

    assert queued_text({"ahead": 1, "warming": True}) == "(medbot is loading the model; your question is next)"
    assert queued_text({"ahead": 3}) == "(medbot is answering other questions; 3 are ahead of yours)"


def test_chat_hands_each_turn_over(warm, capsys, monkeypatch):
    # the first answer proposes a check-in: "n" declines it
    lines = iter(["I have had a headache since yesterday", "n", "What helps a sore throat?", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert warm.spy.turns == 2
    assert "No follow-up scheduled." in out
    assert out.count("medbot> ") == 2 and "resume with: medbot chat --resume" in out


def test_chat_without_warm_runs_in_process(warm, capsys, monkeypatch):
    lines = iter(["Is it serious?", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert main(["chat", "--no-warm"]) == 0
    assert warm.spy.turns == 0
    assert "medbot> " in capsys.readouterr().out


def test_socket_is_owner_only(warm, runtime_dir):
    folder = warm.path.parent
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(warm.path).st_mode) == 0o600
    assert str(warm.path).startswith(str(runtime_dir))


def test_a_folder_open_to_others_is_not_used(medbot_home, runtime_dir, capsys):
    from bot.config import load_settings
    from bot.errors import UserError
    from bot.warm.client import open_turn
    from bot.warm.server import WarmServer

    folder = runtime_dir / f"medbot-{os.getuid()}"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    settings = load_settings()
    with pytest.raises(UserError, match="mode 0700"):
        WarmServer(settings, object()).start()
    assert open_turn(settings, QUESTION) is None
    assert _ask_json(capsys)["answer"]  # in-process


def test_other_uid_is_refused(medbot_home, capsys):
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.warm.server import WarmServer

    settings = load_settings()
    with WarmServer(settings, Agent(settings), allowed_uid=os.getuid() + 1):
        capsys.readouterr()
        assert main(["ask", QUESTION]) == 2
        assert capsys.readouterr().err == f"medbot: error: this warm medbot serves uid {os.getuid() + 1} only\n"


def test_one_warm_medbot_per_home(warm):
    from bot.errors import UserError
    from bot.warm.server import WarmServer

    with pytest.raises(UserError, match=rf"already serves .* \(pid {os.getpid()}\): `medbot stop` ends it"):
        WarmServer(warm.settings, object()).start()


def test_stop(warm, capsys):
    assert main(["stop"]) == 0
    assert capsys.readouterr().out == f"stopped the warm medbot (pid {os.getpid()})\n"
    assert not warm.path.exists()
    assert main(["stop"]) == 0
    assert "no warm medbot runs for" in capsys.readouterr().out
    _ask_json(capsys)
    assert warm.spy.turns == 0


def test_a_stale_socket_is_ignored_and_replaced(medbot_home, capsys):
    import socket

    from bot.agent import Agent
    from bot.config import load_settings
    from bot.warm.paths import socket_path
    from bot.warm.server import WarmServer

    settings = load_settings()
    path = socket_path(settings.home, settings.user, create=True)
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # a socket file nobody listens on (its process died)
    assert _ask_json(capsys)["answer"]
    from bot.warm.client import hello

    assert hello(settings) is None
    with WarmServer(settings, Agent(settings)) as server:
        assert server.path == path
        assert hello(settings)["pid"] == os.getpid()
