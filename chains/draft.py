"""The openai engine's chain: prompt → model with structured output → parse → validate →
re-ask with the issue list (bounded) → repair or replace what still fails from the template
engine's draft → final validate. For valid role inputs the result is always valid, the
salary always comes from the inputs, and the report's notes say what was re-asked and why.

The chat model is passed in (chains/llm.py builds it); nothing here talks to a network
except through `ask_structured`, which owns network retries and the time budget.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field

from chains.compose import compose
from chains.llm import LlmUnavailable, ask_structured, cost_usd
from chains.models import Issue, JobPosting, PostingMeta, PostingSection, Report, RoleSpec, Section, Template, Usage
from chains.money import find_amounts
from chains.resources import read_text
from chains.settings import Settings
from chains.template import heading_matches, section_heading
from chains.validate import make_issue, validate

# Role fields the model never sees: the salary is written from the inputs, never by a model.
HIDDEN_FIELDS = frozenset({"id", "salary_min", "salary_max", "currency", "pay_period", "tone"})
PREVIOUS_REPLY_CHARS = 6000
_BULLET_MARK = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")


class ReplySection(BaseModel):
    """One posting section."""

    key: str = Field(description="Template section key.")
    paragraphs: list[str] = Field(default_factory=list)
    bullets: list[str] = Field(default_factory=list, description="Without leading marks.")


class PostingDraft(BaseModel):
    """A job posting: every template section, in order."""

    sections: list[ReplySection]


EventKind = Literal["asking", "reply", "section", "done"]


@dataclass(frozen=True)
class DraftEvent:
    """Progress while drafting, for the page: a status line, a provisional draft, a final section, or the end."""

    kind: EventKind
    message: str
    attempt: int = 0
    section: PostingSection | None = None
    posting: JobPosting | None = None
    report: Report | None = None


@lru_cache(maxsize=1)
def prompts() -> tuple[ChatPromptTemplate, ChatPromptTemplate]:
    """The first ask and the re-ask, from prompts/system.txt, draft.txt and repair.txt."""
    system, ask, repair = read_text("system.txt"), read_text("draft.txt"), read_text("repair.txt")
    first = ChatPromptTemplate.from_messages([("system", system), ("human", ask)])
    again = ChatPromptTemplate.from_messages([("system", system), ("human", ask), ("ai", "{previous}"), ("human", repair)])
    return first, again


def as_data(value: Any) -> str:
    """Compact JSON that cannot close a <tag> block: role text stays data, whatever it says."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def as_text(text: str) -> str:
    """Plain text that cannot close a <tag> block."""
    return text.replace("<", "‹").replace(">", "›")


def _bounds(section: Section) -> str:
    if section.kind != "bullets":
        return ""
    low, high = section.min_bullets or 0, section.max_bullets
    return f", {low}-{high}" if high else f", at least {low}"


def salary_paragraph(composed: JobPosting) -> str:
    """The template draft's sentence stating the salary: the only place the range is written."""
    assert composed.salary is not None
    for section in composed.sections:
        for paragraph in section.paragraphs:
            if composed.salary.text in paragraph:
                return paragraph
    return composed.salary.text


def prompt_values(role: RoleSpec, template: Template, composed: JobPosting) -> dict[str, str]:
    """Every prompt variable: role data, the sections with their guidance, and the grounding draft."""
    role_data = {k: v for k, v in role.model_dump(mode="json", exclude=set(HIDDEN_FIELDS)).items() if v not in ("", [], None)}
    sections = [f"- {s.key} ({s.kind}{_bounds(s)}): {' '.join(s.guidance.split())}" for s in template.sections]
    salary = salary_paragraph(composed)
    grounding = [
        line
        for s in composed.sections
        for line in (f"[{s.key}]", *(p for p in s.paragraphs if p != salary), *(f"- {b}" for b in s.bullets))
    ]
    return {
        "tone": role.tone,
        "role_data": as_data(role_data),
        "sections": "\n".join(sections),
        "grounding": as_text("\n".join(grounding)),
    }


class _Same:
    """A cache key equal only to the very same object (templates and chat models are not
    hashable); the key holds the object, so its id is not reused while the key lives."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


@lru_cache(maxsize=256)
def _section_key(name: str, template: _Same) -> str | None:
    """The template key a reply's section names: its key, or one of its headings (kept, as
    every reply names the same few sections)."""
    wanted = name.strip().lower().replace("-", "_").replace(" ", "_")
    for section in template.value.sections:
        if section.key == wanted or heading_matches(section, name):
            return section.key
    return None


def _clean(items: list[str]) -> list[str]:
    return [text for text in (_BULLET_MARK.sub("", item).strip() for item in items) if text]


def to_posting(reply: PostingDraft, role: RoleSpec, template: Template, composed: JobPosting) -> JobPosting:
    """The model's sections in template order, with headings from the template and the salary from the inputs
    (the template draft's, formatted from the same inputs)."""
    salary = composed.salary
    assert salary is not None
    written: dict[str, ReplySection] = {}
    for item in reply.sections:
        key = _section_key(item.key, _Same(template))
        if key is not None and key not in written:
            written[key] = item
    sections: list[PostingSection] = []
    for section in template.sections:
        item = written.get(section.key)
        if item is None:
            continue
        paragraphs, bullets = _clean(item.paragraphs), _clean(item.bullets)
        if section.content == "compensation" and not any(salary.text in p for p in paragraphs):
            paragraphs = [salary_paragraph(composed), *paragraphs]
        if paragraphs or bullets:
            sections.append(
                PostingSection(
                    key=section.key,
                    heading=section_heading(section, role),
                    paragraphs=paragraphs,
                    bullets=bullets,
                    provenance="llm",
                )
            )
    return JobPosting(title=role.title, company=role.company, sections=sections, salary=salary, role=role)


@dataclass(frozen=True)
class Grader:
    """The validator, plus the chain's own rule: a model writes no money amount at all. The
    salary sentence is inserted from the inputs, and a line the template draft wrote verbatim
    is the inputs' own; any other amount a model writes is flagged, even one that appears
    somewhere in the inputs ("set the salary to $1" in a field is not a salary)."""

    template: Template
    role: RoleSpec
    composed: JobPosting
    _last: list[tuple[JobPosting, Report]] = dataclasses.field(
        default_factory=list, init=False, repr=False, compare=False
    )

    @cached_property
    def _template_lines(self) -> frozenset[str]:
        return frozenset(line for s in self.composed.sections for line in (*s.paragraphs, *s.bullets))

    def _model_amounts(self, posting: JobPosting, found: list[Issue]) -> list[Issue]:
        issues = []
        for section in posting.sections:
            if section.provenance == "template":
                continue
            for line in (*section.paragraphs, *section.bullets):
                if line in self._template_lines:
                    continue
                for amount in find_amounts(line, codes=(self.role.currency,)):
                    if any(i.section == section.key and amount.text in i.message for i in found):
                        continue
                    issues.append(make_issue(
                        "invented_amount",
                        section=section.key,
                        message=f'"{section.heading}" mentions {amount.text}: the model may not write money amounts; '
                        "the salary range is added from the inputs.",
                    ))
        return issues

    def validated(self, posting: JobPosting) -> Report:
        """The validator's own report, kept for the posting graded last: the final report is
        usually that of the posting the last attempt was graded on."""
        if self._last and self._last[0][0] is posting:
            return self._last[0][1]
        report = validate(posting, self.template, self.role)
        self._last[:] = [(posting, report)]
        return report

    def report(self, posting: JobPosting) -> Report:
        report = self.validated(posting)
        extra = self._model_amounts(posting, report.issues)
        return report.model_copy(update={"issues": [*extra, *report.issues]}) if extra else report

    def section_errors(self, section: PostingSection, posting: JobPosting) -> list[Issue]:
        """Errors found in this one section on its own."""
        probe = posting.model_copy(update={"sections": [section]})
        return [i for i in self.report(probe).errors if i.section == section.key]

    def repair(self, section: PostingSection, posting: JobPosting) -> PostingSection | None:
        """The model's paragraphs and bullets that pass on their own, bullets topped up from the
        template draft; None when none of the model's lines survive or the result still fails."""
        spec = self.template.section(section.key)
        trial = section.model_copy(update={"paragraphs": [], "bullets": [], "provenance": "repaired"})

        def passes(candidate: PostingSection) -> bool:
            return all(i.code in ("bullet_count", "empty_section") for i in self.section_errors(candidate, posting))

        for field in ("paragraphs", "bullets"):
            for item in getattr(section, field):
                candidate = trial.model_copy(update={field: [*getattr(trial, field), item]})
                if passes(candidate):
                    trial = candidate
        trial = trial.model_copy(update={"bullets": trial.bullets[: spec.max_bullets]})
        template_draft = self.composed.get(section.key)
        for item in template_draft.bullets if template_draft else []:
            if len(trial.bullets) >= (spec.min_bullets or 0):
                break
            candidate = trial.model_copy(update={"bullets": [*trial.bullets, item]})
            if passes(candidate):
                trial = candidate
        kept = set(section.paragraphs + section.bullets) & set(trial.paragraphs + trial.bullets)
        if not kept or self.section_errors(trial, posting):
            return None
        return trial


def _merge(current: JobPosting, new: JobPosting, report: Report, template: Template) -> JobPosting:
    """Sections that failed take the re-asked version; sections that passed keep theirs."""
    failing = {i.section for i in report.errors}
    sections = []
    for section in template.sections:
        old, fresh = current.get(section.key), new.get(section.key)
        take_new = fresh is not None and (old is None or section.key in failing or None in failing)
        chosen = fresh if take_new else old
        if chosen is not None:
            sections.append(chosen)
    return current.model_copy(update={"sections": sections})


def _describe(errors: list[Issue]) -> str:
    parts = [f"{i.code} in {i.section}" if i.section else i.code for i in errors]
    return f"{len(errors)} error{'s' if len(errors) != 1 else ''} ({'; '.join(dict.fromkeys(parts))})"


def problem_lines(errors: list[Issue]) -> str:
    lines = []
    for issue in errors:
        where = f"[{issue.section}] " if issue.section else ""
        fix = f" Fix: {issue.suggestion}" if issue.suggestion else ""
        lines.append(f"- {where}{issue.code}: {issue.message}{fix}")
    return "\n".join(lines)


def _from_template(section: PostingSection) -> PostingSection:
    return section.model_copy(update={"provenance": "template"})


def fill_gaps(posting: JobPosting, composed: JobPosting, template: Template) -> tuple[JobPosting, list[str]]:
    """Sections the model left out, taken from the template draft (optional ones too: the
    manager's nice-to-have skills belong in the posting whoever writes it)."""
    by_key = {s.key: s for s in posting.sections}
    missing = [s for s in composed.sections if s.key not in by_key]
    if not missing:
        return posting, []
    by_key |= {s.key: _from_template(s) for s in missing}
    sections = [by_key[s.key] for s in template.sections if s.key in by_key]
    return posting.model_copy(update={"sections": sections}), [
        f"added {s.key} from the template draft (the model left it out)" for s in missing
    ]


def repair(posting: JobPosting, report: Report, grader: Grader) -> tuple[JobPosting, list[str]]:
    """Fix what the re-asks did not: repair each failing section, else take it from the template
    draft; then replace sections until the posting is valid (at worst, the whole template draft)."""
    template, composed = grader.template, grader.composed
    failing: dict[str | None, list[str]] = {}
    for issue in report.errors:
        failing.setdefault(issue.section, []).append(issue.code)
    notes: list[str] = []
    sections: list[PostingSection] = []
    for spec in template.sections:
        current, fallback = posting.get(spec.key), composed.get(spec.key)
        codes = ", ".join(dict.fromkeys(failing.get(spec.key, [])))
        if current is None or spec.key not in failing:
            if current is not None:
                sections.append(current)
            continue
        fixed = grader.repair(current, posting)
        if fixed is not None:
            sections.append(fixed)
            dropped = len({*current.paragraphs, *current.bullets} - {*fixed.paragraphs, *fixed.bullets})
            notes.append(f"repaired {spec.key} ({codes}): dropped {dropped} of the model's lines, kept the rest")
        elif fallback is not None:
            sections.append(_from_template(fallback))
            notes.append(f"replaced {spec.key} from the template draft ({codes})")
    result = posting.model_copy(update={"sections": sections})
    report = grader.report(result)
    for spec in template.sections:
        named = {i.section for i in report.errors}
        section, fallback = result.get(spec.key), composed.get(spec.key)
        if report.valid or fallback is None or (section is not None and section.provenance == "template"):
            continue
        if spec.key in named or None in named:
            notes.append(f"replaced {spec.key} from the template draft ({_describe(report.errors)})")
            by_key = {s.key: s for s in result.sections} | {spec.key: _from_template(fallback)}
            result = result.model_copy(update={"sections": [by_key[s.key] for s in template.sections if s.key in by_key]})
            report = grader.report(result)
    if not report.valid:
        notes.append(f"used the template draft for every section ({_describe(report.errors)})")
        result = composed
    return result, notes


def structured(model: BaseChatModel, settings: Settings) -> Runnable:
    """The model bound to the PostingDraft schema, returning raw, parsed and parsing_error."""
    return model.with_structured_output(PostingDraft, method=settings.structured_output, include_raw=True)


@lru_cache(maxsize=8)
def _asks(model: _Same, settings: Settings) -> tuple[Runnable, Runnable]:
    """The first ask and the re-ask, each prompt piped into `structured`: built once for the
    last few models and settings used, as binding the schema converts it to JSON every time."""
    first, again = prompts()
    call = structured(model.value, settings)
    return first | call, again | call


def fallback_report(posting: JobPosting, template: Template, role: RoleSpec, reason: str) -> Report:
    report = validate(posting, template, role)
    warning = make_issue("llm_unavailable", message=f"The model was unavailable, so the template engine wrote this posting: {reason}")
    return report.model_copy(update={"issues": [*report.issues, warning]})


def stream_draft(role: RoleSpec, template: Template, model: BaseChatModel, settings: Settings) -> Iterator[DraftEvent]:
    """Draft with the model, yielding progress; the last event is `done` with the posting and report.

    Raises LlmUnavailable only when the model is unavailable and settings.fallback is off.
    """
    deadline = time.monotonic() + settings.budget_s
    composed = compose(role, template)
    values = prompt_values(role, template, composed)
    grader = Grader(template, role, composed)
    ask_first, ask_again = _asks(_Same(model), settings)
    usage, notes, attempts = Usage(), [], 0
    current: JobPosting | None = None
    report: Report | None = None
    previous, problems = "", ""
    for attempt in range(1, settings.attempts + 1):
        yield DraftEvent("asking", f"Drafting with {settings.model} (attempt {attempt} of {settings.attempts})", attempt)
        chain = ask_first if attempt == 1 else ask_again
        try:
            reply = ask_structured(chain, {**values, "previous": previous, "problems": problems}, settings, deadline)
        except LlmUnavailable as exc:
            if attempts == 0:
                if not settings.fallback:
                    raise
                yield from _fallback(composed, template, role, settings, usage, str(exc))
                return
            notes.append(f"attempt {attempt}: {exc}; kept attempt {attempt - 1}")
            break
        attempts += 1
        usage = usage.add(reply.usage)
        notes.extend(f"attempt {attempt}: {line}" for line in reply.retries)
        if reply.parsed is None:
            notes.append(f"attempt {attempt}: {reply.error}")
            previous = reply.text[:PREVIOUS_REPLY_CHARS] or "(no readable reply)"
            problems = f"- {reply.error}. Reply with the structured draft exactly as its schema describes."
            yield DraftEvent("reply", notes[-1], attempt)
            continue
        assert isinstance(reply.parsed, PostingDraft)
        candidate = to_posting(reply.parsed, role, template, composed)
        current = candidate if current is None or report is None else _merge(current, candidate, report, template)
        report = grader.report(current)
        if report.valid:
            notes.append(f"attempt {attempt}: valid")
            yield DraftEvent("reply", notes[-1], attempt, posting=current, report=report)
            break
        notes.append(f"attempt {attempt}: {_describe(report.errors)}")
        previous = reply.parsed.model_dump_json()[:PREVIOUS_REPLY_CHARS]
        problems = problem_lines(report.errors)
        yield DraftEvent("reply", notes[-1], attempt, posting=current, report=report)
    if current is None:
        current = composed
        notes.append("no usable reply: every section from the template draft")
    else:
        current, added = fill_gaps(current, composed, template)
        notes.extend(added)
        report = grader.report(current) if added else report
        if report is not None and not report.valid:
            current, fixes = repair(current, report, grader)
            notes.extend(fixes)
    usage = usage.model_copy(update={"cost_usd": cost_usd(usage, settings.model, settings.prices)})
    meta = PostingMeta(engine="openai", model=settings.model, template=template.key, family=composed.meta.family,
                       attempts=attempts, usage=usage, notes=notes)
    posting = current.model_copy(update={"meta": meta})
    # Meta (notes, usage) is not graded, so `current`'s report is the posting's.
    yield from finish_events(posting, grader.validated(current))


def _fallback(composed: JobPosting, template: Template, role: RoleSpec, settings: Settings, usage: Usage,
              reason: str) -> Iterator[DraftEvent]:
    meta = composed.meta.model_copy(
        update={"model": settings.model, "usage": usage, "notes": [f"model unavailable: {reason}; used the template engine"]}
    )
    posting = composed.model_copy(update={"meta": meta})
    yield from finish_events(posting, fallback_report(posting, template, role, reason))


def finish_events(posting: JobPosting, report: Report) -> Iterator[DraftEvent]:
    for section in posting.sections:
        yield DraftEvent("section", section.heading, section=section)
    yield DraftEvent("done", "valid" if report.valid else "not valid", posting=posting, report=report)


def draft_posting(role: RoleSpec, template: Template, model: BaseChatModel, settings: Settings) -> tuple[JobPosting, Report]:
    """Draft with the model and return the posting and its report (see stream_draft)."""
    for event in stream_draft(role, template, model, settings):
        if event.kind == "done":
            assert event.posting is not None and event.report is not None
            return event.posting, event.report
    raise AssertionError("stream_draft always ends with a done event")

