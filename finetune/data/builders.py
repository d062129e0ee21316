"""Build a medical instruction set offline from MEDLINE abstracts.

Three tasks, each answer grounded in one abstract and citing it as `[PMID:n]`:

- `qa`: abstract as evidence + question -> the study's finding.
- `summary`: abstract -> plain-language summary for a patient.
- `evidence`: case-style prompt (a condition from the article's MeSH terms) + retrieved
  abstract -> the cited evidence.

Answers are extractive (conclusion sentences), so nothing is invented. Samples are deduplicated,
and the train/validation split is made by article (a held-out article never appears in training).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from finetune.data.medline import Article
from finetune.errors import UserError

TASKS = ("qa", "summary", "evidence")
_CONCLUSION = re.compile(r"conclusion|interpretation|implication|significance", re.I)
_RESULTS = re.compile(r"result|finding", re.I)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")
_STATS = re.compile(r"\s*[\(\[][^()\[\]]*(?:\bCI\b|\bp\s*[<=>]|\bP\s*[<=>]|\bOR\b|\bHR\b|\bRR\b|%|±)[^()\[\]]*[\)\]]")
_CONDITION_HINT = re.compile(
    r"(itis|osis|oma|emia|aemia|pathy|plasia|trophy|algia|uria|cele|iasis|ism)\b|disease|syndrome|disorder|"
    r"infection|neoplasm|cancer|tumor|injur|failure|pain|deficiency|insufficiency|fracture|wound|fever|"
    r"hypertension|diabetes|asthma|stroke|obesity|depress|anxiety|schizophrenia|dementia|sepsis|shock|"
    r"arrhythmia|fibrillation|infarction|ischemi|hemorrhage|anemia|poisoning|abnormalit|lesion|"
    r"hypersensitivity|allerg|pneumonia|influenza|hiv|hepatitis|tuberculosis|malaria|covid",
    re.I)
# MeSH descriptors that describe study design or people rather than a condition.
_NOT_CONDITIONS = {
    "humans", "male", "female", "adult", "aged", "middle aged", "child", "adolescent", "infant", "animals",
    "young adult", "aged, 80 and over", "child, preschool", "infant, newborn", "mice", "rats", "pregnancy",
    "retrospective studies", "prospective studies", "cohort studies", "risk factors", "treatment outcome",
    "follow-up studies", "cross-sectional studies", "surveys and questionnaires", "time factors",
}


@dataclass
class BuildOptions:
    """Options of `build_dataset`.

    Attributes:
        tasks: which of `TASKS` to make for each article.
        val_fraction: share of articles held out for validation (split by PMID hash).
        seed: picks question phrasings deterministically.
        min_abstract_chars / max_abstract_chars: articles outside this range are skipped (the
            upper bound keeps samples within a small model's context).
        max_articles: stop after this many usable articles (None = all).
    """

    tasks: tuple[str, ...] = TASKS
    val_fraction: float = 0.1
    seed: int = 0
    min_abstract_chars: int = 300
    max_abstract_chars: int = 1500
    max_articles: int | None = None
    system_prompt: bool = True

    def __post_init__(self) -> None:
        bad = [t for t in self.tasks if t not in TASKS]
        if bad or not self.tasks:
            raise UserError(f"unknown task(s) {', '.join(bad) or '(none)'}; choose from {', '.join(TASKS)}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise UserError("val_fraction must be in [0, 1)")


@dataclass
class BuildResult:
    """Samples split by article, plus counts for the manifest."""

    train: list[dict[str, Any]] = field(default_factory=list)
    validation: list[dict[str, Any]] = field(default_factory=list)
    articles_seen: int = 0
    articles_used: int = 0
    duplicates_dropped: int = 0

    def manifest(self) -> dict[str, Any]:
        by_task: dict[str, int] = {}
        for row in self.train + self.validation:
            by_task[row["task"]] = by_task.get(row["task"], 0) + 1
        return {"train": len(self.train), "validation": len(self.validation), "by_task": by_task,
                "articles_seen": self.articles_seen, "articles_used": self.articles_used,
                "train_articles": len({r["pmid"] for r in self.train}),
                "validation_articles": len({r["pmid"] for r in self.validation}),
                "duplicates_dropped": self.duplicates_dropped}


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    """The prompt templates (package data `templates.yaml`)."""
    import yaml

    return yaml.safe_load(resources.files("finetune.data").joinpath("templates.yaml").read_text(encoding="utf-8"))


def sentences(text: str) -> list[str]:
    """Split text into sentences (simple rule: punctuation, space, capital or digit)."""
    return [s.strip() for s in _SENT.split(text.strip()) if s.strip()]


def key_finding(article: Article) -> str:
    """The study's conclusion: a labelled CONCLUSION section, else results' last sentence plus
    the abstract's last sentence, else the last two sentences."""
    for label, text in article.sections:
        if label and _CONCLUSION.search(label):
            return " ".join(sentences(text)[:2])
    sents = sentences(article.abstract)
    if len(sents) <= 2:
        return " ".join(sents)
    return " ".join(sents[-2:])


def plain_language(text: str) -> str:
    """Replace jargon from the glossary and drop bracketed statistics."""
    out = _STATS.sub("", text)
    glossary = templates()["plain"]
    for term in sorted(glossary, key=len, reverse=True):
        out = re.sub(rf"\b{re.escape(term)}\b", glossary[term], out, flags=re.I)
    return re.sub(r"\s+", " ", out).strip()


def _topic(title: str) -> str:
    t = title.strip().rstrip(".?!")
    if t[:1].isupper() and not t[:2].isupper():
        t = t[0].lower() + t[1:]
    return t


def _condition(article: Article) -> str | None:
    """The first MeSH descriptor that names a condition (disease-like words), or None."""
    for m in article.mesh:
        if m.lower() in _NOT_CONDITIONS or m.endswith(("Studies", "Trials as Topic")):
            continue
        if _CONDITION_HINT.search(m):
            return m.lower() if not m[:2].isupper() else m
    return None


def is_human_study(article: Article) -> bool:
    """False for animal-only studies (MeSH `Animals` without `Humans`)."""
    mesh = {m.lower() for m in article.mesh}
    return not ("animals" in mesh and "humans" not in mesh)


def _lower_first(s: str) -> str:
    return s[0].lower() + s[1:] if s[:1].isupper() and not s[:2].isupper() else s


def article_samples(article: Article, opts: BuildOptions, rng: random.Random) -> list[dict[str, Any]]:
    """The samples made from one article (a task is skipped when the article cannot support it)."""
    tpl = templates()
    finding = key_finding(article)
    fields = dict(title=article.title, journal=article.journal or "journal not stated",
                  year=article.year or "n.d.", pmid=article.pmid, abstract=article.abstract,
                  finding=finding, finding_lower=_lower_first(finding), plain_finding=plain_language(finding),
                  topic=_topic(article.title), condition=_condition(article) or "")
    out = []
    for task in opts.tasks:
        if task == "evidence" and not fields["condition"]:
            continue
        spec = tpl[task]
        user = rng.choice(spec["user"]).format(**fields)
        assistant = spec["assistant"].format(**fields)
        msgs = [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        if opts.system_prompt:
            msgs.insert(0, {"role": "system", "content": tpl["system"].strip()})
        out.append({"messages": msgs, "task": task, "pmid": article.pmid})
    return out


def is_validation(pmid: str, val_fraction: float) -> bool:
    """Deterministic held-out assignment of an article by a hash of its PMID."""
    h = int(hashlib.sha1(pmid.encode()).hexdigest()[:8], 16)
    return (h % 10_000) < val_fraction * 10_000


def _norm_key(obj: Any) -> str:
    return hashlib.sha1(re.sub(r"\s+", " ", json.dumps(obj, sort_keys=True).lower()).encode()).hexdigest()


def build_dataset(articles: Iterable[Article], opts: BuildOptions, progress=None) -> BuildResult:
    """Turn articles into deduplicated chat samples split by article.

    Args:
        articles: MEDLINE articles (see `finetune.data.medline.read_medline`).
        opts: tasks, split and filters.
        progress: optional callable invoked once per article seen (e.g. a tqdm `update`).

    Returns:
        The split samples and counts.

    Raises:
        UserError: no usable article (nothing to train on).
    """
    rng = random.Random(opts.seed)
    res = BuildResult()
    seen_pmids: set[str] = set()
    seen_abstracts: set[str] = set()
    seen_samples: set[str] = set()
    for art in articles:
        res.articles_seen += 1
        if progress:
            progress()
        if not (opts.min_abstract_chars <= len(art.abstract) <= opts.max_abstract_chars):
            continue
        if len(sentences(art.abstract)) < 3 or not is_human_study(art):
            continue
        akey = _norm_key(art.abstract)
        if art.pmid in seen_pmids or akey in seen_abstracts:
            res.duplicates_dropped += 1
            continue
        seen_pmids.add(art.pmid)
        seen_abstracts.add(akey)
        res.articles_used += 1
        target = res.validation if is_validation(art.pmid, opts.val_fraction) else res.train
        for sample in article_samples(art, opts, rng):
            skey = _norm_key(sample["messages"])
            if skey in seen_samples:
                res.duplicates_dropped += 1
                continue
            seen_samples.add(skey)
            target.append(sample)
        if opts.max_articles and res.articles_used >= opts.max_articles:
            break
    if not res.train:
        raise UserError("no usable article with an abstract in the source (nothing to train on)")
    if opts.val_fraction > 0 and not res.validation and res.articles_used > 1:
        # Tiny corpora: hold out the last article so validation is never empty.
        last = res.train[-1]["pmid"]
        res.validation = [r for r in res.train if r["pmid"] == last]
        res.train = [r for r in res.train if r["pmid"] != last]
    return res
