"""Pay-transparency law: every jurisdiction recognised from the places a role names, and
every rule of its law passing on a complete draft and failing when the posting breaks it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from chains.compose import compose
from chains.models import JobPosting, Report, RoleSpec, parse_role
from chains.quality.paylaw import Jurisdiction, has_benefits, has_deadline, jurisdictions, pay_law_table
from chains.template import get_template
from chains.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "quality"
PLACES: dict[str, list[str]] = yaml.safe_load((FIXTURES / "pay_transparency_places.yaml").read_text(encoding="utf-8"))
TABLE = pay_law_table()
RULE_CODES = {name: rule.code for name, rule in TABLE.rules.items()}
ALL_RULES = tuple(RULE_CODES)
BASE: dict[str, Any] = {
    "title": "Backend Engineer",
    "company": "Acme Payments",
    "company_description": "Acme Payments moves money for small shops.",
    "workplace": "onsite",
    "salary_min": 90000,
    "salary_max": 110000,
    "must_have_skills": ["Python"],
    "benefits": ["Health, dental and vision insurance", "25 days of paid leave"],
    "how_to_apply": "jobs@acme.example",
    "application_deadline": date(2027, 3, 31),
}


def role_in(place: str, **changes: Any) -> RoleSpec:
    return parse_role({**BASE, "location": place, **changes})


def checked(role: RoleSpec, compensation: str | None = None) -> Report:
    template = get_template("standard")
    posting = compose(role, template)
    if compensation is not None:
        posting = with_compensation(posting, compensation)
    return validate(posting, template, role)


def with_compensation(posting: JobPosting, paragraph: str) -> JobPosting:
    sections = [
        s.model_copy(update={"paragraphs": [paragraph]}) if s.key == "compensation" else s for s in posting.sections
    ]
    return posting.model_copy(update={"sections": sections})


def pay_law_codes(report: Report) -> set[str]:
    return {code for code in report.codes() if code.startswith("pay_transparency_")}


def test_every_jurisdiction_of_the_table_has_places_to_test() -> None:
    assert set(PLACES) - {"none"} == {j.key for j in TABLE.jurisdictions}
    names = {j.name for j in TABLE.jurisdictions}
    for wanted in (
        "Colorado",
        "California",
        "Washington",
        "New York State",
        "New York City",
        "Illinois",
        "Minnesota",
        "Massachusetts",
        "Vermont",
        "Hawaii",
        "Maryland",
        "New Jersey",
    ):
        assert wanted in names
    assert any("2023/970" in j.law for j in TABLE.jurisdictions)


@pytest.mark.parametrize(("key", "place"), [(k, p) for k, places in PLACES.items() if k != "none" for p in places])
def test_places_are_recognised(key: str, place: str) -> None:
    assert key in [j.key for j in jurisdictions([place])]


@pytest.mark.parametrize("place", PLACES["none"])
def test_places_no_law_reaches(place: str) -> None:
    assert jurisdictions([place]) == []


def test_a_city_of_new_york_brings_in_the_state_law_too() -> None:
    assert [j.key for j in jurisdictions(["Brooklyn, NY"])] == ["new_york_state", "new_york_city"]
    assert [j.key for j in jurisdictions(["Albany, NY"])] == ["new_york_state"]


def test_remote_regions_bring_in_the_laws_that_reach_remote_jobs() -> None:
    us = [j.key for j in jurisdictions(["Remote", "United States"])]
    assert {"colorado", "california", "washington", "new_york_city", "illinois"} <= set(us)
    assert "massachusetts" not in us and "eu" not in us
    assert [j.key for j in jurisdictions(["Europe"])] == ["eu"]
    assert {"colorado", "eu"} <= {j.key for j in jurisdictions(["Worldwide"])}
    assert "eu" not in {j.key for j in jurisdictions(["Anywhere in the US"])}


@pytest.mark.parametrize("jurisdiction", TABLE.jurisdictions, ids=lambda j: j.key)
def test_complete_draft_meets_the_law(jurisdiction: Any) -> None:
    report = checked(role_in(PLACES[jurisdiction.key][0]))
    assert pay_law_codes(report) == set()
    reached = [j["key"] for j in report.details["pay_transparency"]["jurisdictions"]]
    assert jurisdiction.key in reached


def failing(rule: str, place: str) -> Report:
    """A posting for the place that breaks one rule."""
    if rule == "range":
        return checked(role_in(place), "Pay is discussed at the first interview.")
    if rule == "open_ended":
        return checked(role_in(place), "The salary starts from $90,000 per year.")
    if rule == "pay_basis":
        return checked(role_in(place), "The salary range for this role is $90,000 – $110,000.")
    if rule == "benefits":
        return checked(role_in(place, benefits=[]))
    return checked(role_in(place, application_deadline=None))


@pytest.mark.parametrize(
    ("jurisdiction", "rule"),
    [(j, rule) for j in TABLE.jurisdictions for rule in ALL_RULES],
    ids=lambda v: v if isinstance(v, str) else v.key,
)
def test_each_rule_fails_where_the_law_requires_it(jurisdiction: Any, rule: str) -> None:
    report = failing(rule, PLACES[jurisdiction.key][0])
    issues = [i for i in report.issues if i.code == RULE_CODES[rule]]
    if rule not in jurisdiction.requires:
        assert issues == []
        return
    assert len(issues) == 1
    issue = issues[0]
    assert jurisdiction.name in issue.message
    assert jurisdiction.threshold in issue.message
    assert (issue.category, issue.severity, issue.section) == ("compliance", "warning", "compensation")
    assert issue.points > 0 and issue.suggestion


def test_open_ended_message_quotes_the_amount() -> None:
    report = failing("open_ended", "Denver, CO")
    (issue,) = [i for i in report.issues if i.code == "pay_transparency_open_ended"]
    assert '"$90,000"' in issue.message
    assert "pay_transparency_range" not in report.codes()


def test_one_issue_per_rule_names_every_jurisdiction_it_reaches() -> None:
    report = checked(role_in("Remote", workplace="remote", remote_regions=["United States"], benefits=[]))
    (issue,) = [i for i in report.issues if i.code == "pay_transparency_benefits"]
    for name in ("Colorado", "Washington", "Illinois", "Minnesota", "Maryland", "New Jersey"):
        assert name in issue.message
    assert "California" not in issue.message


def test_posting_checked_without_its_role_reads_the_place_from_the_overview() -> None:
    template = get_template("standard")
    posting = compose(role_in("Denver, CO", application_deadline=None), template).model_copy(update={"role": None})
    report = validate(posting, template)
    assert "pay_transparency_deadline" in report.codes()
    assert report.details["pay_transparency"]["jurisdictions"][0]["name"] == "Colorado"


def test_a_place_no_law_reaches_has_no_findings() -> None:
    report = checked(role_in("Austin, Texas", benefits=[], application_deadline=None))
    assert pay_law_codes(report) == set()
    assert report.details["pay_transparency"]["jurisdictions"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Applications close on March 31, 2027.", True),
        ("Apply by 31 March 2027 at jobs@acme.example.", True),
        ("The application window is expected to close 2027-03-31.", True),
        ("Applications close soon. We start on March 31, 2027.", False),
        ("This posting is open until filled.", False),
    ],
)
def test_deadline_needs_a_closing_phrase_and_a_date_in_one_sentence(text: str, expected: bool) -> None:
    assert has_deadline(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Health, dental and vision insurance.", True),
        ("A 401(k) plan with a 4% match.", True),
        ("An annual bonus and stock options.", True),
        ("25 days of paid leave.", True),
        ("You will shape the product vision and plans.", False),
        ("Care for patients in a busy healthcare team.", False),
        ("Salary plus equity and a yearly bonus.", True),
        ("Experience with diversity, equity and inclusion programmes.", False),
        ("Lead our pay equity review.", False),
        ("We build software for vacation rentals.", False),
        ("Four weeks of paid vacation.", True),
    ],
)
def test_benefits_are_recognised_without_false_positives(text: str, expected: bool) -> None:
    assert has_benefits(text) is expected


def test_a_broken_place_pattern_in_the_law_table_is_named() -> None:
    data = TABLE.jurisdictions[0].model_dump(by_alias=True)
    with pytest.raises(ValidationError, match=r"pattern '\(Denver' is not a valid regular expression"):
        Jurisdiction.model_validate({**data, "places": ["(Denver"]})
