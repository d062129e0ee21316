"""Medicine cards from FDA drug labels, and deterministic, cited answers about them.

Four question shapes: same-as (brand <-> generic, combination products), together (two drugs, or a
drug and alcohol: answered only from a label sentence that names the other one), how much (the
label's own directions, quoted), what is (the card). `plan(message)` turns a chat message into
arguments for `answer(...)`; both are pure and need no network.
"""

from __future__ import annotations

from retrieval.medicines.answer import Answer, answer
from retrieval.medicines.cards import Card, Quote, load_cards
from retrieval.medicines.plan import plan

__all__ = ["Answer", "Card", "Quote", "answer", "load_cards", "plan"]
