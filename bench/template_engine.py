"""Postings per second for draft + validate + render over every role family and level.

Run: .venv/bin/python bench/template_engine.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import time

from chains.compose import compose
from chains.library import get_library
from chains.models import LEVELS, RoleSpec
from chains.render import render
from chains.template import get_template
from chains.validate import validate


def roles() -> list[RoleSpec]:
    out = []
    for family in get_library().families.values():
        title = family.examples[0] if family.examples else "Lighthouse Keeper"
        for level in LEVELS:
            out.append(RoleSpec(title=title, company="Acme Corp", level=level, salary_min=90000, salary_max=120000,
                                must_have_skills=["SQL", "Clear writing"], benefits=["Health insurance"],
                                how_to_apply="jobs@acme.example.com"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    template = get_template("standard")
    batch = roles()
    for role in batch[:5]:
        posting = compose(role, template)
        validate(posting, template, role)
        render(posting, "md")
    timings = {"compose": 0.0, "validate": 0.0, "render": 0.0}
    count = 0
    for _ in range(args.rounds):
        for role in batch:
            t0 = time.perf_counter()
            posting = compose(role, template)
            t1 = time.perf_counter()
            validate(posting, template, role)
            t2 = time.perf_counter()
            render(posting, "md")
            render(posting, "html")
            t3 = time.perf_counter()
            timings["compose"] += t1 - t0
            timings["validate"] += t2 - t1
            timings["render"] += t3 - t2
            count += 1
    total = sum(timings.values())
    print(f"roles: {len(batch)} ({len(get_library())} families x {len(LEVELS)} levels), rounds: {args.rounds}, one core")
    print(f"postings: {count}, total: {total:.2f} s, rate: {count / total:.0f} postings/s (goal >= 500)")
    for stage, seconds in timings.items():
        print(f"  {stage:<9} {seconds / count * 1000:.2f} ms per posting")


if __name__ == "__main__":
    main()
