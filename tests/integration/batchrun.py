"""Running `jdwriter batch` as a separate process in tests, and stopping it part-way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`jdwriter ARGS` to the end, with its output captured and `env` added to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "chains", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env},
    )


def stop_when(args: list[str], ready: Callable[[], bool], signal: int) -> tuple[int, str]:
    """Start `jdwriter ARGS`, send `signal` once `ready()` holds (or it ended); its exit code and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chains", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and not ready():
        time.sleep(0.01)
    process.send_signal(signal)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def manifest_lines(out: Path) -> int:
    """Rows recorded as done in OUT/manifest.jsonl (a line torn by a kill does not count)."""
    path = out / "manifest.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0
