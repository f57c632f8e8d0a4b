"""The page's form rules: groups, defaults, list entry, inline messages, restore."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chains import ui_form
from chains.models import RoleSpec


def _filled(**changes: object) -> dict[str, object]:
    values = ui_form.defaults()
    values.update(title="Senior Backend Engineer", company="Hopper", salary_min="142,603", salary_max="185000")
    values.update(changes)
    return values


def test_every_role_field_but_the_batch_id_is_on_the_form_in_the_issues_groups() -> None:
    assert set(ui_form.FIELDS) == set(RoleSpec.model_fields) - {"id"}
    assert [name for name, _ in ui_form.GROUPS] == [
        "Role",
        "Company",
        "Location and type",
        "Compensation",
        "Skills",
        "Benefits and how to apply",
    ]


def test_defaults_are_the_role_defaults() -> None:
    values = ui_form.defaults()
    assert (values["currency"], values["pay_period"], values["workplace"]) == ("USD", "year", "onsite")
    assert values["level"] == ui_form.AUTO_LEVEL
    assert values["title"] == "" and values["application_deadline"] is None


def test_an_empty_form_lists_what_is_missing_without_errors() -> None:
    check = ui_form.check(ui_form.defaults())
    assert not check.ready
    assert check.missing == ("Job title", "Company", "Salary minimum", "Salary maximum")
    assert check.problems == {}


def test_a_good_form_makes_the_role_with_lists_one_per_line() -> None:
    check = ui_form.check(
        _filled(
            must_have_skills="- Python\n\n* PostgreSQL\n  3) Kafka  \n",
            benefits="401(k) matching\nHealth insurance",
            application_deadline=date(2027, 3, 31),
            years_experience=5,
        )
    )
    assert check.ready and check.role is not None
    assert check.role.must_have_skills == ["Python", "PostgreSQL", "Kafka"]
    assert check.role.benefits == ["401(k) matching", "Health insurance"]
    assert check.role.salary_min == Decimal(142603)
    assert check.role.level == "senior"
    assert check.role.application_deadline == date(2027, 3, 31)


def test_minimum_above_maximum_is_an_inline_message_naming_the_labels() -> None:
    check = ui_form.check(_filled(salary_min="180000", salary_max="150000"))
    assert not check.ready
    assert check.problems == {"salary_min": ["Salary minimum (180000) is greater than Salary maximum (150000)"]}


def test_every_bad_value_shows_at_once_even_with_required_fields_missing() -> None:
    check = ui_form.check(_filled(title="", salary_min="180000", salary_max="150000", how_to_apply="call Bob"))
    assert check.missing == ("Job title",)
    assert "salary_min" in check.problems
    assert check.problems["how_to_apply"] == ["How to apply ('call Bob') must be an email address or an http(s) URL"]


def test_a_word_for_a_salary_is_named_with_its_value() -> None:
    check = ui_form.check(_filled(salary_max="lots"))
    assert check.problems == {"salary_max": ["Salary maximum ('lots') must be a number"]}


def test_a_saved_role_reopens_as_the_same_form() -> None:
    role = ui_form.check(_filled(must_have_skills="Python\nGo", salary_min="42.50", salary_max="58", pay_period="hour")).role
    assert role is not None
    values = ui_form.form_values(role)
    assert values["must_have_skills"] == "Python\nGo"
    assert (values["salary_min"], values["salary_max"]) == ("42.50", "58")
    assert ui_form.check(values).role == role


def test_stored_form_data_round_trips_and_bad_values_fall_back() -> None:
    values = _filled(application_deadline=date(2027, 1, 15), years_experience=3)
    assert ui_form.restored(ui_form.persistable(values)) == values
    broken = ui_form.restored({"currency": "XXXX", "application_deadline": "soon", "years_experience": "3", "nope": 1})
    assert (broken["currency"], broken["application_deadline"], broken["years_experience"]) == ("USD", None, None)
