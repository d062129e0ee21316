"""Measurements behind `medbot eval`: result storage and rendering, and the MMLU medical suite.

Each suite module exposes `add_arguments(parser)` (standard library only at import time) and
`run(args) -> dict`; `bot.evals.results` stores what `run` returns and renders docs/RESULTS.md.
"""
