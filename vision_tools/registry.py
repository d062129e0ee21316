"""Segmenter registry: names for built-in models, paths for users' models.

`get_segmenter("default")` is medbot's demo brain model. A path selects a wrapper by what it is:
a MONAI bundle folder, a TorchScript file (`.ts`, `.pt`, `.pth`, `.torchscript`) or an ONNX file
(`.onnx`), each with a JSON config (`<model>.json` or `segmenter.json` beside it); a `.pt` state
dict whose `.json` card has a "net" section is a retrained default model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from vision_tools.errors import UserError


def _default(**kw):
    from vision_tools.segmenters.default import DefaultSegmenter

    return DefaultSegmenter(**kw)


# name -> factory; packages or users may add entries.
SEGMENTERS: dict[str, Callable[..., object]] = {"default": _default}


def _config_path(model: Path) -> Path:
    own = model.with_suffix(".json")
    return own if own.is_file() else model.parent / "segmenter.json"


def get_segmenter(name_or_path: str | Path = "default", threads: int | None = None, **kwargs):
    """Build a segmenter from a registered name or a model path.

    Args:
        name_or_path: "default", another registered name, or a path to a user model.
        threads: torch CPU threads for inference (None keeps torch's default).
        kwargs: passed to a registered factory.

    Returns:
        An object following the `Segmenter` protocol.

    Raises:
        UserError: unknown name, missing file, unsupported model type, invalid config.
    """
    segmenter = _build(name_or_path, threads, **kwargs)
    if threads and hasattr(segmenter, "threads"):
        segmenter.threads = threads
    return segmenter


def _build(name_or_path, threads, **kwargs):
    """Build a segmenter for `get_segmenter`."""
    key = str(name_or_path)
    if key in SEGMENTERS:
        return SEGMENTERS[key](threads=threads, **kwargs)
    path = Path(key).expanduser()
    if not path.exists():
        raise UserError(f"unknown segmenter '{key}': not a registered name ({', '.join(sorted(SEGMENTERS))}) nor an existing path")
    from vision_tools.segmenters.bundle import MonaiBundleSegmenter, is_bundle
    from vision_tools.segmenters.config import load_user_config

    if path.is_dir():
        if is_bundle(path):
            return MonaiBundleSegmenter(path)
        models = sorted(p for p in path.iterdir() if p.suffix in (".onnx", ".ts", ".pt", ".pth", ".torchscript"))
        if len(models) != 1:
            raise UserError(f"{path.name}: a model folder must be a MONAI bundle or hold one model file (.onnx/.ts/.pt)")
        path = models[0]
    suffix = path.suffix.lower()
    if suffix == ".onnx":
        from vision_tools.segmenters.onnx import OnnxSegmenter

        return OnnxSegmenter(path, load_user_config(_config_path(path)))
    if suffix in (".ts", ".pt", ".pth", ".torchscript"):
        card = path.with_suffix(".json")
        if suffix == ".pt" and card.is_file():
            try:
                is_default_card = "net" in json.loads(card.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                is_default_card = False
            if is_default_card:
                return _default(weights=path, threads=threads, **kwargs)
        from vision_tools.segmenters.torchscript import TorchScriptSegmenter

        return TorchScriptSegmenter(path, load_user_config(_config_path(path)))
    raise UserError(f"{path.name}: unsupported segmenter file (use a MONAI bundle folder, TorchScript .ts/.pt or ONNX .onnx)")
