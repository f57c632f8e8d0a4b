"""Pay-transparency law by jurisdiction, table-driven from prompts/quality/pay_transparency.yaml:
which laws reach a role from its location and remote regions, and which of their rules a
posting's text leaves unmet. The table says what each law requires; this module only
recognises places and looks for the range, its basis, benefits and a closing date."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chains.quality.tables import any_of, load_table, valid_patterns

RuleName = Literal["range", "open_ended", "pay_basis", "benefits", "deadline"]
RegionName = Literal["us", "eu", "world"]
_SENTENCE_ENDS = (". ", "! ", "? ", "\n")


class LawRule(BaseModel):
    """One requirement a law can put on a posting, with the issue code that names it."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^pay_transparency_[a-z_]+$")
    message: str = Field(description="May use {where} (the jurisdictions) and {found} (the words at fault).")
    suggestion: str


class Jurisdiction(BaseModel):
    """A state, city or union whose law says what a posting must state about pay."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    region: Literal["us", "eu"]
    remote: bool = Field(description="Whether the law reaches remote jobs open to people there.")
    law: str
    effective: date
    threshold: str = Field(description="Which employers it binds, e.g. '15+ employees'.")
    applies: str
    requires: list[RuleName] = Field(min_length=1)
    notes: str = ""
    places: list[str] = Field(min_length=1)
    not_: list[str] = Field(default_factory=list, alias="not")
    implies: list[str] = Field(default_factory=list)

    _check_places = field_validator("places", "not_")(valid_patterns)

    @cached_property
    def place_regex(self) -> re.Pattern[str]:
        return any_of(self.places)

    @cached_property
    def not_regex(self) -> re.Pattern[str] | None:
        return any_of(self.not_) if self.not_ else None

    def named_in(self, place: str) -> bool:
        if self.not_regex is not None:
            place = self.not_regex.sub(" ", place)
        return bool(self.place_regex.search(place))

    @property
    def label(self) -> str:
        """The name with who the law binds: 'California (15+ employees)'."""
        return f"{self.name} ({self.threshold})"


class PayLawTable(BaseModel):
    """prompts/quality/pay_transparency.yaml."""

    model_config = ConfigDict(extra="forbid")

    rules: dict[RuleName, LawRule]
    regions: dict[RegionName, list[str]]
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    benefits: list[str] = Field(min_length=1)
    deadline_phrases: str
    date: str

    _check_benefits = field_validator("benefits")(valid_patterns)

    @model_validator(mode="after")
    def _consistent(self) -> PayLawTable:
        keys = {j.key for j in self.jurisdictions}
        for jurisdiction in self.jurisdictions:
            unknown = set(jurisdiction.implies) - keys
            if unknown:
                raise ValueError(f"{jurisdiction.key}: implies unknown jurisdiction(s) {', '.join(sorted(unknown))}")
        missing = {rule for j in self.jurisdictions for rule in j.requires} - set(self.rules)
        if missing:
            raise ValueError(f"rules missing for: {', '.join(sorted(missing))}")
        for patterns in self.regions.values():
            valid_patterns(patterns)
        valid_patterns([self.deadline_phrases, self.date])
        return self

    @cached_property
    def region_regex(self) -> dict[RegionName, re.Pattern[str]]:
        return {name: any_of(patterns) for name, patterns in self.regions.items()}

    @cached_property
    def benefits_regex(self) -> re.Pattern[str]:
        return any_of(self.benefits)

    @cached_property
    def deadline_regex(self) -> re.Pattern[str]:
        return any_of([self.deadline_phrases])

    @cached_property
    def date_regex(self) -> re.Pattern[str]:
        return any_of([self.date])

    def by_key(self, key: str) -> Jurisdiction:
        return next(j for j in self.jurisdictions if j.key == key)


class PayLawFinding(BaseModel):
    """A rule the posting leaves unmet, and every jurisdiction whose law imposes it."""

    rule: RuleName
    code: str
    jurisdictions: list[str] = Field(description="Names of the jurisdictions whose law imposes the rule.")
    message: str
    suggestion: str


class PayLawResult(BaseModel):
    """Which laws reach the role, and which of their rules the posting does not meet."""

    places: list[str] = Field(description="The places the role names: its location and remote regions.")
    jurisdictions: list[dict[str, str | list[str]]] = Field(
        description="Each law that reaches the role: key, name, law, effective, threshold, requires."
    )
    findings: list[PayLawFinding] = Field(default_factory=list)


@lru_cache(maxsize=1)
def pay_law_table() -> PayLawTable:
    return load_table("pay_transparency.yaml", PayLawTable)


def jurisdictions(places: Sequence[str]) -> list[Jurisdiction]:
    """Every jurisdiction whose pay-transparency law reaches a job in these places, in table
    order. A named state, city or country counts whatever the workplace; a region ("United
    States", "Europe") brings in the laws of that region that reach remote jobs; "worldwide"
    brings in all of those, unless the same place also names a region or jurisdiction."""
    return list(_reached(tuple(places)))


@lru_cache(maxsize=256)
def _reached(places: tuple[str, ...]) -> tuple[Jurisdiction, ...]:
    table = pay_law_table()
    found: set[str] = set()
    for place in places:
        named = {j.key for j in table.jurisdictions if j.named_in(place)}
        regions = {name for name, regex in table.region_regex.items() if name != "world" and regex.search(place)}
        if not named and not regions and table.region_regex["world"].search(place):
            regions = {"us", "eu"}
        named |= {j.key for j in table.jurisdictions if j.region in regions and j.remote}
        found |= named
    for key in list(found):
        found |= set(table.by_key(key).implies)
    return tuple(j for j in table.jurisdictions if j.key in found)


def has_benefits(text: str) -> bool:
    """Whether the text describes any benefit or other compensation (cover, leave, bonus...)."""
    return bool(pay_law_table().benefits_regex.search(text))


def has_deadline(text: str) -> bool:
    """Whether one sentence speaks of the application window closing and gives a date."""
    table = pay_law_table()
    for phrase in table.deadline_regex.finditer(text):
        start = max(text.rfind(end, 0, phrase.start()) for end in _SENTENCE_ENDS) + 1
        stops = [i for i in (text.find(end, phrase.end()) for end in _SENTENCE_ENDS) if i >= 0]
        if table.date_regex.search(text, start, min(stops, default=len(text))):
            return True
    return False


def _where(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def pay_transparency(
    places: Sequence[str],
    text: str,
    *,
    states_pay: bool,
    open_ended: Sequence[str] = (),
    states_basis: bool = True,
) -> PayLawResult:
    """The pay-transparency rules of the role's places that the posting does not meet.

    `states_pay`: the posting states a bounded range or a fixed figure; `open_ended`: the
    amounts written with one end left out ("from $90,000"); `states_basis`: the stated pay
    says its period. Benefits and the closing date are looked for in `text`."""
    table = pay_law_table()
    reached = _reached(tuple(places))
    unmet: dict[RuleName, Callable[[], bool]] = {
        "range": lambda: not states_pay and not open_ended,
        "open_ended": lambda: bool(open_ended),
        "pay_basis": lambda: states_pay and not states_basis,
        "benefits": lambda: not has_benefits(text),
        "deadline": lambda: not has_deadline(text),
    }
    findings: list[PayLawFinding] = []
    for rule_name, law_rule in table.rules.items():
        bound = [j.label for j in reached if rule_name in j.requires]
        if not bound or not unmet[rule_name]():
            continue
        found = ", ".join(f'"{words}"' for words in open_ended)
        findings.append(
            PayLawFinding(
                rule=rule_name,
                code=law_rule.code,
                jurisdictions=[j.name for j in reached if rule_name in j.requires],
                message=law_rule.message.format(where=_where(bound), found=found),
                suggestion=law_rule.suggestion,
            )
        )
    return PayLawResult(
        places=[p for p in places if p],
        jurisdictions=[
            {
                "key": j.key,
                "name": j.name,
                "law": j.law,
                "effective": j.effective.isoformat(),
                "threshold": j.threshold,
                "requires": list(j.requires),
            }
            for j in reached
        ],
        findings=findings,
    )
