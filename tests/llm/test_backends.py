"""The three real backends on the bundled SmolLM2 GGUF (llama.cpp, transformers via gguf_file=, and
llama-cpp-python's OpenAI-compatible server) plus backend selection and bad input."""

import pytest

from bot.config import load_settings
from bot.errors import UserError
from bot.llm import load_backend, resolve_backend_name
from bot.llm.transformers_backend import parse_tool_calls

MSGS = [{"role": "system", "content": "You are a concise assistant."},
        {"role": "user", "content": "Name one fruit."}]


def test_backend_is_chosen_by_model_flag(tmp_path):
    assert resolve_backend_name(load_settings()) == "llamacpp"
    assert resolve_backend_name(load_settings({"model": "qwen1.5b"})) == "llamacpp"
    assert resolve_backend_name(load_settings({"model": "smollm2"})) == "llamacpp"
    assert resolve_backend_name(load_settings({"model": "x.gguf"})) == "llamacpp"
    assert resolve_backend_name(load_settings({"model": "https://host:8000"})) == "openai"
    assert resolve_backend_name(load_settings({"model": str(tmp_path)})) == "transformers"


def test_llamacpp_streams_with_chat_template():
    backend = load_backend(load_settings({"model": "smollm2", "max_tokens": 16, "temperature": 0.0}))
    assert backend.is_demo and backend.name.endswith(".gguf")
    chunks = list(backend.stream(MSGS))
    text = "".join(c.text for c in chunks)
    assert len(chunks) > 2 and text.strip()
    assert chunks[-1].finish_reason in ("stop", "length")
    # the chat template is applied: the prompt the model saw carries SmolLM2's <|im_start|> markers
    assert "<|im_start|>" in backend.llm.metadata.get("tokenizer.chat_template", "")
    again = backend.complete(MSGS)
    assert again.text == text  # temperature 0 and a fixed seed: deterministic


def test_llamacpp_unknown_path_is_user_error(tmp_path):
    with pytest.raises(UserError, match="model file not found"):
        load_backend(load_settings({"model": str(tmp_path / "nope.gguf")}))
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf")
    with pytest.raises(UserError, match="cannot load GGUF"):
        load_backend(load_settings({"model": str(bad)}))


def test_openai_backend_against_real_local_server(llama_server):
    backend = load_backend(load_settings({"model": llama_server, "max_tokens": 16, "temperature": 0.0,
                                          "safety": {"redact_remote": False}}))
    assert backend.model_name == "smollm2"
    chunks = list(backend.stream(MSGS))
    assert sum(1 for c in chunks if c.text) > 2
    assert "".join(c.text for c in chunks).strip()


def test_openai_backend_bad_inputs(llama_server):
    with pytest.raises(UserError, match="cannot reach"):
        load_backend(load_settings({"model": "http://127.0.0.1:9", "safety": {"redact_remote": False}}))
    with pytest.raises(UserError, match="not served"):
        load_backend(load_settings({"model": llama_server, "model_name": "gpt-9",
                                    "safety": {"redact_remote": False}}))


def test_transformers_backend_loads_the_gguf(gguf_path):
    from bot.llm.transformers_backend import TransformersBackend

    backend = TransformersBackend(str(gguf_path), device="cpu", defaults={"max_tokens": 8, "temperature": 0.0})
    text = backend.complete(MSGS).text
    assert text.strip()
    ids = backend.encode(MSGS)["input_ids"][0]
    assert "<|im_start|>assistant" in backend.tokenizer.decode(ids)


def test_transformers_missing_folder_is_user_error(tmp_path):
    with pytest.raises(UserError, match="config.json"):
        load_backend(load_settings({"model": str(tmp_path)}))


def test_parse_tool_calls():
    text, calls = parse_tool_calls('Sure.<tool_call>\n{"name": "lookup_icd10", "arguments": {"query": "I21"}}\n'
                                   '</tool_call>')
    assert text == "Sure."
    assert calls == [{"id": "call_0", "name": "lookup_icd10", "arguments": {"query": "I21"}}]
    assert parse_tool_calls("<tool_call>{broken</tool_call>")[1] == []
