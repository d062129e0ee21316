"""llama.cpp through two Python bindings on the same GGUF: llama-cpp-python (what medbot uses; compiled
from source at install) and llama-cpp-cffi (a prebuilt manylinux wheel).

Each binding runs in its own process (each carries its own copy of llama.cpp) through the same
llama.cpp C calls: same GGUF, threads, context size, batch size, flash attention off, the same
chat-formatted prompt, greedy decoding of a fixed number of tokens. Rounds alternate the two
bindings (lcp, cffi, lcp, cffi, ...) so that the machine's load falls on both alike; the ratio
cffi / llama-cpp-python is printed per round.

The first round also checks what medbot needs from a binding, on each side:
  template  the GGUF's chat template applied by llama.cpp (and, for llama-cpp-python, equal to
            the Jinja2 rendering medbot's backend and prefix cache use)
  grammar   a GBNF grammar constrains greedy output to a JSON object; JSON schema -> grammar
  state     llama_state_save_file / llama_state_load_file into a fresh context give the same next token
  lora      a GGUF LoRA (written here, random, for the same base) changes the logits when applied
            (in a process of its own: a crash is reported as the result)

    .venv/bin/python bench/llm_binding_compare.py --cffi-python /tmp/cffi-venv/bin/python \
        [--model qwen1.5b|smollm2|X.gguf] [--threads 2] [--n-ctx 2048] [--tokens 64] [--rounds 2] [--shim]
        [--json results.json]

"load s" is the binding's import plus the model load.

llama-cpp-cffi is not a medbot dependency: install it in a separate virtualenv
(`python -m venv /tmp/cffi-venv && /tmp/cffi-venv/bin/pip install llama-cpp-cffi cffi`) and pass its
interpreter. Its 0.4.42 wheel needs libstdc++ from GCC >= 14 (symbol `__cxa_call_terminate`); on
an older system `--shim` compiles a two-line library defining that symbol (with `c++`) and preloads
it into the cffi process, for measurement only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MESSAGES = [
    {"role": "system", "content": "You are a careful medical information assistant. Answer in plain words for a "
                                  "patient, say when to see a doctor, and never give doses that are not in the "
                                  "sources. If a symptom could be an emergency, say so first."},
    {"role": "user", "content": "My father is 68 and has had high blood pressure for years. He takes his tablets "
                                "most days but sometimes forgets. What can happen if blood pressure stays high for a "
                                "long time, and what everyday habits help to bring it down? Please explain the "
                                "effects on the heart, the brain, the kidneys and the eyes, one after the other."},
]
GRAMMAR = 'root ::= "{\\"answer\\": \\"" ("yes" | "no") "\\"}"'
SCHEMA = '{"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}}, "required": ["answer"]}'
GRAMMAR_MESSAGES = [{"role": "user", "content": "Is high blood pressure a risk factor for stroke? "
                                                "Reply as JSON with the key answer."}]
SHIM_SOURCE = '#include <exception>\nextern "C" void __cxa_call_terminate(void*) noexcept { std::terminate(); }\n'


class CliError(Exception):
    """Bad setup or input: printed as one line, exit code 2."""


# --------------------------------------------------------------------------------------------------
# worker side: one binding, one process
# --------------------------------------------------------------------------------------------------

class Binding:
    """The llama.cpp C calls the benchmark makes, marshalled for one binding."""

    name = ""

    def __init__(self, model_path: str, n_ctx: int, threads: int):
        self.n_ctx, self.threads = n_ctx, threads
        self.lib.llama_backend_init()
        params = self.lib.llama_model_default_params()
        self.model = self.lib.llama_model_load_from_file(model_path.encode(), params)
        if not self.model:
            raise RuntimeError(f"cannot load {model_path}")
        self.vocab = self.lib.llama_model_get_vocab(self.model)
        self.n_vocab = self.lib.llama_vocab_n_tokens(self.vocab)
        self.ctx = self.new_context()

    def new_context(self):
        p = self.lib.llama_context_default_params()
        p.n_ctx, p.n_batch, p.n_ubatch = self.n_ctx, 512, 512
        p.n_threads = p.n_threads_batch = self.threads
        self.flash_attn_off(p)
        ctx = self.lib.llama_init_from_model(self.model, p)
        if not ctx:
            raise RuntimeError("cannot create a llama.cpp context")
        return ctx

    # -- chat template, tokens -----------------------------------------------------------------
    def chat_prompt(self, messages: list[dict]) -> str:
        tmpl = self.lib.llama_model_chat_template(self.model, self.null)
        size = 8192
        while True:
            msgs, keep = self.chat_messages(messages)
            buf = self.char_buffer(size)
            n = self.lib.llama_chat_apply_template(tmpl, msgs, len(messages), True, buf, size)
            if n < 0:
                raise RuntimeError("llama.cpp does not know this model's chat template")
            if n <= size:
                return self.to_bytes(buf, n).decode("utf-8")
            size = n + 1

    def tokenize(self, text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 16
        buf = self.token_buffer(cap)
        n = self.lib.llama_tokenize(self.vocab, raw, len(raw), buf, cap, True, True)
        if n < 0:
            cap = -n
            buf = self.token_buffer(cap)
            n = self.lib.llama_tokenize(self.vocab, raw, len(raw), buf, cap, True, True)
        return [int(buf[i]) for i in range(n)]

    def piece(self, token: int) -> bytes:
        buf = self.char_buffer(64)
        n = self.lib.llama_token_to_piece(self.vocab, token, buf, 64, 0, False)
        return self.to_bytes(buf, max(n, 0))

    # -- decoding --------------------------------------------------------------------------------
    def decode(self, ctx, tokens: list[int]) -> None:
        for i in range(0, len(tokens), 512):
            chunk = tokens[i:i + 512]
            arr = self.token_array(chunk)
            if self.lib.llama_decode(ctx, self.lib.llama_batch_get_one(arr, len(chunk))) != 0:
                raise RuntimeError("llama_decode failed")

    def sampler(self, grammar: str | None = None):
        chain = self.lib.llama_sampler_chain_init(self.lib.llama_sampler_chain_default_params())
        if grammar:
            g = self.lib.llama_sampler_init_grammar(self.vocab, grammar.encode(), b"root")
            if not g:
                raise RuntimeError("grammar rejected")
            self.lib.llama_sampler_chain_add(chain, g)
        self.lib.llama_sampler_chain_add(chain, self.lib.llama_sampler_init_greedy())
        return chain

    def generate(self, ctx, n: int, grammar: str | None = None) -> tuple[list[int], float]:
        """Greedy tokens after what `ctx` holds, each decoded in turn; (tokens, seconds)."""
        smpl = self.sampler(grammar)
        out: list[int] = []
        t0 = time.perf_counter()
        for _ in range(n):
            tok = int(self.lib.llama_sampler_sample(smpl, ctx, -1))
            if self.lib.llama_vocab_is_eog(self.vocab, tok):
                break
            out.append(tok)
            self.decode(ctx, [tok])
        secs = time.perf_counter() - t0
        self.lib.llama_sampler_free(smpl)
        return out, secs

    def last_logits(self, ctx):
        import numpy as np

        return np.array(self.float_view(self.lib.llama_get_logits_ith(ctx, -1), self.n_vocab), dtype=np.float64)

    # -- binding-specific marshalling (overridden) -----------------------------------------------
    lib = None
    null = None

    def flash_attn_off(self, params) -> None: ...
    def chat_messages(self, messages): ...
    def char_buffer(self, n: int): ...
    def to_bytes(self, buf, n: int) -> bytes: ...
    def token_buffer(self, n: int): ...
    def token_array(self, tokens: list[int]): ...
    def float_view(self, ptr, n: int): ...
    def save_state(self, ctx, path: str, tokens: list[int]) -> bool: ...
    def load_state(self, ctx, path: str, cap: int) -> int: ...
    def apply_lora(self, ctx, path: str) -> bool: ...
    def schema_grammar(self, schema: str) -> str: ...
    def version(self) -> str: ...
    def jinja_prompt(self, messages) -> str | None:
        return None


class LlamaCppPython(Binding):
    name = "llama-cpp-python"

    def __init__(self, *a):
        import ctypes

        import llama_cpp

        self.lib, self.ct = llama_cpp, ctypes
        super().__init__(*a)

    def flash_attn_off(self, p):
        p.flash_attn_type = self.lib.LLAMA_FLASH_ATTN_TYPE_DISABLED  # what medbot's Llama(...) sets

    def chat_messages(self, messages):
        arr = (self.lib.llama_chat_message * len(messages))()
        keep = []
        for i, m in enumerate(messages):
            role, content = m["role"].encode(), m["content"].encode()
            keep += [role, content]
            arr[i].role, arr[i].content = role, content
        return arr, keep

    def char_buffer(self, n):
        return self.ct.create_string_buffer(n)

    def to_bytes(self, buf, n):
        return buf.raw[:n]

    def token_buffer(self, n):
        return (self.lib.llama_token * n)()

    def token_array(self, tokens):
        return (self.lib.llama_token * len(tokens))(*tokens)

    def float_view(self, ptr, n):
        import numpy as np

        return np.ctypeslib.as_array(ptr, shape=(n,))

    def save_state(self, ctx, path, tokens):
        return bool(self.lib.llama_state_save_file(ctx, path.encode(), self.token_array(tokens), len(tokens)))

    def load_state(self, ctx, path, cap):
        out, n = self.token_buffer(cap), self.ct.c_size_t(0)
        ok = self.lib.llama_state_load_file(ctx, path.encode(), out, cap, self.ct.byref(n))
        return int(n.value) if ok else -1

    def apply_lora(self, ctx, path):
        ad = self.lib.llama_adapter_lora_init(self.model, path.encode())
        if not ad:
            return False
        adapters = (self.lib.llama_adapter_lora_p_ctypes * 1)(ad)
        scales = (self.ct.c_float * 1)(1.0)
        return self.lib.llama_set_adapters_lora(ctx, adapters, 1, scales) == 0

    def schema_grammar(self, schema):
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        return json_schema_to_gbnf(schema)

    def version(self):
        return self.lib.__version__

    def jinja_prompt(self, messages):
        """The prompt as medbot's backend formats it (llama-cpp-python's Jinja2 chat formatter)."""
        from llama_cpp import Llama, llama_chat_format

        llm = Llama(model_path=self.model_path, n_ctx=256, vocab_only=True, verbose=False)
        vocab = llm._model

        def text(tok):
            return vocab.token_get_text(tok) if tok >= 0 else ""

        fmt = llama_chat_format.Jinja2ChatFormatter(template=llm.metadata["tokenizer.chat_template"],
                                                    eos_token=text(llm.token_eos()), bos_token=text(llm.token_bos()))
        return fmt(messages=messages).prompt


class LlamaCppCffi(Binding):
    name = "llama-cpp-cffi"

    def __init__(self, *a):
        os.environ.setdefault("LLAMA_CPP_BACKEND", "cpu")
        from llama import ffi, lib  # the package llama-cpp-cffi installs is named `llama`

        self.lib, self.ffi, self.null = lib, ffi, ffi.NULL
        super().__init__(*a)

    def flash_attn_off(self, p):
        p.flash_attn = False

    def chat_messages(self, messages):
        arr = self.ffi.new("struct llama_chat_message[]", len(messages))
        keep = []
        for i, m in enumerate(messages):
            role, content = self.ffi.new("char[]", m["role"].encode()), self.ffi.new("char[]", m["content"].encode())
            keep += [role, content]
            arr[i].role, arr[i].content = role, content
        return arr, keep

    def char_buffer(self, n):
        return self.ffi.new("char[]", n)

    def to_bytes(self, buf, n):
        return bytes(self.ffi.buffer(buf, n))

    def token_buffer(self, n):
        return self.ffi.new("int32_t[]", n)

    def token_array(self, tokens):
        return self.ffi.new("int32_t[]", tokens)

    def float_view(self, ptr, n):
        import numpy as np

        return np.frombuffer(self.ffi.buffer(ptr, 4 * n), dtype=np.float32)

    def save_state(self, ctx, path, tokens):
        return bool(self.lib.llama_state_save_file(ctx, path.encode(), self.token_array(tokens), len(tokens)))

    def load_state(self, ctx, path, cap):
        out, n = self.token_buffer(cap), self.ffi.new("size_t *")
        ok = self.lib.llama_state_load_file(ctx, path.encode(), out, cap, n)
        return int(n[0]) if ok else -1

    def apply_lora(self, ctx, path):
        ad = self.lib.llama_adapter_lora_init(self.model, path.encode())
        if ad == self.ffi.NULL:
            return False
        return self.lib.llama_set_adapter_lora(ctx, ad, 1.0) == 0

    def schema_grammar(self, schema):
        ptr = self.lib.llama_json_schema_to_grammar(schema.encode())
        return self.ffi.string(ptr).decode() if ptr != self.ffi.NULL else ""

    def version(self):
        from importlib.metadata import version

        return version("llama-cpp-cffi")


def _checks(b: Binding, prompt_tokens: list[int], tmp: str) -> dict:
    """What medbot needs from a binding, each check independent of the others."""
    out: dict = {}
    try:
        ctx = b.new_context()
        toks = b.tokenize(b.chat_prompt(GRAMMAR_MESSAGES))
        b.decode(ctx, toks)
        gen, _ = b.generate(ctx, 16, grammar=GRAMMAR)
        text = b"".join(b.piece(t) for t in gen).decode("utf-8", "replace")
        try:
            out["grammar"] = json.loads(text).get("answer") in ("yes", "no")
        except ValueError:
            out["grammar"] = False
        out["grammar_text"] = text
        gbnf = b.schema_grammar(SCHEMA)
        out["json_schema"] = bool(gbnf) and "root" in gbnf
        b.lib.llama_free(ctx)
    except Exception as exc:  # noqa: BLE001 - report the failure as the check's result
        out["grammar"], out["grammar_error"] = False, str(exc)
    head = prompt_tokens[: min(len(prompt_tokens), 64)]
    try:
        ctx = b.new_context()
        b.decode(ctx, head)
        want = int(b.last_logits(ctx).argmax())
        path = os.path.join(tmp, f"{b.name}.kv")
        saved = b.save_state(ctx, path, head)
        ctx2 = b.new_context()
        n = b.load_state(ctx2, path, b.n_ctx)
        b.decode(ctx, [want])
        b.decode(ctx2, [want])  # the loaded state must carry on exactly as the original
        same = int(b.last_logits(ctx).argmax()) == int(b.last_logits(ctx2).argmax())
        out["state"] = bool(saved and n == len(head) and same)
        out["state_bytes"] = os.path.getsize(path) if saved else 0
        b.lib.llama_free(ctx)
        b.lib.llama_free(ctx2)
    except Exception as exc:  # noqa: BLE001
        out["state"], out["state_error"] = False, str(exc)
    return out


def _lora_check(b: Binding, prompt_tokens: list[int], lora: str) -> dict:
    """Apply a GGUF LoRA on a fresh context; it must change the logits of the same prompt. Run in a
    process of its own: a llama.cpp that cannot load the adapter may crash."""
    base, ctx = b.new_context(), b.new_context()
    applied = b.apply_lora(ctx, lora)
    b.decode(base, prompt_tokens)
    b.decode(ctx, prompt_tokens)
    diff = float(abs(b.last_logits(ctx) - b.last_logits(base)).max())
    return {"lora": bool(applied and diff > 1e-3), "lora_max_logit_change": round(diff, 4)}


def worker(args) -> None:
    cls = {"lcp": LlamaCppPython, "cffi": LlamaCppCffi}[args.worker]
    t0 = time.perf_counter()
    b = cls(args.model, args.n_ctx, args.threads)
    b.model_path = args.model
    load_s = time.perf_counter() - t0
    prompt = b.chat_prompt(MESSAGES)
    tokens = b.tokenize(prompt)
    if args.lora:
        print(json.dumps(_lora_check(b, tokens[:64], args.lora)))
        return
    t0 = time.perf_counter()
    b.decode(b.ctx, tokens)
    pp_s = time.perf_counter() - t0
    gen, gen_s = b.generate(b.ctx, args.tokens)
    res = {"binding": b.name, "version": b.version(), "load_s": round(load_s, 2),
           "prompt_tokens": len(tokens), "pp_tok_s": round(len(tokens) / pp_s, 2),
           "gen_tokens": len(gen), "gen_tok_s": round(len(gen) / gen_s, 2) if gen else 0.0,
           "text": b"".join(b.piece(t) for t in gen).decode("utf-8", "replace"), "prompt": prompt,
           "system_info": _system_info(b)}
    if args.checks:
        jinja = b.jinja_prompt(MESSAGES)
        res["template_matches_jinja"] = None if jinja is None else (jinja == prompt)
        with tempfile.TemporaryDirectory() as tmp:
            res["checks"] = _checks(b, tokens, tmp)
    print(json.dumps(res))


def _system_info(b: Binding) -> str:
    raw = b.lib.llama_print_system_info()
    if isinstance(raw, bytes):
        return raw.decode()
    return b.ffi.string(raw).decode()


# --------------------------------------------------------------------------------------------------
# driver side
# --------------------------------------------------------------------------------------------------

def _resolve_model(name: str) -> str:
    path = Path(name).expanduser()
    if path.is_file():
        return str(path)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bot.errors import UserError
    from bot.llm import bundled

    if name not in bundled.MODELS:
        raise CliError(f"model not found: {name} (a .gguf path or one of {', '.join(bundled.MODELS)})")
    try:
        return str(bundled.bundled_gguf(name))
    except UserError as exc:
        raise CliError(str(exc)) from None


def _write_lora(model: str, folder: str) -> str | None:
    """A random rank-4 GGUF LoRA on the attention query of every layer of `model` (None without gguf)."""
    try:
        import gguf
        import numpy as np
    except ImportError:
        return None
    reader = gguf.GGUFReader(model)
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    rng = np.random.default_rng(0)
    path = os.path.join(folder, "check.lora.gguf")
    w = gguf.GGUFWriter(path, arch)
    w.add_string("general.type", "adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", 4.0)
    for t in reader.tensors:
        if t.name.endswith("attn_q.weight"):
            n_in, n_out = (int(x) for x in t.shape[:2])
            w.add_tensor(t.name + ".lora_a", (rng.standard_normal((4, n_in)) * 0.05).astype(np.float32))
            w.add_tensor(t.name + ".lora_b", (rng.standard_normal((n_out, 4)) * 0.05).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def _build_shim(folder: str) -> str:
    src, lib = os.path.join(folder, "shim.cc"), os.path.join(folder, "libcxa_shim.so")
    Path(src).write_text(SHIM_SOURCE)
    try:
        subprocess.run(["c++", "-shared", "-fPIC", "-O2", "-o", lib, src], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise CliError(f"cannot build the libstdc++ shim with c++: {exc}") from None
    return lib


def _probe_cffi(python: str, env: dict) -> None:
    r = subprocess.run([python, "-c", "import llama, llama.llama_cpp"], env=env, capture_output=True, text=True)
    if r.returncode == 0:
        return
    err = (r.stderr.strip().splitlines() or ["?"])[-1]
    if "No module named 'llama'" in err:
        raise CliError(f"llama-cpp-cffi is not installed for {python}: make a separate virtualenv, "
                       "`pip install llama-cpp-cffi cffi` there, and pass --cffi-python <venv>/bin/python")
    if "_cffi_backend" in err:
        raise CliError(f"llama-cpp-cffi is installed for {python} without its cffi runtime: pip install cffi there")
    if "__cxa_call_terminate" in err:
        raise CliError("llama-cpp-cffi's prebuilt library needs libstdc++ from GCC >= 14 "
                       "(undefined symbol __cxa_call_terminate): rerun with --shim")
    raise CliError(f"llama-cpp-cffi does not import with {python}: {err}")


def _worker_cmd(python: str, which: str, args) -> list[str]:
    return [python, os.path.abspath(__file__), "--worker", which, "--model", args.model, "--threads",
            str(args.threads), "--n-ctx", str(args.n_ctx), "--tokens", str(args.tokens)]


def _run(python: str, which: str, args, env: dict, checks: bool) -> dict:
    cmd = _worker_cmd(python, which, args) + (["--checks"] if checks else [])
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise CliError(f"{which} worker failed (exit {r.returncode}): {_last_error(r.stderr)}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _run_lora(python: str, which: str, args, env: dict, lora: str | None) -> dict:
    """The LoRA check in a process of its own; a crash is its result."""
    if lora is None:
        return {"lora": None, "lora_error": "no gguf package to write the test adapter"}
    r = subprocess.run(_worker_cmd(python, which, args) + ["--lora", lora], env=env, capture_output=True, text=True)
    if r.returncode < 0:
        return {"lora": False, "lora_error": f"crashed loading the adapter (signal {-r.returncode})"}
    if r.returncode != 0:
        return {"lora": False, "lora_error": _last_error(r.stderr)}
    return json.loads(r.stdout.strip().splitlines()[-1])


def _last_error(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln or "error" in ln]
    return (errors or lines or ["no message"])[-1].strip()


def _progress(rnd: int, r: dict) -> None:
    print(f"round {rnd + 1} {r['binding']}: prompt {r['pp_tok_s']} tok/s, generation {r['gen_tok_s']} tok/s "
          f"(load average {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen1.5b", help="bundled model name or .gguf path")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--tokens", type=int, default=64, help="greedy tokens to generate")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--python", default=sys.executable, help="interpreter with llama-cpp-python")
    ap.add_argument("--cffi-python", default=sys.executable, help="interpreter with llama-cpp-cffi")
    ap.add_argument("--shim", action="store_true", help="preload a __cxa_call_terminate shim into the cffi process")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results (both bindings, every round) as JSON")
    ap.add_argument("--worker", choices=["lcp", "cffi"], help=argparse.SUPPRESS)
    ap.add_argument("--checks", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--lora", help=argparse.SUPPRESS)  # worker: only the LoRA check, with this adapter
    args = ap.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    try:
        return _drive(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def report(rows: list[tuple[dict, dict]], model: str, threads: int, n_ctx: int, tokens: int) -> None:
    """Print the per-round table, the ratios and the feature checks of (llama-cpp-python, cffi) result pairs."""
    a0, b0 = rows[0]
    print(f"model {model}, threads {threads}, n_ctx {n_ctx}, greedy {tokens} tokens, "
          f"prompt {a0['prompt_tokens']} tokens (cffi: {b0['prompt_tokens']})")
    print(f"  llama-cpp-python {a0['version']}: {a0['system_info'].strip()}")
    print(f"  llama-cpp-cffi   {b0['version']}: {b0['system_info'].strip()}")
    print(f"{'round':>5} {'binding':<17} {'load s':>7} {'pp tok/s':>9} {'gen tok/s':>10}")
    for i, (a, b) in enumerate(rows, 1):
        for r in (a, b):
            print(f"{i:>5} {r['binding']:<17} {r['load_s']:>7.2f} {r['pp_tok_s']:>9.2f} {r['gen_tok_s']:>10.2f}")
        print(f"{'':>5} {'ratio cffi/lcp':<17} {'':>7} {b['pp_tok_s'] / a['pp_tok_s']:>8.2f}x "
              f"{b['gen_tok_s'] / a['gen_tok_s']:>9.2f}x")
    print(f"same prompt text: {a0['prompt'] == b0['prompt']}; llama.cpp template == medbot's Jinja2 rendering: "
          f"{a0.get('template_matches_jinja')}; same greedy text: {a0['text'] == b0['text']}")
    for r in (a0, b0):
        c = r.get("checks", {})
        print(f"  {r['binding']:<17} grammar {c.get('grammar')} ({c.get('grammar_text', c.get('grammar_error'))!r}), "
              f"json_schema {c.get('json_schema')}, state {c.get('state')} ({c.get('state_bytes', c.get('state_error'))}), "
              f"lora {c.get('lora')} ({c.get('lora_max_logit_change', c.get('lora_error'))})")


def _drive(args) -> int:
    if args.threads < 1 or args.tokens < 1 or args.rounds < 1 or args.n_ctx < 256:
        raise CliError("--threads, --tokens and --rounds must be >= 1 and --n-ctx >= 256")
    args.model = _resolve_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        cffi_env = dict(env, LLAMA_CPP_BACKEND="cpu")
        if args.shim:
            cffi_env["LD_PRELOAD"] = _build_shim(tmp)
        _probe_cffi(args.cffi_python, cffi_env)
        lora = _write_lora(args.model, tmp)
        rows = []
        for rnd in range(args.rounds):
            a = _run(args.python, "lcp", args, env, rnd == 0)
            _progress(rnd, a)
            b = _run(args.cffi_python, "cffi", args, cffi_env, rnd == 0)
            _progress(rnd, b)
            rows.append((a, b))
        rows[0][0]["checks"].update(_run_lora(args.python, "lcp", args, env, lora))
        rows[0][1]["checks"].update(_run_lora(args.cffi_python, "cffi", args, cffi_env, lora))
    if args.json:
        Path(args.json).write_text(json.dumps([{"lcp": a, "cffi": b} for a, b in rows], indent=1) + "\n")
    report(rows, Path(args.model).name, args.threads, args.n_ctx, args.tokens)
    return 0


if __name__ == "__main__":
    sys.exit(main())
