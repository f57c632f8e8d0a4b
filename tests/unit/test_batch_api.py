"""Splitting Batch API requests so each batch stays inside the API's limits."""

from __future__ import annotations

import json

import pytest

from chains import batch_api
from chains.batch_api import chunked


def request(i: int, text: str = "x") -> dict:
    return {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions", "body": {"text": text}}


def test_chunks_keep_order_and_respect_the_request_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_api, "MAX_REQUESTS", 3)
    chunks = chunked([request(i) for i in range(7)])
    assert [[r["custom_id"] for r in chunk] for chunk in chunks] == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6"]]


def test_chunks_respect_the_file_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    line = len(json.dumps(request(0, "y" * 100)).encode()) + 1
    monkeypatch.setattr(batch_api, "MAX_BYTES", 2 * line)
    chunks = chunked([request(i, "y" * 100) for i in range(5)])
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]


def test_no_requests_no_batches() -> None:
    assert chunked([]) == []
