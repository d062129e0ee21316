"""The KV state of a chat's fixed opening, saved to disk so that a fresh process skips evaluating it.

A `medbot ask` starts with an empty KV cache, and prompt evaluation is the slow part on a CPU
(about 45 tokens/s for the 1.5B model on 2 cores): the system prompt and the opening of the user
message, the same on every question of a role, cost it seconds each time. The first process that
meets an opening evaluates it and saves llama.cpp's state (a few MB); later processes load it,
and llama-cpp-python's own longest-prefix match then evaluates only what follows. A warm process
(the web chat) already keeps the opening in its KV cache; the file is read when the cache holds
no opening or another one (the other role's).

The opening is found as the common token prefix of the chat formatted with two different last
user messages; the file name hashes the model file, the adapter, the context size, the
llama-cpp-python version and those tokens, so any change of model or prompt gets its own file.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Sequence

from bot.llm.base import common_prefix

log = logging.getLogger(__name__)

MIN_TOKENS = 32  # shorter openings cost less to evaluate than to look up
KEEP_FILES = 16  # newest state files kept per folder (each a few MB)
_PROBES = ("\x01", "\x02")


class PrefixState:
    """Saved openings of one loaded model, kept in `folder`."""

    def __init__(self, llm: Any, folder: Path, identity: str):
        """
        Args:
            llm: a `llama_cpp.Llama`.
            folder: where the state files live (created on first save).
            identity: what else the state depends on (model path, size and mtime, adapter).
        """
        self.llm = llm
        self.folder = Path(folder)
        self.identity = identity
        self.enabled = True
        self._formatter = None
        self.last: str | None = None  # "loaded", "saved" or None: what the last call did (tests, doctor)

    def prepare(self, messages: list[dict[str, Any]]) -> int:
        """Before a completion: make sure the KV cache holds the opening of `messages` (system
        prompt and the start of the user message), loading it from its file, or evaluating it and
        saving the file. Only single-question chats (system messages, then one user message) have
        a fixed opening; others are left to llama-cpp-python's prefix match.

        Returns:
            The number of opening tokens now in the KV cache (0: nothing was done).
        """
        self.last = None
        if not self.enabled or not messages or messages[-1].get("role") != "user" \
                or any(m.get("role") != "system" for m in messages[:-1]):
            return 0
        try:
            tokens = self._opening(messages)
        except Exception as exc:  # noqa: BLE001 - an unknown chat template: go on without the cache
            log.debug("no saved opening: %s", exc)
            self.enabled = False
            return 0
        if len(tokens) < MIN_TOKENS:
            return 0
        cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
        if common_prefix(cached, tokens) == len(tokens):
            return len(tokens)  # a warm context already holds it
        path = self.folder / f"{self._key(tokens)}.kv"
        if path.is_file() and self._load(path, tokens):
            self.last = "loaded"
            return len(tokens)
        keep = common_prefix(cached, tokens)
        self.llm.n_tokens = keep  # eval() drops the KV cache beyond n_tokens
        self.llm.eval(tokens[keep:])
        if self._save(path, tokens):
            self.last = "saved"
            self._prune()
        return len(tokens)

    def _formatted(self, messages: list[dict[str, Any]]) -> list[int]:
        """The tokens llama-cpp-python's chat handler gives `messages` (GGUF chat template)."""
        if self._formatter is None:
            from llama_cpp import llama_chat_format

            meta = self.llm.metadata
            template = meta["tokenizer.chat_template"]
            vocab = self.llm._model

            def text(tok: int) -> str:
                return vocab.token_get_text(tok) if tok >= 0 else ""

            self._formatter = llama_chat_format.Jinja2ChatFormatter(
                template=template, eos_token=text(self.llm.token_eos()), bos_token=text(self.llm.token_bos()),
                stop_token_ids=[self.llm.token_eos()])
        result = self._formatter(messages=messages)
        return self.llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)

    def _opening(self, messages: list[dict[str, Any]]) -> list[int]:
        """The tokens shared by every chat that differs from `messages` only in its last user text."""
        a, b = ([*messages[:-1], {"role": "user", "content": probe}] for probe in _PROBES)
        ta, tb = self._formatted(a), self._formatted(b)
        return ta[:common_prefix(ta, tb)]

    def _key(self, tokens: Sequence[int]) -> str:
        import llama_cpp

        h = hashlib.sha256(f"{self.identity}|{self.llm.n_ctx()}|{llama_cpp.__version__}|".encode())
        h.update(b",".join(str(t).encode() for t in tokens))
        return h.hexdigest()[:32]

    def _load(self, path: Path, tokens: Sequence[int]) -> bool:
        import llama_cpp

        self._reset()
        cap = len(tokens) + 1
        out = (llama_cpp.llama_token * cap)()
        n = ctypes.c_size_t(0)
        try:
            ok = llama_cpp.llama_state_load_file(self.llm.ctx, str(path).encode(), out, cap, ctypes.byref(n))
        except Exception as exc:  # noqa: BLE001 - a bad file is re-made
            log.debug("cannot load %s: %s", path, exc)
            ok = False
        if not ok or list(out[: n.value]) != list(tokens):
            self._reset()
            path.unlink(missing_ok=True)
            return False
        self.llm.input_ids[: len(tokens)] = tokens
        self.llm.n_tokens = len(tokens)
        return True

    def _save(self, path: Path, tokens: Sequence[int]) -> bool:
        import llama_cpp

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
            arr = (llama_cpp.llama_token * len(tokens))(*tokens)
            if not llama_cpp.llama_state_save_file(self.llm.ctx, str(tmp).encode(), arr, len(tokens)):
                tmp.unlink(missing_ok=True)
                return False
            os.replace(tmp, path)  # a concurrent reader never sees a half-written state
            return True
        except OSError as exc:
            log.debug("cannot save %s: %s", path, exc)
            return False

    def _prune(self) -> None:
        """Keep the newest KEEP_FILES state files (prompt or model changes leave old ones behind)."""
        try:
            files = sorted(self.folder.glob("*.kv"), key=lambda f: f.stat().st_mtime, reverse=True)
            for old in files[KEEP_FILES:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass

    def _reset(self) -> None:
        """Empty the context after a failed load (whatever it left in the KV cache is dropped)."""
        self.llm.reset()
        self.llm._ctx.kv_cache_clear()
