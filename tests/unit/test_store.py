"""Saved drafts: versions, the "My drafts" list, duplicate, delete, form autosave."""

from __future__ import annotations

from pathlib import Path

import pytest

from chains.models import Issue, JobPosting, PostingSection, Report, RoleSpec
from chains.store import Store, StoreError, database_url


def _role(title: str = "Senior Backend Engineer") -> RoleSpec:
    return RoleSpec(title=title, company="Acme", salary_min=140000, salary_max=185000)


def _posting(role: RoleSpec, bullet: str = "Design APIs") -> JobPosting:
    return JobPosting(
        title=role.title,
        company=role.company,
        role=role,
        sections=[
            PostingSection(key="about_company", heading="About the Company", paragraphs=["Acme builds tools."]),
            PostingSection(key="responsibilities", heading="Key Responsibilities", bullets=[bullet]),
        ],
    )


def _report(score: int = 92, errors: int = 0) -> Report:
    issues = [Issue(code="bullet_count", severity="error", message="too few") for _ in range(errors)]
    return Report(issues=issues, score=score)


@pytest.fixture
def store() -> Store:
    store = Store()
    yield store
    store.close()


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    url = database_url()
    assert url == f"sqlite:///{(tmp_path / 'jdw-data' / 'jdwriter.db').resolve()}"
    Store().close()
    assert (tmp_path / "jdw-data" / "jdwriter.db").is_file()


def test_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JDW_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    Store().close()
    assert (tmp_path / "other.db").is_file()


def test_a_bad_database_url_is_a_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDW_DATABASE_URL", "not a url")
    with pytest.raises(StoreError, match="JDW_DATABASE_URL is not a database URL"):
        Store()


def test_an_unwritable_data_folder_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDW_DATA_DIR", "/proc/no-such-dir")
    with pytest.raises(StoreError, match="set JDW_DATA_DIR to a writable folder"):
        Store()


def test_an_unreachable_database_never_shows_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDW_DATABASE_URL", "postgresql+psycopg://jdw:hunter2@127.0.0.1:1/jdw")
    with pytest.raises(StoreError) as caught:
        Store()
    assert "hunter2" not in str(caught.value)
    assert "127.0.0.1:1/jdw" in str(caught.value)


def test_draft_then_edits_are_numbered_versions(store: Store) -> None:
    role = _role()
    first = store.create(role, _posting(role), _report(), template="standard", engine="template")
    assert (first.number, first.note) == (1, "Drafted")
    second = store.add_version(first.draft_id, _posting(role, "Own the billing API"), _report(70, 1), "Edited")
    assert second.number == 2
    assert not second.valid and second.score == 70
    latest = store.latest(first.draft_id)
    assert latest.posting.get("responsibilities").bullets == ["Own the billing API"]
    assert latest.role == role
    assert store.version(first.draft_id, 1).posting.get("responsibilities").bullets == ["Design APIs"]
    assert [(line.number, line.note, line.valid) for line in store.history(first.draft_id)] == [
        (1, "Drafted", True),
        (2, "Edited", False),
    ]


def test_my_drafts_lists_the_latest_change_first(store: Store) -> None:
    backend = store.create(_role(), _posting(_role()), _report(), "standard", "template")
    nurse_role = _role("Registered Nurse")
    store.create(nurse_role, _posting(nurse_role), _report(81), "classic", "openai")
    assert [d.title for d in store.list_drafts()] == ["Registered Nurse", "Senior Backend Engineer"]
    store.add_version(backend.draft_id, _posting(_role(), "Ship it"), _report(), "Edited")
    drafts = store.list_drafts()
    assert [d.title for d in drafts] == ["Senior Backend Engineer", "Registered Nurse"]
    assert (drafts[0].versions, drafts[0].company, drafts[0].valid) == (2, "Acme", True)
    assert (drafts[1].template, drafts[1].engine, drafts[1].score) == ("classic", "openai", 81)


def test_duplicate_keeps_history_and_stays_independent(store: Store) -> None:
    role = _role()
    first = store.create(role, _posting(role), _report(), "standard", "template")
    store.add_version(first.draft_id, _posting(role, "Edited bullet"), _report(), "Edited")
    copy = store.duplicate(first.draft_id)
    assert copy.draft_id != first.draft_id
    assert copy.number == 2 and copy.posting.get("responsibilities").bullets == ["Edited bullet"]
    store.add_version(copy.draft_id, _posting(role, "Only in the copy"), _report(), "Edited")
    assert store.latest(first.draft_id).number == 2
    names = {d.id: d.name for d in store.list_drafts()}
    assert names[copy.draft_id] == "Senior Backend Engineer · Acme (copy)"


def test_delete_removes_the_draft_and_its_versions(store: Store) -> None:
    role = _role()
    first = store.create(role, _posting(role), _report(), "standard", "template")
    store.add_version(first.draft_id, _posting(role, "x"), _report(), "Edited")
    store.delete(first.draft_id)
    assert store.list_drafts() == []
    with pytest.raises(StoreError, match="not found"):
        store.latest(first.draft_id)


def test_form_state_survives_a_new_store_and_is_per_session(tmp_path: Path) -> None:
    first = Store()
    first.save_form("abc", {"title": "Nurse", "salary_min": 50000, "skills": "BLS\nACLS"})
    first.save_form("other", {"title": "Teacher"})
    first.close()
    again = Store()
    assert again.load_form("abc") == {"title": "Nurse", "salary_min": 50000, "skills": "BLS\nACLS"}
    assert again.load_form("other") == {"title": "Teacher"}
    assert again.load_form("missing") is None
    again.save_form("abc", {"title": "Charge Nurse"})
    assert again.load_form("abc") == {"title": "Charge Nurse"}
    again.close()


def test_an_oversized_form_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="too large"):
        store.save_form("abc", {"text": "x" * 300_000})
