"""The durable parts of a batch: atomic files, the manifest, the folder lock, the rate limiter."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chains.batch import (
    BatchLockedError,
    Manifest,
    RateLimiter,
    folder_lock,
    remove_temp_files,
    write_atomic,
)


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("old")
    write_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_write_atomic_respects_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.md", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.md").stat().st_mode & 0o777 == 0o644


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.md"
    target.write_text("old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_leftover_temp_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".a.md.1234abcd.tmp").write_text("torn")
    (tmp_path / "a.md").write_text("kept")
    assert remove_temp_files(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_manifest_last_record_wins_and_survives_reopen(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    manifest.append({"key": "a", "status": "failed"})
    manifest.append({"key": "b", "status": "valid"})
    manifest.append({"key": "a", "status": "valid"})
    manifest.append({"kind": "job", "key": "batch-1", "batch_id": "batch_1"})
    manifest.close()
    again = Manifest(tmp_path)
    assert {k: r["status"] for k, r in again.rows.items()} == {"a": "valid", "b": "valid"}
    assert again.jobs["batch-1"]["batch_id"] == "batch_1"
    again.compact()
    again.close()
    lines = (tmp_path / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 3


def test_manifest_cuts_a_line_torn_by_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "manifest.jsonl"
    path.write_text(json.dumps({"key": "a", "status": "valid"}) + '\n{"key": "b", "sta')
    manifest = Manifest(tmp_path)
    assert list(manifest.rows) == ["a"]
    manifest.append({"key": "c", "status": "valid"})
    manifest.close()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["key"] for r in records] == ["a", "c"]


def test_one_batch_per_folder(tmp_path: Path) -> None:
    with folder_lock(tmp_path):
        refused = pytest.raises(BatchLockedError, match="another batch is writing here")
        with refused, folder_lock(tmp_path):
            pass
    with folder_lock(tmp_path):
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_limiter_lets_a_burst_through_then_paces_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=60, burst_s=2, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits == [0, 0, 0, 1.0, 1.0]
    assert clock.now == 2.0


def test_limiter_paces_by_tokens() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=6000, burst_s=0, clock=clock, sleep=clock.sleep)
    limiter.acquire(3000)
    assert limiter.acquire(3000) == 30.0
    limiter.settle(3000, 1500)
    assert limiter.acquire(1000) == 15.0


def test_limiter_pause_holds_every_worker_until_retry_after() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=6000, clock=clock, sleep=clock.sleep)
    limiter.pause(7.5)
    assert limiter.acquire() == 7.5
    assert limiter.acquire() == 0


def test_limiter_without_limits_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    assert [limiter.acquire(10**9) for _ in range(100)] == [0] * 100
