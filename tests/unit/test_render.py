"""Renderers: what a candidate, a job board, a search engine or Word gets from one posting."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from markdown_it import MarkdownIt

from chains.compose import compose
from chains.models import JobPosting, PostingMeta, PostingSection, RoleSpec, parse_role
from chains.money import role_salary
from chains.parse import parse_markdown
from chains.render import (
    FILE_TYPES,
    FORMATS,
    file_name,
    jsonld,
    postal_address,
    render,
    render_bytes,
    render_docx,
    render_html_fragment,
    render_jsonld,
    render_jsonld_script,
    unescape_markdown,
)
from chains.template import get_template

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# Read at import: the autouse fixture clears JDW_* variables before each test runs.
UPDATE_GOLDEN = os.environ.get("JDW_UPDATE_GOLDEN") == "1"

CREATED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SAFE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "script",
    "body",
    "main",
    "article",
    "header",
    "h1",
    "p",
    "section",
    "h2",
    "ul",
    "li",
}


def make_role(**changes: Any) -> RoleSpec:
    data: dict[str, Any] = {
        "id": "BE-042",
        "title": "Senior Backend Engineer",
        "company": "Hopper",
        "location": "Austin, TX",
        "salary_min": 142603,
        "salary_max": 185000,
        "benefits": ["Health insurance", "Parental leave"],
        "application_deadline": "2027-03-31",
    }
    data.update(changes)
    return RoleSpec.model_validate(data)


def make_posting(role: RoleSpec | None = None, *, heading: str = "Key Responsibilities") -> JobPosting:
    role = role or make_role()
    salary = role_salary(role)
    sections = [
        PostingSection(
            key="about_company", heading="About the Company", paragraphs=[f"{role.company} builds travel apps."]
        ),
        PostingSection(
            key="responsibilities", heading=heading, bullets=["Design booking APIs", "Run the services you build"]
        ),
        PostingSection(
            key="compensation", heading="Compensation and Benefits", paragraphs=[salary.text], bullets=role.benefits
        ),
    ]
    return JobPosting(
        title=role.title,
        company=role.company,
        sections=sections,
        salary=salary,
        role=role,
        meta=PostingMeta(created_at=CREATED),
    )


def hostile_role(workplace: str) -> RoleSpec:
    """EVIL in every free-text field a manager can type."""
    return make_role(
        title=f"Engineer {EVIL}",
        company=f"Acme {EVIL}",
        company_description=EVIL,
        team=EVIL,
        location=f"Austin {EVIL}",
        workplace=workplace,
        remote_regions=[EVIL],
        must_have_skills=[EVIL],
        nice_to_have_skills=[EVIL],
        responsibilities=[EVIL],
        education=EVIL,
        benefits=[EVIL],
    )


class Page(HTMLParser):
    """Every element and attribute a browser would build, and the text it would show."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def names(self) -> list[str]:
        return [tag for tag, _ in self.tags]

    def shown(self) -> str:
        return "".join(self.text)


def assert_inert(page: Page, allowed: set[str]) -> None:
    assert set(page.names()) <= allowed, set(page.names()) - allowed
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    executable = [a for tag, a in page.tags if tag == "script" and a.get("type") != "application/ld+json"]
    assert not executable


# HTML


@pytest.mark.parametrize("workplace", ["onsite", "remote"])
def test_hostile_input_in_every_field_is_inert_text_in_html(workplace: str) -> None:
    posting = compose(hostile_role(workplace), get_template("standard"))
    posting.sections[0].heading = EVIL
    page = Page(render(posting, "html"))
    assert_inert(page, SAFE_TAGS)
    assert page.names().count("script") == 1
    assert page.shown().count(EVIL) >= 8
    assert json.loads(page.scripts[0])["title"] == f"Engineer {EVIL}"


def test_html_fragment_escapes_every_field() -> None:
    posting = make_posting(hostile_role("hybrid"), heading=EVIL)
    page = Page(render_html_fragment(posting))
    assert_inert(page, SAFE_TAGS - {"script", "html", "head", "body", "meta", "title", "style", "main"})
    shown = page.shown()
    for text in (f"Engineer {EVIL}", f"Acme {EVIL}", f"Austin {EVIL}", EVIL):
        assert text in shown


def test_html_is_a_complete_accessible_document() -> None:
    markup = render(make_posting(), "html")
    page = Page(markup)
    assert markup.startswith("<!DOCTYPE html>")
    html_attrs = dict(page.tags)["html"]
    assert html_attrs["lang"] == "en"
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    assert {"charset": "utf-8"} in metas
    assert any(m.get("name") == "viewport" for m in metas)
    assert page.names().count("h1") == 1 and page.names().count("h2") == 3
    assert page.names().count("li") == 4 and "style" in page.names()
    sections = [attrs for tag, attrs in page.tags if tag == "section"]
    ids = [attrs["id"] for tag, attrs in page.tags if tag == "h2"]
    assert [s["aria-labelledby"] for s in sections] == ids and len(set(ids)) == 3
    assert "Hopper · Austin, TX · Full-time · Apply by March 31, 2027" in page.shown()


# Markdown


def test_markdown_has_the_title_then_each_section_in_order() -> None:
    text = render(make_posting(), "md")
    lines = text.splitlines()
    assert lines[0] == "# Senior Backend Engineer"
    assert [line for line in lines if line.startswith("## ")] == [
        "## About the Company",
        "## Key Responsibilities",
        "## Compensation and Benefits",
    ]
    assert "- Design booking APIs\n- Run the services you build" in text
    assert "$142,603 – $185,000 per year" in text


def test_markdown_from_hostile_input_renders_inert_in_a_markdown_viewer() -> None:
    posting = compose(hostile_role("remote"), get_template("standard"))
    text = render(posting, "md")
    page = Page(MarkdownIt("commonmark").render(text))
    assert "<script" not in text and "<img" not in text
    assert_inert(page, {"h1", "h2", "p", "ul", "li"})
    assert page.shown().count(EVIL) >= 5


def test_markdown_block_syntax_in_inputs_stays_inside_its_section() -> None:
    tricky = ["# Not a title", "## Not a section", "- not a sub-list", "1. not numbered", "---", "```", "> quoted"]
    section = PostingSection(key="overview", heading="Role Overview ##", paragraphs=tricky, bullets=tricky)
    posting = JobPosting(title="Engineer", company="Acme", sections=[section])
    rendered = MarkdownIt("commonmark").render(render(posting, "md"))
    page = Page(rendered)
    assert page.names() == ["h1", "h2", *["p"] * len(tricky), "ul", *["li"] * len(tricky)]
    assert "Role Overview ##" in page.shown()
    for line in tricky:
        assert page.shown().count(line) == 2


@pytest.mark.parametrize(
    "text",
    [
        "# Heading",
        "- dash",
        "+ plus",
        "* star",
        "***",
        "1. one",
        "2) two",
        "```fence",
        "~~~",
        "Title ##",
        "R&D at AT&T",
        "&amp; already",
        "&copy 2026",
        "<b>bold</b>",
        "5 > 3 < 4",
        "plain text",
    ],
)
def test_unescape_markdown_recovers_what_markdown_escaped(text: str) -> None:
    posting = JobPosting(title=text, company="Acme", sections=[PostingSection(key="k", heading=text, bullets=[text])])
    lines = render(posting, "md").splitlines()
    assert unescape_markdown(lines[0].removeprefix("# ")) == text
    assert unescape_markdown(lines[-1].removeprefix("- ")) == text


def test_markdown_keeps_ordinary_text_readable() -> None:
    posting = make_posting(make_role(company="R&D Labs", benefits=["401(k) match", "Stock *options*"]))
    text = render(posting, "md")
    assert "R&D Labs builds travel apps." in text
    assert "- 401(k) match\n- Stock *options*" in text


def test_markdown_does_not_change_with_creation_time() -> None:
    first, second = make_posting(), make_posting()
    second.meta.created_at = datetime(2030, 1, 1, tzinfo=UTC)
    assert render(first, "md") == render(second, "md")


def fixture_role(name: str) -> RoleSpec:
    return parse_role(yaml.safe_load((FIXTURES / "roles" / f"{name}.yaml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("template_name", ["standard", "classic"])
@pytest.mark.parametrize("name", ["senior-backend", "nurse-hourly", "devops-contract", "minimal"])
def test_markdown_reads_back_into_the_same_sections(name: str, template_name: str) -> None:
    template = get_template(template_name)
    posting = compose(fixture_role(name), template)
    parsed = parse_markdown(render(posting, "md"), template, posting.role)
    assert parsed.title == posting.title
    assert [s.model_dump(exclude={"provenance"}) for s in parsed.sections] == [
        s.model_dump(exclude={"provenance"}) for s in posting.sections
    ]


def test_markdown_with_block_syntax_in_inputs_reads_back_with_the_same_shape() -> None:
    tricky = ["# Not a title", "## Not a section", "- not a sub-list", "1. not numbered", "---", "<b>", EVIL]
    template = get_template("standard")
    section = PostingSection(key="responsibilities", heading="Key Responsibilities", paragraphs=tricky, bullets=tricky)
    parsed = parse_markdown(render(JobPosting(title="Engineer", company="Acme", sections=[section]), "md"), template)
    assert [(s.key, len(s.paragraphs), len(s.bullets)) for s in parsed.sections] == [
        ("responsibilities", len(tricky), len(tricky))
    ]
    assert parsed.sections[0].bullets[:5] == tricky[:5]


@pytest.mark.parametrize("name", ["senior-backend", "nurse-hourly"])
def test_golden_markdown(name: str) -> None:
    """Set JDW_UPDATE_GOLDEN=1 to accept an intended change to the composed Markdown."""
    text = render(compose(fixture_role(name), get_template("standard")), "md")
    path = GOLDEN / f"{name}.md"
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; rerun with JDW_UPDATE_GOLDEN=1 if intended"


# Plain text and JSON


def test_plain_text_underlines_headings_and_marks_bullets() -> None:
    long_paragraph = "Word " * 60
    role = make_role()
    posting = make_posting(role)
    posting.sections[0].paragraphs = [long_paragraph]
    lines = render(posting, "txt").splitlines()
    assert lines[:2] == ["Senior Backend Engineer", "=" * len("Senior Backend Engineer")]
    assert lines[3] == "Hopper · Austin, TX · Full-time · Apply by March 31, 2027"
    at = lines.index("Key Responsibilities")
    assert lines[at + 1] == "-" * len("Key Responsibilities")
    assert lines[at + 3 : at + 5] == ["• Design booking APIs", "• Run the services you build"]
    assert long_paragraph.strip() in lines


def test_json_reloads_to_the_same_posting_with_exact_money() -> None:
    posting = make_posting(make_role(salary_min="42.50", salary_max="58.00", pay_period="hour"))
    text = render(posting, "json")
    assert JobPosting.model_validate_json(text) == posting
    assert json.loads(text)["salary"]["min"] == "42.50"


# JSON-LD


def test_jsonld_has_googles_required_properties() -> None:
    data = jsonld(make_posting())
    assert data["@context"] == "https://schema.org/" and data["@type"] == "JobPosting"
    assert data["title"] == "Senior Backend Engineer"
    assert data["datePosted"] == "2026-05-04"
    assert data["hiringOrganization"] == {"@type": "Organization", "name": "Hopper"}
    assert Page(data["description"]).names() == [
        "section",
        "h2",
        "p",
        "section",
        "h2",
        "ul",
        "li",
        "li",
        "section",
        "h2",
        "p",
        "ul",
        "li",
        "li",
    ]
    assert data["validThrough"] == "2027-03-31T23:59:59"
    assert data["identifier"] == {"@type": "PropertyValue", "name": "Hopper", "value": "BE-042"}
    assert data["directApply"] is False
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "USD",
        "value": {"@type": "QuantitativeValue", "minValue": 142603, "maxValue": 185000, "unitText": "YEAR"},
    }


@pytest.mark.parametrize("workplace", ["onsite", "hybrid"])
def test_jsonld_onsite_and_hybrid_roles_have_a_job_location(workplace: str) -> None:
    data = jsonld(make_posting(make_role(workplace=workplace, location="Toronto, ON, Canada")))
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Toronto",
            "addressRegion": "ON",
            "addressCountry": "CA",
        },
    }
    assert "jobLocationType" not in data and "applicantLocationRequirements" not in data


def test_jsonld_remote_role_is_telecommute_with_applicant_locations() -> None:
    role = make_role(workplace="remote", remote_regions=["United States", "Canada", "EMEA", "Anywhere"])
    data = jsonld(make_posting(role))
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "United States"},
        {"@type": "Country", "name": "Canada"},
        {"@type": "AdministrativeArea", "name": "EMEA"},
    ]
    assert "jobLocation" not in data


def test_jsonld_remote_role_without_regions_is_limited_to_its_locations_country() -> None:
    data = jsonld(make_posting(make_role(workplace="remote", location="Berlin, Germany")))
    assert data["applicantLocationRequirements"] == [{"@type": "Country", "name": "DE"}]


@pytest.mark.parametrize(
    ("employment_type", "expected"),
    [
        ("full_time", "FULL_TIME"),
        ("part_time", "PART_TIME"),
        ("contract", "CONTRACTOR"),
        ("temporary", "TEMPORARY"),
        ("internship", "INTERN"),
    ],
)
def test_jsonld_employment_type(employment_type: str, expected: str) -> None:
    assert jsonld(make_posting(make_role(employment_type=employment_type)))["employmentType"] == expected


@pytest.mark.parametrize(
    ("period", "low", "high", "unit", "values"),
    [
        ("hour", "42.50", "58", "HOUR", (42.5, 58)),
        ("day", "600", "750", "DAY", (600, 750)),
        ("week", "1500", "1800", "WEEK", (1500, 1800)),
        ("month", "5000.25", "6000", "MONTH", (5000.25, 6000)),
        ("year", "70000", "90000", "YEAR", (70000, 90000)),
    ],
)
def test_jsonld_salary_for_each_pay_period(
    period: str, low: str, high: str, unit: str, values: tuple[float, float]
) -> None:
    role = make_role(pay_period=period, salary_min=low, salary_max=high, currency="EUR")
    salary = jsonld(make_posting(role))["baseSalary"]
    assert salary["currency"] == "EUR"
    assert (salary["value"]["minValue"], salary["value"]["maxValue"], salary["value"]["unitText"]) == (*values, unit)


def test_jsonld_without_deadline_or_id_leaves_them_out() -> None:
    data = jsonld(make_posting(make_role(application_deadline=None, id=None)))
    assert "validThrough" not in data and "identifier" not in data


def test_jsonld_of_a_posting_without_role_inputs_keeps_what_it_knows() -> None:
    posting = make_posting()
    posting.role = None
    data = jsonld(posting)
    assert {"title", "description", "datePosted", "hiringOrganization", "baseSalary"} <= data.keys()
    assert not {"jobLocation", "jobLocationType", "employmentType", "validThrough"} & data.keys()
    posting.salary = None
    assert "baseSalary" not in jsonld(posting)


def test_jsonld_cannot_close_its_script_tag() -> None:
    posting = make_posting(make_role(title="</script><script>alert(1)</script>", company="<!-- x"))
    text = render_jsonld(posting)
    assert "<" not in text and ">" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script>"
    page = Page(render_jsonld_script(posting))
    assert page.names() == ["script"]
    assert json.loads(page.scripts[0])["hiringOrganization"]["name"] == "<!-- x"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("Austin, TX", {"addressLocality": "Austin", "addressRegion": "TX", "addressCountry": "US"}),
        ("Berlin, Germany", {"addressLocality": "Berlin", "addressCountry": "DE"}),
        (
            "London, England, United Kingdom",
            {"addressLocality": "London", "addressRegion": "England", "addressCountry": "GB"},
        ),
        ("Leeds, UK", {"addressLocality": "Leeds", "addressCountry": "GB"}),
        ("Germany", {"addressCountry": "DE"}),
        ("Ontario", {"addressRegion": "Ontario", "addressCountry": "CA"}),
        ("Springfield", {"addressLocality": "Springfield"}),
        ("Gotham, Elsewhere", {"addressLocality": "Gotham", "addressRegion": "Elsewhere"}),
    ],
)
def test_postal_address_splits_locations_sensibly(location: str, expected: dict[str, str]) -> None:
    assert postal_address(location) == {"@type": "PostalAddress", **expected}


# DOCX


def test_docx_opens_and_holds_every_heading_and_bullet() -> None:
    posting = compose(make_role(benefits=["Health insurance", EVIL]), get_template("standard"))
    document = docx.Document(io.BytesIO(render_docx(posting)))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        by_style.setdefault(style, []).append(paragraph.text)
    assert by_style["Heading 1"] == [posting.title]
    assert by_style["Heading 2"] == [s.heading for s in posting.sections]
    assert by_style["List Bullet"] == [b for s in posting.sections for b in s.bullets]
    assert posting.salary is not None and any(posting.salary.text in text for text in by_style["Normal"])
    assert document.core_properties.title == posting.title


def test_docx_survives_control_characters_in_inputs() -> None:
    posting = make_posting(make_role(team="Platform\x00\x0b team"))
    posting.sections[1].bullets.append("Ship\x07 weekly")
    document = docx.Document(io.BytesIO(render_docx(posting)))
    assert "Ship weekly" in [p.text for p in document.paragraphs]


# Formats


def test_every_format_renders_to_a_download_named_after_the_role() -> None:
    posting = make_posting()
    assert tuple(FILE_TYPES) == FORMATS
    for fmt in FORMATS:
        data = render_bytes(posting, fmt)
        extension, mime = FILE_TYPES[fmt]
        assert data and mime
        assert file_name(posting, fmt) == f"senior-backend-engineer-hopper{extension}"
        if fmt != "docx":
            assert data.decode("utf-8") == render(posting, fmt)
    assert render_bytes(posting, "docx").startswith(b"PK")


def test_unknown_format_names_it_and_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown format 'pdf'; choose one of: md, html, txt, json, jsonld, docx"):
        render(make_posting(), "pdf")
    with pytest.raises(ValueError, match="unknown format 'rtf'"):
        render_bytes(make_posting(), "rtf")
    with pytest.raises(ValueError, match="docx.*render_bytes"):
        render(make_posting(), "docx")


def test_deadline_is_a_date_in_the_facts_line() -> None:
    posting = make_posting(make_role(application_deadline=date(2027, 1, 5), workplace="hybrid"))
    assert "Hopper · Austin, TX · Hybrid · Full-time · Apply by January 5, 2027" in render(posting, "txt")
