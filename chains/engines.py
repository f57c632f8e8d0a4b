"""The one entry point the CLI, the page and the batch script draft through."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from chains.compose import compose
from chains.models import JobPosting, Report, RoleSpec, Template
from chains.template import get_template
from chains.validate import validate

EngineName = Literal["template", "openai"]
ENGINES: tuple[EngineName, ...] = ("template", "openai")


@dataclass(frozen=True)
class Drafted:
    posting: JobPosting
    report: Report


def resolve_template(template: Template | str | Path) -> Template:
    return template if isinstance(template, Template) else get_template(template)


def draft(role: RoleSpec, template: Template | str | Path = "standard", engine: EngineName = "template") -> Drafted:
    """Draft one posting and grade it."""
    tpl = resolve_template(template)
    if engine != "template":
        raise ValueError(f"engine ({engine!r}) must be one of: {', '.join(ENGINES)}")
    posting = compose(role, tpl)
    return Drafted(posting=posting, report=validate(posting, tpl, role))
