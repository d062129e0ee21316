"""Reciprocal-rank fusion of ranked lists (pure)."""

from __future__ import annotations

RRF_K = 60


def rrf(rankings: dict[str, list[str]], k: int = RRF_K, weights: dict[str, float] | None = None,
        item_weights: dict[str, dict[str, float]] | None = None) -> list[tuple[str, float, dict[str, int]]]:
    """Fuse ranked id lists: score(id) = sum over lists of weight * item weight / (k + rank).

    Args:
        rankings: retriever name -> ids, best first (duplicates after the first are ignored).
        k: the RRF constant (60 in Cormack et al. 2009).
        weights: per-list weight (default 1.0).
        item_weights: per-list, per-id weight (default 1.0): how sure that list is of that item.

    Returns:
        (id, fused score, {retriever: 1-based rank}) sorted by score, ties broken by the best
        single rank, then by id, so the order is deterministic.
    """
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ids in rankings.items():
        w = 1.0 if weights is None else weights.get(name, 1.0)
        per = (item_weights or {}).get(name) or {}
        seen: set[str] = set()
        for rank, i in enumerate(ids, 1):
            if i in seen:
                continue
            seen.add(i)
            scores[i] = scores.get(i, 0.0) + w * per.get(i, 1.0) / (k + rank)
            ranks.setdefault(i, {})[name] = rank
    order = sorted(scores, key=lambda i: (-scores[i], min(ranks[i].values()), i))
    return [(i, scores[i], ranks[i]) for i in order]
