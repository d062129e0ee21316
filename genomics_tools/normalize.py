"""Variant normalisation in pure Python: trim shared bases and left-align indels (vt's algorithm).

Used to merge indel evidence written at different positions and to match candidates to a truth
set; `compare` uses `bcftools norm` for files and this for the last step.
"""

from __future__ import annotations

from typing import Callable

BaseAt = Callable[[int], str]


def normalize(pos0: int, ref: str, alt: str, base_at: BaseAt | None = None) -> tuple[int, str, str]:
    """Return the parsimonious, left-aligned form of one allele.

    Args:
        pos0: 0-based position of the first base of `ref`.
        ref: reference allele (upper case).
        alt: alternate allele.
        base_at: returns the reference base at a 0-based position; without it indels are only
            trimmed, not shifted left.

    Returns:
        (pos0, ref, alt) normalised.

    Raises:
        ValueError: an empty allele, or ref == alt (not a variant).
    """
    if not ref or not alt:
        raise ValueError("alleles must not be empty")
    if ref == alt:
        raise ValueError(f"ref and alt are the same allele ({ref})")
    if base_at is not None:
        while True:
            changed = False
            if ref and alt and ref[-1] == alt[-1]:
                ref, alt = ref[:-1], alt[:-1]
                changed = True
            if not ref or not alt:
                if pos0 == 0:
                    break
                pos0 -= 1
                b = base_at(pos0).upper()
                ref, alt = b + ref, b + alt
                changed = True
            if not changed:
                break
    else:
        while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt = ref[1:], alt[1:]
        pos0 += 1
    return pos0, ref, alt


def variant_type(ref: str, alt: str) -> str:
    """'SNV' when both alleles have the same length, else 'INDEL'."""
    return "SNV" if len(ref) == len(alt) else "INDEL"
