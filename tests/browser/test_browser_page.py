"""A hiring manager in a real browser: fill, draft, read, edit, export, refresh.

Screenshots of each step land in artifacts/ for people to look at.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from chains.engines import draft
from chains.models import parse_role
from tests.integration.fakeopenai import FakeOpenAI, reply

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
ROLE = {
    "title": "Senior Backend Engineer",
    "company": "Hopper",
    "company_description": f"We build travel tools for millions. {HOSTILE}",
    "salary_min": "142,603",
    "salary_max": "185,000",
    "must_have_skills": "Python\nPostgreSQL",
    "responsibilities": "Design and own the booking API",
}
LABELS = {
    "title": "Job title",
    "company": "Company",
    "company_description": "About the company",
    "salary_min": "Salary minimum",
    "salary_max": "Salary maximum",
    "must_have_skills": "Must-have skills (one per line)",
    "responsibilities": "Your own responsibilities (one per line)",
}
SALARY = "$142,603 – $185,000 per year"
INVENTED = "Earn a $1,000,000 signing bonus"


def _shot(page: Page, artifacts: Path, name: str) -> None:
    """The whole page: Streamlit scrolls inside the window, so grow the window instead."""
    size = page.viewport_size
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / f"page-{name}.png"))
    page.set_viewport_size(size)


def _box(page: Page, label: str) -> Locator:
    return page.get_by_role("textbox", name=label, exact=True)


def test_draft_edit_export_and_refresh(app_url: str, page: Page, artifacts: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    expect(_box(page, "Job title")).to_be_visible()
    expect(page.get_by_role("button", name="Draft posting")).to_be_disabled()
    _shot(page, artifacts, "1-empty")

    for field, value in ROLE.items():
        _box(page, LABELS[field]).fill(value)
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Draft posting")
    expect(button).to_be_enabled()
    button.click()

    article = page.locator("article.jdw-posting")
    expect(article).to_be_visible()
    expected = draft(parse_role({k: v.replace("\n", ";") for k, v in ROLE.items()})).posting
    for section in expected.sections:
        expect(article.get_by_role("heading", name=section.heading, exact=True)).to_be_visible()
    expect(article).to_contain_text(SALARY)
    expect(article).to_contain_text(HOSTILE)
    assert article.locator("img").count() == 0
    expect(page.get_by_text("Valid", exact=False).first).to_be_visible()
    _shot(page, artifacts, "2-drafted")

    page.get_by_role("tab", name="Edit").click()
    duties = _box(page, "Key Responsibilities")
    expect(duties).to_have_value(re.compile(r"^- "))
    text = duties.input_value()
    first = text.splitlines()[0]
    duties.fill(text.replace(first, f"- {INVENTED}", 1))
    page.keyboard.press("Tab")
    expect(page.get_by_text(re.compile(r"Invalid · \d+ errors?"))).to_be_visible()
    _shot(page, artifacts, "3-edited")

    page.get_by_role("tab", name="Report").click()
    expect(page.get_by_text("$1,000,000", exact=False).first).to_be_visible()
    _shot(page, artifacts, "4-report")

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Markdown (.md)").click()
    download = info.value
    assert download.suggested_filename == "senior-backend-engineer-hopper.md"
    markdown = Path(download.path()).read_text(encoding="utf-8")
    assert SALARY in markdown and INVENTED in markdown
    _shot(page, artifacts, "5-export")

    page.reload()
    expect(_box(page, "Job title")).to_have_value(ROLE["title"])
    expect(_box(page, "Salary minimum")).to_have_value(ROLE["salary_min"])
    expect(page.locator("article.jdw-posting")).to_contain_text(INVENTED)

    page.get_by_role("tab", name="My drafts").click()
    expect(page.get_by_text("Senior Backend Engineer", exact=False).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"2 versions"))).to_be_visible()
    _shot(page, artifacts, "6-my-drafts")
    assert dialogs == []


def test_a_slow_model_shows_progress_and_can_be_stopped(app_url: str, page: Page, artifacts: Path) -> None:
    with FakeOpenAI(default=reply("valid", delay_s=30)) as server:
        page.goto(app_url)
        page.get_by_text("OpenAI-compatible server").click()
        _box(page, "Server URL").fill(server.base_url)
        _box(page, "Model").fill("fake-model")
        for field in ("title", "company", "salary_min", "salary_max"):
            _box(page, LABELS[field]).fill(ROLE[field])
        page.keyboard.press("Tab")
        page.get_by_role("button", name="Draft posting").click()
        expect(page.get_by_text("Drafting with fake-model (attempt 1 of 2)")).to_be_visible()
        expect(page.get_by_text(re.compile(r"Waiting for http://127\.0\.0\.1:\d+/v1"))).to_be_visible()
        _shot(page, artifacts, "7-model-drafting")
        page.get_by_role("button", name="Stop").click()
        expect(page.get_by_text("Stopped. Nothing was changed; your inputs are kept.")).to_be_visible()
        expect(page.locator("article.jdw-posting")).to_have_count(0)
        expect(_box(page, "Job title")).to_have_value(ROLE["title"])
        assert len(server.completions()) == 1


def test_inline_messages_and_a_batch_upload(app_url: str, page: Page, artifacts: Path, tmp_path: Path) -> None:
    page.goto(app_url)
    for field in ("title", "company"):
        _box(page, LABELS[field]).fill(ROLE[field])
    _box(page, "Salary minimum").fill("180000")
    _box(page, "Salary maximum").fill("150000")
    page.keyboard.press("Tab")
    expect(page.get_by_text("Salary minimum (180000) is greater than Salary maximum (150000)")).to_be_visible()
    expect(page.get_by_role("button", name="Draft posting")).to_be_disabled()
    _shot(page, artifacts, "8-inline-message")

    roles = tmp_path / "roles.csv"
    roles.write_text(
        "id,title,company,salary_min,salary_max,must_have_skills\n"
        "be-1,Backend Engineer,Acme,120000,150000,Python;Go\n"
        "rn-2,Registered Nurse,Mercy,50,40,BLS\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Batch").click()
    page.locator("input[type=file]").set_input_files(str(roles))
    page.get_by_role("button", name="Draft all rows").click()
    expect(page.get_by_text("Drafted 2 of 2 rows")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download postings (.zip)").click()
    assert info.value.suggested_filename == "postings.zip"
    with zipfile.ZipFile(info.value.path()) as archive:
        assert "postings/be-1.md" in archive.namelist()
    _shot(page, artifacts, "9-batch")
