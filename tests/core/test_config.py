import pytest

from bot.config import load_settings
from bot.errors import UserError


def test_defaults_use_medbot_home(medbot_home):
    s = load_settings()
    assert s.home == medbot_home
    assert s.role == "patient" and s.emergency == "911"


def test_precedence_file_then_env_then_flags(medbot_home, monkeypatch):
    medbot_home.mkdir()
    (medbot_home / "config.toml").write_text('max_tokens = 100\nlocale = "en-GB"\n[retrieval]\nk = 7\n')
    s = load_settings()
    assert (s.max_tokens, s.emergency, s.retrieval.k) == (100, "999", 7)
    monkeypatch.setenv("MEDBOT_MAX_TOKENS", "200")
    monkeypatch.setenv("MEDBOT_RETRIEVAL__K", "3")
    s = load_settings()
    assert (s.max_tokens, s.retrieval.k) == (200, 3)
    s = load_settings({"max_tokens": 50})
    assert s.max_tokens == 50 and s.locale == "en-GB"


def test_unknown_keys_are_named(medbot_home, monkeypatch):
    medbot_home.mkdir()
    (medbot_home / "config.toml").write_text("modle = 'x.gguf'\n[retrieval]\nkk = 2\n")
    with pytest.raises(UserError) as exc:
        load_settings()
    assert "modle" in str(exc.value) and "retrieval.kk" in str(exc.value)
    (medbot_home / "config.toml").unlink()
    monkeypatch.setenv("MEDBOT_TEMPERATUR", "0.1")
    with pytest.raises(UserError, match="temperatur"):
        load_settings()


def test_bad_value_and_bad_toml(medbot_home):
    medbot_home.mkdir()
    (medbot_home / "config.toml").write_text("role = 'surgeon'\n")
    with pytest.raises(UserError, match="role"):
        load_settings()
    (medbot_home / "config.toml").write_text("role = \n")
    with pytest.raises(UserError, match="cannot parse"):
        load_settings()


def test_emergency_number_override():
    assert load_settings({"locale": "de-DE"}).emergency == "112"
    assert load_settings({"emergency_number": "000"}).emergency == "000"
