"""The per-request throttle: every model call in a batch worker waits for the shared budget,
a 429 holds every worker for its Retry-After, and network faults are counted by kind."""

from __future__ import annotations

import threading
import uuid

import httpx2
import openai
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from chains.batch import RateLimiter
from chains.throttle import Throttle, fault_kind, throttled

REQUEST = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx2.Response(status, headers=headers or {}, request=REQUEST)
    kind = openai.RateLimitError if status == 429 else openai.InternalServerError
    return kind("refused", response=response, body=None)


def test_a_429_pauses_every_worker_for_its_retry_after() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    one, other = Throttle(limiter, max_tokens=100), Throttle(limiter, max_tokens=100)
    one.on_llm_error(status_error(429, {"retry-after": "3"}), run_id=uuid.uuid4())
    other.on_chat_model_start({}, [[HumanMessage("hello")]], run_id=uuid.uuid4())
    assert clock.now == 3.0
    assert one.faults == {"HTTP 429": 1} and other.faults == {}


def test_requests_and_tokens_are_budgeted_per_call_and_settled_with_real_usage() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tokens_per_minute=6000, burst_s=0, clock=clock, sleep=clock.sleep)
    throttle = Throttle(limiter, max_tokens=1000)
    first = uuid.uuid4()
    throttle.on_chat_model_start({}, [[HumanMessage("x" * 8000)]], run_id=first)
    assert clock.now == 0
    used = AIMessage("draft", usage_metadata={"input_tokens": 1500, "output_tokens": 500, "total_tokens": 2000})
    throttle.on_llm_end(LLMResult(generations=[[ChatGeneration(message=used)]]), run_id=first)
    throttle.on_chat_model_start({}, [[HumanMessage("x")]], run_id=uuid.uuid4())
    assert clock.now == 20.0


def test_network_faults_are_named_and_parse_failures_are_not_faults() -> None:
    assert fault_kind(status_error(500)) == "HTTP 500"
    assert fault_kind(openai.APITimeoutError(REQUEST)) == "timed out"
    assert fault_kind(openai.APIConnectionError(request=REQUEST)) == "connection failed"
    assert fault_kind(ValueError("the reply could not be parsed")) is None


class Recording(RateLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.acquired: list[int] = []

    def acquire(self, tokens: int = 0) -> float:
        self.acquired.append(tokens)
        return 0.0


def test_throttled_covers_model_calls_in_this_thread_only() -> None:
    model = FakeListChatModel(responses=["one", "two", "three", "four"])
    limiter = Recording()
    with throttled(limiter, max_tokens=10):
        model.invoke("hi")
        other = threading.Thread(target=model.invoke, args=("from another worker",))
        other.start()
        other.join()
        model.invoke("again")
    model.invoke("after the block")
    assert limiter.acquired == [10, 11]
