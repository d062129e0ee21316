"""Group encoded samples into fixed-length rows and collate them into tensors.

With packing, several samples share one row (first-fit decreasing). Each sample's `position_ids`
restart at 0, and no attention mask is passed: transformers then builds a block-diagonal causal
mask from the position ids (sdpa/eager) or uses them as varlen boundaries (flash-attention), so
samples never attend to each other. Padding is its own segment with label -100.
"""

from __future__ import annotations

import random
from typing import Any

from finetune.data.encoding import IGNORE, Encoded


def pack(samples: list[Encoded], max_len: int, packing: bool = True) -> list[list[Encoded]]:
    """Rows of samples, each row's total length <= `max_len`.

    Args:
        samples: encoded samples, each at most `max_len` long.
        packing: False puts one sample per row.

    Returns:
        Rows in a deterministic order (longest first for packing).
    """
    if not packing:
        return [[s] for s in samples]
    order = sorted(samples, key=lambda s: (-len(s.input_ids), s.index))
    rows: list[list[Encoded]] = []
    free: list[int] = []
    for s in order:
        n = len(s.input_ids)
        for i, room in enumerate(free):
            if n <= room:
                rows[i].append(s)
                free[i] -= n
                break
        else:
            rows.append([s])
            free.append(max_len - n)
    return rows


def collate(rows: list[list[Encoded]], pad_id: int, length: int | None = None) -> dict[str, Any]:
    """Tensors `input_ids`, `labels`, `position_ids` (all [B, L]) and `n_tokens` (real tokens).

    Args:
        rows: packed rows (see `pack`).
        pad_id: token id for padding.
        length: pad every row to this length (default: the longest row).
    """
    import torch

    L = length or max(sum(len(s.input_ids) for s in r) for r in rows)
    ids = torch.full((len(rows), L), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), L), IGNORE, dtype=torch.long)
    pos = torch.zeros((len(rows), L), dtype=torch.long)
    n_tokens = 0
    for b, row in enumerate(rows):
        at = 0
        for s in row:
            n = len(s.input_ids)
            ids[b, at:at + n] = torch.tensor(s.input_ids)
            labels[b, at:at + n] = torch.tensor(s.labels)
            pos[b, at:at + n] = torch.arange(n)
            at += n
        n_tokens += at
        if at < L:
            pos[b, at:] = torch.arange(L - at)
    return {"input_ids": ids, "labels": labels, "position_ids": pos, "n_tokens": n_tokens}


def batches(rows: list[list[Encoded]], batch_size: int, seed: int, epoch: int, shuffle: bool = True) -> list[list[list[Encoded]]]:
    """Rows grouped into batches, shuffled per epoch with `seed` (reproducible across resumes)."""
    order = list(range(len(rows)))
    if shuffle:
        random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return [[rows[i] for i in order[k:k + batch_size]] for k in range(0, len(order), batch_size)]
