"""Example questions the empty chat offers, per role: each is something the installed sources and
tools can answer (NIH answers and guideline summaries for patients; guidelines, the literature,
ICD-10 and clinical scores for clinicians)."""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "patient": (
        "What are the warning signs of a stroke?",
        "How can I lower my blood pressure without medicines?",
        "When is a headache a reason to see a doctor?",
        "What are the early symptoms of type 2 diabetes?",
        "Can I take ibuprofen and paracetamol together?",
    ),
    "clinician": (
        "What is first-line treatment for type 2 diabetes in adults?",
        "Does aspirin after myocardial infarction reduce mortality?",
        "What is the time window for thrombolysis in acute ischaemic stroke?",
        "ICD-10 code for essential hypertension",
        "How is community-acquired pneumonia severity assessed?",
    ),
}


def examples_for(role: str) -> list[str]:
    """The example questions for `role` ("patient" or "clinician"; anything else: patient)."""
    return list(EXAMPLES.get(role, EXAMPLES["patient"]))


def chatbot_examples(role: str) -> list[dict[str, str]]:
    """The examples in the chat component's format."""
    return [{"text": q} for q in examples_for(role)]
