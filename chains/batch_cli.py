"""`jdwriter batch`: the command line around chains.batch, with a progress bar and a summary table."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from chains.batch import (
    STATUSES,
    BatchApiError,
    BatchInputError,
    BatchLockedError,
    BatchOptions,
    BatchRunner,
    Summary,
    read_rows,
)
from chains.cli import EXIT_ERRORS, EXIT_VALID, engine_options, engine_settings, fail, main, template_option
from chains.resources import AssetError
from chains.settings import SettingsError

EXIT_INTERRUPTED = 130
PROBLEMS_SHOWN = 20
LABELS = {
    "valid": "Valid",
    "repaired": "Repaired",
    "fell_back": "Fell back to template",
    "input_error": "Input errors",
    "failed": "Failed",
}


class RateColumn(ProgressColumn):
    """Rows per second, the figure people watch on a long batch."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} rows/s" if speed else "   -- rows/s", style="progress.data.speed")


class BarProgress:
    """Draws chains.batch progress on stderr: bar, count, rate, elapsed, ETA and running tallies."""

    def __init__(self, console: Console):
        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[tally]}"),
            console=console,
            transient=False,
        )
        self._tally = dict.fromkeys(STATUSES, 0)
        self._task: Any = None
        self._remote: Any = None

    def start(self, total: int, skipped: int) -> None:
        if skipped:
            self._bar.console.print(f"{skipped} row(s) already done with the same input: skipped")
        self._task = self._bar.add_task("drafting", total=total, tally="")
        self._bar.start()

    def waiting(self, message: str, done: int, total: int) -> None:
        if self._remote is None:
            self._remote = self._bar.add_task(message, total=total, tally="")
            self._bar.start()
        self._bar.update(self._remote, description=message, completed=done, total=total)

    def row_done(self, record: dict[str, Any]) -> None:
        self._tally[record["status"]] += 1
        tally = " ".join(f"{status} {n}" for status, n in self._tally.items() if n)
        self._bar.update(self._task, advance=1, tally=tally)

    def stop(self) -> None:
        self._bar.stop()


def parse_formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    from chains.render import FORMATS

    formats = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"{','.join(unknown) or value!r} is not a format; choose from {','.join(FORMATS)}")
    return formats


@contextmanager
def stop_on_signals(runner: BatchRunner, console: Console) -> Iterator[None]:
    """Ctrl-C or a `kill` (SIGTERM) stops cleanly: no new row starts and rows in flight finish.
    A second one abandons the rows in flight (their outputs are redone by the next run)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if runner.stop.is_set():
            raise KeyboardInterrupt
        runner.stop.set()
        console.print("stopping: rows in flight finish first (Ctrl-C again to abandon them)", markup=False)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def summary_table(summary: Summary, folder: Path) -> Table:
    table = Table(title=f"Batch summary: {folder}", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("Rows", str(summary.rows))
    for status in STATUSES:
        table.add_row(LABELS[status], str(summary.counts[status]))
    if summary.pending:
        table.add_row("Not drafted yet", str(summary.pending))
    table.add_row("Skipped (done earlier)", str(summary.skipped))
    usage = summary.usage
    table.add_row("Model calls", str(usage.calls))
    table.add_row("Re-asks", str(summary.reasks))
    faults = ", ".join(f"{kind}: {n}" for kind, n in sorted(summary.faults.items()))
    table.add_row("Network faults", f"{sum(summary.faults.values())}" + (f" ({faults})" if faults else ""))
    table.add_row("Tokens (prompt / completion)", f"{usage.prompt_tokens:,} / {usage.completion_tokens:,}")
    table.add_row("Estimated cost", "—" if usage.cost_usd is None else f"${usage.cost_usd:,.4f}")
    table.add_row("Wall time", f"{summary.wall_s:.1f} s")
    return table


def report(console: Console, summary: Summary, folder: Path) -> None:
    """The summary table, then the rows that need attention, each with its reason."""
    console.print(summary_table(summary, folder))
    problems = [r for r in summary.results if r["status"] in ("input_error", "failed", "fell_back")]
    for result in problems[:PROBLEMS_SHOWN]:
        line = f"  row {result['row']} ({result['id']}): {result['status']}: {result['message']}"
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if len(problems) > PROBLEMS_SHOWN:
        console.print(f"  … and {len(problems) - PROBLEMS_SHOWN} more", markup=False, soft_wrap=True)
    if summary.interrupted or summary.stopped_early:
        console.print(
            f"stopped early: {summary.pending} row(s) not drafted; run the same command again to finish",
            markup=False,
            soft_wrap=True,
        )
    console.print(
        f"wrote {folder / 'summary.json'} and {folder / 'summary.csv'}", markup=False, highlight=False, soft_wrap=True
    )


@main.command()
@click.argument(
    "input_file", metavar="ROLES.csv|ROLES.jsonl|ROLES.yaml", type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder (created; re-use it to resume).",
)
@click.option(
    "--mode",
    type=click.Choice(["direct", "openai-batch"]),
    default="direct",
    show_default=True,
    help="direct: draft now, concurrently. openai-batch: submit to the OpenAI Batch API (half price, within 24 h).",
)
@click.option(
    "--concurrency", "-j", type=click.IntRange(1, 256), default=8, show_default=True, help="Rows drafted at once."
)
@template_option
@engine_options
@click.option(
    "--formats",
    "-f",
    default="md",
    show_default=True,
    callback=parse_formats,
    help="Comma-separated: md,html,txt,json,jsonld,docx.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Draft only the first N rows.")
@click.option(
    "--retry-failed", is_flag=True, help="Redo rows that failed or fell back to the template engine in an earlier run."
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first row that fails or has an input error.")
@click.option(
    "--no-fsync",
    "no_fsync",
    is_flag=True,
    help="Faster on slow disks: outputs stay whole if the batch is killed, but not if the machine loses power.",
)
@click.option(
    "--poll",
    "poll_s",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="openai-batch: seconds between checks of the batch's status.",
)
@click.option(
    "--rpm", type=click.FloatRange(min=0, min_open=True), help="Requests per minute allowed (client-side limit)."
)
@click.option(
    "--tpm", type=click.FloatRange(min=0, min_open=True), help="Tokens per minute allowed (client-side limit)."
)
def batch(
    input_file: Path,
    out: Path,
    mode: str,
    concurrency: int,
    template_name: str,
    engine: str,
    model: str | None,
    base_url: str | None,
    structured_output: str | None,
    no_fallback: bool,
    formats: tuple[str, ...],
    limit: int | None,
    retry_failed: bool,
    fail_fast: bool,
    no_fsync: bool,
    poll_s: float,
    rpm: float | None,
    tpm: float | None,
) -> None:
    """Draft a posting for every row of a CSV, JSONL or YAML file into OUT/postings.

    CSV columns are role field names (see `jdwriter draft --help`); list cells are
    separated by ';'. A row's id is its `id` or its row number, and names its files.
    A bad row is reported with the field at fault and the others go on.

    Safe to re-run: rows already done with the same input are skipped, changed rows are
    redone, and a run stopped by Ctrl-C or a crash resumes where it stopped. OUT also
    gets manifest.jsonl (every row's status, attempts, outputs and usage), summary.json
    and summary.csv.

    With --engine openai a row whose model stays unavailable gets the template engine's
    posting (fell back; --retry-failed redoes it later) or, with --no-fallback, fails.
    --mode openai-batch sends the same requests through the OpenAI Batch API instead and
    waits for the batch (keep the same OUT to resume polling it after a stop).

    Exit status: 0 every row has a valid posting, 1 some rows failed or had input
    errors, 2 bad usage or unreadable input, 130 interrupted (run again to finish).
    """
    if mode == "openai-batch":
        if (
            click.get_current_context().get_parameter_source("engine") is ParameterSource.COMMANDLINE
            and engine != "openai"
        ):
            fail("--mode openai-batch drafts with the openai engine; drop --engine template")
        engine = "openai"
    options = BatchOptions(
        engine=engine,
        settings=engine_settings(engine, model, base_url, structured_output, no_fallback),
        template=template_name,
        formats=formats,
        concurrency=concurrency,
        limit=limit,
        retry_failed=retry_failed,
        fail_fast=fail_fast,
        fsync=not no_fsync,
        requests_per_minute=rpm,
        tokens_per_minute=tpm,
    )
    console = Console(stderr=True)
    try:
        rows = read_rows(input_file)
        progress = BarProgress(console)
        if mode == "openai-batch":
            from chains.batch_api import OpenAIBatchRunner

            runner: BatchRunner = OpenAIBatchRunner(rows, out, options, progress=progress, poll_s=poll_s)
        else:
            runner = BatchRunner(rows, out, options, progress=progress)
        with stop_on_signals(runner, console):
            try:
                summary = runner.run()
            finally:
                progress.stop()
    except (BatchInputError, BatchLockedError, AssetError, SettingsError) as exc:
        fail(str(exc))
    except BatchApiError as exc:
        click.echo(f"error: {exc}; run the same command again to resume", err=True)
        sys.exit(EXIT_ERRORS)
    except OSError as exc:
        fail(f"{out}: cannot write there ({exc.strerror or exc})")
    report(console, summary, out)
    if mode == "openai-batch" and summary.interrupted:
        console.print(
            "the batch keeps running at OpenAI: the same command collects its results without paying again",
            markup=False,
            soft_wrap=True,
        )
    if summary.abandoned:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)  # model calls still in flight would otherwise hold the exit until they end
    if summary.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_VALID if summary.complete else EXIT_ERRORS)
