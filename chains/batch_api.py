"""`--mode openai-batch`: the chain's own requests sent through the OpenAI Batch API.

For large volumes where a 24-hour window at half the price beats answers now. Nothing
about prompts or parsing is written twice: each row's request body is captured from the
chain itself (chains/draft.py) with its HTTP transport pointed at a recorder, and each
result is replayed to the same chain as the model's answer, so it is parsed, validated
and repaired exactly as a live draft is. A batch has no second round trip, so the chain
runs with one attempt: a reply that fails validation is repaired from the template draft
(status `repaired`), and a row without a usable result falls back to the template engine
(`fell_back`; failed with --no-fallback).

Every step is recorded in the manifest before the next one starts (requests written,
file uploaded, batch created, batch finished, results downloaded into DIR/batches/), so a
run that is interrupted, or killed, resumes polling the same batch instead of paying
for it twice; results already downloaded are read from disk.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import openai

from chains.batch import (
    BatchApiError,
    BatchOptions,
    BatchRunner,
    Manifest,
    Progress,
    Row,
    Summary,
    digest,
    utc_now,
    write_atomic,
)
from chains.draft import draft_posting
from chains.engines import Drafted
from chains.llm import LlmUnavailable, chat_model, redact
from chains.models import RoleSpec, RoleSpecError, Usage, parse_role

ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
PRICE_FACTOR = 0.5
BATCHES = "batches"
FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})
CONTROL_RETRIES = 3
MAX_REQUESTS = 50_000
MAX_BYTES = 190 * 1024 * 1024


class _Stopped(Exception):
    """The run was asked to stop (Ctrl-C) while waiting for or preparing a batch."""


@dataclass(frozen=True)
class Result:
    """One row's answer from a batch: the HTTP status and body the model endpoint returned."""

    status_code: int
    body: dict[str, Any]


def chunked(requests: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Requests split to fit one batch each (at most MAX_REQUESTS lines and MAX_BYTES of JSONL)."""
    chunks: list[list[dict[str, Any]]] = []
    size = 0
    for request in requests:
        line = len(json.dumps(request, ensure_ascii=False).encode()) + 1
        if not chunks or len(chunks[-1]) >= MAX_REQUESTS or size + line > MAX_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(request)
        size += line
    return chunks


@contextlib.contextmanager
def _with_transport(model: Any, handler: Callable[[httpx2.Request], httpx2.Response]) -> Iterator[Any]:
    """A copy of the chain's chat model whose requests go to `handler` instead of a server."""
    with httpx2.Client(transport=httpx2.MockTransport(handler)) as http:
        root = model.root_client.with_options(http_client=http, max_retries=0)
        yield model.model_copy(update={"root_client": root, "client": root.chat.completions})


def request_body(role: RoleSpec, template: Any, settings: Any) -> dict[str, Any]:
    """The chat-completions body the chain sends for this role's first ask."""
    captured: dict[str, Any] = {}

    def record(request: httpx2.Request) -> httpx2.Response:
        captured.update(json.loads(request.content))
        return httpx2.Response(400, json={"error": {"message": "recorded for the Batch API", "type": "recorded"}})

    once = settings.model_copy(update={"attempts": 1, "max_retries": 0, "fallback": False})
    with contextlib.suppress(LlmUnavailable), _with_transport(chat_model(settings), record) as model:
        draft_posting(role, template, model, once)
    if not captured:
        raise BatchApiError(f"row {role.id}: the chain sent no request to record")
    captured.pop("stream", None)
    return captured


def replay(role: RoleSpec, template: Any, settings: Any, result: Result | None, missing: str) -> Drafted:
    """The chain's posting for this role with `result` as the model's answer (None: `missing`)."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        if result is None:
            return httpx2.Response(503, json={"error": {"message": missing, "type": "batch_result_missing"}})
        return httpx2.Response(result.status_code, json=result.body)

    once = settings.model_copy(update={"attempts": 1, "max_retries": 0})
    with _with_transport(chat_model(settings), answer) as model:
        posting, report = draft_posting(role, template, model, once)
    usage = posting.meta.usage
    cost = None if usage.cost_usd is None else usage.cost_usd * PRICE_FACTOR
    meta = posting.meta.model_copy(
        update={
            "usage": usage.model_copy(update={"cost_usd": cost}),
            "notes": [*posting.meta.notes, "drafted through the OpenAI Batch API"],
        }
    )
    return Drafted(posting=posting.model_copy(update={"meta": meta}), report=report)


class OpenAIBatchRunner(BatchRunner):
    """A BatchRunner whose rows are answered by OpenAI Batch API jobs instead of live calls."""

    def __init__(
        self,
        rows: list[Row],
        folder: Path,
        options: BatchOptions,
        *,
        progress: Progress | None = None,
        poll_s: float = 30.0,
    ):
        super().__init__(rows, folder, options, progress=progress)
        self.poll_s = poll_s
        self._client = chat_model(self.settings).root_client.with_options(max_retries=CONTROL_RETRIES)
        self._results: dict[str, Result] = {}
        self._missing: dict[str, str] = {}
        self._jobs: list[str] = []

    def _run(self, manifest: Manifest, began: float) -> Summary:
        todo, skipped = self._plan(manifest)
        wanted = {row.key: row_hash for row, row_hash, _ in todo}
        try:
            for job in [j for j in manifest.jobs.values() if j["status"] != "collected"]:
                self._collect(manifest, job, wanted)
            fresh = {key: h for key, h in wanted.items() if key not in self._results and key not in self._missing}
            requests = self._requests([row for row, _, _ in todo if row.key in fresh])
            jobs = [self._submit(manifest, chunk, fresh) for chunk in chunked(requests)]
            for job in jobs:
                self._collect(manifest, job, wanted)
        except (KeyboardInterrupt, _Stopped):
            return self._summary(manifest, skipped, 0, Usage(), time.perf_counter() - began, True, False)
        summary = self._draft_rows(manifest, todo, skipped, began)
        if not summary.interrupted:
            for key in self._jobs:
                manifest.append({**manifest.jobs[key], "status": "collected", "at": utc_now()})
        return summary

    def _draft(self, role: Any) -> tuple[Any, dict[str, int]]:
        key = str(role.id)
        missing = self._missing.get(key, "no result for this row")
        return replay(role, self._template, self.settings, self._results.get(key), missing), {}

    def _requests(self, rows: list[Row]) -> list[dict[str, Any]]:
        requests = []
        for row in rows:
            if self.stop.is_set():
                raise _Stopped
            if row.problem:
                continue
            try:
                role = parse_role(row.data)
            except RoleSpecError:
                continue
            requests.append(
                {
                    "custom_id": row.key,
                    "method": "POST",
                    "url": ENDPOINT,
                    "body": request_body(role, self._template, self.settings),
                }
            )
        return requests

    def _submit(self, manifest: Manifest, requests: list[dict[str, Any]], hashes: dict[str, str]) -> dict[str, Any]:
        rows = {r["custom_id"]: hashes[r["custom_id"]] for r in requests}
        key = f"job-{digest(rows)[:16]}"
        folder = self.folder / BATCHES
        folder.mkdir(exist_ok=True)
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests).encode()
        write_atomic(folder / f"{key}.requests.jsonl", data)
        upload = self._call(
            self._client.files.create, file=(f"{key}.jsonl", data, "application/jsonl"), purpose="batch"
        )
        job = {
            "kind": "job",
            "key": key,
            "status": "uploaded",
            "input_file_id": upload.id,
            "rows": rows,
            "at": utc_now(),
        }
        manifest.append(job)
        return self._create(manifest, job)

    def _create(self, manifest: Manifest, job: dict[str, Any]) -> dict[str, Any]:
        batch = self._call(
            self._client.batches.create,
            input_file_id=job["input_file_id"],
            endpoint=ENDPOINT,
            completion_window=WINDOW,
            metadata={"jdwriter_job": job["key"]},
        )
        job = {**job, "status": batch.status, "batch_id": batch.id, "at": utc_now()}
        manifest.append(job)
        return job

    def _adopt(self, manifest: Manifest, job: dict[str, Any]) -> dict[str, Any]:
        """A job uploaded but not known to be created: find its batch (a kill in between) or create it."""
        for batch in self._call(self._client.batches.list, limit=100).data:
            if batch.input_file_id == job["input_file_id"]:
                job = {**job, "status": batch.status, "batch_id": batch.id, "at": utc_now()}
                manifest.append(job)
                return job
        return self._create(manifest, job)

    def _collect(self, manifest: Manifest, job: dict[str, Any], wanted: dict[str, str]) -> None:
        """Wait for a job, download its results once, and keep those for rows still wanted unchanged."""
        if "batch_id" not in job:
            job = self._adopt(manifest, job)
        if job["status"] not in FINISHED:
            job = self._wait(manifest, job)
        self._jobs.append(job["key"])
        results = self._download(job)
        reason = self._reason(job)
        for custom_id, row_hash in job["rows"].items():
            if wanted.get(custom_id) != row_hash:
                continue
            if custom_id in results:
                self._results[custom_id] = results[custom_id]
            else:
                self._missing[custom_id] = reason

    def _wait(self, manifest: Manifest, job: dict[str, Any]) -> dict[str, Any]:
        while True:
            batch = self._call(self._client.batches.retrieve, job["batch_id"])
            counts = batch.request_counts
            if self.progress is not None and counts is not None:
                self.progress.waiting(
                    f"batch {batch.id}: {batch.status}", counts.completed + counts.failed, counts.total
                )
            if batch.status != job["status"] or batch.status in FINISHED:
                job = {
                    **job,
                    "status": batch.status,
                    "output_file_id": batch.output_file_id,
                    "error_file_id": batch.error_file_id,
                    "errors": [e.message for e in (batch.errors.data or [])] if batch.errors else [],
                    "at": utc_now(),
                }
                manifest.append(job)
            if batch.status in FINISHED:
                return job
            if self.stop.wait(self.poll_s):
                raise _Stopped

    def _download(self, job: dict[str, Any]) -> dict[str, Result]:
        """Output and error lines by custom_id, from DIR/batches/ or, the first time, from the API."""
        results: dict[str, Result] = {}
        for kind in ("error_file_id", "output_file_id"):
            file_id = job.get(kind)
            if not file_id:
                continue
            path = self.folder / BATCHES / f"{job['key']}.{kind.removesuffix('_file_id')}.jsonl"
            if not path.exists():
                write_atomic(path, self._call(self._client.files.content, file_id).content)
            for line in path.read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(json.JSONDecodeError, KeyError, TypeError):
                    item = json.loads(line)
                    response = item.get("response") or {}
                    error = item.get("error") or {}
                    body = response.get("body") or {
                        "error": {"message": error.get("message", "the request failed"), "type": error.get("code")}
                    }
                    results[item["custom_id"]] = Result(status_code=int(response.get("status_code") or 500), body=body)
        return results

    def _reason(self, job: dict[str, Any]) -> str:
        errors = "; ".join(job.get("errors") or [])
        return f"no result for this row: batch {job.get('batch_id')} {job['status']}" + (
            f" ({errors})" if errors else ""
        )

    def _call(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One Batch API request (the client retries it); a failure as a readable, key-free error."""
        try:
            return step(*args, **kwargs)
        except openai.OpenAIError as exc:
            detail = exc.message if isinstance(exc, openai.APIStatusError) else str(exc)
            status = f"HTTP {exc.status_code}: " if isinstance(exc, openai.APIStatusError) else ""
            raise BatchApiError(
                redact(f"{self.settings.endpoint} Batch API: {status}{detail}", self.settings)
            ) from None
