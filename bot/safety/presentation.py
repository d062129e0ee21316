"""One clinical presentation: a combination of findings that makes an emergency (or a same-day need)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Presentation:
    """A presentation: alternatives, each a tuple of any-of finding groups that must all be present.

    A group written `!name` requires the finding to be absent ("chest pain in pregnancy, not
    heartburn"). `crisis` marks thoughts of suicide or of harming oneself or a baby: triage answers
    those with the crisis reply (`bot.safety.crisis`) instead of the generic emergency banner.
    """

    name: str
    groups: tuple[str, ...]   # adult | child | pregnancy | mental health
    reason: str
    alternatives: tuple[tuple[str, ...], ...]  # each group: "a|b|c" = any of these findings
    source: str
    level: str = "emergency"
    crisis: bool = False

    def matches(self, found: set[str]) -> bool:
        return any(all(_group_met(g, found) for g in alt) for alt in self.alternatives)

    def finding_names(self) -> set[str]:
        """Every finding the alternatives name (absences included, without their `!`)."""
        return {n.lstrip("!") for alt in self.alternatives for g in alt for n in g.split("|")}


def _group_met(group: str, found: set[str]) -> bool:
    if group.startswith("!"):
        return not (set(group[1:].split("|")) & found)
    return bool(set(group.split("|")) & found)


def _p(name, groups, reason, alternatives, source, level="emergency", crisis=False) -> Presentation:
    alts = tuple(tuple(a.split()) for a in alternatives)
    return Presentation(name, tuple(groups.split(",")), reason, alts, source, level, crisis)
