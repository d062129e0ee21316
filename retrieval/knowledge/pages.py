"""Page identities shared by the bundled sources (which MedQuAD pairs the 2026 MedlinePlus pages replace)."""

from __future__ import annotations

import re


def page_key(url: str | None) -> str | None:
    """The MedlinePlus page a URL names, whatever its host: 'https://www.nlm.nih.gov/medlineplus/acne.html'
    and 'https://medlineplus.gov/acne.html' are both 'acne.html' (None for other sites)."""
    if not url:
        return None
    m = re.match(r"^https?://(?:www\.)?(?:medlineplus\.gov|nlm\.nih\.gov/medlineplus)/([^?#]+?)/?$", url.strip(), re.I)
    if not m or "/" in m.group(1):
        return None
    return m.group(1).lower()
