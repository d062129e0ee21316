"""A user's MONAI bundle folder (configs/ + models/), run on CPU.

The network comes from `network_def` in `configs/inference.json|yaml` and the weights from
`models/model.ts` (TorchScript) or `models/model.pt` (state dict). Label names, channels and
spacing come from `configs/metadata.json` where present; a `segmenter.json` in the bundle folder
(same keys as any user model config) overrides them and declares the domain.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.segmenters.config import parse_user_config
from vision_tools.segmenters.configured import ConfiguredSegmenter


def is_bundle(path: Path) -> bool:
    """True for a folder laid out like a MONAI bundle."""
    return path.is_dir() and (path / "configs").is_dir() and (path / "models").is_dir()


def _metadata_config(folder: Path) -> dict:
    """Config keys derived from configs/metadata.json (labels, channels)."""
    meta_path = folder / "configs" / "metadata.json"
    if not meta_path.is_file():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UserError(f"{folder.name}: configs/metadata.json is not valid JSON") from None
    fmt = meta.get("network_data_format", {})
    out: dict = {}
    image = fmt.get("inputs", {}).get("image", {})
    if image.get("num_channels"):
        out["in_channels"] = int(image["num_channels"])
    if image.get("spatial_shape") and len(image["spatial_shape"]) in (2, 3):
        out["spatial_dims"] = len(image["spatial_shape"])
    pred = fmt.get("outputs", {}).get("pred", {})
    channel_def = pred.get("channel_def") or {}
    labels = {int(k): str(v) for k, v in channel_def.items() if str(k).isdigit() and int(k) > 0}
    if labels:
        out["labels"] = labels
    return out


class MonaiBundleSegmenter(ConfiguredSegmenter):
    """Runs a MONAI bundle's network.

    Raises:
        UserError: not a bundle, no network or weights, or no declared domain.
    """

    def __init__(self, folder: Path):
        import torch

        cfg_path = folder / "segmenter.json"
        derived = _metadata_config(folder)
        if cfg_path.is_file():
            try:
                user = json.loads(cfg_path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise UserError(f"{folder.name}/segmenter.json: not valid JSON ({exc})") from None
            config = parse_user_config({**derived, **user} if isinstance(user, dict) else user, f"{folder.name}/segmenter.json")
        else:
            raise UserError(f"{folder.name}: a MONAI bundle needs a segmenter.json declaring its modalities (domain) "
                            "and, if metadata.json lacks them, its labels")
        super().__init__(config, folder.name)
        ts = folder / "models" / "model.ts"
        pt = folder / "models" / "model.pt"
        if ts.is_file():
            self.net = torch.jit.load(str(ts), map_location="cpu").eval()
            return
        if not pt.is_file():
            raise UserError(f"{folder.name}: no models/model.ts or models/model.pt in the bundle")
        from monai.bundle import ConfigParser

        configs = [p for p in (folder / "configs").iterdir() if p.stem == "inference" and p.suffix in (".json", ".yaml", ".yml")]
        if not configs:
            raise UserError(f"{folder.name}: no configs/inference.json or .yaml with a network_def")
        parser = ConfigParser()
        parser.read_config(str(configs[0]))
        parser["bundle_root"] = str(folder)
        try:
            net = parser.get_parsed_content("network_def", instantiate=True)
        except Exception as exc:  # noqa: BLE001 - bundle configs can fail in many ways
            raise UserError(f"{folder.name}: cannot build network_def ({str(exc).strip().splitlines()[0][:150]})") from None
        state = torch.load(str(pt), map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
            state = state["model"]
        try:
            net.load_state_dict(state)
        except RuntimeError as exc:
            raise UserError(f"{folder.name}: models/model.pt does not fit network_def ({str(exc).splitlines()[0][:150]})") from None
        self.net = net.eval()

    def _predict(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self.net(torch.from_numpy(np.ascontiguousarray(x))).float().numpy()
