"""Optional system programs (Debian packages) and the one-line message when one is missing.

Everything users call works from pip alone: alignment through `mappy` (the minimap2 library),
sorting, indexing, normalisation and mpileup through `pysam` (which embeds samtools, bcftools and
htslib). The programs below only speed things up (a multi-threaded `minimap2 | samtools sort`
pipe, a piped `bcftools mpileup | call`) or serve the commands that need them outright: `--aligner
bwa` needs bwa, and read simulation (`train-caller`, the variant benchmark) needs dwgsim and
Debian's chr20.
"""

from __future__ import annotations

import shutil

from genomics_tools.errors import UserError

# program -> Debian package that ships it
APT_PACKAGES: dict[str, str] = {
    "samtools": "samtools", "bcftools": "bcftools", "tabix": "tabix", "bwa": "bwa", "minimap2": "minimap2",
    "dwgsim": "dwgsim",
}


class MissingProgram(UserError):
    """A system program (or data package) that a chosen path needs is not installed: exit code 2."""


def have(*programs: str) -> bool:
    """True when every program is on PATH."""
    return all(shutil.which(p) for p in programs)


def missing(*programs: str) -> list[str]:
    """The programs that are not on PATH, in the order given."""
    return [p for p in programs if not shutil.which(p)]


def require(programs: tuple[str, ...] | list[str], needed_for: str, alternative: str = "") -> None:
    """Raise MissingProgram with one line (what is missing, the apt-get line, an alternative) if any is absent.

    Args:
        programs: programs the path needs.
        needed_for: what needs them, e.g. "--aligner bwa".
        alternative: a pip-only way to get the same result, if there is one.
    """
    absent = missing(*programs)
    if absent:
        raise MissingProgram(install_hint(absent, needed_for, alternative))


def install_hint(absent: list[str], needed_for: str, alternative: str = "", packages: list[str] | None = None) -> str:
    """`"<needed_for> needs X and Y, not installed: sudo apt-get install ... (or <alternative>)"`."""
    pkgs = packages or sorted({APT_PACKAGES.get(p, p) for p in absent})
    line = f"{needed_for} needs {' and '.join(absent)}, not installed: sudo apt-get install {' '.join(pkgs)}"
    return line + (f" (or {alternative})" if alternative else "")


__all__ = ["APT_PACKAGES", "MissingProgram", "have", "install_hint", "missing", "require"]
