"""A small OpenAI-compatible server for tests and benchmarks: real HTTP on 127.0.0.1.

It serves POST /v1/chat/completions (plain, `response_format` json_schema/json_object, and
`tools` with a forced `tool_choice`) and GET /v1/models. Each request takes the next
scripted Step from a queue (or the default step): a canned reply from fixtures/replies,
a latency, a finish reason, or a fault (429 with Retry-After, 500, a hang past the client's
timeout, a 401 that echoes the key it was sent, as careless servers do).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

REPLIES = Path(__file__).resolve().parents[2] / "fixtures" / "replies"
TEST_KEY = "sk-fake-INTEGRATION-key-0123456789"


def reply_text(name: str) -> str:
    """A canned reply by file stem, e.g. 'valid' or 'invented_salary'."""
    matches = sorted(REPLIES.glob(f"{name}.*"))
    if not matches:
        raise FileNotFoundError(f"no canned reply named {name!r} in {REPLIES}")
    return matches[0].read_text(encoding="utf-8")


@dataclass(frozen=True)
class Step:
    """One scripted answer to one chat-completions request."""

    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    finish_reason: str = "stop"


def reply(name: str, delay_s: float = 0.0, finish_reason: str = "stop") -> Step:
    return Step(text=reply_text(name), delay_s=delay_s, finish_reason=finish_reason)


def fault(status: int, retry_after: str | None = None) -> Step:
    return Step(status=status, headers={"Retry-After": retry_after} if retry_after is not None else {})


def hang(seconds: float) -> Step:
    """Answer only after `seconds`: past any client timeout shorter than that."""
    return Step(text=reply_text("valid"), delay_s=seconds)


def estimate_tokens(text: str) -> int:
    """About four characters a token, as OpenAI's tokenizers average on English."""
    return math.ceil(len(text) / 4)


class FakeOpenAI:
    """Start with `with FakeOpenAI() as server:`; point clients at `server.base_url`."""

    def __init__(self, default: Step | None = None, api_key: str | None = None, models: tuple[str, ...] = ("fake-model",)):
        self.default = default or reply("valid")
        self.api_key = api_key
        self.models = models
        self.queue: deque[Step] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def enqueue(self, *steps: Step) -> None:
        with self._lock:
            self.queue.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self.queue.clear()
            self.requests.clear()

    def completions(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def _next(self, record: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(record)
            return self.queue.popleft() if self.queue else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _authorised(self) -> bool:
                if fake.api_key is None:
                    return True
                sent = self.headers.get("Authorization", "")
                if sent == f"Bearer {fake.api_key}":
                    return True
                key = sent.removeprefix("Bearer ")
                self._send(401, {"error": {"message": f"Incorrect API key provided: {key}.", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}})
                return False

            def do_GET(self) -> None:
                if not self.path.rstrip("/").endswith("/models"):
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                with fake._lock:
                    fake.requests.append({"path": self.path, "at": time.monotonic()})
                if self._authorised():
                    data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models]
                    self._send(200, {"object": "list", "data": data})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                record = {"path": self.path, "at": time.monotonic(), "body": body}
                if not self._authorised():
                    with fake._lock:
                        fake.requests.append(record)
                    return
                step = fake._next(record)
                if step.delay_s:
                    time.sleep(step.delay_s)
                if step.status != 200:
                    message = {429: "Rate limit reached; retry later.", 500: "The server had an error."}.get(
                        step.status, "error")
                    self._send(step.status, {"error": {"message": message, "type": "server_error", "code": None}},
                               step.headers)
                    return
                self._send(200, completion(body, step), step.headers)

        return Handler


def completion(body: dict[str, Any], step: Step) -> dict[str, Any]:
    """A chat.completion answering `body` with the step's text: as content, or as a tool call
    when the request forces a tool (function calling)."""
    tools = body.get("tools") or []
    message: dict[str, Any] = {"role": "assistant", "content": step.text}
    finish = step.finish_reason
    if tools:
        choice = body.get("tool_choice")
        name = choice["function"]["name"] if isinstance(choice, dict) else tools[0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": step.text}}],
        }
        finish = "tool_calls" if finish == "stop" else finish
    contents = "".join(str(m.get("content") or "") for m in body.get("messages", []))
    prompt = contents + (json.dumps(tools) if tools else "") + json.dumps(body.get("response_format") or "")
    usage = {"prompt_tokens": estimate_tokens(prompt), "completion_tokens": estimate_tokens(step.text)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }
