"""The quality checks as the validator runs them: what each costs, where it points, and the
figures the report carries for the CLI, the JSON report and the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from chains.compose import compose
from chains.models import JobPosting, PostingSection, Report, RoleSpec, parse_role
from chains.quality.summary import summary
from chains.template import get_template
from chains.validate import validate

ROLE = Path(__file__).resolve().parents[2] / "fixtures" / "quality" / "postings" / "clean.role.yaml"


@pytest.fixture
def role() -> RoleSpec:
    return parse_role(yaml.safe_load(ROLE.read_text(encoding="utf-8")))


def graded(posting: JobPosting, role: RoleSpec | None, template: str = "standard") -> Report:
    return validate(posting, get_template(template), role)


def replace(posting: JobPosting, key: str, **update: Any) -> JobPosting:
    sections = [s.model_copy(update=update) if s.key == key else s for s in posting.sections]
    return posting.model_copy(update={"sections": sections})


def issues(report: Report, code: str) -> list[Any]:
    return [i for i in report.issues if i.code == code]


def test_report_details_carry_every_analysis_and_serialise_to_json(role: RoleSpec) -> None:
    report = graded(compose(role, get_template("standard")), role)
    details = json.loads(report.model_dump_json())["details"]
    assert {"gender", "wording", "readability", "shape", "pay_transparency"} <= set(details)
    assert details["gender"]["band"] in ("feminine-coded", "strongly feminine-coded", "neutral", "empty")
    assert details["readability"]["words"] > 200 and details["readability"]["flesch_reading_ease"] > 30
    assert details["pay_transparency"]["jurisdictions"][0]["key"] == "colorado"
    assert details["wording"] == []


def test_wording_issue_names_its_section_and_the_words(role: RoleSpec) -> None:
    posting = compose(role, get_template("standard"))
    posting = replace(posting, "role_overview", paragraphs=["You will be our Python ninja and a rock star."])
    posting = posting.model_copy(update={"title": "Backend Ninja"})
    report = graded(posting, role)
    found = [(i.section, i.message.split(":")[0]) for i in issues(report, "hype_title")]
    assert found == [
        (None, 'The title uses "Ninja"'),
        ("role_overview", '"Role Overview" uses "rock star"'),
        ("role_overview", '"Role Overview" uses "ninja"'),
    ]
    assert all(i.category == "inclusivity" and i.points == 3 for i in issues(report, "hype_title"))
    assert report.details["wording"][0]["section"] is None


def test_masculine_coded_is_a_free_note_and_strongly_masculine_costs_points(role: RoleSpec) -> None:
    posting = compose(role, get_template("standard"))
    mild = graded(
        replace(posting, "role_overview", paragraphs=["You are driven, decisive, analytical and independent."]), role
    )
    (note,) = issues(mild, "masculine_coded")
    assert (note.severity, note.points) == ("info", 0)
    assert "driven" in note.message and "analytical" in note.message
    strong = graded(
        replace(
            posting,
            "role_overview",
            paragraphs=["You are driven, decisive, assertive, fearless, analytical, ambitious and independent."],
        ),
        role,
    )
    (warning,) = issues(strong, "strongly_masculine_coded")
    assert (warning.severity, warning.points) == ("warning", 5)
    assert strong.score == mild.score - 5


def test_length_outside_the_templates_band(role: RoleSpec) -> None:
    posting = compose(role, get_template("standard"))
    short = posting.model_copy(update={"sections": posting.sections[:3]})
    (issue,) = issues(graded(short, role), "too_short")
    assert "300-700" in issue.message
    padded = replace(posting, "about_company", paragraphs=["Acme Payments builds tools for shops."] * 80)
    (issue,) = issues(graded(padded, role), "too_long")
    assert "300-700" in issue.message


def test_requirements_over_eight_are_flagged_once(role: RoleSpec) -> None:
    posting = compose(role, get_template("standard"))
    many = replace(posting, "requirements", bullets=[f"Experience with tool number {i}." for i in range(10)])
    report = graded(many, role)
    assert "bullet_count" in report.codes() and "too_many_requirements" not in report.codes()
    classic = compose(role, get_template("classic"))
    key = next(s.key for s in classic.sections if s.key == "qualifications")
    split = replace(classic, key, bullets=[f"Experience with tool number {i}." for i in range(8)])
    split = replace(split, "skills", bullets=["Python", "PostgreSQL", "REST APIs"])
    assert "too_many_requirements" not in graded(split, role, "classic").codes()
    base = get_template("standard")
    wide = base.model_copy(
        update={
            "sections": [
                s.model_copy(update={"max_bullets": 12}) if s.key == "requirements" else s for s in base.sections
            ]
        }
    )
    report = validate(many, wide, role)
    (issue,) = issues(report, "too_many_requirements")
    assert issue.section == "requirements" and "10 requirements" in issue.message


def test_wall_of_text_and_company_focus(role: RoleSpec) -> None:
    posting = compose(role, get_template("standard"))
    prose = posting.model_copy(
        update={
            "sections": [
                s.model_copy(update={"paragraphs": [*s.paragraphs, *s.bullets], "bullets": []})
                for s in posting.sections
            ]
        }
    )
    assert "wall_of_text" in graded(prose, role).codes()
    about_us = replace(
        posting,
        "about_company",
        paragraphs=["We are proud of our team. Our culture is our strength and we love our office. " * 3],
    )
    (issue,) = issues(graded(about_us, role), "company_focused")
    assert '"you/your"' in issue.message


def test_average_sentence_length_is_a_warning(role: RoleSpec) -> None:
    posting = compose(role, get_template("standard"))
    rambling = " and ".join(["you will build services"] * 12) + "."
    flat = posting.model_copy(
        update={
            "sections": [PostingSection(key=s.key, heading=s.heading, paragraphs=[rambling]) for s in posting.sections]
        }
    )
    (issue,) = issues(graded(flat, role), "long_sentences")
    assert issue.severity == "warning" and "average" in issue.message


def test_no_eeo_check_when_the_template_does_not_ask(role: RoleSpec) -> None:
    template = get_template("standard")
    posting = compose(role, template)
    apply = posting.get("how_to_apply")
    assert apply is not None
    bare = replace(posting, "how_to_apply", paragraphs=apply.paragraphs[:1])
    assert "eeo_missing" in validate(bare, template, role).codes()
    relaxed = template.model_copy(update={"equal_opportunity": False})
    assert "eeo_missing" not in validate(bare, relaxed, role).codes()


def test_summary_lines_read_the_details_fresh_or_from_json(role: RoleSpec) -> None:
    report = graded(compose(role, get_template("standard")), role)
    lines = summary(report.details)
    assert lines == summary(json.loads(report.model_dump_json())["details"])
    gender, reading, shape, law = lines
    assert gender.startswith(f"Gender coding: {report.details['gender']['band']}")
    assert "collaborative" in gender
    assert f"Flesch reading ease {report.details['readability']['flesch_reading_ease']:g}" in reading
    assert "(template: 300-700)" in shape and "statement present" in shape
    assert law == "Pay-transparency law: Colorado; every rule met."
    nowhere = role.model_copy(update={"location": "Austin, Texas", "benefits": []})
    assert summary(graded(compose(nowhere, get_template("standard")), nowhere).details)[-1] == (
        "Pay-transparency law: none of the jurisdictions jdwriter knows."
    )
