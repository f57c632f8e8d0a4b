"""`jdwriter batch --engine openai` as a separate process against the fake OpenAI server on
127.0.0.1: injected faults, a kill -9 mid-run, and the Batch API mode end to end."""

from __future__ import annotations

import collections
import csv
import json
import signal
from pathlib import Path

import pytest
from batchrun import ROOT, manifest_lines, run, stop_when
from fakebatch import MIRROR, FakeBatchOpenAI

from chains import batch_api
from chains.batch import BatchOptions, read_rows
from chains.batch_api import OpenAIBatchRunner, request_body
from chains.engines import draft
from chains.models import JobPosting, parse_role
from chains.settings import Settings
from chains.template import get_template
from chains.validate import validate

BASE = [json.loads(line) for line in (ROOT / "fixtures" / "batch" / "base_roles.jsonl").read_text().splitlines()]


def roles_file(folder: Path, count: int, bad: int = 0) -> Path:
    """`count` good rows cycled from the base roles, then `bad` rows with salary_min > salary_max."""
    lines = [{**BASE[i % len(BASE)], "id": f"job-{i:03d}"} for i in range(count)]
    lines += [{**BASE[0], "id": f"bad-{i}", "salary_min": 200000, "salary_max": 100000} for i in range(bad)]
    path = folder / "roles.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def command(source: Path, out: Path, server: FakeBatchOpenAI, *extra: str) -> list[str]:
    return [
        "batch",
        str(source),
        "--out",
        str(out),
        "--engine",
        "openai",
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--formats",
        "md,json",
        *extra,
    ]


def summary_rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "summary.csv", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def assert_one_valid_posting_per_good_row(out: Path, good: int) -> None:
    names = sorted(p.name for p in (out / "postings").iterdir())
    assert names == sorted(f"job-{i:03d}.{ext}" for i in range(good) for ext in ("md", "json"))
    template = get_template("standard")
    for i in range(good):
        posting = JobPosting.model_validate_json((out / "postings" / f"job-{i:03d}.json").read_text())
        role = parse_role({**BASE[i % len(BASE)], "id": f"job-{i:03d}"})
        assert validate(posting, template, role).valid, i
        assert posting.salary is not None and (posting.salary.min, posting.salary.max) == (
            role.salary_min,
            role.salary_max,
        )
        assert (out / "postings" / f"job-{i:03d}.md").read_text().startswith(f"# {role.title}\n")
    assert not list(out.rglob("*.tmp"))


def test_faulty_server_loses_nothing_and_the_counts_add_up(tmp_path: Path) -> None:
    good, bad = 40, 2
    source = roles_file(tmp_path, good, bad)
    out = tmp_path / "out"
    with FakeBatchOpenAI(fault_rate=0.2, hang_s=2.5, seed=11) as server:
        result = run(command(source, out, server, "--concurrency", "8"), JDW_TIMEOUT="1", JDW_MAX_RETRIES="3")
        answered = len(server.completions()) - sum(1 for code in server.injected if code in (429, 500, -1))
        injected = collections.Counter(server.injected)
    assert result.returncode == 1, result.stderr
    assert {429, 500, -1, 0} <= set(injected), injected
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows"] == good + bad
    assert summary["valid"] + summary["repaired"] + summary["fell_back"] == good
    assert (summary["input_error"], summary["failed"], summary["pending"]) == (bad, 0, 0)
    assert summary["model_calls"] == answered
    assert summary["network_faults"] == {
        "HTTP 429": injected[429],
        "HTTP 500": injected[500],
        "timed out": injected[-1],
    }
    assert summary["reasks"] >= 1
    rows = summary_rows(out)
    assert {rows[f"bad-{i}"]["message"] for i in range(bad)} == {
        "salary_min (200000) is greater than salary_max (100000)"
    }
    assert sum(int(r["model_calls"]) for r in rows.values()) == answered
    assert_one_valid_posting_per_good_row(out, good)


def test_kill_9_mid_run_then_resume_drafts_each_row_once(tmp_path: Path) -> None:
    good = 48
    source = roles_file(tmp_path, good)
    out = tmp_path / "out"
    manifest = out / "manifest.jsonl"
    with FakeBatchOpenAI(default=MIRROR.with_delay(0.15)) as server:
        code, _ = stop_when(
            command(source, out, server, "--concurrency", "4"), lambda: manifest_lines(out) >= 8, signal.SIGKILL
        )
        done_at_kill = manifest_lines(out)
        calls_before = len(server.completions())
        assert code == -signal.SIGKILL and 8 <= done_at_kill < good

        resumed = run(command(source, out, server, "--concurrency", "4"))
        calls_after = len(server.completions()) - calls_before
    assert resumed.returncode == 0, resumed.stderr
    assert calls_after == good - done_at_kill
    assert calls_before + calls_after <= good + 4
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["valid"], summary["skipped"], summary["drafted"]) == (good, done_at_kill, good - done_at_kill)
    records = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert len(records) == len({r["key"] for r in records}) == good
    assert_one_valid_posting_per_good_row(out, good)


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_batch_requests_are_exactly_what_the_chain_sends(tmp_path: Path, method: str) -> None:
    role = parse_role(BASE[0])
    with FakeBatchOpenAI() as server:
        settings = Settings(base_url=server.base_url, model="fake-model", structured_output=method)
        body = request_body(role, get_template("standard"), settings)
        live = draft(role, "standard", "openai", settings)
        sent = server.completions()[0]["body"]
    assert live.report.valid
    sent.pop("stream", None)
    assert body == sent


def test_openai_batch_mode_end_to_end(tmp_path: Path) -> None:
    good, bad = 12, 1
    source = roles_file(tmp_path, good, bad)
    out = tmp_path / "out"
    with FakeBatchOpenAI(lines_per_poll=5) as server:
        result = run(command(source, out, server, "--mode", "openai-batch", "--poll", "0.01"))
        uploads = [f for f in server.files.values() if f["meta"]["purpose"] == "batch"]
        batches = list(server.batches.values())
    assert result.returncode == 1, result.stderr
    assert len(uploads) == 1 and len(batches) == 1 and batches[0]["_polls"] >= 4
    requests = [json.loads(line) for line in uploads[0]["data"].decode().splitlines()]
    assert sorted(r["custom_id"] for r in requests) == [f"job-{i:03d}" for i in range(good)]
    assert {r["url"] for r in requests} == {"/v1/chat/completions"}
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["valid"], summary["input_error"], summary["model_calls"]) == (good, bad, good)
    assert_one_valid_posting_per_good_row(out, good)
    job = next(
        json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines() if '"kind": "job"' in line
    )
    assert (job["status"], job["batch_id"]) == ("collected", batches[0]["id"])


def test_an_interrupted_openai_batch_resumes_polling_instead_of_paying_twice(tmp_path: Path) -> None:
    good = 10
    source = roles_file(tmp_path, good)
    out = tmp_path / "out"
    with FakeBatchOpenAI(lines_per_poll=1, fault_rate=0.2, seed=3) as server:
        code, stderr = stop_when(
            command(source, out, server, "--mode", "openai-batch", "--poll", "0.2"),
            lambda: any(b["_polls"] >= 3 for b in server.batches.values()),
            signal.SIGINT,
        )
        assert code == 130, stderr
        assert "the same command collects its results without paying again" in stderr
        assert not (out / "postings").exists() or not list((out / "postings").iterdir())

        resumed = run(command(source, out, server, "--mode", "openai-batch", "--poll", "0.01"))
        uploads = [f for f in server.files.values() if f["meta"]["purpose"] == "batch"]
        batches = list(server.batches.values())
        failed_lines = batches[0]["request_counts"]["failed"]
    assert resumed.returncode == 0, resumed.stderr
    assert len(uploads) == 1 and len(batches) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert failed_lines > 0 and summary["fell_back"] == failed_lines
    assert summary["valid"] + summary["repaired"] + summary["fell_back"] == good
    assert_one_valid_posting_per_good_row(out, good)
    fell_back = [r for r in summary_rows(out).values() if r["status"] == "fell_back"]
    assert all("answered HTTP" in r["message"] for r in fell_back)


def test_ctrl_c_finishes_rows_in_flight_and_writes_the_summary(tmp_path: Path) -> None:
    good = 24
    source = roles_file(tmp_path, good)
    out = tmp_path / "out"
    with FakeBatchOpenAI(default=MIRROR.with_delay(0.3)) as server:
        code, stderr = stop_when(
            command(source, out, server, "--concurrency", "4"), lambda: manifest_lines(out) >= 4, signal.SIGINT
        )
        assert code == 130, stderr
        assert "run the same command again to finish" in stderr
        summary = json.loads((out / "summary.json").read_text())
        recorded = manifest_lines(out)
        assert summary["interrupted"] and summary["pending"] == good - recorded > 0
        assert len(list((out / "postings").iterdir())) == 2 * recorded
        resumed = run(command(source, out, server, "--concurrency", "4"))
    assert resumed.returncode == 0, resumed.stderr
    assert_one_valid_posting_per_good_row(out, good)


def test_a_kill_between_upload_and_create_finds_the_batch_instead_of_creating_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = 4
    rows = read_rows(roles_file(tmp_path, good))
    out = tmp_path / "out"

    def created_then_killed(self: OpenAIBatchRunner, manifest: object, job: dict) -> dict:
        self._client.batches.create(
            input_file_id=job["input_file_id"], endpoint="/v1/chat/completions", completion_window="24h"
        )
        raise KeyboardInterrupt

    with FakeBatchOpenAI() as server:
        options = BatchOptions(engine="openai", settings=Settings(base_url=server.base_url, model="fake-model"))
        with monkeypatch.context() as patch:
            patch.setattr(OpenAIBatchRunner, "_create", created_then_killed)
            assert OpenAIBatchRunner(rows, out, options, poll_s=0.01).run().interrupted
        summary = OpenAIBatchRunner(rows, out, options, poll_s=0.01).run()
        uploads = [f for f in server.files.values() if f["meta"]["purpose"] == "batch"]
        assert len(server.batches) == 1 and len(uploads) == 1
    assert summary.counts["valid"] == good


def test_rows_beyond_one_batch_go_into_several_batches_submitted_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = 7
    rows = read_rows(roles_file(tmp_path, good))
    monkeypatch.setattr(batch_api, "MAX_REQUESTS", 3)
    with FakeBatchOpenAI(lines_per_poll=2) as server:
        options = BatchOptions(engine="openai", settings=Settings(base_url=server.base_url, model="fake-model"))
        summary = OpenAIBatchRunner(rows, tmp_path / "out", options, poll_s=0.01).run()
        sizes = [b["request_counts"]["total"] for b in server.batches.values()]
        events = [kind for kind, _ in server.events]
    assert sizes == [3, 3, 1] and summary.counts["valid"] == good
    assert events == ["created"] * 3 + ["completed"] * 3


def test_the_key_never_reaches_outputs_manifest_or_messages(tmp_path: Path) -> None:
    key = "sk-proj-batchsecret0123456789abcdef"
    source = roles_file(tmp_path, 3)
    with FakeBatchOpenAI(api_key=key) as server:
        good = run(
            command(source, tmp_path / "good", server, "--mode", "openai-batch", "--poll", "0.01"), OPENAI_API_KEY=key
        )
        wrong = run(
            command(source, tmp_path / "wrong", server, "--mode", "openai-batch", "--poll", "0.01"),
            OPENAI_API_KEY=key[:-4] + "0000",
        )
    assert good.returncode == 0, good.stderr
    assert (wrong.returncode, "HTTP 401" in wrong.stderr) == (1, True)
    for result in (good, wrong):
        assert key not in result.stdout + result.stderr and key[:-4] not in result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
