"""Batch throughput, printed as figures (no assertions).

Template engine: rows per second for a batch writing Markdown and JSON (goal >= 300/s).
LLM engine: a batch against the fake OpenAI-compatible server answering every request after
a fixed latency L, at concurrency C: wall time against the ideal ceil(N/C) x L (goal <= 1.15x).

    .venv/bin/python bench/batch_throughput.py
    .venv/bin/python bench/batch_throughput.py --rows 2000 --llm-rows 128 --latency 2 --concurrency 32

The LLM figure is bound by the chain's own CPU time per posting (parse, validate, render)
and by loading the engine once (its imports alone take about half a second): the shorter
L is, the more both show against the ideal, so the load is also printed on its own.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chains.batch import BatchOptions, BatchRunner, read_rows


def write_rows(folder: Path, count: int) -> Path:
    """`count` distinct roles cycled from fixtures/batch/base_roles.jsonl."""
    base = [json.loads(line) for line in (ROOT / "fixtures" / "batch" / "base_roles.jsonl").read_text().splitlines()]
    path = folder / "roles.jsonl"
    with path.open("w") as handle:
        for i in range(count):
            role = base[i % len(base)]
            handle.write(
                json.dumps({**role, "id": f"job-{i:05d}", "company": f"{role['company']} {i // len(base)}"}) + "\n"
            )
    return path


def template_engine(rows: int, concurrency: int, fsync: bool) -> None:
    options = BatchOptions(formats=("md", "json"), concurrency=concurrency, fsync=fsync)
    with tempfile.TemporaryDirectory(prefix="jdw-bench-") as tmp:
        folder = Path(tmp)
        source = write_rows(folder, rows)
        started = time.perf_counter()
        summary = BatchRunner(read_rows(source), folder / "out", options).run()
        wall = time.perf_counter() - started
        rerun_started = time.perf_counter()
        BatchRunner(read_rows(source), folder / "out", options).run()
        rerun = time.perf_counter() - rerun_started
    print(f"template engine: {rows} rows, md+json, concurrency {concurrency}, {'fsync' if fsync else 'no fsync'}")
    print(f"  valid {summary.counts['valid']}/{rows}, wall {wall:.2f} s, {rows / wall:.0f} rows/s (goal >= 300/s)")
    print(f"  re-run with every row done: {rerun:.2f} s ({rows / rerun:.0f} rows/s checked and skipped)")


def llm_engine(rows: int, latency: float, concurrency: int) -> None:
    from chains.settings import Settings

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "integration" / "fakebatch.py"), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="jdw-bench-") as tmp:
            folder = Path(tmp)
            source = write_rows(folder, rows)
            settings = Settings(base_url=base_url, model="fake-model", max_retries=0)
            options = BatchOptions(engine="openai", settings=settings, formats=("md", "json"), concurrency=concurrency)
            started = time.perf_counter()
            runner = BatchRunner(read_rows(source), folder / "out", options)
            load = time.perf_counter() - started
            summary = runner.run()
            wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    ideal = math.ceil(rows / concurrency) * latency
    usage = summary.usage
    print(f"LLM engine (fake server in its own process, latency {latency:g} s): {rows} rows, concurrency {concurrency}")
    print(f"  valid {summary.counts['valid']}/{rows}, wall {wall:.2f} s, ideal ceil(N/C) x L = {ideal:.2f} s")
    print(f"  ratio {wall / ideal:.2f}x (goal <= 1.15x)")
    print(f"  of the wall, {load:.2f} s loading the engine once (importing the OpenAI client and building it): "
          f"{(wall - load) / ideal:.2f}x without it")
    print(f"  model calls per row {usage.calls / rows:.2f}, prompt tokens per row {usage.prompt_tokens / rows:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="template-engine rows")
    parser.add_argument("--template-concurrency", type=int, default=4)
    parser.add_argument("--llm-rows", type=int, default=96)
    parser.add_argument("--latency", type=float, default=8.0, help="fake server latency L, seconds")
    parser.add_argument("--concurrency", type=int, default=32, help="LLM-engine concurrency C")
    args = parser.parse_args()
    for fsync in (True, False):
        template_engine(args.rows, args.template_concurrency, fsync)
    llm_engine(args.llm_rows, args.latency, args.concurrency)


if __name__ == "__main__":
    main()
