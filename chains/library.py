"""The role library: per-family responsibilities, requirements and phrasing, adapted by
level, and the title matcher that picks a family ("Sr. Backend Engineer (Python)" ->
backend). A title that matches no family gets the role-neutral `general` entry.

Phrase weights follow one scale: 5-6 for phrases that name the role outright and must win
over any specialty beside them ("engineering manager", "recruiter"), 3-4 for specific
phrases ("backend", "data engineer"), 1-2 for hints that tip a close call ("python", "api").
A lone weight-1 hint stays under MIN_SCORE: "Payments" or "Security" alone matches nothing."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chains.models import LEVELS, Level
from chains.resources import AssetError, load_asset, prompts_dir

GENERAL = "general"
PLACEHOLDERS = frozenset({"title", "company", "team"})
MIN_SCORE = 2.0

_ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "eng": "engineer", "engr": "engineer",
    "dev": "developer", "devs": "developers", "mgr": "manager", "mgmt": "management",
    "ops": "operations", "admin": "administrator", "asst": "assistant", "assoc": "associate",
    "swe": "software engineer", "sde": "software engineer", "qa": "quality assurance",
    "ux": "user experience", "ui": "user interface", "ml": "machine learning",
    "ai": "artificial intelligence", "rn": "registered nurse", "pm": "product manager",
    "hr": "human resources", "sre": "site reliability engineer", "be": "backend",
    "fe": "frontend", "vp": "vice president", "acct": "accountant", "cs": "customer success",
    "bd": "business development", "bdr": "business development representative",
    "sdr": "sales development representative", "ae": "account executive",
    "bi": "business intelligence", "csm": "customer success manager", "cx": "customer experience",
    "tpm": "technical program manager", "hrbp": "human resources business partner",
    "lpn": "licensed practical nurse", "cna": "certified nursing assistant", "dba": "database administrator",
    "qe": "quality engineer", "infra": "infrastructure", "sw": "software", "dir": "director",
    "exec": "executive", "svp": "senior vice president", "evp": "executive vice president",
    "rep": "representative", "reps": "representatives", "coord": "coordinator",
}


class LevelText(BaseModel):
    """Lines for every level plus lines only for some levels."""

    model_config = ConfigDict(extra="forbid")

    common: list[str] = Field(default_factory=list)
    entry: list[str] = Field(default_factory=list)
    mid: list[str] = Field(default_factory=list)
    senior: list[str] = Field(default_factory=list)
    lead: list[str] = Field(default_factory=list)
    executive: list[str] = Field(default_factory=list)

    def for_level(self, level: Level) -> list[str]:
        """Level-specific lines first: they say most about the role."""
        return [*getattr(self, level), *self.common]


class Family(BaseModel):
    """One role family of the library, loaded from prompts/roles/<key>.yaml."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    match: dict[str, float] = Field(description="Title phrase -> weight; the best total wins.")
    examples: list[str] = Field(default_factory=list, description="Titles that must match this family.")
    overview: dict[Level, str]
    responsibilities: LevelText
    requirements: LevelText
    skills: list[str] = Field(default_factory=list, description="Skill bullets for templates with a skills list.")
    nice_to_have: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> Family:
        missing = [level for level in LEVELS if level not in self.overview]
        if missing:
            raise ValueError(f"overview has no text for level(s): {', '.join(missing)}")
        for level in LEVELS:
            if len(self.responsibilities.for_level(level)) < 10:
                raise ValueError(f"responsibilities for level {level} are fewer than 10 lines")
        unmatchable = [phrase for phrase in self.match if not normalise_title(phrase)]
        if unmatchable:
            raise ValueError(f"match phrase {unmatchable[0]!r} has no letters or digits")
        for text in self.all_text():
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            unknown = fields - PLACEHOLDERS
            if unknown:
                raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} in {text!r}")
        return self

    def all_text(self) -> list[str]:
        lines = [*self.overview.values(), *self.skills, *self.nice_to_have]
        for block in (self.responsibilities, self.requirements):
            for level in ("common", *LEVELS):
                lines.extend(getattr(block, level))
        return lines


def normalise_title(title: str) -> str:
    """Lower case, punctuation to spaces, abbreviations spelled out."""
    words = re.sub(r"[^a-z0-9+#]+", " ", title.lower().replace("back-end", "backend").replace("front-end", "frontend")).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


class _Phrase(NamedTuple):
    """A family's title phrase as the matcher looks it up: by its normalised words."""

    order: int
    weight: float
    words: int


def _word_runs(title: str, longest: int) -> Iterator[tuple[str, int]]:
    """Each run of up to `longest` words in a normalised title, once, where it first starts."""
    words = title.split()
    seen: set[str] = set()
    at = 0
    for i, word in enumerate(words):
        for end in range(i + 1, min(i + longest, len(words)) + 1):
            phrase = " ".join(words[i:end])
            if phrase not in seen:
                seen.add(phrase)
                yield phrase, at
        at += len(word) + 1


class Library:
    """All families, and the matcher over their title phrases."""

    def __init__(self, families: dict[str, Family]):
        if GENERAL not in families:
            raise AssetError(f"role library has no {GENERAL!r} family for titles that match none")
        self.families = families
        self._by_phrase: dict[str, list[tuple[str, _Phrase]]] = {}
        for key, family in families.items():
            for order, (phrase, weight) in enumerate(family.match.items()):
                text = normalise_title(phrase)
                self._by_phrase.setdefault(text, []).append((key, _Phrase(order, weight, len(text.split()))))
        self._longest = max((len(text.split()) for text in self._by_phrase), default=0)

    def match(self, title: str) -> Family:
        """The family whose phrases best match the title; `general` when none scores enough.

        Ties go to the family with the longest matched phrase ("sales associate" beats
        "sales"), then to the one matched earliest in the title ("Project Manager (PM)").
        The title's own word runs are looked up, not every phrase of every family."""
        found: dict[str, list[tuple[_Phrase, int]]] = {}
        for phrase, at in _word_runs(normalise_title(title), self._longest):
            for key, entry in self._by_phrase.get(phrase, ()):
                found.setdefault(key, []).append((entry, at))
        ranks = {key: self._rank(found[key]) for key in self.families if key in found}
        if not ranks:
            return self.families[GENERAL]
        best = max(ranks, key=lambda key: ranks[key])
        return self.families[best] if ranks[best][0] >= MIN_SCORE else self.families[GENERAL]

    @staticmethod
    def _rank(found: list[tuple[_Phrase, int]]) -> tuple[float, int, int]:
        """Total weight (summed in the family's own order), longest phrase, earliest place."""
        score = 0.0
        for entry, _ in sorted(found):
            score += entry.weight
        return score, max(entry.words for entry, _ in found), -min(at for _, at in found)

    def __len__(self) -> int:
        return len(self.families)


def load_family(path: Path) -> Family:
    return load_asset(path, Family, "role family")


@lru_cache(maxsize=1)
def get_library() -> Library:
    folder = prompts_dir() / "roles"
    families: dict[str, Family] = {}
    for path in sorted(folder.glob("*.yaml")):
        family = load_family(path)
        if family.key != path.stem:
            raise AssetError(f"{path}: key {family.key!r} must match the file name {path.stem!r}")
        families[family.key] = family
    return Library(families)
