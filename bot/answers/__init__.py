"""Answers built from trusted text: read, write, check.

    respond(question, role, passages, backend)  -> streams the answer; returns an Answer
    resolve_follow_up(message, earlier)         -> "Is there a vaccine for it?" -> "... for shingles?"
    select_evidence(question, passages, embed)  -> the units that answer it, each with its label
    check_support(sentence, evidence, embed)    -> Verdict: supported, or why not (negation, numbers,
                                                   names, direction of a recommendation, similarity)

One sentence splitter (`text.split_sentences`) and one citation grammar (`cite`) serve them all.
The agent (`bot.agent`) calls `respond`; everything here is plain functions over plain data.
"""

from bot.answers.follow_up import resolve_follow_up
from bot.answers.respond import Answer, respond
from bot.answers.select import Evidence, select_evidence
from bot.answers.support import Verdict, check_support

__all__ = ["Answer", "Evidence", "Verdict", "check_support", "resolve_follow_up", "respond", "select_evidence"]
