"""Exclusionary and off-putting wording: gendered and age-coded terms, hype titles, hustle
phrases, hollow perks. Table-driven from prompts/quality/wording.yaml so a team can add a
term without touching code; every term carries a suggestion and its false-positive guards."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chains.quality.tables import any_of, load_table, phrases, valid_patterns

# A term is a whole word or phrase: not inside a longer word, nor half of a hyphenated one.
WORD_START = r"(?<![\w-])"
WORD_END = r"(?![\w-])"


class Term(BaseModel):
    """One word or phrase to avoid, how to find it, and what to write instead."""

    model_config = ConfigDict(extra="forbid")

    term: str
    pattern: str = ""
    suggestion: str
    unless: list[str] = Field(default_factory=list, description="Phrases in which a match is fine.")

    @model_validator(mode="after")
    def _compiles(self) -> Term:
        try:
            valid_patterns([self.source, *self.unless])
        except ValueError as exc:
            raise ValueError(f"{self.term}: {exc}") from None
        return self

    @property
    def source(self) -> str:
        return self.pattern or re.escape(self.term)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return any_of([self.source], WORD_START, WORD_END)

    @cached_property
    def guard(self) -> re.Pattern[str] | None:
        return phrases(self.unless)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    why: str
    terms: list[Term] = Field(min_length=1)


class WordingRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: dict[str, Rule] = Field(description="Issue code -> rule.")

    @cached_property
    def any_term(self) -> re.Pattern[str]:
        """All terms in one pattern: most postings have none, and one scan says so."""
        return any_of((t.source for rule in self.rules.values() for t in rule.terms), WORD_START + r"(?=\w)", WORD_END)


class WordingHit(BaseModel):
    """A term found in the text: the rule's code, the term, how it was written, how often."""

    code: str
    term: str
    found: list[str] = Field(description="The words as written in the posting, each form once.")
    count: int = 1
    suggestion: str
    why: str


@lru_cache(maxsize=1)
def wording_rules() -> WordingRules:
    return load_table("wording.yaml", WordingRules)


def _guarded(term: Term, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in term.guard.finditer(text)] if term.guard else []


def wording(text: str) -> list[WordingHit]:
    """Every term to avoid in the text, once per term with its count, in rule order."""
    rules = wording_rules()
    hits: list[WordingHit] = []
    if not rules.any_term.search(text):
        return hits
    for code, rule in rules.rules.items():
        for term in rule.terms:
            safe = _guarded(term, text)
            found = [
                m
                for m in term.regex.finditer(text)
                if not any(start <= m.start() and m.end() <= end for start, end in safe)
            ]
            if found:
                hits.append(
                    WordingHit(
                        code=code,
                        term=term.term,
                        found=list(dict.fromkeys(" ".join(m.group(0).split()) for m in found)),
                        count=len(found),
                        suggestion=term.suggestion,
                        why=rule.why,
                    )
                )
    return hits
