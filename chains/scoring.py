"""The score table: each issue code's severity, category and points, from prompts/scoring.yaml.

Checks name a code and say what is wrong; this module decides what it costs, so weights
are tuned in one data file and every point a posting loses is traceable to an issue.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chains.models import Issue, Severity
from chains.resources import load_asset, prompts_dir

TOTAL = 100.0


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(ge=0, le=TOTAL)
    description: str


class CodeRule(BaseModel):
    """What one issue code costs: its default severity, category and points."""

    model_config = ConfigDict(extra="forbid")

    category: str
    severity: Severity
    points: float | dict[Severity, float]
    description: str
    suggestion: str = ""

    @model_validator(mode="after")
    def _default_points(self) -> CodeRule:
        if isinstance(self.points, dict) and self.severity not in self.points:
            raise ValueError(f"points has no entry for its default severity {self.severity!r}")
        return self

    def points_for(self, severity: Severity) -> float | None:
        """Points at this severity; None when the code is never raised at it."""
        if severity == "info":
            return 0.0
        if isinstance(self.points, dict):
            return self.points.get(severity)
        return self.points if severity == self.severity else None


class ScoringTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    categories: dict[str, Category] = Field(min_length=1)
    codes: dict[str, CodeRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ScoringTable:
        total = sum(c.weight for c in self.categories.values())
        if abs(total - TOTAL) > 1e-9:
            raise ValueError(f"category weights add up to {total:g}, not {TOTAL:g}")
        for code, rule in self.codes.items():
            if rule.category not in self.categories:
                raise ValueError(f"code {code!r} names unknown category {rule.category!r}")
        return self


@lru_cache(maxsize=1)
def scoring_table() -> ScoringTable:
    return load_asset(prompts_dir() / "scoring.yaml", ScoringTable, "scoring table")


def make_issue(
    code: str,
    *,
    section: str | None = None,
    message: str,
    suggestion: str = "",
    severity: Severity | None = None,
) -> Issue:
    """An Issue priced from the table. An unknown code, or a severity the table does not
    allow for it, is a bug in the check (KeyError / ValueError), never a user error."""
    table = scoring_table()
    if code not in table.codes:
        raise KeyError(f"issue code {code!r} is not in prompts/scoring.yaml")
    rule = table.codes[code]
    level = severity or rule.severity
    points = rule.points_for(level)
    if points is None:
        raise ValueError(f"issue code {code!r} is not raised at severity {level!r} in prompts/scoring.yaml")
    return Issue(
        code=code,
        severity=level,
        section=section,
        message=message,
        suggestion=suggestion or rule.suggestion,
        category=rule.category,
        points=points,
    )


def score(issues: Iterable[Issue]) -> tuple[int, dict[str, dict[str, float]]]:
    """The 0-100 score and its breakdown {category: {weight, lost, score}}: each category
    loses the points of its issues, at most its weight."""
    table = scoring_table()
    spent = dict.fromkeys(table.categories, 0.0)
    for issue in issues:
        spent[issue.category] += issue.points
    breakdown: dict[str, dict[str, float]] = {}
    for name, category in table.categories.items():
        lost = min(category.weight, spent[name])
        breakdown[name] = {"weight": category.weight, "lost": lost, "score": category.weight - lost}
    total_lost = sum(part["lost"] for part in breakdown.values())
    return max(0, round(TOTAL - total_lost)), breakdown
