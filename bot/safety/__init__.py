"""Safety: red-flag triage, PHI redaction, prompt-injection defences, input limits."""
