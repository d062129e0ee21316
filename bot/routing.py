"""Deterministic routing of a turn to tools: each new upload selects its tool, an explicit intent
("summarize this case", "ICD-10 code for asthma", a medicine question with a VCF) selects its own.

Small models cannot pick tools reliably, so medbot routes by rule; a model with native tool calls
routes itself and gets only the uploads' tools here.
"""

from __future__ import annotations

import re
from typing import Any

from bot.uploads import route

_INTENTS: list[tuple[str, re.Pattern]] = [
    ("summarize_case", re.compile(r"\b(summari[sz]e|summary of)\b.{0,30}\b(case|patient|record|bundle|notes?)\b", re.I)),
    ("lookup_icd10", re.compile(r"\bicd[- ]?10\b|\bicd code\b", re.I)),
    ("segment_image", re.compile(r"\b(segment|measure)\b.{0,40}\b(lesion|image|scan|mri|brain)\b", re.I)),
    ("pharmacogenomics", re.compile(r"\b(medicines?|medications?|drugs?|pharmacogen\w*|cpic|prescri\w+|"
                                    r"metaboli[sz]ers?|clopidogrel|warfarin|statins?)\b", re.I)),
    ("call_variants", re.compile(r"\b(call variants|variant calls?|genotype)\b", re.I)),
    ("make_report", re.compile(r"\b(write|make|draft|generate)\b.{0,20}\breport\b", re.I)),
]


class Router:
    """Plans tool calls for one turn from the conversation's uploads and the message.

    Args:
        store: the conversation store (earlier uploads of the conversation).
        tool_names: the registered tools.
        native_tools: True when the model calls tools itself (only uploads are routed then).
    """

    def __init__(self, store, tool_names, native_tools: bool = False):
        self.store = store
        self.names = list(tool_names)
        self.native_tools = native_tools

    def _companions(self, upload: dict[str, str], conversation_id: str) -> dict[str, str]:
        """Extra tool arguments an upload needs from the conversation: the reference FASTA of reads."""
        if upload["kind"] not in ("bam", "cram"):
            return {}
        refs = [u for u in self.store.uploads(conversation_id) if u["kind"] == "fasta"]
        return {"reference": refs[-1]["path"]} if refs else {}

    def plan(self, message: str, uploads: list[dict[str, str]], conversation_id: str, history=(),
             role: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Deterministic routing: each new upload selects its tool; explicit intents select theirs.

        A VCF with a question about medicines goes to `pharmacogenomics` (with the conversation's
        FHIR bundle, if any, for the current medicines) instead of the variant summary. A clinical
        score ("CURB-65: 72 years, confused, urea 8 mmol/L", "what is her CHA2DS2-VASc?", or the
        missing inputs of the score asked just before) goes to `scores` with the conversation's
        case; a medicine question (same as, together, how much, what is) goes to `medicines`.
        """
        available = set(self.names)
        planned: list[tuple[str, dict[str, Any]]] = []
        pgx = "pharmacogenomics" in available and bool(dict(_INTENTS)["pharmacogenomics"].search(message))
        for up in uploads:
            target = route(up["kind"])
            if pgx and up["kind"] == "vcf":
                planned.append(("pharmacogenomics", self._pgx_args(up["path"], uploads, conversation_id)))
            elif target and target[0] in available:
                planned.append((target[0], {target[1]: up["path"], **self._companions(up, conversation_id)}))
            elif up["kind"] == "fasta" and "call_variants" in available and not any(
                    u["kind"] in ("bam", "cram") for u in uploads):  # the reference of reads sent earlier
                reads = [u for u in self.store.uploads(conversation_id) if u["kind"] in ("bam", "cram")]
                if reads:
                    planned.append(("call_variants", {"bam": reads[-1]["path"], "reference": up["path"]}))
        if planned or self.native_tools:
            return planned
        if "scores" in available:
            args = self._scores_args(message, conversation_id, history, role)
            if args is not None:
                return [("scores", args)]
        has_vcf = any(u["kind"] == "vcf" for u in self.store.uploads(conversation_id))
        if "medicines" in available and not (pgx and has_vcf):
            from retrieval.medicines import plan as medicines_plan

            args = medicines_plan(message)
            if args is not None and _medicine_question_for(args, role):
                return [("medicines", args)]
        for name, pattern in _INTENTS:
            if name not in available or not pattern.search(message):
                continue
            if name == "lookup_icd10":
                query = re.sub(r"(?i).*?\b(icd[- ]?10( code)?|icd code)s?\b\s*(for|of)?\s*", "", message).strip(" ?.")
                if query:
                    planned.append((name, {"query": query}))
            elif name == "make_report":
                planned.append((name, {"conversation_id": conversation_id, "format": "md"}))
            elif name == "pharmacogenomics":
                vcfs = [u for u in self.store.uploads(conversation_id) if u["kind"] == "vcf"]
                if not vcfs:
                    continue  # a question about medicines without a VCF: literature answer
                planned.append((name, self._pgx_args(vcfs[-1]["path"], [], conversation_id)))
            else:
                prior = [u for u in self.store.uploads(conversation_id)
                         if (r := route(u["kind"])) and r[0] == name]
                if prior:
                    planned.append((name, {route(prior[-1]["kind"])[1]: prior[-1]["path"]}))
            break
        return planned

    def _pgx_args(self, vcf: str, uploads: list[dict[str, str]], conversation_id: str) -> dict[str, Any]:
        args: dict[str, Any] = {"vcf": vcf}
        bundles = [u for u in uploads if u["kind"] == "fhir"] or [
            u for u in self.store.uploads(conversation_id) if u["kind"] == "fhir"]
        if bundles:
            args["bundle"] = bundles[-1]["path"]
        return args

    def _scores_args(self, message: str, conversation_id: str, history, role: str | None) -> dict[str, Any] | None:
        """Arguments of the `scores` tool when the message asks for a score or completes the last one."""
        from bot.scores.intent import plan as scores_plan

        cases = [u for u in self.store.uploads(conversation_id) if u["kind"] in ("fhir", "notes")]
        previous = None
        for m in reversed(list(history)):
            calls = [c for c in (getattr(m, "meta", None) or {}).get("tool_calls") or [] if c.get("name") == "scores"]
            if calls:
                previous = dict(calls[-1].get("arguments") or {})
                break
            if getattr(m, "role", "") == "assistant":
                break  # only the turn just before can be completed
        args = scores_plan(message, bool(cases), previous=previous)
        if args is None:
            return None
        if cases and "path" not in args:
            args["path"] = cases[-1]["path"]
        if role == "patient":
            args["role"] = "patient"
        return args


def _medicine_question_for(args: dict[str, Any], role: str | None) -> bool:
    """Whether the medicines tool answers this question for this reader: "same as" and "together"
    always; for a patient also "how much" and one part of a medicine's card (side effects, use,
    pregnancy). "aspirin after a heart attack", or a clinician's dosing question, is searched:
    guidelines answer it, not a product label."""
    shape = args.get("question")
    if shape in ("same_as", "together"):
        return True
    return role != "clinician" and (shape == "how_much" or (shape == "what_is" and bool(args.get("focus"))))
