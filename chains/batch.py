"""Many postings from one file, safely: concurrent, rate-limited, resumable after any stop.

Layout of an output folder DIR:

    DIR/manifest.jsonl    one JSON record per finished row, appended and fsynced; the
                          last record for an id wins, so a re-run knows what is done
    DIR/postings/<id>.md  each output written whole or not at all (temp file + rename)
    DIR/summary.json      totals and every row's outcome
    DIR/summary.csv       one line per row: id, status, outputs, tokens, cost, message

A row is redone when its input (or the engine, template, formats or model) changed,
when an output it listed is missing, or with --retry-failed when it failed or fell
back; everything else is skipped. Outputs are written before their manifest record,
so a kill at any instant leaves at most a row to redo, never a torn or phantom file.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import queue
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from chains.models import RoleSpecError, Usage, parse_role
from chains.resources import parse_yaml

Status = Literal["valid", "repaired", "fell_back", "input_error", "failed"]
STATUSES: tuple[Status, ...] = ("valid", "repaired", "fell_back", "input_error", "failed")
PRODUCED: frozenset[str] = frozenset({"valid", "repaired", "fell_back"})
MANIFEST = "manifest.jsonl"
POSTINGS = "postings"
LOCK = ".lock"
INPUT_KINDS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
MAX_STEM = 64
GROUP_COMMIT = 256
_SAFE_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


class BatchInputError(ValueError):
    """The input file as a whole cannot be used (unreadable, wrong shape): nothing is drafted."""


class BatchLockedError(RuntimeError):
    """Another batch is writing to the same output folder."""


class BatchApiError(RuntimeError):
    """The OpenAI Batch API refused or failed a step; the message is safe to show (no key)."""


@dataclass(frozen=True)
class Row:
    """One input row: its 1-based number, its id, its output file stem and its raw fields.

    `key` is the row's manifest key: its id, or for a row whose id another row already
    owns, the id plus its row number (such a row is an input error and writes nothing).

    `problem` is set when the row cannot be drafted before its fields are even checked
    (a line that is not JSON, a repeated id); such a row is recorded as an input error.
    """

    number: int
    id: str
    key: str
    stem: str
    data: dict[str, Any] | None
    problem: str = ""


def output_stem(row_id: str) -> str:
    """A file name for a row id that can never leave the output folder or clash by accident.

    Plain ids (`eng-042`, `Backend_3`) are kept as they are; anything else (`../../etc/x`,
    spaces, accents, reserved device names) becomes a slug plus a short hash of the id.
    """
    plain = (
        len(row_id) <= MAX_STEM
        and _SAFE_STEM.match(row_id) is not None
        and ".." not in row_id
        and not row_id.endswith(".")
        and row_id.split(".")[0].lower() not in _RESERVED
    )
    if plain:
        return row_id
    ascii_text = unicodedata.normalize("NFKD", row_id).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[: MAX_STEM - 9] or "row"
    return f"{slug}-{hashlib.sha256(row_id.encode()).hexdigest()[:8]}"


def read_rows(path: Path) -> list[Row]:
    """Rows from a CSV (header = RoleSpec field names), JSONL, YAML list or JSON list.

    A row that cannot be read is kept with its problem so the others still go on; a file
    that cannot be read at all raises BatchInputError.
    """
    kind = INPUT_KINDS.get(path.suffix.lower())
    if kind is None:
        raise BatchInputError(
            f"{path}: input must be .csv, .jsonl, .yaml, .yml or .json (got {path.suffix or 'no extension'!r})"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BatchInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise BatchInputError(f"{path}: is not UTF-8 text") from None
    raw = {"csv": _csv_rows, "jsonl": _jsonl_rows, "yaml": _document_rows, "json": _document_rows}[kind](text, path)
    return _assign_ids(raw)


_Raw = tuple[int, dict[str, Any] | None, str]


def _csv_rows(text: str, path: Path) -> list[_Raw]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise BatchInputError(f"{path}: the first line must be a header of role field names (title, company, ...)")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise BatchInputError(f"{path}: column {repeated[0]!r} appears more than once in the header")
    rows: list[_Raw] = []
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        data = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        unnamed = [i + 1 for i, cell in enumerate(cells[: len(header)]) if not header[i] and cell.strip()]
        if len(cells) > len(header):
            rows.append((number, data, f"row {number} has {len(cells)} cells but the header has {len(header)} columns"))
        elif unnamed:
            rows.append((number, data, f"row {number}: column {unnamed[0]} has a value but no header name"))
        else:
            rows.append((number, data, ""))
    return rows


def _jsonl_rows(text: str, path: Path) -> list[_Raw]:
    rows: list[_Raw] = []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for number, (line_no, line) in enumerate(lines, start=1):
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((number, None, f"line {line_no} is not valid JSON ({exc.msg}, column {exc.colno})"))
            continue
        if not isinstance(data, dict):
            rows.append(
                (number, None, f"line {line_no} must be a JSON object of role fields, not {type(data).__name__}")
            )
            continue
        rows.append((number, data, ""))
    return rows


def _document_rows(text: str, path: Path) -> list[_Raw]:
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else parse_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = getattr(exc, "lineno", None) or (mark.line + 1 if mark else None)
        raise BatchInputError(
            f"{path}: is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}"
            + (f" (line {line})" if line else "")
        ) from None
    if isinstance(data, dict) and isinstance(data.get("roles"), list):
        data = data["roles"]
    if not isinstance(data, list):
        raise BatchInputError(f"{path}: must be a list of roles (or a mapping with a 'roles' list)")
    return [
        (number, item, "")
        if isinstance(item, dict)
        else (number, None, f"row {number} must be a mapping of role fields, not {type(item).__name__}")
        for number, item in enumerate(data, start=1)
    ]


def _assign_ids(raw: list[_Raw]) -> list[Row]:
    named: list[tuple[int, str, dict[str, Any] | None, str]] = []
    for number, data, problem in raw:
        given = data.get("id") if data else None
        if given is not None and (isinstance(given, bool) or not isinstance(given, (str, int, float))):
            problem, given = problem or f"id ({given!r}) must be text or a number", None
        text = "" if given is None else str(given).strip()
        named.append((number, text or str(number), data, problem))
    owners: dict[str, int] = {}
    stems: dict[str, tuple[int, str]] = {}
    rows: list[Row] = []
    for number, row_id, data, problem in named:
        stem = output_stem(row_id)
        if row_id in owners:
            problem = (
                problem or f"id {row_id!r} is used again (first on row {owners[row_id]}); give every row its own id"
            )
        elif stem.casefold() in stems:
            first_row, first_id = stems[stem.casefold()]
            problem = (
                problem
                or f"id {row_id!r} names the same output file as row {first_row} ({first_id!r}); give it a different id"
            )
        else:
            owners[row_id] = number
            stems[stem.casefold()] = (number, row_id)
        if data is not None and not problem:
            data = {**data, "id": row_id}
        rows.append(
            Row(
                number=number,
                id=row_id,
                key=row_id if owners.get(row_id) == number else "",
                stem=stem,
                data=data,
                problem=problem,
            )
        )
    taken = set(owners)
    for i, row in enumerate(rows):
        if not row.key:
            key = f"{row.id} (row {row.number})"
            while key in taken:
                key += "*"
            taken.add(key)
            rows[i] = Row(number=row.number, id=row.id, key=key, stem=row.stem, data=row.data, problem=row.problem)
    return rows


def digest(value: Any) -> str:
    """A stable hash of JSON-able data: the same input always hashes the same."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def row_digest(row: Row, fingerprint: str) -> str:
    """What a row's result depends on: its fields plus the run's engine/template/formats/model."""
    return digest({"row": row.data, "problem": row.problem, "config": fingerprint})


def write_atomic(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write a whole file or nothing: a temp file in the same folder, fsynced, then renamed.

    The rename alone keeps files whole when the process is killed; the fsync also keeps
    them whole when the machine loses power. The temp name starts with '.' and ends with
    '.tmp' so leftovers from a killed run are recognisable and removed by the next one.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def remove_temp_files(folder: Path) -> int:
    """Remove temp files a killed run left behind; returns how many."""
    count = 0
    for leftover in folder.glob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            count += 1
    return count


class Manifest:
    """The append-only record of every finished row (and of Batch API jobs) in an output folder.

    Each record is one JSON line, flushed and fsynced before the next row is counted as
    done. A line torn by a kill is cut off on open, so the next append starts clean.
    """

    def __init__(self, folder: Path):
        self.path = folder / MANIFEST
        self.rows: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self._load()
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held for the run

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        cut = data.rfind(b"\n") + 1
        if cut < len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(cut)
        for line in data[:cut].decode("utf-8", errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                self._apply(json.loads(line))

    def _apply(self, record: Any) -> None:
        if not isinstance(record, dict) or not isinstance(record.get("key"), str):
            return
        if record.get("kind") == "job":
            self.jobs[record["key"]] = record
        else:
            self.rows[record["key"]] = record

    def append(self, *records: dict[str, Any]) -> None:
        """Write records durably (one fsync for the group) before they count as done."""
        self._handle.write("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records))
        self._handle.flush()
        os.fsync(self._handle.fileno())
        for record in records:
            self._apply(record)

    def compact(self) -> None:
        """Rewrite the file with only the latest record per id (atomically)."""
        lines = [json.dumps(r, ensure_ascii=False, default=str) for r in [*self.jobs.values(), *self.rows.values()]]
        self._handle.close()
        write_atomic(self.path, ("\n".join(lines) + "\n" if lines else "").encode())
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held for the run

    def close(self) -> None:
        self._handle.close()


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One batch per output folder at a time; released by the OS even after kill -9."""
    with open(folder / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchLockedError(
                f"{folder}: another batch is writing here; wait for it or choose another --out"
            ) from None
        yield


class RateLimiter:
    """A client-side requests- and tokens-per-minute budget shared by all workers.

    Each acquire reserves its share of the minute before sleeping, so workers are served
    in order and never stampede. After a 429 one worker calls `pause`, and no worker
    starts a request before the server's Retry-After has passed: the chain's own retry
    then meets a server that has had time to recover, instead of N workers retrying at once.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        burst_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._rates = (
            requests_per_minute / 60 if requests_per_minute else None,
            tokens_per_minute / 60 if tokens_per_minute else None,
        )
        self._burst = burst_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = [0.0, 0.0]
        self._paused_until = 0.0

    def acquire(self, tokens: int = 0) -> float:
        """Block until one request of about `tokens` tokens fits the budget; the seconds waited."""
        waited = 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._paused_until)
            for i, cost in enumerate((1, tokens)):
                rate = self._rates[i]
                if rate is None or cost <= 0:
                    continue
                slot = max(self._next[i], now)
                start = max(start, slot - self._burst)
                self._next[i] = slot + cost / rate
        while True:
            delay = start - self._clock()
            if delay <= 0:
                return waited
            self._sleep(delay)
            waited += delay
            with self._lock:
                start = max(start, self._paused_until)

    def settle(self, estimated: int, actual: int) -> None:
        """Correct the token budget once a row's real token count is known."""
        rate = self._rates[1]
        if rate is not None and actual != estimated:
            with self._lock:
                self._next[1] += (actual - estimated) / rate

    def pause(self, seconds: float) -> None:
        """No request starts for `seconds` (a 429's Retry-After), whichever worker saw it."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs. Everything that changes the outputs is part of `fingerprint`."""

    engine: str = "template"
    template: str = "standard"
    formats: tuple[str, ...] = ("md",)
    concurrency: int = 4
    limit: int | None = None
    retry_failed: bool = False
    fail_fast: bool = False
    settings: Any = None
    fsync: bool = True
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    model_keys: tuple[str, ...] = ("model", "base_url", "structured_output", "temperature", "max_tokens")

    def fingerprint(self, template_digest: str, settings: Any) -> str:
        model = {k: str(getattr(settings, k, None)) for k in self.model_keys} if self.engine != "template" else {}
        return digest(
            {"engine": self.engine, "template": template_digest, "formats": sorted(self.formats), "model": model}
        )


@dataclass
class Summary:
    """What a batch run did, over every row of the input (rows done earlier included)."""

    rows: int
    counts: dict[str, int]
    pending: int
    skipped: int
    drafted: int
    usage: Usage
    wall_s: float
    interrupted: bool
    stopped_early: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    reasks: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    abandoned: bool = False

    @property
    def complete(self) -> bool:
        """Every row produced a valid posting."""
        return self.pending == 0 and all(self.counts[s] == 0 for s in ("input_error", "failed"))

    def totals(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            **{s: self.counts[s] for s in STATUSES},
            "pending": self.pending,
            "skipped": self.skipped,
            "drafted": self.drafted,
            "model_calls": self.usage.calls,
            "reasks": self.reasks,
            "network_faults": dict(sorted(self.faults.items())),
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
            "cost_usd": round(self.usage.cost_usd, 6) if self.usage.cost_usd is not None else None,
            "wall_s": round(self.wall_s, 3),
            "interrupted": self.interrupted,
            "stopped_early": self.stopped_early,
            "abandoned": self.abandoned,
        }


SUMMARY_COLUMNS = (
    "row",
    "id",
    "status",
    "outputs",
    "attempts",
    "model_calls",
    "network_faults",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "message",
)


def write_summary(folder: Path, summary: Summary, options: BatchOptions) -> None:
    """summary.json (totals + every row) and summary.csv (one line per row), both atomic."""
    doc = {
        **summary.totals(),
        "engine": options.engine,
        "template": options.template,
        "formats": list(options.formats),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "results": summary.results,
    }
    write_atomic(folder / "summary.json", (json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n").encode())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for result in summary.results:
        usage = result.get("usage") or {}
        writer.writerow(
            [
                result.get("row", ""),
                result["id"],
                result["status"],
                ";".join(result.get("outputs", {}).values()),
                result.get("attempts", 0),
                usage.get("calls", 0),
                ";".join(f"{kind}: {n}" for kind, n in sorted((result.get("faults") or {}).items())),
                usage.get("prompt_tokens", 0),
                usage.get("completion_tokens", 0),
                "" if usage.get("cost_usd") is None else round(usage["cost_usd"], 6),
                result.get("message", ""),
            ]
        )
    write_atomic(folder / "summary.csv", buffer.getvalue().encode())


class Progress(Protocol):
    """What a run reports as it goes (the CLI draws a progress bar from it)."""

    def start(self, total: int, skipped: int) -> None: ...

    def row_done(self, record: dict[str, Any]) -> None: ...

    def waiting(self, message: str, done: int, total: int) -> None:
        """A remote job's progress while the run waits for it (the Batch API mode)."""


Drafter = Callable[[Any], Any]


def classify(drafted: Any, engine: str) -> tuple[Status, str]:
    """A drafted posting's status and a short note: valid, repaired, fell back, or failed."""
    report = drafted.report
    if not report.valid:
        return "failed", "; ".join(f"{i.code}: {i.message}" for i in report.errors)
    codes = report.codes()
    if "llm_unavailable" in codes:
        return "fell_back", next(i.message for i in report.issues if i.code == "llm_unavailable")
    mended = [
        s.key
        for s in drafted.posting.sections
        if s.provenance == "repaired" or (engine != "template" and s.provenance == "template")
    ]
    if mended:
        return "repaired", f"sections from the template engine: {', '.join(mended)}"
    return "valid", ""


class _Pool:
    """Daemon worker threads: an abandoned row (second Ctrl-C) never holds the process open."""

    def __init__(self, size: int, work: Callable[[Any], dict[str, Any]]):
        self.tasks: queue.Queue[Any] = queue.Queue()
        self.results: queue.Queue[dict[str, Any]] = queue.Queue()
        self._work = work
        for n in range(size):
            threading.Thread(target=self._loop, name=f"jdw-batch-{n}", daemon=True).start()

    def _loop(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            self.results.put(self._work(task))

    def unstarted(self) -> int:
        """Take back every task no worker has picked up yet; how many."""
        count = 0
        while True:
            try:
                self.tasks.get_nowait()
            except queue.Empty:
                return count
            count += 1

    def close(self, size: int) -> None:
        for _ in range(size):
            self.tasks.put(None)


class BatchRunner:
    """Drafts the rows of one input into one output folder (see the module docstring)."""

    def __init__(
        self,
        rows: list[Row],
        folder: Path,
        options: BatchOptions,
        *,
        drafter: Drafter | None = None,
        progress: Progress | None = None,
    ):
        self.rows = rows[: options.limit] if options.limit is not None else rows
        self.folder = folder
        self.options = options
        self.progress = progress
        self.limiter = RateLimiter(options.requests_per_minute, options.tokens_per_minute)
        self.stop = threading.Event()
        self.settings = self._load_settings()
        self._template = self._load_template()
        self._drafter = drafter or self._engine_drafter()
        self._fingerprint = options.fingerprint(digest(self._template.model_dump(mode="json")), self.settings)

    def _load_settings(self) -> Any:
        if self.options.engine == "template" or self.options.settings is not None:
            return self.options.settings
        from chains.settings import load_settings

        return load_settings()

    def _load_template(self) -> Any:
        from chains.engines import resolve_template

        return resolve_template(self.options.template)

    def _engine_drafter(self) -> Drafter:
        from chains.engines import draft

        engine, template, settings = self.options.engine, self._template, self.settings
        if engine != "template":
            from chains.llm import chat_model

            chat_model(settings)
        return lambda role: draft(role, template, engine=engine, settings=settings)

    def run(self) -> Summary:
        """Draft every row not already done; always leaves the manifest and summary written.

        Setting `stop` (the CLI does on Ctrl-C or SIGTERM) starts no new row, lets rows in
        flight finish and record themselves, and returns an interrupted summary; a
        KeyboardInterrupt does the same, and a second one abandons the rows in flight.
        """
        began = time.perf_counter()
        self.folder.mkdir(parents=True, exist_ok=True)
        postings = self.folder / POSTINGS
        with folder_lock(self.folder):
            postings.mkdir(exist_ok=True)
            remove_temp_files(postings)
            remove_temp_files(self.folder)
            manifest = Manifest(self.folder)
            try:
                summary = self._run(manifest, began)
                manifest.compact()
            finally:
                manifest.close()
            write_summary(self.folder, summary, self.options)
        return summary

    def _plan(self, manifest: Manifest) -> tuple[list[tuple[Row, str, int]], int]:
        todo: list[tuple[Row, str, int]] = []
        skipped = 0
        for row in self.rows:
            row_hash = row_digest(row, self._fingerprint)
            previous = manifest.rows.get(row.key)
            if previous is not None and previous.get("hash") == row_hash and self._still_good(previous):
                skipped += 1
                continue
            same_input = previous is not None and previous.get("hash") == row_hash
            todo.append((row, row_hash, int(previous.get("attempts", 0)) if same_input and previous else 0))
        return todo, skipped

    def _still_good(self, record: dict[str, Any]) -> bool:
        status = record.get("status")
        if status in PRODUCED:
            if status == "fell_back" and self.options.retry_failed:
                return False
            return all((self.folder / rel).is_file() for rel in record.get("outputs", {}).values())
        if status == "failed":
            return not self.options.retry_failed
        return status == "input_error"

    def _run(self, manifest: Manifest, began: float) -> Summary:
        todo, skipped = self._plan(manifest)
        return self._draft_rows(manifest, todo, skipped, began)

    def _draft_rows(self, manifest: Manifest, todo: list[tuple[Row, str, int]], skipped: int, began: float) -> Summary:
        """Draft, write and record every planned row with a bounded pool of workers."""
        if self.progress:
            self.progress.start(len(todo), skipped)
        size = max(1, min(self.options.concurrency, len(todo) or 1))
        pool = _Pool(size, self._process)
        usage = Usage()
        faults: collections.Counter[str] = collections.Counter()
        drafted = reasks = 0
        interrupted = stopped = abandoned = False
        pending = iter(todo)
        in_flight = 0

        def feed() -> int:
            added = 0
            while not (interrupted or stopped) and in_flight + added < 2 * size:
                task = next(pending, None)
                if task is None:
                    break
                pool.tasks.put(task)
                added += 1
            return added

        def collect() -> list[dict[str, Any]]:
            """Every result ready now, waiting briefly for the first: one fsync covers them all."""
            records: list[dict[str, Any]] = []
            with contextlib.suppress(queue.Empty):
                records.append(pool.results.get(timeout=0.2))
                while len(records) < GROUP_COMMIT:
                    records.append(pool.results.get_nowait())
            return records

        def finish(records: list[dict[str, Any]]) -> None:
            nonlocal usage, drafted, stopped, reasks
            previous = {r["key"]: manifest.rows.get(r["key"]) for r in records}
            manifest.append(*records)
            for record in records:
                before = previous[record["key"]]
                if before:
                    for rel in set(before.get("outputs", {}).values()) - set(record.get("outputs", {}).values()):
                        with contextlib.suppress(FileNotFoundError):
                            (self.folder / rel).unlink()
                usage = usage.add(Usage(**record["usage"])) if record.get("usage") else usage
                reasks += max(record.get("model_attempts", 0) - 1, 0)
                faults.update(record.get("faults") or {})
                drafted += 1
                if self.options.fail_fast and record["status"] in ("failed", "input_error"):
                    stopped = True
                if self.progress:
                    self.progress.row_done(record)

        try:
            in_flight += feed()
            while in_flight:
                if self.stop.is_set() and not interrupted:
                    interrupted = True
                    in_flight -= pool.unstarted()
                    continue
                records = collect()
                in_flight -= len(records)
                finish(records)
                if stopped:
                    in_flight -= pool.unstarted()
                in_flight += feed()
        except KeyboardInterrupt:
            abandoned = interrupted
            if not interrupted:
                interrupted = True
                in_flight -= pool.unstarted()
                try:
                    while in_flight:
                        records = collect()
                        in_flight -= len(records)
                        finish(records)
                except KeyboardInterrupt:
                    abandoned = True
        pool.close(size)
        summary = self._summary(manifest, skipped, drafted, usage, time.perf_counter() - began, interrupted, stopped)
        summary.reasks, summary.faults, summary.abandoned = reasks, dict(faults), abandoned
        return summary

    def _summary(
        self,
        manifest: Manifest,
        skipped: int,
        drafted: int,
        usage: Usage,
        wall_s: float,
        interrupted: bool,
        stopped: bool,
    ) -> Summary:
        counts = dict.fromkeys(STATUSES, 0)
        results: list[dict[str, Any]] = []
        pending = 0
        for row in self.rows:
            record = manifest.rows.get(row.key)
            if record is None or record.get("hash") != row_digest(row, self._fingerprint):
                pending += 1
                results.append(
                    {
                        "row": row.number,
                        "id": row.id,
                        "status": "pending",
                        "outputs": {},
                        "message": "not drafted yet; run again to finish",
                    }
                )
                continue
            counts[record["status"]] += 1
            results.append(record)
        return Summary(
            rows=len(self.rows),
            counts=counts,
            pending=pending,
            skipped=skipped,
            drafted=drafted,
            usage=usage,
            wall_s=wall_s,
            interrupted=interrupted,
            stopped_early=stopped,
            results=results,
        )

    def _process(self, task: tuple[Row, str, int]) -> dict[str, Any]:
        """One row, start to finish; never raises: any failure becomes the row's record."""
        row, row_hash, attempts = task
        record: dict[str, Any] = {
            "kind": "row",
            "key": row.key,
            "id": row.id,
            "row": row.number,
            "hash": row_hash,
            "attempts": attempts,
            "outputs": {},
            "usage": None,
            "model_attempts": 0,
            "faults": {},
            "codes": [],
            "message": "",
        }
        if row.problem:
            return {**record, "status": "input_error", "message": row.problem, "at": utc_now()}
        try:
            role = parse_role(row.data)
        except RoleSpecError as exc:
            return {
                **record,
                "status": "input_error",
                "message": "; ".join(m for _, m in exc.problems),
                "at": utc_now(),
            }
        record["attempts"] = attempts + 1
        try:
            drafted, record["faults"] = self._draft(role)
        except Exception as exc:  # noqa: BLE001 - a row's failure must not stop the others
            return {**record, "status": "failed", "message": _exception_line(exc), "at": utc_now()}
        posting = drafted.posting
        record["usage"] = posting.meta.usage.model_dump(mode="json")
        record["model_attempts"] = posting.meta.attempts
        record["codes"] = sorted(set(drafted.report.codes()))
        status, note = classify(drafted, self.options.engine)
        if status == "failed":
            return {**record, "status": status, "message": note, "at": utc_now()}
        try:
            record["outputs"] = self._write(row, posting)
        except Exception as exc:  # noqa: BLE001 - a full disk or a renderer bug fails this row only
            return {**record, "status": "failed", "message": _exception_line(exc), "at": utc_now()}
        return {**record, "status": status, "message": note, "at": utc_now()}

    def _draft(self, role: Any) -> tuple[Any, dict[str, int]]:
        """The drafted posting and the network faults its model calls met (retried by the chain)."""
        if self.options.engine == "template":
            return self._drafter(role), {}
        from chains.throttle import throttled

        with throttled(self.limiter, self.settings.max_tokens) as throttle:
            return self._drafter(role), dict(throttle.faults)

    def _write(self, row: Row, posting: Any) -> dict[str, str]:
        from chains.render import FILE_TYPES, render_bytes

        outputs: dict[str, str] = {}
        for fmt in self.options.formats:
            rel = f"{POSTINGS}/{row.stem}{FILE_TYPES[fmt][0]}"
            write_atomic(self.folder / rel, render_bytes(posting, fmt), fsync=self.options.fsync)
            outputs[fmt] = rel
        return outputs


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _exception_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__
