"""The validator: pure checks over a posting, its template and its role, and the report.

A check is a plain function `CheckContext -> Iterable[Issue]`: no I/O, no model, so the
same checks grade a template draft, a model's draft and a posting pasted from anywhere.
Checks only say what is wrong; `make_issue` prices each code from prompts/scoring.yaml.
Other packages add checks with `@register` (chains.quality does, on import).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache, wraps
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chains.models import Issue, JobPosting, PostingSection, Report, RoleSpec, Salary, Section, SectionContent, Template
from chains.money import Amount, find_amounts, role_salary
from chains.resources import load_asset, prompts_dir
from chains.scoring import make_issue, score
from chains.template import section_heading

__all__ = [
    "CHECKS",
    "CORE_CHECKS",
    "MEASURES",
    "Check",
    "CheckContext",
    "Measure",
    "NearDuplicates",
    "bullet_tokens",
    "make_issue",
    "near_duplicate",
    "per_context",
    "register",
    "register_measure",
    "validate",
]

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
PLUGINS = ("chains.quality",)
_TOKENS = re.compile(r"[a-z0-9+#]+")
_SEPARATORS = " .-/_'’"
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
Item = TypeVar("Item")
Fact = TypeVar("Fact")


def ascii_lower(text: str) -> str:
    """A-Z lower-cased and nothing else, so every position still matches the original:
    patterns run on this are fast without IGNORECASE and their spans slice the original.
    (bytes.lower changes only A-Z, and UTF-8 keeps every other character above 0x7f.)"""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression ({exc})") from None
    return pattern


def _union(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class PatternSet(BaseModel):
    """Patterns matched on lower-cased text (`any_case`) and as written (`as_written`).

    A match that begins with a letter or digit counts only where it begins a word, so the
    patterns need no leading \\b, which would make the scan try them at every position."""

    model_config = ConfigDict(extra="forbid")

    any_case: list[str] = Field(default_factory=list)
    as_written: list[str] = Field(default_factory=list)

    @field_validator("any_case", "as_written")
    @classmethod
    def _each_compiles(cls, patterns: list[str]) -> list[str]:
        return [_compiles(p) for p in patterns]

    @cached_property
    def lower_pattern(self) -> re.Pattern[str] | None:
        return _union(self.any_case)

    @cached_property
    def cased_pattern(self) -> re.Pattern[str] | None:
        return _union(self.as_written)

    def found(self, text: str, lower: str) -> list[str]:
        """Each distinct match, as written in the text, in order."""
        spans = [m.span() for m in self.lower_pattern.finditer(lower)] if self.lower_pattern else []
        spans += [m.span() for m in self.cased_pattern.finditer(text)] if self.cased_pattern else []
        return list(dict.fromkeys(text[a:b].strip() for a, b in sorted(spans) if _starts_word(text, a)))


def _starts_word(text: str, at: int) -> bool:
    return at == 0 or not (_is_word(text[at]) and _is_word(text[at - 1]))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class CheckRules(BaseModel):
    """prompts/checks.yaml: the phrases and thresholds the checks look for."""

    model_config = ConfigDict(extra="forbid")

    vague_pay: PatternSet
    open_before: str
    open_after: str
    pay_sentence: str
    placeholders: PatternSet
    skill_variants: list[list[str]] = Field(default_factory=list)
    duplicate_similarity: float = Field(gt=0, le=1)
    section_max_words: int = Field(gt=0)
    company_suffixes: list[str] = Field(default_factory=list)

    @field_validator("open_before", "open_after", "pay_sentence")
    @classmethod
    def _compiles_one(cls, pattern: str) -> str:
        return _compiles(pattern)

    @cached_property
    def before(self) -> re.Pattern[str]:
        return re.compile(self.open_before)

    @cached_property
    def after(self) -> re.Pattern[str]:
        return re.compile(self.open_after)

    @cached_property
    def pay_words(self) -> re.Pattern[str]:
        return re.compile(self.pay_sentence)


@lru_cache(maxsize=1)
def check_rules() -> CheckRules:
    return load_asset(prompts_dir() / "checks.yaml", CheckRules, "rules file")


@dataclass(frozen=True)
class Found:
    """A money amount and the posting section it was found in."""

    section: str
    amount: Amount


@dataclass(frozen=True)
class CheckContext:
    """What every check reads. Derived facts are computed once and shared by all checks."""

    posting: JobPosting
    template: Template
    role: RoleSpec | None = None

    @cached_property
    def salary(self) -> Salary | None:
        """The range the posting must state: the role's, else the one the posting carries."""
        carried, role = self.posting.salary, self.role
        if role is None or (
            carried is not None
            and (carried.min, carried.max, carried.currency, carried.period)
            == (role.salary_min, role.salary_max, role.currency, role.pay_period)
        ):
            return carried
        return role_salary(role)

    @cached_property
    def input_amounts(self) -> list[Amount]:
        """Amounts the manager wrote in the role's own inputs: theirs to publish."""
        role = self.role
        if role is None:
            return []
        texts = [role.company_description, *role.responsibilities, *role.benefits]
        return [a for text in texts for a in find_amounts(text, codes=(role.currency,))]

    @cached_property
    def template_sections(self) -> dict[str, Section]:
        return {section.key: section for section in self.template.sections}

    def content(self, section: PostingSection) -> SectionContent | None:
        spec = self.template_sections.get(section.key)
        return spec.content if spec else None

    def sections_of(self, content: SectionContent) -> list[PostingSection]:
        return [s for s in self.posting.sections if self.content(s) == content]

    def heading(self, key: str) -> str:
        written = self.posting.get(key)
        if written is not None and written.heading:
            return written.heading
        spec = self.template_sections.get(key)
        return section_heading(spec, self.role) if spec else key

    @cached_property
    def text(self) -> str:
        return self.posting.full_text()

    @cached_property
    def texts(self) -> dict[str, tuple[str, str]]:
        """Each section's text (heading excluded) and its ascii_lower form, by key."""
        texts = {}
        for section in self.posting.sections:
            text = section.text()
            texts[section.key] = (text, ascii_lower(text))
        return texts

    @cached_property
    def amounts(self) -> list[Found]:
        """Every money amount in the posting, section by section, in order."""
        codes = (self.salary.currency,) if self.salary else ()
        return [
            Found(key, amount) for key, (text, _) in self.texts.items() for amount in find_amounts(text, codes=codes)
        ]

    @cached_property
    def pay(self) -> PayFacts:
        return _pay_facts(self)


Check = Callable[[CheckContext], Iterable[Issue]]
Measure = Callable[[CheckContext], Mapping[str, Any]]


def per_context(derive: Callable[[CheckContext], Fact]) -> Callable[[CheckContext], Fact]:
    """Decorator for a fact a plugin derives from the posting (its readability, its shape):
    computed once per CheckContext however many checks and measures read it, like the
    context's own cached properties."""

    @wraps(derive)
    def once(ctx: CheckContext) -> Fact:
        facts = ctx.__dict__.setdefault("_facts", {})
        if derive not in facts:
            facts[derive] = derive(ctx)
        return facts[derive]

    return once


@dataclass(frozen=True)
class PayFacts:
    """How the posting states pay: the salary it states, and the open-ended amounts."""

    stated: Found | None
    open_ended: list[Found]


def _sentence(text: str, start: int, end: int) -> str:
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    return text[begin : stop.start() if stop else len(text)]


def _is_open(rules: CheckRules, lower: str, amount: Amount) -> bool:
    """"from $X", "up to $X", "$X+", "$X and up": one end of the range left out."""
    if amount.is_range:
        return False
    before = rules.before.search(lower, max(0, amount.start - 30), amount.start)
    return bool(before or rules.after.match(lower, amount.end))


def _about_pay(rules: CheckRules, lower: str, amount: Amount) -> bool:
    return bool(rules.pay_words.search(_sentence(lower, amount.start, amount.end)))


def _is_salary(amount: Amount, salary: Salary) -> bool:
    return (
        amount.low == salary.min
        and amount.high == salary.max
        and amount.in_currency(salary.currency)
        and amount.period in (None, salary.period)
    )


def _pay_facts(ctx: CheckContext) -> PayFacts:
    rules = check_rules()
    compensation = {s.key for s in ctx.sections_of("compensation")}
    allowed = ctx.input_amounts
    open_ended: list[Found] = []
    firm: list[Found] = []
    for found in ctx.amounts:
        lower, amount = ctx.texts[found.section][1], found.amount
        if _allowed(amount, allowed):
            continue
        if found.section not in compensation and not _about_pay(rules, lower, amount):
            if amount.is_range or amount.period:
                firm.append(found)
            continue
        if _is_open(rules, lower, amount):
            open_ended.append(found)
        elif amount.is_range or amount.period or _about_pay(rules, lower, amount):
            firm.append(found)
    pool = [f for f in firm if f.section in compensation] or firm
    salary = ctx.salary
    stated = next((f for f in pool if salary and _is_salary(f.amount, salary)), None)
    stated = stated or next((f for f in pool if f.amount.is_range), None) or (pool[0] if pool else None)
    return PayFacts(stated=stated, open_ended=open_ended)


def _allowed(amount: Amount, allowed: list[Amount]) -> bool:
    """An amount the manager wrote in the inputs (a stipend, a funding round) may be published;
    a figure with a pay period is pay, and pay is only ever the role's range."""
    return amount.period is None and any(
        set(amount.figures()) <= set(other.figures()) and amount.currencies & other.currencies for other in allowed
    )


CHECKS: list[Check] = []
MEASURES: list[Measure] = []


def register(check: Check) -> Check:
    """Add a check to the registry `validate` runs by default."""
    if check not in CHECKS:
        CHECKS.append(check)
    return check


def register_measure(measure: Measure) -> Measure:
    """Add a measure whose mapping is merged into Report.details (word lists, readability)."""
    if measure not in MEASURES:
        MEASURES.append(measure)
    return measure


# Structure ---------------------------------------------------------------------------


@register
def title_missing(ctx: CheckContext) -> Iterator[Issue]:
    if not ctx.posting.title.strip():
        yield make_issue("title_missing", message="The posting has no job title.")


@register
def missing_section(ctx: CheckContext) -> Iterator[Issue]:
    for spec in ctx.template.sections:
        if spec.required and ctx.posting.get(spec.key) is None:
            heading = section_heading(spec, ctx.role)
            yield make_issue(
                "missing_section",
                section=spec.key,
                message=f'The required section "{heading}" is missing.',
                suggestion=f'Add a "{heading}" section: {spec.guidance}',
            )


@register
def empty_section(ctx: CheckContext) -> Iterator[Issue]:
    for section in ctx.posting.sections:
        if section.heading and not section.text().strip():
            yield make_issue("empty_section", section=section.key, message=f'The section "{section.heading}" is empty.')


@register
def bullet_count(ctx: CheckContext) -> Iterator[Issue]:
    for section in ctx.posting.sections:
        spec = ctx.template_sections.get(section.key)
        if spec is None or spec.kind != "bullets" or not section.text().strip():
            continue
        count, low = len(section.bullets), spec.min_bullets
        if low is not None and count < low:
            yield make_issue(
                "bullet_count",
                section=section.key,
                message=f'"{section.heading}" has {count} bullet(s); the template asks for at least {low}.',
                suggestion=f"Write {low} to {spec.max_bullets or low} bullets, one idea each.",
            )
        elif spec.max_bullets is not None and count > spec.max_bullets:
            yield make_issue(
                "bullet_count",
                severity="warning",
                section=section.key,
                message=f'"{section.heading}" has {count} bullets; the template asks for at most {spec.max_bullets}.',
                suggestion=f"Keep the {spec.max_bullets} that matter most; long lists put qualified candidates off.",
            )


@register
def heading_order(ctx: CheckContext) -> Iterator[Issue]:
    order = {key: i for i, key in enumerate(ctx.template_sections)}
    latest: PostingSection | None = None
    for section in ctx.posting.sections:
        place = order.get(section.key)
        if place is None:
            continue
        if latest is not None and place < order[latest.key]:
            yield make_issue(
                "heading_order",
                section=section.key,
                message=f'"{section.heading}" comes after "{latest.heading}"; the template puts it before.',
            )
            return
        latest = section


@register
def section_too_long(ctx: CheckContext) -> Iterator[Issue]:
    limit = check_rules().section_max_words
    for section in ctx.posting.sections:
        spec = ctx.template_sections.get(section.key)
        if spec is not None and spec.kind == "bullets":
            continue
        words = sum(len(p.split()) for p in section.paragraphs)
        if words > limit:
            yield make_issue(
                "section_too_long",
                section=section.key,
                message=f'"{section.heading or section.key}" runs to {words} words of prose (more than {limit}).',
            )


@register
def extra_section(ctx: CheckContext) -> Iterator[Issue]:
    for section in ctx.posting.sections:
        if section.heading and section.key not in ctx.template_sections:
            yield make_issue(
                "extra_section",
                section=section.key,
                message=f'"{section.heading}" is not a section of the {ctx.template.name} template.',
            )


# Pay ---------------------------------------------------------------------------------


def _compensation_key(ctx: CheckContext) -> str | None:
    return next((s.key for s in ctx.template.sections if s.content == "compensation"), None)


@register
def salary_missing(ctx: CheckContext) -> Iterator[Issue]:
    if ctx.pay.stated is None:
        expected = f"; the role pays {ctx.salary.text}" if ctx.salary else ""
        yield make_issue(
            "salary_missing",
            section=_compensation_key(ctx),
            message=f"No salary range is stated{expected}.",
            suggestion=f'State the range in the compensation section: "{ctx.salary.text}".' if ctx.salary else "",
        )


@register
def salary_mismatch(ctx: CheckContext) -> Iterator[Issue]:
    stated, salary = ctx.pay.stated, ctx.salary
    if stated is None or salary is None or _is_salary(stated.amount, salary):
        return
    amount = stated.amount
    differs = []
    if (amount.low, amount.high) != (salary.min, salary.max):
        differs.append("amounts")
    if not amount.in_currency(salary.currency):
        differs.append("currency")
    if amount.period not in (None, salary.period):
        differs.append("pay period")
    period = f" per {amount.period}" if amount.period else ""
    yield make_issue(
        "salary_mismatch",
        section=stated.section,
        message=(
            f'"{ctx.heading(stated.section)}" states {amount.text}{period}, but the role pays {salary.text} '
            f"(the {' and '.join(differs)} differ)."
        ),
        suggestion=f'State exactly "{salary.text}".',
    )


@register
def invented_amount(ctx: CheckContext) -> Iterator[Issue]:
    salary = ctx.salary
    if salary is None:
        return
    own = {salary.min, salary.max}
    allowed = ctx.input_amounts
    for found in ctx.amounts:
        amount = found.amount
        if found is ctx.pay.stated or _allowed(amount, allowed):
            continue
        if set(amount.figures()) <= own and amount.in_currency(salary.currency):
            continue
        if amount.period:
            message = (f'"{ctx.heading(found.section)}" mentions {amount.text} per {amount.period}, a pay figure '
                       f"that is not the role's range ({salary.text}).")
        else:
            message = (f'"{ctx.heading(found.section)}" mentions {amount.text}, which is not the role\'s range '
                       f"({salary.text}) nor in the role inputs.")
        yield make_issue("invented_amount", section=found.section, message=message)


@register
def salary_vague(ctx: CheckContext) -> Iterator[Issue]:
    severity = "warning" if ctx.pay.stated else "error"
    rules = check_rules()
    for section in ctx.posting.sections:
        phrases = ", ".join(f"“{p}”" for p in rules.vague_pay.found(*ctx.texts[section.key]))
        if phrases:
            yield make_issue(
                "salary_vague",
                severity=severity,
                section=section.key,
                message=f'"{section.heading or section.key}" describes pay as {phrases}.',
            )
    for found in ctx.pay.open_ended:
        yield make_issue(
            "salary_vague",
            severity=severity,
            section=found.section,
            message=f'"{ctx.heading(found.section)}" gives an open-ended amount ({found.amount.text}) '
            "instead of a minimum and maximum.",
        )


@register
def pay_period_missing(ctx: CheckContext) -> Iterator[Issue]:
    stated = ctx.pay.stated
    if stated is not None and stated.amount.period is None:
        period = f' "per {ctx.salary.period}"' if ctx.salary else ""
        yield make_issue(
            "pay_period_missing",
            section=stated.section,
            message=f"The salary {stated.amount.text} does not say what period it pays for.",
            suggestion=f"Add the pay period{period} after the range.",
        )


# Content -----------------------------------------------------------------------------


@register
def placeholder(ctx: CheckContext) -> Iterator[Issue]:
    patterns = check_rules().placeholders
    title = patterns.found(ctx.posting.title, ascii_lower(ctx.posting.title))
    if title:
        yield make_issue("placeholder", message=f"The title contains placeholder text: {', '.join(title)}.")
    for section in ctx.posting.sections:
        text, lower = ctx.texts[section.key]
        found = patterns.found(f"{section.heading}\n{text}", f"{ascii_lower(section.heading)}\n{lower}")
        if found:
            yield make_issue(
                "placeholder",
                section=section.key,
                message=f'"{section.heading or section.key}" contains placeholder text: {", ".join(found)}.',
            )


def bullet_tokens(text: str) -> frozenset[str]:
    """The words of a bullet, lower-cased, as compared for near-duplicates."""
    return frozenset(_TOKENS.findall(text.lower()))


def _sizes_close(m: int, n: int, threshold: float) -> bool:
    small, large = sorted((m, n))
    return bool(small) and small >= threshold * large


def _overlap(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    common = len(a & b)
    return common >= threshold * (len(a) + len(b) - common)


def near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two bullets' words overlap enough (Jaccard, threshold in prompts/checks.yaml)
    to read as the same bullet. Sets too different in size never do."""
    threshold = check_rules().duplicate_similarity
    return _sizes_close(len(a), len(b), threshold) and _overlap(a, b, threshold)


@lru_cache(maxsize=1024)
def _close_sizes(size: int, threshold: float) -> tuple[int, ...]:
    """The sizes of the word sets that near_duplicate compares with one of this size."""
    return tuple(m for m in range(1, int(size / threshold) + 2) if _sizes_close(size, m, threshold))


class NearDuplicates(Generic[Item]):
    """Bullets' word sets seen so far, filed by size: a new set is compared only with sets
    of a size near_duplicate accepts, so a long list costs far fewer than n² comparisons."""

    def __init__(self) -> None:
        self._by_size: dict[int, list[tuple[int, frozenset[str], Item]]] = {}
        self._added = 0

    def add(self, tokens: frozenset[str], item: Item) -> None:
        self._by_size.setdefault(len(tokens), []).append((self._added, tokens, item))
        self._added += 1

    def earliest(self, tokens: frozenset[str]) -> Item | None:
        """The item of the first set added that these words nearly duplicate."""
        threshold = check_rules().duplicate_similarity
        found: tuple[int, Item] | None = None
        for size in _close_sizes(len(tokens), threshold):
            for order, other, item in self._by_size.get(size, ()):
                if found is not None and order > found[0]:
                    break
                if _overlap(tokens, other, threshold):
                    found = (order, item)
                    break
        return found[1] if found else None


@register
def duplicate_bullet(ctx: CheckContext) -> Iterator[Issue]:
    earlier: NearDuplicates[tuple[PostingSection, str]] = NearDuplicates()
    for section in ctx.posting.sections:
        for bullet in section.bullets:
            tokens = bullet_tokens(bullet)
            if not tokens:
                continue
            repeated = earlier.earliest(tokens)
            if repeated is not None:
                other_section, other = repeated
                same = other_section is section
                where = "earlier in this list" if same else f'in "{other_section.heading or other_section.key}"'
                yield make_issue(
                    "duplicate_bullet",
                    severity="error" if same else "warning",
                    section=section.key,
                    message=f'"{bullet}" repeats "{other}" {where}.',
                )
            earlier.add(tokens, (section, bullet))


def _spelling(text: str, any_case: bool, gaps: str = "*") -> str:
    """A regex for one spelling: separators optional (with gaps="+", required but any), a
    final plural optional."""
    parts = []
    for i, ch in enumerate(text):
        if ch in _SEPARATORS:
            if not parts or not parts[-1].startswith(r"[\s"):
                parts.append(rf"[\s.\-/_'’]{gaps}")
        elif ch == "s" and i == len(text) - 1 and i > 2 and text[i - 1].isalpha():
            parts.append("s?")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    return f"(?{'i' if any_case else '-i'}:{body})"


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch not in _SEPARATORS)


@lru_cache(maxsize=4096)
def skill_pattern(skill: str) -> re.Pattern[str]:
    """How a must-have skill is found: its own spelling in any case, the parts of
    "SQL (PostgreSQL)", and the known other spellings from prompts/checks.yaml."""
    own = [skill.strip()]
    inner = re.fullmatch(r"(.+?)\s*\((.+)\)", skill.strip())
    if inner:
        own.extend(part.strip() for part in inner.groups())
    keys = {_squash(s) for s in own}
    alternatives = [_spelling(s, any_case=True) for s in own if s]
    for group in check_rules().skill_variants:
        if keys & {_squash(v) for v in group}:
            alternatives.extend(_spelling(v, any_case=len(v) > 5) for v in group)
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})(?:e?s)?(?![^\W\d_]|[+#])")


@register
def skill_missing(ctx: CheckContext) -> Iterator[Issue]:
    if ctx.role is None:
        return
    requirements = next((s.key for s in ctx.template.sections if s.content in ("requirements", "skills")), None)
    # A skill is usually named in the requirements, and found there it is found in the posting.
    listed = ctx.texts[requirements][0] if requirements in ctx.texts else ""
    for skill in ctx.role.must_have_skills:
        pattern = skill_pattern(skill)
        if not (pattern.search(listed) or pattern.search(ctx.text)):
            yield make_issue(
                "skill_missing",
                section=requirements,
                message=f'The must-have skill "{skill}" is not mentioned.',
                suggestion=f'Name "{skill}" in the {ctx.heading(requirements) if requirements else "requirements"}.',
            )


@lru_cache(maxsize=1024)
def company_pattern(company: str) -> re.Pattern[str]:
    """The company's name without its legal form ("Acme Corp." is found as "Acme"), as
    words: "northwindlabs" in an email address does not name "Northwind Labs"."""
    suffixes = {s.lower() for s in check_rules().company_suffixes}
    words = company.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower().strip(".") in suffixes:
        words.pop()
    name = _spelling(" ".join(words), any_case=True, gaps="+")
    return re.compile(rf"(?<![^\W_]|[@/]){name}(?![^\W_])")


@register
def company_missing(ctx: CheckContext) -> Iterator[Issue]:
    company = ctx.role.company if ctx.role is not None else ctx.posting.company
    if company.strip() and not company_pattern(company.strip()).search(ctx.text):
        about = next((s.key for s in ctx.template.sections if s.content == "company"), None)
        yield make_issue("company_missing", section=about, message=f'The company "{company}" is never named.')


CORE_CHECKS: tuple[Check, ...] = tuple(CHECKS)


@register_measure
def salary_details(ctx: CheckContext) -> dict[str, Any]:
    """What pay the posting states, beside what it must state."""
    stated = ctx.pay.stated
    return {
        "salary": {
            "expected": ctx.salary.text if ctx.salary else None,
            "stated": _stated_text(stated.amount) if stated else None,
            "amounts": [found.amount.text for found in ctx.amounts],
        }
    }


def _stated_text(amount: Amount) -> str:
    return f"{amount.text} per {amount.period}" if amount.period else amount.text


@lru_cache(maxsize=1)
def _load_plugins() -> None:
    """Import the packages whose checks build on this module; they register on import."""
    for name in PLUGINS:
        __import__(name)


def validate(
    posting: JobPosting,
    template: Template,
    role: RoleSpec | None = None,
    checks: Iterable[Check] | None = None,
) -> Report:
    """Run the checks (by default every registered one) and score what they find.

    The role defaults to the one the posting carries; without one, the checks that need
    the inputs (salary match, invented amounts, skills) judge only what they can."""
    if checks is None:
        _load_plugins()
        checks = CHECKS
    ctx = CheckContext(posting, template, role if role is not None else posting.role)
    issues = [issue for check in checks for issue in check(ctx)]
    issues.sort(key=lambda issue: SEVERITY_RANK[issue.severity])
    total, breakdown = score(issues)
    details: dict[str, Any] = {}
    for measure in MEASURES:
        details.update(measure(ctx))
    return Report(issues=issues, score=total, breakdown=breakdown, details=details)
