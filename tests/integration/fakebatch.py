"""The fake OpenAI server (fakeopenai.py) plus what batches need: replies that fit each role,
a random mix of faults, and the Batch API (/v1/files and /v1/batches).

- MIRROR answers a draft request with the template draft the prompt carries as grounding,
  so every role gets a reply that validates (the salary paragraph is added by the chain).
- `fault_rate` turns that share of chat requests into a fault chosen at random (seeded):
  429 with Retry-After, 500, a hang past the client's timeout, or a malformed reply.
- Files are uploaded as multipart and read back from /content; a batch moves from
  validating to in_progress (answering `lines_per_poll` requests per status check, each
  through the same scripted steps as live requests) to finalizing and completed.
"""

from __future__ import annotations

import argparse
import dataclasses
import email.parser
import email.policy
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakeopenai import FakeOpenAI, Step, completion, fault, hang, reply_text

_GROUNDING = re.compile(r"<grounding>\s*(.*?)\s*</grounding>", re.DOTALL)


@dataclass(frozen=True)
class Mirror(Step):
    """Reply with the grounding draft found in the request's last user message."""

    def with_delay(self, seconds: float) -> Mirror:
        return dataclasses.replace(self, delay_s=seconds)


MIRROR = Mirror()


def mirror_text(body: dict[str, Any]) -> str:
    """The grounding block ([key] lines, '- ' bullets, other lines paragraphs) as a PostingDraft."""
    prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "user")
    found = _GROUNDING.search(prompt)
    sections: list[dict[str, Any]] = []
    for line in (found.group(1) if found else "").splitlines():
        if match := re.fullmatch(r"\[(\w+)\]", line.strip()):
            sections.append({"key": match.group(1), "paragraphs": [], "bullets": []})
        elif sections and line.strip():
            kind, text = ("bullets", line.strip()[2:]) if line.startswith("- ") else ("paragraphs", line.strip())
            sections[-1][kind].append(text)
    return json.dumps({"sections": sections})


class FakeBatchOpenAI(FakeOpenAI):
    """FakeOpenAI with mirrored replies, random faults and the Batch API."""

    def __init__(
        self,
        default: Step | None = None,
        *,
        fault_rate: float = 0.0,
        hang_s: float = 3.0,
        seed: int = 7,
        lines_per_poll: int = 10**9,
        **kwargs: Any,
    ):
        super().__init__(default=default or MIRROR, **kwargs)
        self.fault_rate = fault_rate
        self.faults = [fault(429, "0.2"), fault(500), hang(hang_s), Step(text=reply_text("malformed"))]
        self.injected: list[int] = []
        self._random = random.Random(seed)
        self.lines_per_poll = lines_per_poll
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[str, str]] = []
        self._ids = itertools.count(1)

    def _next(self, record: dict[str, Any]) -> Step:
        step = super()._next(record)
        with self._lock:
            if self.fault_rate and self._random.random() < self.fault_rate:
                chosen = self._random.choice(self.faults)
                self.injected.append(chosen.status if chosen.status != 200 else (-1 if chosen.delay_s else 0))
                return chosen
        if isinstance(step, Mirror):
            return Step(text=mirror_text(record.get("body") or {}), delay_s=step.delay_s)
        return step

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    def _add_file(self, name: str, data: bytes, purpose: str) -> dict[str, Any]:
        file_id = self._new_id("file-")
        meta = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }
        self.files[file_id] = {"meta": meta, "data": data}
        return meta

    def _advance(self, batch: dict[str, Any]) -> None:
        """One status check's worth of progress."""
        now = int(time.time())
        if batch["status"] == "validating":
            batch.update(status="in_progress", in_progress_at=now)
            return
        if batch["status"] == "in_progress":
            lines = batch["_lines"]
            for line in lines[batch["_done"] : batch["_done"] + self.lines_per_poll]:
                self._answer(batch, line)
                batch["_done"] += 1
            if batch["_done"] == len(lines):
                batch.update(status="finalizing", finalizing_at=now)
            return
        if batch["status"] == "finalizing":
            outputs, errors = batch["_outputs"], batch["_errors"]
            if outputs:
                batch["output_file_id"] = self._add_file("output.jsonl", _jsonl(outputs), "batch_output")["id"]
            if errors:
                batch["error_file_id"] = self._add_file("errors.jsonl", _jsonl(errors), "batch_output")["id"]
            batch.update(status="completed", completed_at=now)
            self.events.append(("completed", batch["id"]))

    def _answer(self, batch: dict[str, Any], line: dict[str, Any]) -> None:
        step = self._next({"path": line["url"], "at": time.monotonic(), "body": line["body"], "batch": batch["id"]})
        counts = batch["request_counts"]
        request_id = self._new_id("req_")
        if step.status == 200 and not step.delay_s:
            body = completion(line["body"], step)
            batch["_outputs"].append(
                {
                    "id": self._new_id("batch_req_"),
                    "custom_id": line["custom_id"],
                    "response": {"status_code": 200, "request_id": request_id, "body": body},
                    "error": None,
                }
            )
            counts["completed"] += 1
            return
        status = step.status if step.status != 200 else 504
        error = {"message": "The server had an error.", "type": "server_error", "code": None}
        batch["_errors"].append(
            {
                "id": self._new_id("batch_req_"),
                "custom_id": line["custom_id"],
                "response": {"status_code": status, "request_id": request_id, "body": {"error": error}},
                "error": None,
            }
        )
        counts["failed"] += 1

    def public(self, batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()
        fake = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def _raw(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _missing(self) -> None:
                self._send(404, {"error": {"message": f"no such object: {self.path}", "type": "invalid_request_error"}})

            def _batch_route(self, path: str) -> bool:
                """Whether this is a Files or Batches request (answered here, key checked like chat)."""
                return bool(re.search(r"/(files|batches)(/|$)", path))

            def do_GET(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                if self._batch_route(path) and not self._authorised():
                    return
                if match := re.search(r"/files/([\w-]+)/content$", path):
                    file = fake.files.get(match.group(1))
                    self._raw(file["data"]) if file else self._missing()
                elif match := re.search(r"/files/([\w-]+)$", path):
                    file = fake.files.get(match.group(1))
                    self._send(200, file["meta"]) if file else self._missing()
                elif match := re.search(r"/batches/([\w-]+)$", path):
                    with fake._lock:
                        batch = fake.batches.get(match.group(1))
                        if batch is not None:
                            batch["_polls"] += 1
                    if batch is None:
                        self._missing()
                        return
                    fake._advance(batch)
                    self._send(200, fake.public(batch))
                elif path.endswith("/batches"):
                    data = [fake.public(b) for b in reversed(list(fake.batches.values()))]
                    self._send(
                        200, {"object": "list", "data": data, "has_more": False, "first_id": None, "last_id": None}
                    )
                else:
                    super().do_GET()

            def do_POST(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                if self._batch_route(path) and not self._authorised():
                    self._body()
                    return
                if path.endswith("/files"):
                    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                        b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + self._body()
                    )
                    parts = {
                        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
                    }
                    upload = parts["file"]
                    purpose = parts["purpose"].get_content().strip()
                    self._send(
                        200,
                        fake._add_file(
                            upload.get_filename() or "upload.jsonl", upload.get_payload(decode=True), purpose
                        ),
                    )
                elif path.endswith("/batches"):
                    request = json.loads(self._body())
                    file = fake.files.get(request.get("input_file_id", ""))
                    if file is None:
                        self._missing()
                        return
                    lines = [json.loads(line) for line in file["data"].decode().splitlines() if line.strip()]
                    batch_id = fake._new_id("batch_")
                    batch = {
                        "id": batch_id,
                        "object": "batch",
                        "endpoint": request["endpoint"],
                        "errors": None,
                        "input_file_id": file["meta"]["id"],
                        "completion_window": request["completion_window"],
                        "status": "validating",
                        "output_file_id": None,
                        "error_file_id": None,
                        "created_at": int(time.time()),
                        "metadata": request.get("metadata"),
                        "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                        "_lines": lines,
                        "_done": 0,
                        "_outputs": [],
                        "_errors": [],
                        "_polls": 0,
                    }
                    fake.batches[batch_id] = batch
                    fake.events.append(("created", batch_id))
                    self._send(200, fake.public(batch))
                else:
                    super().do_POST()

        return Handler


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def main() -> None:
    """Serve until stopped, printing the base URL first: for benchmarks that keep the server's
    work out of the measured process."""
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible server with the Batch API.")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each chat reply")
    args = parser.parse_args()
    with FakeBatchOpenAI(default=MIRROR.with_delay(args.latency)) as server:
        print(server.base_url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            return


if __name__ == "__main__":
    main()
