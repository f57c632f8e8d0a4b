"""Role inputs: every refusal is one readable line naming the field and the value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from chains.models import RoleSpec, RoleSpecError, infer_level, parse_role

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXPECTED = yaml.safe_load((FIXTURES / "bad_roles" / "expected.yaml").read_text())
BASE = {"title": "Backend Engineer", "company": "Acme", "salary_min": 100000, "salary_max": 120000}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_role_names_field_and_value(name: str) -> None:
    data = yaml.safe_load((FIXTURES / "bad_roles" / name).read_text())
    with pytest.raises(RoleSpecError) as info:
        parse_role(data)
    assert EXPECTED[name]["field"] in info.value.fields
    assert EXPECTED[name]["says"] in str(info.value)
    assert "Traceback" not in str(info.value) and "pydantic" not in str(info.value)


def test_every_bad_role_fixture_has_an_expectation() -> None:
    files = {p.name for p in (FIXTURES / "bad_roles").glob("*.yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED) and len(files) >= 10


@pytest.mark.parametrize("path", sorted((FIXTURES / "roles").glob("*.*")), ids=lambda p: p.name)
def test_fixture_roles_are_valid(path: Path) -> None:
    role = parse_role(yaml.safe_load(path.read_text()))
    assert role.salary_min <= role.salary_max


def test_defaults_match_the_design() -> None:
    role = RoleSpec(**BASE)
    assert (role.currency, role.pay_period, role.workplace, role.employment_type, role.tone) == (
        "USD", "year", "onsite", "full_time", "professional")
    assert role.level == "mid"
    assert role.must_have_skills == [] and role.application_deadline is None


def test_csv_style_cells_are_understood() -> None:
    role = parse_role({**BASE, "salary_min": "142,603", "salary_max": "190,000", "must_have_skills": "Python; Go ;; SQL",
                       "employment_type": "Full-time", "workplace": "On-site", "pay_period": "annual",
                       "currency": "eur", "application_deadline": "2027-03-31", "years_experience": "5",
                       "level": "Senior", "nice_to_have_skills": ""})
    assert role.salary_min == Decimal("142603")
    assert role.must_have_skills == ["Python", "Go", "SQL"]
    assert (role.employment_type, role.workplace, role.pay_period, role.currency) == ("full_time", "onsite", "year", "EUR")
    assert role.application_deadline == date(2027, 3, 31) and role.years_experience == 5
    assert role.level == "senior" and role.nice_to_have_skills == []


@pytest.mark.parametrize(
    ("title", "level"),
    [("Sr. Backend Engineer", "senior"), ("Staff Engineer", "senior"), ("Junior Designer", "entry"),
     ("Engineering Manager", "lead"), ("VP of Sales", "executive"), ("Head of Product", "executive"),
     ("Software Engineer II", "mid"), ("Accountant", "mid")],
)
def test_level_is_inferred_from_the_title_when_not_given(title: str, level: str) -> None:
    assert infer_level(title) == level
    assert RoleSpec(**{**BASE, "title": title}).level == level


def test_explicit_level_wins_over_title() -> None:
    assert RoleSpec(**{**BASE, "title": "Senior Engineer", "level": "entry"}).level == "entry"


def test_salary_range_may_be_a_single_figure_and_decimals() -> None:
    role = RoleSpec(**{**BASE, "salary_min": "42.50", "salary_max": "42.50", "pay_period": "hour"})
    assert role.salary_min == role.salary_max == Decimal("42.50")


@pytest.mark.parametrize("field", ["title", "company"])
def test_blank_required_text_is_refused(field: str) -> None:
    with pytest.raises(RoleSpecError) as info:
        parse_role({**BASE, field: "   "})
    assert f"{field} is required" in str(info.value)


def test_long_text_is_bounded() -> None:
    with pytest.raises(RoleSpecError) as info:
        parse_role({**BASE, "company_description": "x" * 2001})
    assert "company_description is too long (2001 characters; at most 2000)" in str(info.value)


def test_several_problems_are_all_reported() -> None:
    with pytest.raises(RoleSpecError) as info:
        parse_role({"title": "X", "salary_min": 5, "salary_max": 1, "currency": "ABC", "colour": "red"})
    assert {"company", "currency", "colour"} <= set(info.value.fields)


def test_valid_contacts_are_accepted() -> None:
    for contact in ("jobs@acme.example.com", "https://acme.example.com/jobs/42"):
        assert RoleSpec(**{**BASE, "how_to_apply": contact}).how_to_apply == contact
