"""A batch run end to end in-process: statuses, re-runs, failures, interruption, outputs."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chains.batch import BatchOptions, BatchRunner, Row, Summary, read_rows
from chains.compose import compose
from chains.engines import Drafted
from chains.models import Issue, Report, RoleSpec, Usage
from chains.template import get_template

CSV_HEADER = "id,title,company,salary_min,salary_max,must_have_skills\n"


def composed(role: RoleSpec) -> Drafted:
    posting = compose(role, get_template("standard"))
    return Drafted(posting=posting, report=Report())


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text(CSV_HEADER + "".join(line + "\n" for line in lines))
    return path


def good_lines(n: int) -> list[str]:
    return [f"r{i},Backend Engineer,Acme {i},{100000 + i},{130000 + i},Python;SQL" for i in range(1, n + 1)]


def run(rows: list[Row], out: Path, drafter: Callable[[RoleSpec], Drafted] = composed, **options: Any) -> Summary:
    return BatchRunner(rows, out, BatchOptions(**options), drafter=drafter).run()


class Counting:
    def __init__(self, inner: Callable[[RoleSpec], Drafted] = composed) -> None:
        self.inner = inner
        self.ids: list[str] = []

    def __call__(self, role: RoleSpec) -> Drafted:
        self.ids.append(str(role.id))
        return self.inner(role)


def test_bad_rows_are_recorded_and_the_rest_go_on(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run(read_rows(fixtures_dir / "batch" / "bad_rows.csv"), out)
    by_key = {r["key"]: r for r in summary.results}
    assert {k for k, r in by_key.items() if r["status"] == "valid"} == {"ok-1", "ok-2"}
    assert by_key["bad-salary"]["message"] == "salary_min (180000) is greater than salary_max (150000)"
    assert by_key["no-title"]["message"] == "title is required"
    assert by_key["bad-currency"]["message"].startswith("currency ('XYZ') is not an ISO 4217 currency code")
    assert by_key["bad-level"]["message"].startswith("level ('wizard') must be one of: entry, mid")
    assert by_key["no-salary"]["message"] == "salary_min is required"
    assert "has 9 cells" in by_key["too-many"]["message"]
    assert "used again" in by_key["ok-1 (row 8)"]["message"]
    assert summary.counts == {"valid": 2, "repaired": 0, "fell_back": 0, "input_error": 7, "failed": 0}
    assert not summary.complete
    assert sorted(p.name for p in (out / "postings").iterdir()) == ["ok-1.md", "ok-2.md"]
    assert "Python" in (out / "postings" / "ok-1.md").read_text()
    totals = json.loads((out / "summary.json").read_text())
    assert (totals["rows"], totals["valid"], totals["input_error"]) == (9, 2, 7)
    with open(out / "summary.csv", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [(line["id"], line["status"]) for line in lines][:3] == [
        ("ok-1", "valid"),
        ("bad-salary", "input_error"),
        ("no-title", "input_error"),
    ]


def test_rerun_skips_done_rows_and_redoes_changed_ones(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "roles.csv", good_lines(4))
    out = tmp_path / "out"
    assert run(read_rows(source), out).complete
    first = (out / "postings" / "r2.md").read_text()
    lines = good_lines(4)
    lines[1] = lines[1].replace("Acme 2", "Globex")
    lines[2] = lines[2].replace("130003", "90000")
    write_csv(source, lines)
    drafter = Counting()
    summary = run(read_rows(source), out, drafter)
    assert drafter.ids == ["r2"]
    assert summary.skipped == 2 and summary.drafted == 2
    assert "Globex" in (out / "postings" / "r2.md").read_text() != first
    assert summary.results[2]["status"] == "input_error"
    assert not (out / "postings" / "r3.md").exists()
    assert sorted(p.name for p in (out / "postings").iterdir()) == ["r1.md", "r2.md", "r4.md"]


def test_new_formats_or_template_redo_rows_and_a_deleted_output_is_rewritten(tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", good_lines(2)))
    out = tmp_path / "out"
    run(rows, out)
    drafter = Counting()
    run(rows, out, drafter, formats=("md", "json", "docx"))
    assert drafter.ids == ["r1", "r2"]
    assert sorted(p.name for p in (out / "postings").iterdir()) == [
        "r1.docx",
        "r1.json",
        "r1.md",
        "r2.docx",
        "r2.json",
        "r2.md",
    ]
    assert json.loads((out / "postings" / "r1.json").read_text())["company"] == "Acme 1"
    (out / "postings" / "r2.json").unlink()
    drafter = Counting()
    run(rows, out, drafter, formats=("md", "json", "docx"))
    assert drafter.ids == ["r2"]
    drafter = Counting()
    run(rows, out, drafter, formats=("md", "json", "docx"), template="classic")
    assert drafter.ids == ["r1", "r2"]


def flaky(bad: set[str], error: Exception) -> Callable[[RoleSpec], Drafted]:
    def drafter(role: RoleSpec) -> Drafted:
        if role.id in bad:
            raise error
        return composed(role)

    return drafter


def test_failed_rows_wait_for_retry_failed(tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", good_lines(3)))
    out = tmp_path / "out"
    summary = run(rows, out, flaky({"r2"}, ConnectionError("server at 127.0.0.1 went away")))
    assert summary.counts["failed"] == 1 and summary.counts["valid"] == 2
    assert summary.results[1]["message"] == "ConnectionError: server at 127.0.0.1 went away"
    assert summary.results[1]["attempts"] == 1
    drafter = Counting()
    summary = run(rows, out, drafter)
    assert drafter.ids == [] and summary.counts["failed"] == 1
    summary = run(rows, out, drafter, retry_failed=True)
    assert drafter.ids == ["r2"] and summary.complete
    assert summary.results[1]["attempts"] == 2


def fell_back(role: RoleSpec) -> Drafted:
    drafted = composed(role)
    warning = Issue(code="llm_unavailable", severity="warning", message="the model did not answer: 3 attempts")
    return Drafted(posting=drafted.posting, report=Report(issues=[warning]))


def repaired(role: RoleSpec) -> Drafted:
    drafted = composed(role)
    sections = [s.model_copy(update={"provenance": "llm"}) for s in drafted.posting.sections]
    sections[2] = sections[2].model_copy(update={"provenance": "repaired"})
    usage = Usage(calls=2, prompt_tokens=1800, completion_tokens=900, cost_usd=0.0012)
    meta = drafted.posting.meta.model_copy(update={"usage": usage})
    return Drafted(posting=drafted.posting.model_copy(update={"sections": sections, "meta": meta}), report=Report())


def not_valid(role: RoleSpec) -> Drafted:
    drafted = composed(role)
    error = Issue(code="salary_mismatch", severity="error", section="compensation", message="the range differs")
    return Drafted(posting=drafted.posting, report=Report(issues=[error]))


@pytest.mark.parametrize(
    ("drafter", "status", "message", "written"),
    [
        (fell_back, "fell_back", "the model did not answer: 3 attempts", True),
        (repaired, "repaired", "sections from the template engine: responsibilities", True),
        (not_valid, "failed", "salary_mismatch: the range differs", False),
    ],
)
def test_status_says_what_happened_to_the_posting(
    tmp_path: Path, drafter: Callable[[RoleSpec], Drafted], status: str, message: str, written: bool
) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", good_lines(1)))
    summary = run(rows, tmp_path / "out", drafter, engine="openai")
    result = summary.results[0]
    assert (result["status"], result["message"]) == (status, message)
    assert (tmp_path / "out" / "postings" / "r1.md").exists() is written
    assert summary.complete is written


def test_usage_and_cost_add_up(tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", good_lines(3)))
    summary = run(rows, tmp_path / "out", repaired, engine="openai", concurrency=2)
    totals = summary.totals()
    assert (totals["model_calls"], totals["prompt_tokens"], totals["completion_tokens"]) == (6, 5400, 2700)
    assert totals["cost_usd"] == pytest.approx(0.0036)


def test_fail_fast_stops_after_the_first_failure(tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", ["r1,,Acme,1,2,", *good_lines(40)[1:]]))
    summary = run(rows, tmp_path / "out", fail_fast=True, concurrency=1)
    assert summary.stopped_early
    assert summary.counts["input_error"] == 1
    assert summary.pending > 0 and not summary.complete
    assert summary.results[-1]["status"] == "pending"


def test_limit_drafts_only_the_first_rows(tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", good_lines(5)))
    summary = run(rows, tmp_path / "out", limit=2)
    assert summary.rows == 2 and summary.complete
    assert sorted(p.name for p in (tmp_path / "out" / "postings").iterdir()) == ["r1.md", "r2.md"]


def test_hostile_ids_stay_inside_the_output_folder(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    summary = run(read_rows(fixtures_dir / "batch" / "hostile_ids.jsonl"), out)
    assert summary.counts["valid"] == 9 and summary.counts["input_error"] == 2
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    postings = [p for p in written if p.parent == out / "postings"]
    assert len(postings) == 9
    assert {p.parent for p in written} == {out, out / "postings"}


class InterruptAfter:
    """Ctrl-C (delivered to the main thread) after `n` rows have been reported."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0

    def start(self, total: int, skipped: int) -> None:
        self.total = total

    def row_done(self, record: dict[str, Any]) -> None:
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt


def test_ctrl_c_finishes_in_flight_rows_writes_the_summary_and_a_rerun_completes(tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path / "roles.csv", good_lines(30)))
    out = tmp_path / "out"
    progress = InterruptAfter(5)
    summary = BatchRunner(rows, out, BatchOptions(concurrency=3), drafter=composed, progress=progress).run()
    assert summary.interrupted and 0 < summary.pending < 30
    done = summary.rows - summary.pending
    assert done == summary.counts["valid"] >= 5
    assert json.loads((out / "summary.json").read_text())["pending"] == summary.pending
    assert len(list((out / "postings").iterdir())) == done
    drafter = Counting()
    again = run(rows, out, drafter)
    assert again.complete and again.skipped == done and len(drafter.ids) == 30 - done
    assert len(list((out / "postings").iterdir())) == 30
