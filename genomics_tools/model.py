"""The genotype CNN: pileup tensor (C x W) + site features -> P(hom-ref, het, hom-alt).

Weights travel as a `.pt` state dict beside a JSON card that records the architecture arguments,
the training command, seed, regions and metrics; `load_model` rebuilds the network from the card.
"""

from __future__ import annotations

import json
from pathlib import Path

from genomics_tools.errors import UserError

GENOTYPES = ("0/0", "0/1", "1/1")
DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "cnn_caller.pt"


def build_model(in_channels: int = 22, n_site: int = 12, width: int = 32, hidden: int = 64, dropout: float = 0.1):
    """Build the CNN.

    Args:
        in_channels: tensor channels C.
        n_site: length of the site feature vector.
        width: convolution channels.
        hidden: units of the classifier's hidden layer.
        dropout: dropout before the output layer.

    Returns:
        A torch module mapping (tensors (B, C, W), site (B, n_site)) to logits (B, 3).
    """
    import torch
    from torch import nn

    class PileupCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Sequential(
                nn.Conv1d(in_channels, width, 3, padding=1), nn.BatchNorm1d(width), nn.ReLU(),
                nn.Conv1d(width, width, 3, padding=1), nn.BatchNorm1d(width), nn.ReLU(),
                nn.Conv1d(width, width, 3, padding=2, dilation=2), nn.BatchNorm1d(width), nn.ReLU(),
                nn.Conv1d(width, width, 3, padding=4, dilation=4), nn.BatchNorm1d(width), nn.ReLU(),
            )
            self.head = nn.Sequential(
                nn.Linear(width * 3 + n_site, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 3))

        def forward(self, x, site):
            h = self.conv(x)
            c = h.shape[-1] // 2
            pooled = torch.cat([h[:, :, c], h.mean(dim=-1), h.amax(dim=-1), site], dim=1)
            return self.head(pooled)

    return PileupCNN()


def card_path(weights: str | Path) -> Path:
    """The JSON card that belongs to a weights file."""
    return Path(weights).with_suffix(".json")


def load_model(weights: str | Path | None = None):
    """Load weights and their card.

    Returns:
        (model in eval mode, card dict).

    Raises:
        UserError: missing or unreadable weights or card.
    """
    import torch

    path = Path(weights) if weights else DEFAULT_WEIGHTS
    card_file = card_path(path)
    if not path.is_file() or not card_file.is_file():
        raise UserError(f"caller weights not found: {path} (train them with `medbot train-caller`)")
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
        model = build_model(**card.get("architecture", {}))
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise UserError(f"cannot load caller weights {path}: {str(exc).splitlines()[0]}") from None
    model.eval()
    return model, card


def predict_probs(model, tensors, site, batch_size: int = 4096):
    """Genotype probabilities (N, 3) for arrays of tensors and site features."""
    import numpy as np
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(tensors), batch_size):
            x = torch.from_numpy(np.asarray(tensors[i:i + batch_size], dtype=np.float32))
            s = torch.from_numpy(np.asarray(site[i:i + batch_size], dtype=np.float32))
            out.append(torch.softmax(model(x, s), dim=1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 3), dtype=np.float32)
