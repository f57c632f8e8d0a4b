"""The page's speed as the server sees it, through Streamlit's AppTest: the first render
of a new session, and the offline draft round-trip (draft + validate + render + save) and
the edit round-trip (re-validate + save a version) of one click.

Run: .venv/bin/python bench/page.py [--rounds N]
Goals: first render < 1.5 s, offline draft round-trip < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"
ROLE = {
    "title": "Senior Backend Engineer",
    "company": "Hopper",
    "salary_min": "142,603",
    "salary_max": "185,000",
    "must_have_skills": "Python\nPostgreSQL",
    "benefits": "Health insurance\n401(k) matching",
}


def _session(number: int) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["s"] = f"{number:032x}"
    return at


def _timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    os.environ["JDW_DATA_DIR"] = tempfile.mkdtemp(prefix="jdw-bench-page-")

    began = time.perf_counter()
    first = _session(0)
    first.run()
    cold = time.perf_counter() - began
    assert not first.exception, first.exception

    renders, drafts, edits = [], [], []
    for number in range(1, args.rounds + 1):
        at = _session(number)
        renders.append(_timed(at.run))
        for name, value in ROLE.items():
            box = next(w for w in (*at.text_input, *at.text_area) if w.key == f"in_{name}")
            box.input(value)
        at.run()
        drafts.append(_timed(at.button(key="draft").click().run))
        assert "posting" in at.session_state and not at.exception
        at.session_state["view"] = "Edit"
        at.run()
        duties = next(a for a in at.text_area if a.label == "Key Responsibilities")
        duties.input(duties.value.replace("- ", "- Own and ", 1))
        edits.append(_timed(at.run))

    def line(name: str, values: list[float], goal: str) -> str:
        median = statistics.median(values) * 1000
        return f"{name:<34} median {median:7.1f} ms   max {max(values) * 1000:7.1f} ms   {goal}"

    print(f"AppTest, {args.rounds} sessions, data in {os.environ['JDW_DATA_DIR']}")
    print(f"{'first render, cold process':<34} {cold * 1000:14.1f} ms   (app imports included; goal < 1500 ms)")
    print(line("first render, new session", renders, "(goal < 1500 ms)"))
    print(line("offline draft round-trip", drafts, "(goal < 300 ms)"))
    print(line("edit round-trip", edits, ""))


if __name__ == "__main__":
    main()
