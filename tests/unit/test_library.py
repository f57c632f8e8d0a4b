"""The role library: every family loads, reads well, and is found by the titles people write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from chains.library import GENERAL, Family, Library, get_library, load_family, normalise_title
from chains.models import LEVELS
from chains.money import find_amounts
from chains.quality.gender import gender_coding
from chains.quality.wording import wording
from chains.resources import AssetError

LIBRARY = get_library()
FAMILIES = sorted(LIBRARY.families.values(), key=lambda f: f.key)
ROLE_FAMILIES = [f for f in FAMILIES if f.key != GENERAL]
SAMPLE = {"title": "Senior Widget Maker", "company": "Acme Widgets", "team": "the Widgets team"}

NAMED = {
    "backend", "frontend", "fullstack", "mobile", "data_engineering", "data_science", "machine_learning",
    "devops_sre", "qa", "security", "product_management", "ux_design", "engineering_management", "sales",
    "marketing", "customer_support", "customer_success", "hr_recruiting", "finance_accounting", "operations",
    "registered_nurse", "warehouse_logistics", "teacher", "data_analyst", "project_management",
    "software_general", "administrative_assistant", "retail", "hospitality", "culinary", "legal",
    "skilled_trades", "content_writing", "general",
}

TRICKY = [
    ("Sr. Backend Engineer (Python)", "backend"),
    ("Software Engineer II, Payments API", "backend"),
    ("Node.js Developer", "backend"),
    ("Staff SRE", "devops_sre"),
    ("Software Engineer, Infrastructure", "devops_sre"),
    ("RN - ICU", "registered_nurse"),
    ("School Nurse", "registered_nurse"),
    ("Certified Nursing Assistant", "healthcare_support"),
    ("Head of Product", "product_management"),
    ("Product Manager, Payments API", "product_management"),
    ("Product Designer", "ux_design"),
    ("Product Marketing Manager", "marketing"),
    ("Full-Stack Developer (React/Node)", "fullstack"),
    ("Full Stack Python Developer", "fullstack"),
    ("React Native Engineer", "mobile"),
    ("Engineering Manager, Platform", "engineering_management"),
    ("Senior Engineering Manager, Backend (Python)", "engineering_management"),
    ("Director of Engineering, Machine Learning", "engineering_management"),
    ("Software Engineer, Machine Learning", "machine_learning"),
    ("Software Engineer in Test", "qa"),
    ("QA Analyst", "qa"),
    ("Data Scientist, Product Analytics", "data_science"),
    ("Data Warehouse Engineer", "data_engineering"),
    ("Marketing Analyst", "data_analyst"),
    ("Financial Analyst", "finance_accounting"),
    ("Warehouse Associate", "warehouse_logistics"),
    ("Warehouse Operations Manager", "warehouse_logistics"),
    ("People Operations Manager", "hr_recruiting"),
    ("Recruiter, Engineering", "hr_recruiting"),
    ("Business Development Manager", "sales"),
    ("Sales Associate", "retail"),
    ("IT Support Specialist", "it_support"),
    ("Technical Support Engineer", "customer_support"),
    ("Front Desk Receptionist", "administrative_assistant"),
    ("Hotel Front Desk Agent", "hotel"),
    ("Hotel Housekeeper", "cleaning"),
    ("Pastry Chef", "culinary"),
    ("Hotel Bartender", "hospitality"),
    ("Legal Assistant", "legal"),
    ("5th Grade Teacher", "teacher"),
    ("CS Teacher", "teacher"),
    ("Project Manager (PM)", "project_management"),
    ("Software Engineer", "software_general"),
    ("Developer", "software_general"),
    ("BACK-END ENGINEER", "backend"),
]

UNRELATED = [
    "Lighthouse Keeper", "Chief Happiness Officer", "Astronaut", "Dog Walker", "Security Guard",
    "Graphic Designer", "Electrical Engineer", "Server Engineer", "Payments", "Technician", "Product", "",
]

LEFTOVER = re.compile(r"[{}\[\]<>]|\b(?:TODO|TBD|XXX|lorem ipsum)\b", re.IGNORECASE)
FIGURE = re.compile(r"(?<![A-Za-z])\d[\d.,%+/]*(?![A-Za-z])")
OVERVIEW_WORDS = 32
WEAK_OPENERS = {"a", "an", "the", "you", "we", "our", "responsible", "must", "should", "will", "ability", "able", "be"}


def _text(family: Family) -> str:
    return "\n".join(family.all_text())


def _variant(key: str, match: dict[str, float]) -> Family:
    return LIBRARY.families[GENERAL].model_copy(update={"key": key, "match": match})


def test_library_holds_every_named_family() -> None:
    assert len(LIBRARY) >= 28
    assert NAMED <= set(LIBRARY.families), sorted(NAMED - set(LIBRARY.families))


@pytest.mark.parametrize("family", ROLE_FAMILIES, ids=lambda f: f.key)
def test_every_example_title_matches_its_family(family: Family) -> None:
    assert 4 <= len(family.examples) <= 8
    assert {title: LIBRARY.match(title).key for title in family.examples} == dict.fromkeys(family.examples, family.key)


@pytest.mark.parametrize(("title", "key"), TRICKY)
def test_tricky_titles_find_the_right_family(title: str, key: str) -> None:
    assert LIBRARY.match(title).key == key


@pytest.mark.parametrize("title", UNRELATED)
def test_unrelated_titles_and_lone_hints_fall_back_to_role_neutral_text(title: str) -> None:
    assert LIBRARY.match(title).key == GENERAL


def test_normalising_spells_out_abbreviations_and_drops_punctuation() -> None:
    assert normalise_title("Sr. Back-End Eng (Python)") == "senior backend engineer python"
    assert normalise_title("RN - ICU") == "registered nurse icu"
    assert normalise_title("C# / .NET Dev") == "c# net developer"


def test_ties_go_to_the_longest_phrase_then_the_earliest() -> None:
    general = LIBRARY.families[GENERAL]
    longest = Library({GENERAL: general, "broad": _variant("broad", {"sales": 4}), "narrow": _variant("narrow", {"sales associate": 4})})
    assert longest.match("Sales Associate").key == "narrow"
    earliest = Library({GENERAL: general, "product": _variant("product", {"product manager": 5}), "project": _variant("project", {"project manager": 5})})
    assert earliest.match("Project Manager (PM)").key == "project"
    assert earliest.match("Product Manager, Project Tools").key == "product"


def test_a_library_without_the_role_neutral_family_is_refused() -> None:
    with pytest.raises(AssetError, match="general"):
        Library({"backend": LIBRARY.families["backend"]})


def test_a_family_file_with_an_unknown_placeholder_is_refused_by_name(tmp_path: Path) -> None:
    data = LIBRARY.families["backend"].model_dump()
    data["overview"]["mid"] = "As a {title}, you will earn {salary}."
    path = tmp_path / "backend.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(AssetError, match=r"backend\.yaml.*unknown placeholder \{salary\}"):
        load_family(path)


def test_a_match_phrase_without_words_is_refused_by_name(tmp_path: Path) -> None:
    data = LIBRARY.families["backend"].model_dump()
    data["match"]["--"] = 3
    path = tmp_path / "backend.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(AssetError, match=r"backend\.yaml.*match phrase '--' has no letters or digits"):
        load_family(path)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_match_phrases_are_distinct_once_normalised(family: Family) -> None:
    phrases = [normalise_title(phrase) for phrase in family.match]
    assert len(phrases) == len(set(phrases))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_every_level_has_an_overview_and_enough_distinct_duties(family: Family) -> None:
    for level in LEVELS:
        assert "{title}" in family.overview[level]
        assert len(family.overview[level].split()) <= OVERVIEW_WORDS, level
        duties = family.responsibilities.for_level(level)
        assert len(duties) >= 10
        assert len({d.lower() for d in duties}) == len(duties), level


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_requirements_leave_room_for_experience_skills_and_education(family: Family) -> None:
    assert 1 <= len(family.requirements.common) <= 3
    for level in LEVELS:
        assert 1 <= len(getattr(family.requirements, level)) <= 2, level


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_skills_and_nice_to_haves_are_short_lists(family: Family) -> None:
    assert 4 <= len(family.skills) <= 6
    if family.key != GENERAL:
        assert 3 <= len(family.nice_to_have) <= 6


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_lines_read_as_bullets(family: Family) -> None:
    blocks = (family.responsibilities, family.requirements)
    sentences = [line for block in blocks for level in ("common", *LEVELS) for line in getattr(block, level)]
    assert all(line[0].isupper() and line.endswith(".") for line in sentences)
    duties = [line for level in ("common", *LEVELS) for line in getattr(family.responsibilities, level)]
    assert not [line for line in duties if line.split()[0].lower() in WEAK_OPENERS]
    assert not [item for item in (*family.skills, *family.nice_to_have) if item.endswith(".")]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_text_has_no_exclusionary_wording(family: Family) -> None:
    assert [(hit.code, hit.found) for hit in wording(_text(family))] == []


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_text_is_not_masculine_coded(family: Family) -> None:
    result = gender_coding(_text(family))
    assert "masculine" not in result.band, result.masculine
    assert result.masculine_count <= 1, result.masculine


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_text_states_no_money_and_no_figures(family: Family) -> None:
    text = _text(family)
    assert find_amounts(text) == []
    assert FIGURE.findall(text) == []


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_filled_text_leaves_no_placeholder_behind(family: Family) -> None:
    filled = "\n".join(line.format(**SAMPLE) for line in family.all_text())
    assert LEFTOVER.findall(filled) == []
