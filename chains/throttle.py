"""Every model request a batch makes passes one shared RateLimiter, whatever chain makes it.

The chain (chains/draft.py) knows nothing of batches: a worker thread opens `throttled(...)`
and LangChain's callback system hands each chat-model call in that thread to `Throttle`,
which waits for the request and token budget before the call, settles the token count
after it, and on a 429 pauses every worker for the server's Retry-After. The chain's own
retry (chains/llm.py) then meets a server that has had time to recover.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

import openai
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from langchain_core.tracers.context import register_configure_hook

from chains.batch import RateLimiter
from chains.llm import describe_fault
from chains.llm import backoff_s, retry_after_s

CHARS_PER_TOKEN = 4

_current: ContextVar[Throttle | None] = ContextVar("jdw_throttle", default=None)
register_configure_hook(_current, inheritable=True)


class Throttle(BaseCallbackHandler):
    """A LangChain callback putting each chat-model request through a RateLimiter."""

    run_inline = True

    def __init__(self, limiter: RateLimiter, max_tokens: int):
        self.limiter = limiter
        self.max_tokens = max_tokens
        self._estimates: dict[UUID, int] = {}
        self.faults: collections.Counter[str] = collections.Counter()

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        chars = sum(len(str(m.content)) for batch in messages for m in batch)
        estimate = chars // CHARS_PER_TOKEN + self.max_tokens
        self._estimates[run_id] = estimate
        self.limiter.acquire(estimate)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        estimate = self._estimates.pop(run_id, 0)
        used = 0
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                used += int(usage.get("total_tokens", 0))
        self.limiter.settle(estimate, used)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.limiter.settle(self._estimates.pop(run_id, 0), 0)
        if isinstance(error, openai.RateLimitError):
            asked = retry_after_s(error.response.headers)
            self.limiter.pause(asked if asked is not None else backoff_s(self.faults["HTTP 429"]))
        kind = fault_kind(error)
        if kind is not None:
            self.faults[kind] += 1


def fault_kind(error: BaseException) -> str | None:
    """A network fault's short name ('HTTP 429', 'timed out', 'connection failed'); None for
    a reply that arrived but could not be parsed (that is a re-ask, counted by the chain)."""
    if isinstance(error, openai.APIConnectionError | openai.APIStatusError):
        return describe_fault(error)
    return None


@contextmanager
def throttled(limiter: RateLimiter, max_tokens: int) -> Iterator[Throttle]:
    """Within this block, every chat-model call in this thread goes through `limiter`."""
    throttle = Throttle(limiter, max_tokens)
    token = _current.set(throttle)
    try:
        yield throttle
    finally:
        _current.reset(token)
