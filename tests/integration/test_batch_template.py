"""The batch command as a separate process with the template engine: a 1,000-row batch, and a
batch killed with SIGKILL mid-run that resumes to exactly what an uninterrupted run writes."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
from batchrun import ROOT, manifest_lines, run, stop_when

ROWS = 1000


def batch_args(source: Path, out: Path) -> list[str]:
    return ["batch", str(source), "--out", str(out), "--formats", "md,json", "--concurrency", "4"]


def posting_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "postings").iterdir())}


def without_time(data: bytes) -> dict:
    posting = json.loads(data)
    posting["meta"].pop("created_at")
    return posting


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = [json.loads(line) for line in (ROOT / "fixtures" / "batch" / "base_roles.jsonl").read_text().splitlines()]
    path = tmp_path_factory.mktemp("batch") / "roles.jsonl"
    lines = []
    for i in range(ROWS):
        role = dict(base[i % len(base)])
        lines.append(json.dumps({**role, "id": f"job-{i:04d}", "company": f"{role['company']} {i // len(base)}"}))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def reference(source: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("reference") / "out"
    return out, run(batch_args(source, out))


def test_a_thousand_rows_all_valid(reference: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, result = reference
    assert result.returncode == 0, result.stderr
    files = posting_files(out)
    assert len(files) == 2 * ROWS
    assert all(
        data.startswith(b"# ") and b"## Compensation and Benefits" in data
        for name, data in files.items()
        if name.endswith(".md")
    )
    hopper = json.loads(files["job-0000.json"])
    assert (hopper["company"], hopper["salary"]["text"]) == ("Hopper 0", "$142,603 – $185,000 per year")
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["rows"], summary["valid"], summary["failed"], summary["pending"]) == (ROWS, ROWS, 0, 0)
    assert len((out / "summary.csv").read_text().splitlines()) == ROWS + 1


def test_kill_9_mid_run_then_resume_matches_an_uninterrupted_run(
    source: Path, reference: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, _ = stop_when(batch_args(source, out), lambda: manifest_lines(out) >= 100, signal.SIGKILL)
    done_at_kill = manifest_lines(out)
    assert code == -signal.SIGKILL and 100 <= done_at_kill < ROWS

    resumed = run(batch_args(source, out))
    assert resumed.returncode == 0, resumed.stderr
    assert "already done with the same input: skipped" in resumed.stderr

    expected, got = posting_files(reference[0]), posting_files(out)
    assert sorted(got) == sorted(expected)
    for name, data in got.items():
        if name.endswith(".md"):
            assert data == expected[name], name
        else:
            assert without_time(data) == without_time(expected[name]), name
    assert not [p for p in out.rglob("*.tmp")]
    records = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(records) == len({r["key"] for r in records}) == ROWS
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["valid"], summary["pending"]) == (ROWS, 0)
    assert (summary["skipped"], summary["drafted"]) == (done_at_kill, ROWS - done_at_kill)
