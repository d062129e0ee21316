"""Answers built from trusted text: select cited sentences, let the LLM rephrase, check support.

    select_evidence(question, passages, embed)  -> the sentences that answer it, each with its label
    check_support(sentence, evidence, embed)    -> Verdict: supported, or why not (negation, numbers,
                                                   names, direction of a recommendation, similarity)

Pure functions over plain data; the agent (`bot.agent`) streams the selected sentences first, then
the LLM's plain-language rewrite sentence by sentence, each checked before it is shown.
"""

from bot.answers.select import Evidence, select_evidence
from bot.answers.support import Verdict, check_support

__all__ = ["Evidence", "Verdict", "check_support", "select_evidence"]
