"""The contracts every part of jdwriter speaks: role inputs, templates, postings, reports.

Field descriptions are written for people and for the model alike: the LLM engine
sends the posting schema, descriptions included, as its structured-output format.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from babel.numbers import list_currencies
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

Level = Literal["entry", "mid", "senior", "lead", "executive"]
Workplace = Literal["onsite", "hybrid", "remote"]
EmploymentType = Literal["full_time", "part_time", "contract", "temporary", "internship"]
PayPeriod = Literal["hour", "day", "week", "month", "year"]
Tone = Literal["professional", "friendly", "enthusiastic"]
Provenance = Literal["llm", "template", "repaired"]
Severity = Literal["error", "warning", "info"]
SectionKind = Literal["paragraph", "bullets"]
SectionContent = Literal[
    "company",
    "overview",
    "responsibilities",
    "requirements",
    "qualifications",
    "skills",
    "nice_to_have",
    "compensation",
    "apply",
    "eeo",
]

LEVELS: tuple[Level, ...] = ("entry", "mid", "senior", "lead", "executive")
MAX_TEXT = 2000
MAX_SHORT = 200
MAX_ITEMS = 30

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SHORT)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT * 2)]
Money = Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), decimal_places=2)]

CURRENCIES = frozenset(list_currencies())
LIST_FIELDS = (
    "remote_regions",
    "must_have_skills",
    "nice_to_have_skills",
    "responsibilities",
    "benefits",
)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)

_SYNONYMS: dict[str, dict[str, str]] = {
    "level": {
        "junior": "entry", "jr": "entry", "graduate": "entry", "intern": "entry",
        "intermediate": "mid", "middle": "mid", "mid-level": "mid", "midlevel": "mid",
        "sr": "senior", "staff": "senior", "principal": "senior",
        "head": "lead", "manager": "lead", "exec": "executive",
    },
    "workplace": {"on-site": "onsite", "on site": "onsite", "office": "onsite", "in-office": "onsite"},
    "employment_type": {
        "full-time": "full_time", "full time": "full_time", "fulltime": "full_time",
        "part-time": "part_time", "part time": "part_time", "parttime": "part_time",
        "contractor": "contract", "temp": "temporary", "intern": "internship",
    },
    "pay_period": {
        "hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month",
        "yearly": "year", "annual": "year", "annually": "year", "annum": "year",
    },
}

_TITLE_LEVELS: tuple[tuple[re.Pattern[str], Level], ...] = (
    (re.compile(r"\b(chief|vp|vice president|svp|evp|cto|cfo|coo|ceo|cmo|director|head of)\b", re.I), "executive"),
    (re.compile(r"\b(lead|manager|principal)\b", re.I), "lead"),
    (re.compile(r"\b(senior|sr\.?|staff|iii|iv)\b", re.I), "senior"),
    (re.compile(r"\b(junior|jr\.?|entry|graduate|intern|trainee|apprentice|associate|i)\b", re.I), "entry"),
)


def infer_level(title: str) -> Level:
    """The level a title implies when the manager did not choose one."""
    for pattern, level in _TITLE_LEVELS:
        if pattern.search(title):
            return level
    return "mid"


class RoleSpec(BaseModel):
    """What a hiring manager knows about the role: everything a posting is built from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: ShortText | None = Field(None, description="Row identifier in a batch.")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT)] = Field(
        description="Job title as it will be advertised."
    )
    company: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT)] = Field(
        description="Hiring company's name."
    )
    level: Level = Field("mid", description="Seniority: entry, mid, senior, lead or executive.")
    company_description: LongText = Field("", description="What the company does, in the manager's words.")
    team: ShortText = Field("", description="Team or department the hire joins.")
    location: ShortText = Field("", description="City, region or country of the job.")
    workplace: Workplace = Field("onsite", description="onsite, hybrid or remote.")
    remote_regions: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Where remote candidates may live."
    )
    employment_type: EmploymentType = Field("full_time", description="Kind of contract.")
    salary_min: Money = Field(description="Lowest pay offered for the period.")
    salary_max: Money = Field(description="Highest pay offered for the period.")
    currency: str = Field("USD", description="ISO 4217 currency code.")
    pay_period: PayPeriod = Field("year", description="The period the salary figures are for.")
    must_have_skills: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    nice_to_have_skills: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    responsibilities: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Duties the manager wants listed verbatim."
    )
    years_experience: int | None = Field(None, ge=0, le=50)
    education: ShortText = Field("", description="Education asked for, if any.")
    benefits: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    how_to_apply: ShortText = Field("", description="An email address or an https URL.")
    application_deadline: date | None = Field(None, description="Last day to apply (YYYY-MM-DD).")
    tone: Tone = Field("professional", description="Voice of the posting.")

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
        for name, synonyms in _SYNONYMS.items():
            value = data.get(name)
            if isinstance(value, str):
                key = value.strip().lower().rstrip(".")
                data[name] = synonyms.get(key, key.replace("-", "_").replace(" ", "_"))
        if "level" not in data and isinstance(data.get("title"), str):
            data["level"] = infer_level(data["title"])
        for name in LIST_FIELDS:
            value = data.get(name)
            if isinstance(value, str):
                data[name] = [part.strip() for part in value.split(";") if part.strip()]
        for name in ("salary_min", "salary_max"):
            value = data.get(name)
            if isinstance(value, str):
                data[name] = value.replace(",", "").replace("_", "").strip()
        return data

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in CURRENCIES:
            raise PydanticCustomError("currency", "is not an ISO 4217 currency code (for example USD, EUR, GBP)")
        return code

    @field_validator("how_to_apply")
    @classmethod
    def _contact(cls, value: str) -> str:
        if value and not (_EMAIL.match(value) or _URL.match(value)):
            raise PydanticCustomError("how_to_apply", "must be an email address or an http(s) URL")
        return value

    @model_validator(mode="after")
    def _salary_order(self) -> RoleSpec:
        if self.salary_min > self.salary_max:
            raise PydanticCustomError(
                "salary_range",
                "salary_min ({min}) is greater than salary_max ({max})",
                {"field": "salary_min", "min": _plain(self.salary_min), "max": _plain(self.salary_max)},
            )
        return self


class Section(BaseModel):
    """One section of a template: what it is called, what goes in it and how to write it."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    heading: str = Field(min_length=1, description="May use {title} and {company}.")
    content: SectionContent
    required: bool = True
    kind: SectionKind = "paragraph"
    min_bullets: int | None = Field(None, ge=0)
    max_bullets: int | None = Field(None, ge=1)
    guidance: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list, description="Other headings that mean this section.")

    @model_validator(mode="after")
    def _bounds(self) -> Section:
        if self.min_bullets is not None and self.max_bullets is not None and self.min_bullets > self.max_bullets:
            raise ValueError(f"min_bullets ({self.min_bullets}) is greater than max_bullets ({self.max_bullets})")
        return self


class WordRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: int = Field(300, ge=0)
    max: int = Field(700, ge=1)


class Template(BaseModel):
    """An ordered list of sections, loaded from a YAML file in prompts/templates."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
    name: str
    description: str = ""
    words: WordRange = Field(default_factory=WordRange)
    equal_opportunity: bool = Field(True, description="Whether postings must carry an equal-opportunity statement.")
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Template:
        keys = [s.key for s in self.sections]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"section keys repeat: {', '.join(dupes)}")
        if not any(s.content == "compensation" for s in self.sections):
            raise ValueError("a template needs a section with content 'compensation' for the salary range")
        return self

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


class PostingSection(BaseModel):
    """A written section of a posting."""

    key: str = Field(description="The template section key this text fills.")
    heading: str = Field(description="The heading shown to candidates.")
    paragraphs: list[str] = Field(default_factory=list, description="Prose paragraphs, in order.")
    bullets: list[str] = Field(default_factory=list, description="Bullet points, in order, without bullet marks.")
    provenance: Provenance = Field("template", description="Who wrote it: llm, template, or repaired.")

    def text(self) -> str:
        return "\n".join([*self.paragraphs, *self.bullets])


class Salary(BaseModel):
    min: Decimal
    max: Decimal
    currency: str
    period: PayPeriod
    text: str = Field(description="The range as printed, e.g. '$142,603 – $185,000 per year'.")


class Usage(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float | None = None

    def add(self, other: Usage) -> Usage:
        cost = None if self.cost_usd is None and other.cost_usd is None else (self.cost_usd or 0) + (other.cost_usd or 0)
        return Usage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            latency_s=self.latency_s + other.latency_s,
            cost_usd=cost,
        )


class PostingMeta(BaseModel):
    engine: str = "template"
    model: str | None = None
    template: str = "standard"
    family: str | None = Field(None, description="Role library family the title matched, if any.")
    attempts: int = 0
    usage: Usage = Field(default_factory=Usage)
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    notes: list[str] = Field(default_factory=list, description="What was re-asked, repaired or fell back.")


class JobPosting(BaseModel):
    """A drafted posting: ordered sections plus the salary as data."""

    title: str
    company: str
    sections: list[PostingSection]
    salary: Salary | None = None
    role: RoleSpec | None = None
    meta: PostingMeta = Field(default_factory=PostingMeta)

    def get(self, key: str) -> PostingSection | None:
        for section in self.sections:
            if section.key == key:
                return section
        return None

    def full_text(self) -> str:
        return "\n".join([self.title, *(f"{s.heading}\n{s.text()}" for s in self.sections)])


class Issue(BaseModel):
    """One thing wrong or weak in a posting. `code` is stable; tests and users rely on it."""

    code: str
    severity: Severity
    section: str | None = None
    message: str
    suggestion: str = ""
    category: str = "structure"
    points: float = Field(0.0, ge=0, description="Score points this issue takes off.")


class Report(BaseModel):
    """Every issue found plus a 0-100 score whose every lost point is traceable to an issue."""

    issues: list[Issue] = Field(default_factory=list)
    score: int = 100
    breakdown: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="category -> {weight, lost, score}"
    )
    details: dict[str, Any] = Field(default_factory=dict, description="Measurements: word lists, readability.")

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def codes(self) -> list[str]:
        return [i.code for i in self.issues]


class RoleSpecError(ValueError):
    """A refused role input, as lines a person can act on."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))

    @property
    def fields(self) -> list[str]:
        return [field for field, _ in self.problems]


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value)


def _shown(value: Any) -> str:
    text = _plain(value) if isinstance(value, Decimal) else repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """Turn pydantic's errors into (field, one readable line naming field and value)."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        ctx = err.get("ctx") or {}
        field = loc[0] if loc else str(ctx.get("field", "input"))
        where = field + "".join(f"[{p}]" for p in loc[1:])
        value = err.get("input")
        kind = err["type"]
        if kind == "salary_range":
            message = err["msg"]
        elif kind == "extra_forbidden":
            message = f"{where} is not a role field (check the spelling; see `jdwriter draft --help`)"
        elif kind == "missing":
            message = f"{where} is required"
        elif kind == "literal_error":
            message = f"{where} ({_shown(value)}) must be one of: {str(ctx.get('expected', '')).replace(chr(39), '')}"
        elif kind in ("string_too_long", "too_long"):
            limit = ctx.get("max_length")
            unit = "characters" if kind == "string_too_long" else "items"
            message = f"{where} is too long ({len(value) if hasattr(value, '__len__') else '?'} {unit}; at most {limit})"
        elif kind == "string_too_short":
            message = f"{where} must not be empty"
        elif kind.startswith("date"):
            message = f"{where} ({_shown(value)}) must be a date like 2027-03-31"
        elif kind in ("decimal_parsing", "decimal_type", "int_parsing", "int_type", "float_parsing"):
            message = f"{where} ({_shown(value)}) must be a number"
        elif kind == "greater_than":
            message = f"{where} ({_shown(value)}) must be greater than {ctx.get('gt')}"
        else:
            message = f"{where} ({_shown(value)}) {_strip_prefix(err['msg'])}"
        problems.append((field, message))
    return problems


def _strip_prefix(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg[:1].lower() + msg[1:]


def parse_role(data: Any) -> RoleSpec:
    """Validate raw role data; raise RoleSpecError with readable lines when refused."""
    if not isinstance(data, dict):
        raise RoleSpecError([("input", f"a role must be a mapping of fields, not {type(data).__name__}")])
    try:
        return RoleSpec.model_validate(data)
    except ValidationError as exc:
        raise RoleSpecError(describe_errors(exc)) from None
