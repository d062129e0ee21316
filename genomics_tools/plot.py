"""Coverage and variant-position plot (PNG)."""

from __future__ import annotations

from pathlib import Path


def plot_variants(out: str | Path, variants: list, coverage: tuple | None = None, title: str = "") -> Path:
    """Draw read depth along the region with variant positions beneath it.

    Args:
        out: PNG path.
        variants: `summary.Variant` objects (the contig with most variants is drawn).
        coverage: optional (contig, first_pos_1based, depth array) for the depth track.
        title: figure title.

    Returns:
        `out`.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    contig = None
    if coverage is not None:
        contig = coverage[0]
    elif variants:
        names = [v.contig for v in variants]
        contig = max(set(names), key=names.count)
    vs = [v for v in variants if v.contig == contig]
    fig, axes = plt.subplots(2, 1, figsize=(10, 4.2), sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    ax_cov, ax_var = axes
    if coverage is not None:
        _, first, depth = coverage
        depth = np.asarray(depth, dtype=float)
        bins = max(1, len(depth) // 2000)
        n = len(depth) // bins * bins
        if n:
            binned = depth[:n].reshape(-1, bins).mean(axis=1)
            x = first + np.arange(len(binned)) * bins + bins / 2
            ax_cov.fill_between(x, binned, step="mid", color="#7aa6c2", alpha=0.8)
            ax_cov.axhline(float(depth.mean()), color="#2b4f6b", lw=0.8, ls="--", label=f"mean {depth.mean():.1f}x")
            ax_cov.legend(loc="upper right", fontsize=8)
        ax_cov.set_ylabel("read depth")
    else:
        ax_cov.text(0.5, 0.5, "no reads supplied: coverage not shown", ha="center", va="center",
                    transform=ax_cov.transAxes, color="gray")
        ax_cov.set_yticks([])
    styles = {"SNV": ("#d1495b", 0.75), "insertion": ("#2e933c", 0.45), "deletion": ("#3d5a80", 0.2)}
    for kind, (color, y) in styles.items():
        xs = [v.pos for v in vs if v.type == kind]
        hom = [v.pos for v in vs if v.type == kind and v.zygosity == "hom-alt"]
        ax_var.scatter(xs, [y] * len(xs), marker="|", s=120, color=color, label=f"{kind} ({len(xs)})")
        ax_var.scatter(hom, [y + 0.12] * len(hom), marker="v", s=12, color=color)
    other = [v.pos for v in vs if v.type not in styles]
    if other:
        ax_var.scatter(other, [0.05] * len(other), marker="|", s=120, color="gray", label=f"other ({len(other)})")
    ax_var.set_ylim(0, 1)
    ax_var.set_yticks([])
    ax_var.set_xlabel(f"position on {contig or '?'} (triangles: homozygous alternate)")
    if vs or other:
        ax_var.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55), ncol=4, fontsize=8, frameon=False)
    ax_cov.set_title(title or "Coverage and variant positions", fontsize=10)
    fig.tight_layout()
    tmp = out.with_name(f".{out.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(out)
    return out
