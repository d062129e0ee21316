"""The table of `medbot eval` suites: name -> module exposing `add_arguments(parser)` and `run(args)`."""

from __future__ import annotations

SUITES: dict[str, str] = {
    "answers": "bot.evals.answers_suite",
    "support": "bot.evals.support_suite",
    "mmlu-med": "bot.evals.mmlu",
    "retrieval": "bot.evals.retrieval_suite",
    "triage": "bot.safety.eval_triage",
    "phi": "bot.safety.eval_phi",
    "injection": "bot.safety.eval_injection",
    "segmentation": "bot.evals.segmentation_suite",
    "variants": "bot.evals.variants_suite",
    "case-summary": "bot.cases.eval_suite",
}

SUITE_HELP: dict[str, str] = {
    "answers": "answer quality on common patient/clinician questions: key facts, support, not-covered rate, speed",
    "support": "answer support check: planted contradictions caught, faithful rewrites kept",
    "mmlu-med": "MMLU medical questions: accuracy per subject, without and with retrieval",
    "retrieval": "literature search: known-item recall@k and MRR (dense, BM25, fused)",
    "triage": "red-flag triage: emergency recall and false alarms",
    "phi": "PHI redaction: recall per entity type, over-redaction",
    "injection": "prompt injection through retrieved documents: attack success rate",
    "segmentation": "image segmentation: held-out Dice per label, seconds per volume",
    "variants": "variant calling: SNV/indel precision, recall, F1 against a truth set",
    "case-summary": "case summaries on Synthea bundles: facts recall and traceability",
}
