"""The hiring manager's page under Streamlit's AppTest: fill, draft, edit, export, saved
drafts, refresh, and every error path, with the LLM engine patched where it is used."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chains import engines
from chains.models import RoleSpec
from chains.store import Store
from chains.ui_posting import plain
from tests.integration.fakeopenai import FakeOpenAI, fault

APP = Path(__file__).resolve().parents[2] / "app.py"
SESSION = "0123456789abcdef0123456789abcdef"
GOOD = {
    "title": "Senior Backend Engineer",
    "company": "Hopper",
    "salary_min": "142,603",
    "salary_max": "185,000",
    "must_have_skills": "Python\nPostgreSQL",
}
SALARY = "$142,603 – $185,000 per year"
KEY = "sk-typed-into-the-page-0123456789"


def open_page(session: str = SESSION) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["s"] = session
    return at.run()


def fill(at: AppTest, **values: str) -> AppTest:
    """Type into the form as a manager would; the page reruns after each box."""
    for name, value in values.items():
        boxes = [w for w in (*at.text_input, *at.text_area) if w.key == f"in_{name}"]
        assert boxes, f"no text box for {name}"
        boxes[0].input(value)
    return at.run()


def draft_role(at: AppTest, **changes: str) -> AppTest:
    fill(at, **{**GOOD, **changes})
    return at.button(key="draft").click().run()


def show(at: AppTest, **tabs: str) -> AppTest:
    """Switch the page's tabs (tab=...) or the posting's views (view=...)."""
    for key, name in tabs.items():
        at.session_state[key] = name
    return at.run()


def shown(at: AppTest) -> str:
    """Everything the page shows as text."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success)]
    parts += [e.value for e in (*at.html, *at.subheader)]
    return "\n".join(str(p) for p in parts)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def use_server(at: AppTest, server: FakeOpenAI, key: str = "") -> AppTest:
    """Point the sidebar at the fake OpenAI-compatible server."""
    at.sidebar.radio[0].set_value("compatible").run()
    at.text_input(key="base_url").input(server.base_url).run()
    at.text_input(key="model").input("fake-model").run()
    if key:
        at.text_input(key="api_key").input(key).run()
    return at


def test_first_visit_shows_every_group_and_says_what_to_fill() -> None:
    at = no_exception(open_page())
    assert at.title[0].value == "jdwriter"
    text = shown(at)
    for group in ("Role", "Company", "Location and type", "Compensation", "Skills", "Benefits and how to apply"):
        assert f"**{group}**" in text
    assert at.button(key="draft").disabled
    assert "To draft, fill in: Job title, Company, Salary minimum, Salary maximum." in text
    assert at.sidebar.radio[0].value == "offline"
    assert at.selectbox(key="template").value == "standard"
    assert at.selectbox(key="in_currency").value == "USD"


def test_minimum_above_maximum_is_shown_inline_and_blocks_drafting() -> None:
    at = no_exception(fill(open_page(), **{**GOOD, "salary_min": "180000", "salary_max": "150000"}))
    assert plain("Salary minimum (180000) is greater than Salary maximum (150000)") in errors(at)
    assert at.button(key="draft").disabled
    fill(at, salary_max="190000")
    assert errors(at) == []
    assert not at.button(key="draft").disabled


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("salary_max", "lots", "Salary maximum ('lots') must be a number"),
        ("how_to_apply", "call Bob", "How to apply ('call Bob') must be an email address or an http(s) URL"),
        ("salary_min", "-5", "Salary minimum ('-5') must be greater than 0"),
    ],
)
def test_bad_values_are_named_with_what_to_do(field: str, value: str, message: str) -> None:
    at = no_exception(fill(open_page(), **{**GOOD, field: value}))
    assert plain(message) in errors(at)
    assert at.button(key="draft").disabled


def test_offline_draft_shows_every_section_the_exact_salary_and_a_valid_report() -> None:
    at = no_exception(draft_role(open_page()))
    reference = engines.draft(RoleSpec.model_validate({**GOOD, "must_have_skills": ["Python", "PostgreSQL"]}))
    expected = reference.posting
    article = at.html[0].value
    for section in expected.sections:
        assert f">{section.heading}</h2>" in article
    assert SALARY in article
    assert ":green-badge[:material/check_circle: Valid]" in shown(at)
    assert at.metric[0].value == f"{reference.report.score}/100"
    drafts = Store().list_drafts()
    assert [(d.title, d.versions, d.engine) for d in drafts] == [("Senior Backend Engineer", 1, "template")]


def test_script_in_any_input_is_shown_as_inert_text() -> None:
    hostile = "<script>alert(1)</script>"
    at = no_exception(draft_role(open_page(), title=f"Engineer {hostile}", company_description=f"We ship. {hostile}"))
    article = at.html[0].value
    assert "<script>" not in article and "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert at.subheader[0].value == plain(f"Engineer {hostile}")
    show(at, tab="My drafts")
    assert plain(f"Engineer {hostile}") in shown(at) and hostile not in shown(at)


def test_edit_revalidates_and_saves_a_version_then_reset_restores_the_draft() -> None:
    at = draft_role(open_page())
    show(at, view="Edit")
    duties = next(a for a in at.text_area if a.label == "Key Responsibilities")
    original = duties.value
    duties.input(original.replace(original.splitlines()[0], "- Earn a $1,000,000 signing bonus", 1)).run()
    no_exception(at)
    assert ":red-badge[:material/cancel: Invalid · 1 error]" in shown(at)
    assert "$1,000,000" in at.session_state["posting"].full_text()
    draft_id = at.session_state["draft_id"]
    assert [(v.number, v.note, v.valid) for v in Store().history(draft_id)] == [
        (1, "Drafted", True),
        (2, "Edited Key Responsibilities", False),
    ]
    show(at, view="Report")
    assert "invented" in shown(at).lower() or "1,000,000" in shown(at)

    show(at, view="Edit")
    at.button(key="reset").click().run()
    no_exception(at)
    assert ":green-badge[:material/check_circle: Valid]" in shown(at)
    assert next(a for a in at.text_area if a.label == "Key Responsibilities").value == original
    assert Store().history(draft_id)[-1].note == "Reset to draft"


def test_history_restores_an_earlier_version() -> None:
    at = draft_role(open_page())
    show(at, view="Edit")
    area = next(a for a in at.text_area if a.label == "Role Overview")
    area.input("A short overview.").run()
    show(at, view="History")
    at.button(key="restore_1").click().run()
    no_exception(at)
    assert at.session_state["posting"].get("role_overview").paragraphs != ["A short overview."]
    assert Store().history(at.session_state["draft_id"])[-1].note == "Restored version 1"


def test_export_offers_every_format() -> None:
    at = show(draft_role(open_page()), view="Export")
    no_exception(at)
    labels = sorted(b.label for b in at.download_button)
    assert labels == sorted([
        "Markdown (.md)",
        "HTML (.html)",
        "Plain text (.txt)",
        "JSON (.json)",
        "JSON-LD (.jsonld)",
        "Word (.docx)",
    ])


def test_a_refresh_brings_back_the_form_and_the_open_draft() -> None:
    at = draft_role(open_page(), responsibilities="Own the booking API")
    fill(at, team="Payments")
    again = no_exception(open_page())
    assert again.text_input(key="in_title").value == GOOD["title"]
    assert again.text_input(key="in_team").value == "Payments"
    assert again.text_area(key="in_responsibilities").value == "Own the booking API"
    assert again.session_state["draft_id"] == at.session_state["draft_id"]
    assert SALARY in again.html[0].value
    other = no_exception(open_page("f" * 32))
    assert other.text_input(key="in_title").value == ""


def test_my_drafts_open_duplicate_and_delete() -> None:
    at = draft_role(open_page())
    draft_role(at, title="Registered Nurse", company="Mercy", salary_min="40", salary_max="55", must_have_skills="BLS")
    show(at, tab="My drafts")
    first, second = Store().list_drafts()
    assert (first.title, second.title) == ("Registered Nurse", "Senior Backend Engineer")

    at.button(key=f"open_{second.id}").click().run()
    no_exception(at)
    assert at.session_state["tab"] == "Write"
    assert at.text_input(key="in_title").value == "Senior Backend Engineer"
    assert at.session_state["draft_id"] == second.id

    show(at, tab="My drafts")
    at.button(key=f"dup_{first.id}").click().run()
    assert len(Store().list_drafts()) == 3
    assert at.session_state["draft_id"] not in (first.id, second.id)

    show(at, tab="My drafts")
    at.button(key=f"del_{second.id}").click().run()
    no_exception(at)
    assert [d.id for d in Store().list_drafts()].count(second.id) == 0
    assert len(Store().list_drafts()) == 2


def test_an_api_key_typed_in_the_page_is_never_stored(tmp_path: Path) -> None:
    with FakeOpenAI(api_key=KEY) as server:
        at = draft_role(use_server(open_page(), server, key=KEY))
    no_exception(at)
    assert at.session_state["posting"].meta.engine == "openai"
    files = [path for path in (tmp_path / "jdw-data").rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
    with sqlite3.connect(tmp_path / "jdw-data" / "jdwriter.db") as db:
        rows = db.execute("select data_json from jdw_form_state").fetchall()
    assert rows and all(KEY not in row[0] and "fake-model" in row[0] for row in rows)


def test_connection_test_reports_success_and_failure() -> None:
    with FakeOpenAI() as server:
        at = use_server(open_page(), server)
        at.button(key="test_connection").click().run()
        assert "answers and serves" in at.sidebar.success[0].value
        at.text_input(key="model").input("missing-model").run()
        at.button(key="test_connection").click().run()
        assert "does not list model" in at.sidebar.error[0].value
    at.text_input(key="base_url").input(f"http://127.0.0.1:{closed_port()}/v1").run()
    at.button(key="test_connection").click().run()
    assert "check that the server is running" in at.sidebar.error[0].value


def test_a_compatible_server_without_its_url_is_a_friendly_message() -> None:
    at = open_page()
    at.sidebar.radio[0].set_value("compatible").run()
    draft_role(at)
    no_exception(at)
    assert any("Server URL is required" in e for e in errors(at))
    assert "posting" not in at.session_state


def test_a_model_draft_shows_its_progress_and_is_saved_as_the_openai_engine() -> None:
    with FakeOpenAI() as server:
        at = draft_role(use_server(open_page(), server))
    no_exception(at)
    assert server.completions()
    progress = [c.value for c in at.caption]
    assert any("Drafting with fake\\-model" in text for text in progress), progress
    assert SALARY in at.html[0].value
    assert at.session_state["posting"].meta.engine == "openai"
    assert Store().list_drafts()[0].engine == "openai"


def test_regenerate_rewrites_one_section_as_a_new_version() -> None:
    with FakeOpenAI() as server:
        at = show(draft_role(use_server(open_page(), server)), view="Edit")
        calls = len(server.completions())
        at.button(key="regen_responsibilities").click().run()
    no_exception(at)
    assert len(server.completions()) > calls
    history = Store().history(at.session_state["draft_id"])
    assert history[-1].note == "Regenerated Key Responsibilities"
    assert at.session_state["report"].valid


def test_regenerate_needs_a_model_engine() -> None:
    at = show(draft_role(open_page()), view="Edit")
    assert at.button(key="regen_responsibilities").disabled


def test_an_unreachable_model_falls_back_with_a_warning_and_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDW_MAX_RETRIES", "0")
    with FakeOpenAI(api_key="sk-the-right-one-000000") as server:
        at = draft_role(use_server(open_page(), server, key=KEY))
    no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "template engine wrote this posting" in warnings
    assert SALARY in at.html[0].value
    page_text = shown(at) + warnings
    assert KEY not in page_text and plain(KEY) not in page_text


def test_a_model_failure_without_fallback_is_a_friendly_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDW_FALLBACK", "false")
    monkeypatch.setenv("JDW_MAX_RETRIES", "0")
    with FakeOpenAI(default=fault(500)) as server:
        at = draft_role(use_server(open_page(), server))
    no_exception(at)
    message = " ".join(errors(at))
    assert "could not draft this posting" in message and "500" in message
    assert "posting" not in at.session_state
    assert Store().list_drafts() == []


def test_a_malformed_company_template_is_a_message_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "broken.yaml").write_text("key: broken\nname: Broken\nsections: []\n", encoding="utf-8")
    monkeypatch.setenv("JDW_TEMPLATES_DIR", str(tmp_path))
    at = open_page()
    at.selectbox(key="template").set_value("broken").run()
    draft_role(at)
    no_exception(at)
    message = " ".join(errors(at))
    assert "could not be drafted" in message and "broken\\.yaml" in message
    assert "posting" not in at.session_state


def test_an_unusable_data_folder_warns_but_drafting_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDW_DATA_DIR", "/proc/jdw-cannot-write-here")
    at = no_exception(draft_role(open_page()))
    assert any("Drafts are not being saved" in w.value for w in at.warning)
    assert SALARY in at.html[0].value
    assert "not saved" in shown(at)
