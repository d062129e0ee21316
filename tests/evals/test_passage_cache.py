"""Retrieved passages are cached per index and query."""

from __future__ import annotations

from types import SimpleNamespace

from bot.evals.mmlu_prompt import format_passages
from bot.evals.passage_cache import CachedPassage, PassageCache


def _search_counting(calls):
    def search(query, k=5):
        calls.append((query, k))
        return [SimpleNamespace(text=f"about {query} #{i}", source={"title": f"T{i}", "mesh": ["x"]}) for i in range(k)]
    return search


def test_second_run_reads_the_file_instead_of_searching(tmp_path):
    path = tmp_path / "cache" / "p.jsonl"
    calls = []
    first = PassageCache(path, _search_counting(calls), {"collection": "medline", "documents": 10})
    got = first("liver", k=2)
    assert got == [CachedPassage("about liver #0", {"title": "T0"}), CachedPassage("about liver #1", {"title": "T1"})]
    assert first("liver", k=2) == got and (first.hits, first.misses) == (1, 1)
    again = PassageCache(path, _search_counting(calls), {"collection": "medline", "documents": 10})
    assert again("liver", k=2) == got and again.hits == 1
    assert calls == [("liver", 2)]
    assert format_passages(got, 1000) == "[1] T0: about liver #0\n[2] T1: about liver #1"


def test_another_index_or_k_searches_again_and_bad_lines_are_ignored(tmp_path):
    path = tmp_path / "p.jsonl"
    calls = []
    PassageCache(path, _search_counting(calls), {"documents": 10})("liver", k=2)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("{broken\n")
    cache = PassageCache(path, _search_counting(calls), {"documents": 11})
    cache("liver", k=2)
    cache("liver", k=3)
    assert calls == [("liver", 2), ("liver", 2), ("liver", 3)]
