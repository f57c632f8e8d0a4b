"""Markdown written anywhere, read back into the template's sections."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chains.compose import compose
from chains.models import RoleSpec, parse_role
from chains.parse import parse_markdown
from chains.render import render
from chains.template import get_template
from chains.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STANDARD = get_template("standard")


def role() -> RoleSpec:
    return parse_role(yaml.safe_load((FIXTURES / "postings" / "clean.role.yaml").read_text()))


@pytest.mark.parametrize("template_name", ["standard", "classic"])
@pytest.mark.parametrize("fixture", ["senior-backend.yaml", "nurse-hourly.yaml", "sales-exec.yaml"])
def test_rendered_markdown_reads_back_to_the_same_sections(fixture: str, template_name: str) -> None:
    spec = parse_role(yaml.safe_load((FIXTURES / "roles" / fixture).read_text()))
    template = get_template(template_name)
    posting = compose(spec, template)
    parsed = parse_markdown(render(posting, "md"), template, spec)
    assert parsed.title == posting.title
    assert [(s.key, s.heading, s.paragraphs, s.bullets) for s in parsed.sections] == [
        (s.key, s.heading, s.paragraphs, s.bullets) for s in posting.sections
    ]
    assert parsed.salary == posting.salary
    assert parsed.company == spec.company


def test_atx_headings_and_aliases_map_to_template_keys() -> None:
    text = (
        "# Platform Engineer\n\n## About Us\n\nWe build things.\n\n## What You'll Do\n\n- Build\n- Run\n\n"
        "### Requirements and Qualifications ###\n\n- Python\n\n## Bonus Points\n\n- Go\n\n## What We Offer\n\nPay.\n\n"
        "## Interested?\n\nEmail us.\n"
    )
    posting = parse_markdown(text, STANDARD)
    assert posting.title == "Platform Engineer"
    assert [s.key for s in posting.sections] == [
        "about_company", "responsibilities", "requirements", "nice_to_have", "compensation", "how_to_apply",
    ]
    assert posting.get("responsibilities").bullets == ["Build", "Run"]
    assert posting.get("about_company").heading == "About Us"


def test_bold_setext_and_plain_headings() -> None:
    text = (
        "Data Analyst\n============\n\n**About the Company**\n\nAcme sells maps.\n\n"
        "Role Overview\n-------------\n\nYou will analyse maps.\n\n__Key Responsibilities:__\n\n- Clean data\n\n"
        "Requirements:\n- SQL\n"
    )
    posting = parse_markdown(text, STANDARD)
    assert posting.title == "Data Analyst"
    assert [(s.key, s.text()) for s in posting.sections] == [
        ("about_company", "Acme sells maps."),
        ("role_overview", "You will analyse maps."),
        ("responsibilities", "Clean data"),
        ("requirements", "SQL"),
    ]


def test_bullet_marks_numbering_and_continuation_lines() -> None:
    text = (
        "## Key Responsibilities\n\n- dash\n* star\n+ plus\n• dot\n1. one\n2) two\n"
        "- wrapped bullet\n  that goes on\n\nA paragraph\nover two lines.\n"
    )
    section = parse_markdown(text, STANDARD).get("responsibilities")
    assert section.bullets == ["dash", "star", "plus", "dot", "one", "two", "wrapped bullet that goes on"]
    assert section.paragraphs == ["A paragraph over two lines."]


def test_inline_marks_are_removed_and_links_keep_their_address() -> None:
    text = "## How to Apply\n\n**Apply** at [our jobs page](https://acme.example.com/jobs) or <jobs@acme.com>, `now`.\n"
    assert parse_markdown(text, STANDARD).get("how_to_apply").paragraphs == [
        "Apply at our jobs page (https://acme.example.com/jobs) or jobs@acme.com, now."
    ]


def test_unknown_headings_are_kept_and_still_checked() -> None:
    text = "# Analyst\n\n## Perks & Culture\n\nFree lunch and a [Perk].\n\n## Perks & Culture\n\nMore.\n"
    posting = parse_markdown(text, STANDARD)
    assert [(s.key, s.heading) for s in posting.sections] == [
        ("perks_culture", "Perks & Culture"), ("perks_culture_2", "Perks & Culture"),
    ]
    report = validate(posting, STANDARD)
    assert any(i.code == "placeholder" and i.section == "perks_culture" for i in report.issues)
    assert {i.section for i in report.issues if i.code == "extra_section"} == {"perks_culture", "perks_culture_2"}


def test_two_headings_for_one_section_are_merged() -> None:
    text = "## Compensation\n\nThe range.\n\n## Benefits\n\n- Health\n"
    section = parse_markdown(text, STANDARD).get("compensation")
    assert (section.heading, section.paragraphs, section.bullets) == ("Compensation", ["The range."], ["Health"])


def test_text_before_the_first_section_is_kept() -> None:
    posting = parse_markdown("# Analyst\n\nAcme · Remote · Full-time\n\n## Role Overview\n\nHi.\n", STANDARD)
    assert posting.sections[0].key == "preamble"
    assert posting.sections[0].paragraphs == ["Acme · Remote · Full-time"]


def test_a_title_is_only_the_first_level_one_heading() -> None:
    assert parse_markdown("## Role Overview\n\nHi.\n", STANDARD).title == ""
    posting = parse_markdown("# Analyst\n\n# Later Heading\n\nText.\n", STANDARD)
    assert posting.title == "Analyst"
    assert posting.sections[0].key == "later_heading"


def test_the_role_fills_company_and_salary() -> None:
    spec = role()
    posting = parse_markdown("# Senior Backend Engineer\n", STANDARD, spec)
    assert posting.company == "Northwind Labs"
    assert posting.salary is not None and posting.salary.text == "$142,603 – $185,000 per year"
    assert posting.role == spec
    bare = parse_markdown("# Senior Backend Engineer\n", STANDARD)
    assert (bare.company, bare.salary, bare.role) == ("", None, None)


def test_classic_title_and_company_headings_match_any_title() -> None:
    classic = get_template("classic")
    text = "# Nurse\n\n## About St. Mary's\n\nA hospital.\n## Nurse responsibilities\n- Care\n## Nurse skills\n- BLS\n"
    assert [s.key for s in parse_markdown(text, classic).sections] == ["about_company", "responsibilities", "skills"]


def test_a_bold_line_inside_a_paragraph_is_text_unless_it_names_a_section() -> None:
    text = "## Role Overview\n\nYou will build.\n**Note**\nMore text.\n**Requirements**\n- SQL\n"
    posting = parse_markdown(text, STANDARD)
    assert posting.get("role_overview").paragraphs == ["You will build. Note More text."]
    assert posting.get("requirements").bullets == ["SQL"]
