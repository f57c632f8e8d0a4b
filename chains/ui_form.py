"""The page's role form without widgets: which fields, in which groups, their defaults,
how typed values become RoleSpec data, and the inline messages for bad values.

Kept apart from app.py so the rules a hiring manager meets are unit-testable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args

from babel.numbers import get_currency_name

from chains.models import (
    CURRENCIES,
    EmploymentType,
    Level,
    PayPeriod,
    RoleSpec,
    RoleSpecError,
    Tone,
    Workplace,
    parse_role,
)
from chains.render import EMPLOYMENT_LABELS, WORKPLACE_LABELS

Kind = Literal["text", "area", "lines", "choice", "money", "int", "date"]
AUTO_LEVEL = "auto"
REQUIRED = ("title", "company", "salary_min", "salary_max")


@dataclass(frozen=True)
class Input:
    """One input of the form."""

    name: str
    label: str
    kind: Kind
    placeholder: str = ""
    options: tuple[str, ...] = ()
    option_labels: dict[str, str] = field(default_factory=dict)

    @property
    def help(self) -> str | None:
        return RoleSpec.model_fields[self.name].description if self.name in RoleSpec.model_fields else None

    def option_label(self, value: str) -> str:
        return self.option_labels.get(value, value.replace("_", " ").capitalize())


def _options(kind: Any) -> tuple[str, ...]:
    return tuple(get_args(kind))


GROUPS: tuple[tuple[str, tuple[tuple[Input, ...], ...]], ...] = (
    (
        "Role",
        (
            (
                Input("title", "Job title", "text", "e.g. Senior Backend Engineer"),
                Input(
                    "level",
                    "Level",
                    "choice",
                    options=(AUTO_LEVEL, *_options(Level)),
                    option_labels={AUTO_LEVEL: "From the title"},
                ),
            ),
            (
                Input("team", "Team", "text", "e.g. Payments Platform"),
                Input(
                    "employment_type",
                    "Employment type",
                    "choice",
                    options=_options(EmploymentType),
                    option_labels=dict(EMPLOYMENT_LABELS),
                ),
            ),
            (
                Input("years_experience", "Years of experience", "int"),
                Input("tone", "Tone", "choice", options=_options(Tone)),
            ),
            (Input("education", "Education", "text", "e.g. BSc in Computer Science or equivalent experience"),),
            (
                Input(
                    "responsibilities",
                    "Your own responsibilities (one per line)",
                    "lines",
                    "Design and own the billing API",
                ),
            ),
        ),
    ),
    (
        "Company",
        (
            (Input("company", "Company", "text", "e.g. Acme Corp"),),
            (Input("company_description", "About the company", "area", "What you do, for whom, and why it matters"),),
        ),
    ),
    (
        "Location and type",
        (
            (
                Input("location", "Location", "text", "e.g. Berlin, Germany"),
                Input(
                    "workplace",
                    "Workplace",
                    "choice",
                    options=_options(Workplace),
                    option_labels=dict(WORKPLACE_LABELS),
                ),
            ),
            (Input("remote_regions", "Remote regions (one per line)", "lines", "e.g. European Union"),),
        ),
    ),
    (
        "Compensation",
        (
            (
                Input("salary_min", "Salary minimum", "money", "e.g. 142,603"),
                Input("salary_max", "Salary maximum", "money", "e.g. 185,000"),
            ),
            (
                Input(
                    "currency",
                    "Currency",
                    "choice",
                    options=tuple(sorted(CURRENCIES)),
                    option_labels={code: f"{code} · {get_currency_name(code, locale='en')}" for code in CURRENCIES},
                ),
                Input(
                    "pay_period",
                    "Pay period",
                    "choice",
                    options=_options(PayPeriod),
                    option_labels={p: f"Per {p}" for p in _options(PayPeriod)},
                ),
            ),
        ),
    ),
    (
        "Skills",
        (
            (
                Input("must_have_skills", "Must-have skills (one per line)", "lines", "Python\nPostgreSQL"),
                Input("nice_to_have_skills", "Nice-to-have skills (one per line)", "lines", "Kubernetes"),
            ),
        ),
    ),
    (
        "Benefits and how to apply",
        (
            (Input("benefits", "Benefits (one per line)", "lines", "Health, dental and vision insurance"),),
            (
                Input("how_to_apply", "How to apply (email or link)", "text", "jobs@example.com"),
                Input("application_deadline", "Application deadline", "date"),
            ),
        ),
    ),
)

FIELDS: dict[str, Input] = {f.name: f for _, rows in GROUPS for row in rows for f in row}


def defaults() -> dict[str, Any]:
    """An empty form with the RoleSpec defaults already chosen."""
    values: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        if spec.kind == "choice":
            values[name] = AUTO_LEVEL if name == "level" else RoleSpec.model_fields[name].default
        elif spec.kind in ("int", "date"):
            values[name] = None
        else:
            values[name] = ""
    return values


def lines(text: str) -> list[str]:
    """One item per line; bullet marks and blank lines dropped, so pasted lists just work."""
    items = []
    for line in text.splitlines():
        item = re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s+", "", line).strip()
        if item:
            items.append(item)
    return items


def role_data(values: dict[str, Any]) -> dict[str, Any]:
    """Form values as RoleSpec data: lists split by line, blanks left to the defaults."""
    data: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        value = values.get(name)
        if value is None or value == "":
            continue
        if spec.kind == "lines":
            data[name] = lines(str(value))
        elif name == "level" and value == AUTO_LEVEL:
            continue
        elif isinstance(value, str):
            data[name] = value.strip()
        else:
            data[name] = value
    return {k: v for k, v in data.items() if v not in ("", [])}


def form_values(role: RoleSpec) -> dict[str, Any]:
    """A role back as form values, to reopen a saved draft."""
    values = defaults()
    for name, spec in FIELDS.items():
        value = getattr(role, name)
        if spec.kind == "lines":
            values[name] = "\n".join(value)
        elif spec.kind == "money":
            values[name] = _money_text(value)
        elif value is not None:
            values[name] = value
    return values


def _money_text(value: Decimal) -> str:
    return f"{value:,.2f}" if value != value.to_integral() else f"{value:,.0f}"


@dataclass(frozen=True)
class FormCheck:
    """The role when the form is good; otherwise what is missing and what is wrong, by field."""

    role: RoleSpec | None
    missing: tuple[str, ...]
    problems: dict[str, list[str]]

    @property
    def ready(self) -> bool:
        return self.role is not None


def check(values: dict[str, Any]) -> FormCheck:
    """Validate the form as RoleSpec does, before any drafting.

    Missing required fields are listed once, not as errors, and stand-ins take their
    place so every other bad value (minimum above maximum too) shows at the same time.
    """
    data = role_data(values)
    missing = tuple(name for name in REQUIRED if name not in data)
    filled = {**{name: _STAND_INS[name] for name in missing}, **data}
    if "salary_max" in missing and "salary_min" in data:
        filled["salary_max"] = data["salary_min"]
    problems = _problems(filled)
    if problems and not problems.keys() & {"salary_min", "salary_max"}:
        pay = {k: v for k, v in filled.items() if k in ("title", "company", "salary_min", "salary_max")}
        problems.update(_problems(pay))
    if missing or problems:
        return FormCheck(None, tuple(FIELDS[name].label for name in missing), problems)
    return FormCheck(parse_role(data), (), {})


_STAND_INS: dict[str, Any] = {"title": "-", "company": "-", "salary_min": "0.01", "salary_max": "1000000000"}


def _problems(data: dict[str, Any]) -> dict[str, list[str]]:
    try:
        parse_role(data)
    except RoleSpecError as exc:
        problems: dict[str, list[str]] = {}
        for name, message in exc.problems:
            problems.setdefault(name, []).append(friendly(message))
        return problems
    return {}


def friendly(message: str) -> str:
    """A RoleSpec message with field names replaced by the labels the manager sees."""
    def label(match: re.Match[str]) -> str:
        name = match.group(0)
        return FIELDS[name].label.split(" (")[0] if name in FIELDS else name

    text = re.sub(r"^[a-z_]+|\b[a-z]+_[a-z_]+\b", label, message)
    return text[:1].upper() + text[1:]


def persistable(values: dict[str, Any]) -> dict[str, Any]:
    """Form values as JSON-safe data for the store (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if k in FIELDS}


def restored(data: dict[str, Any]) -> dict[str, Any]:
    """Stored form data back as widget values; anything unusable falls back to the default."""
    values = defaults()
    for name, value in data.items():
        spec = FIELDS.get(name)
        if spec is None:
            continue
        if spec.kind == "date":
            values[name] = _date(value)
        elif spec.kind == "int":
            values[name] = value if isinstance(value, int) and not isinstance(value, bool) else None
        elif spec.kind == "choice":
            values[name] = value if value in spec.options else values[name]
        elif isinstance(value, str):
            values[name] = value
    return values


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None

