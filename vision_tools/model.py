"""The default network: a 2.5D MONAI UNet on axial slices of a 2 mm RAS grid.

Why 2.5D: a 2D UNet that sees a few neighbouring slices as channels gets most of the 3D context
for tissue boundaries and lesion shape at a fraction of a 3D net's CPU cost, so it trains in
minutes on two CPU cores and segments a whole brain in about a second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Label values of the default model. Tissue labels come from nilearn's MNI152 probability maps
# (see vision_tools.training.labels); "lesion" is a finding, measured component by component.
DEFAULT_LABELS = {1: "csf", 2: "grey matter", 3: "white matter", 4: "lesion"}
DEFAULT_FINDINGS = [4]


@dataclass
class NetConfig:
    """Hyper-parameters of the default 2.5D UNet (stored in the model card).

    Attributes:
        context: neighbouring axial slices on each side given as extra channels (2 -> 5 channels).
        spacing_mm: isotropic grid the network works on.
        channels: feature maps per UNet level.
        strides: down-sampling per level (len(channels) - 1 entries).
        num_res_units: residual units per block.
        labels: label value -> name (background 0 excluded).
        findings: label values measured as separate findings.
    """

    context: int = 2
    spacing_mm: float = 2.0
    channels: tuple[int, ...] = (12, 24, 48, 96)
    strides: tuple[int, ...] = (2, 2, 2)
    num_res_units: int = 1
    labels: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_LABELS))
    findings: list[int] = field(default_factory=lambda: list(DEFAULT_FINDINGS))

    @property
    def in_channels(self) -> int:
        return 2 * self.context + 1

    @property
    def out_channels(self) -> int:
        return max(self.labels) + 1

    @property
    def multiple(self) -> int:
        """Slice sizes must be multiples of this (product of strides)."""
        m = 1
        for s in self.strides:
            m *= s
        return m

    def to_dict(self) -> dict:
        d = asdict(self)
        d["channels"], d["strides"] = list(self.channels), list(self.strides)
        d["labels"] = {str(k): v for k, v in self.labels.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "NetConfig":
        d = dict(d)
        d["channels"], d["strides"] = tuple(d["channels"]), tuple(d["strides"])
        d["labels"] = {int(k): v for k, v in d["labels"].items()}
        return cls(**d)


def build_network(cfg: NetConfig):
    """A MONAI 2D UNet: input (B, 2*context+1, H, W) normalised T1 -> logits (B, labels+1, H, W)."""
    from monai.networks.nets import UNet

    return UNet(spatial_dims=2, in_channels=cfg.in_channels, out_channels=cfg.out_channels,
                channels=cfg.channels, strides=cfg.strides, num_res_units=cfg.num_res_units, norm="batch")


def slice_stack(volume, context: int):
    """Stack each axial slice with `context` neighbours per side as channels.

    Args:
        volume: torch tensor (X, Y, Z), normalised.
        context: neighbours per side (edges replicate the border slice).

    Returns:
        Tensor (Z, 2*context+1, X, Y).
    """
    import torch

    z = volume.shape[2]
    idx = torch.arange(z)[:, None] + torch.arange(-context, context + 1)[None, :]
    idx = idx.clamp(0, z - 1)
    return volume.permute(2, 0, 1)[idx]  # (Z, C, X, Y)
