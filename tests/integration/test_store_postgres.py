"""Saved drafts on a real PostgreSQL server through JDW_DATABASE_URL (psycopg 3).

A throwaway cluster is created in a temporary folder and started on a free loopback
port with the Debian-packaged server binaries (apt-get install postgresql).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from llamaserver import free_port

from chains.models import JobPosting, PostingSection, Report, RoleSpec
from chains.store import Store

SERVER_USER = "postgres"


def _server_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    pytest.fail("PostgreSQL server binaries not found; install them with `apt-get install postgresql`")


def _as_server_user(args: list[str]) -> list[str]:
    """The server refuses to run as root: run it as the packaged `postgres` user then."""
    return ["runuser", "-u", SERVER_USER, "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    binaries = _server_bin()
    folder = Path(tempfile.mkdtemp(prefix="jdw-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(folder, account.pw_uid, account.pw_gid)
    data, port = folder / "data", free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]), **run)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(binaries / "pg_ctl")
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]), **run)
    try:
        yield f"postgresql+psycopg://postgres:not-shown-anywhere@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), **run)
        shutil.rmtree(folder, ignore_errors=True)


def _posting(role: RoleSpec, bullet: str) -> JobPosting:
    return JobPosting(
        title=role.title,
        company=role.company,
        role=role,
        sections=[PostingSection(key="responsibilities", heading="Key Responsibilities", bullets=[bullet])],
    )


def test_drafts_versions_and_form_state_on_postgresql(monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> None:
    monkeypatch.setenv("JDW_DATABASE_URL", postgres_url)
    store = Store()
    assert "not-shown-anywhere" not in repr(store)
    role = RoleSpec(title="Registered Nurse <ICU>", company="Mercy", salary_min="42.50", salary_max=58, pay_period="hour")
    first = store.create(role, _posting(role, "Care for patients"), Report(score=96), "standard", "template")
    second = store.add_version(first.draft_id, _posting(role, "Lead handovers"), Report(score=88), "Edited")
    copy = store.duplicate(first.draft_id)
    store.save_form("session-1", {"title": "Registered Nurse", "deadline": "2027-03-31"})
    store.close()

    again = Store()
    assert again.latest(first.draft_id).posting.get("responsibilities").bullets == ["Lead handovers"]
    assert again.latest(first.draft_id).role == role
    assert [line.number for line in again.history(copy.draft_id)] == [1, 2]
    assert second.created_at.tzinfo is not None and again.history(first.draft_id)[1].created_at == second.created_at
    assert {d.id for d in again.list_drafts()} == {first.draft_id, copy.draft_id}
    again.delete(first.draft_id)
    assert [d.id for d in again.list_drafts()] == [copy.draft_id]
    assert again.load_form("session-1") == {"title": "Registered Nurse", "deadline": "2027-03-31"}
    again.close()
