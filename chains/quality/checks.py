"""The quality checks and measures, registered with the validator on import.

Each check turns one analysis (gender coding, wording, readability and shape, pay law)
into issues priced by prompts/scoring.yaml; each measure puts the same analysis into
Report.details so the CLI, the JSON report and the page can show the figures behind the
issues. Each analysis is computed once per validation (`per_context`) and shared by its
check and its measure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chains.models import Issue
from chains.quality.gender import GenderResult, gender_coding
from chains.quality.paylaw import PayLawResult, pay_transparency
from chains.quality.readability import ReadabilityResult, ShapeResult, body_text, readability, shape, thresholds
from chains.quality.wording import WordingHit, wording
from chains.validate import CheckContext, make_issue, per_context, register, register_measure


@per_context
def _gender(ctx: CheckContext) -> GenderResult:
    return gender_coding(ctx.text)


@per_context
def _readability(ctx: CheckContext) -> ReadabilityResult:
    return readability(body_text(ctx.posting))


@per_context
def _shape(ctx: CheckContext) -> ShapeResult:
    return shape(ctx.posting, ctx.template)


def places(ctx: CheckContext) -> tuple[str, ...]:
    """Where the job is: the role's location and remote regions; for a posting checked
    without its role, what its overview says (e.g. "an on-site role in Denver, CO")."""
    if ctx.role is not None:
        return tuple(p for p in (ctx.role.location, *ctx.role.remote_regions) if p)
    return tuple(s.text() for s in ctx.sections_of("overview"))


@per_context
def pay_law(ctx: CheckContext) -> PayLawResult:
    """The pay-transparency rules that reach the role and that the posting leaves unmet."""
    stated, open_ended = ctx.pay.stated, ctx.pay.open_ended
    pay_first = sorted(ctx.posting.sections, key=lambda s: ctx.content(s) != "compensation")
    return pay_transparency(
        places(ctx),
        "\n".join(s.text() for s in pay_first),
        states_pay=stated is not None,
        open_ended=tuple(found.amount.text for found in open_ended),
        states_basis=stated is not None and stated.amount.period is not None,
    )


def _times(count: int) -> str:
    return f" ({count} times)" if count > 1 else ""


# Inclusivity --------------------------------------------------------------------------


@register
def gender_coded(ctx: CheckContext) -> Iterator[Issue]:
    result = _gender(ctx)
    if result.band not in ("masculine-coded", "strongly masculine-coded"):
        return
    code = "strongly_masculine_coded" if result.band == "strongly masculine-coded" else "masculine_coded"
    listed = ", ".join(f"{word}{_times(n)}" for word, n in result.masculine.items())
    yield make_issue(
        code,
        message=(
            f"The posting is {result.band}: {result.masculine_count} masculine-coded word(s) ({listed}) "
            f"against {result.feminine_count} feminine-coded. {result.explanation}"
        ),
    )


@per_context
def wording_hits(ctx: CheckContext) -> list[tuple[str | None, str, WordingHit]]:
    """(section key or None for the title, where it is shown, the hit) for every term found."""
    if not wording(ctx.text):
        return []
    parts = [(None, "The title", ctx.posting.title)]
    parts += [(s.key, f'"{s.heading or s.key}"', f"{s.heading}\n{s.text()}") for s in ctx.posting.sections]
    return [(key, where, hit) for key, where, text in parts for hit in wording(text)]


@register
def exclusionary_wording(ctx: CheckContext) -> Iterator[Issue]:
    for key, where, hit in wording_hits(ctx):
        yield make_issue(
            hit.code,
            section=key,
            message=f"{where} uses {', '.join(f'{chr(34)}{f}{chr(34)}' for f in hit.found)}{_times(hit.count)}: {hit.why}",
            suggestion=hit.suggestion,
        )


# Readability --------------------------------------------------------------------------


@register
def readability_checks(ctx: CheckContext) -> Iterator[Issue]:
    limits = thresholds()
    result = _readability(ctx)
    if not result.words:
        return
    if result.flesch_reading_ease < limits.flesch_min or result.flesch_kincaid_grade > limits.grade_max:
        yield make_issue(
            "hard_to_read",
            message=(
                f"Flesch reading ease is {result.flesch_reading_ease:g} (aim for {limits.flesch_min:g} or more) and "
                f"the Flesch-Kincaid grade is {result.flesch_kincaid_grade:g} (aim for {limits.grade_max:g} or less)."
            ),
        )
    if result.avg_sentence_length > limits.sentence_words_max:
        yield make_issue(
            "long_sentences",
            message=(
                f"Sentences average {result.avg_sentence_length:g} words; "
                f"aim for {limits.sentence_words_max:g} or fewer."
            ),
        )
    elif result.long_sentences:
        first = result.long_sentences[0]
        yield make_issue(
            "long_sentences",
            severity="info",
            message=(
                f"{len(result.long_sentences)} sentence(s) run over {limits.long_sentence_words} words, "
                f'e.g. "{first[:80]}{"..." if len(first) > 80 else ""}".'
            ),
        )
    if result.you_share is not None and result.you_share < limits.you_share_min:
        yield make_issue(
            "company_focused",
            message=(
                f'The posting says "we/our/us" {result.we} times and "you/your" {result.you} times; '
                "speak to the candidate more than about the company."
            ),
        )


@register
def shape_checks(ctx: CheckContext) -> Iterator[Issue]:
    """Length, requirements, bullets, and the equal-opportunity statement the template asks for."""
    limits = thresholds()
    result = _shape(ctx)
    if ctx.template.equal_opportunity and not result.equal_opportunity:
        last = ctx.template.sections[-1].key
        company = ctx.role.company if ctx.role is not None else ctx.posting.company
        yield make_issue(
            "eeo_missing",
            section=last,
            message=f"The {ctx.template.name} template asks for an equal-opportunity statement and the posting has none.",
            suggestion=(
                f'Add one to "{ctx.heading(last)}", e.g. "{company} is an equal opportunity employer and '
                'welcomes applicants of every background."'
            ),
        )
    if not result.words:
        return
    band = f"the {ctx.template.name} template asks for {result.words_min}-{result.words_max}"
    if result.words < result.words_min:
        yield make_issue("too_short", message=f"The posting has {result.words} words; {band}.")
    elif result.words > result.words_max:
        yield make_issue("too_long", message=f"The posting has {result.words} words; {band}.")
    # A list over its template's own bound is already reported as bullet_count.
    if result.requirements > limits.requirements_max and not result.over_template:
        key = next((s.key for s in ctx.template.sections if s.content in ("requirements", "qualifications")), None)
        yield make_issue(
            "too_many_requirements",
            section=key,
            message=f"The posting lists {result.requirements} requirements; keep it to {limits.requirements_max} or fewer.",
        )
    if result.bullet_share < limits.bullet_share_min:
        yield make_issue(
            "wall_of_text",
            message=(
                f"Only {result.bullet_share:.0%} of the words are in bullets "
                f"(aim for {limits.bullet_share_min:.0%} or more)."
            ),
        )


# Compliance ---------------------------------------------------------------------------


@register
def pay_transparency_checks(ctx: CheckContext) -> Iterator[Issue]:
    compensation = next((s.key for s in ctx.template.sections if s.content == "compensation"), None)
    for finding in pay_law(ctx).findings:
        yield make_issue(finding.code, section=compensation, message=finding.message, suggestion=finding.suggestion)


# Measures -----------------------------------------------------------------------------


@register_measure
def quality_details(ctx: CheckContext) -> dict[str, Any]:
    """Word lists, readability figures, shape and the pay laws that reach the role."""
    return {
        "gender": _gender(ctx).model_dump(),
        "wording": [{"section": key, **hit.model_dump()} for key, _, hit in wording_hits(ctx)],
        "readability": _readability(ctx).model_dump(),
        "shape": _shape(ctx).model_dump(),
        "pay_transparency": pay_law(ctx).model_dump(mode="json"),
    }
