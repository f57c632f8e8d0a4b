"""The one entry point the CLI, the page and the batch script draft through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from chains.compose import compose
from chains.models import JobPosting, Report, RoleSpec, Template
from chains.settings import Settings, load_settings
from chains.template import get_template
from chains.validate import validate

if TYPE_CHECKING:
    from chains.draft import DraftEvent

EngineName = Literal["template", "openai"]
ENGINES: tuple[EngineName, ...] = ("template", "openai")


@dataclass(frozen=True)
class Drafted:
    posting: JobPosting
    report: Report


def resolve_template(template: Template | str | Path) -> Template:
    return template if isinstance(template, Template) else get_template(template)


def draft(
    role: RoleSpec,
    template: Template | str | Path = "standard",
    engine: EngineName = "template",
    settings: Settings | None = None,
) -> Drafted:
    """Draft one posting and grade it. Thread-safe: batch and page workers call it concurrently.

    engine="openai" drafts with the model `settings` name (default: from the environment).
    Its result is valid for valid inputs; it raises LlmUnavailable only when the model
    stays unavailable and settings.fallback is off, SettingsError when settings are unusable.
    """
    tpl = resolve_template(template)
    if engine == "openai":
        from chains.draft import draft_posting
        from chains.llm import chat_model

        chosen = settings or load_settings()
        posting, report = draft_posting(role, tpl, chat_model(chosen), chosen)
        return Drafted(posting=posting, report=report)
    if engine != "template":
        raise ValueError(f"engine ({engine!r}) must be one of: {', '.join(ENGINES)}")
    posting = compose(role, tpl)
    return Drafted(posting=posting, report=validate(posting, tpl, role))


def draft_events(
    role: RoleSpec,
    template: Template | str | Path = "standard",
    engine: EngineName = "template",
    settings: Settings | None = None,
) -> Iterator[DraftEvent]:
    """The same draft as progress for the page: status lines while the model works, then each
    final section, then `done` carrying the posting and report."""
    from chains.draft import finish_events, stream_draft

    tpl = resolve_template(template)
    if engine == "openai":
        from chains.llm import chat_model

        chosen = settings or load_settings()
        yield from stream_draft(role, tpl, chat_model(chosen), chosen)
        return
    result = draft(role, tpl, engine)
    yield from finish_events(result.posting, result.report)
