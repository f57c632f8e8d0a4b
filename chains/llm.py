"""The one place a chat model is built, called and paid for.

Network retries live here and only here: the openai client's own retries are off so that
every wait (Retry-After on a 429, backoff after a 5xx, a timeout or a dropped connection)
is counted against the posting's time budget. Re-asking a model whose reply was wrong is
a different policy and lives in the chain (chains/draft.py).
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import openai
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr, ValidationError

from chains.models import Usage
from chains.resources import AssetError, prompts_dir, read_yaml
from chains.settings import Settings, SettingsError

LOCAL_KEY = "no-key-needed"
RETRY_STATUS = frozenset({408, 409, 429})
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
CONNECTION_TEST_TIMEOUT_S = 10.0
MAX_DETAIL = 300
_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{4})[A-Za-z0-9_\-*]{4,}")


class LlmUnavailable(RuntimeError):
    """The model could not be reached or refused the request; the message is safe to show."""


@lru_cache(maxsize=16)
def chat_model(settings: Settings) -> ChatOpenAI:
    """A ChatOpenAI for these settings, shared by every thread drafting with them."""
    if settings.api_key is None and settings.is_openai:
        raise SettingsError(
            "OPENAI_API_KEY is not set: export it (or add it to .streamlit/secrets.toml), "
            "or point OPENAI_BASE_URL / --base-url at a local OpenAI-compatible server"
        )
    # OpenAI takes max_completion_tokens; llama.cpp, Ollama and vLLM read max_tokens.
    extra: dict[str, Any] = {} if settings.is_openai else {"extra_body": {"max_tokens": settings.max_tokens}}
    return ChatOpenAI(
        model=settings.model,
        api_key=settings.api_key or SecretStr(LOCAL_KEY),
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        max_retries=0,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        **extra,
    )


def redact(text: str, settings: Settings | None = None) -> str:
    """Text with the configured key, and anything shaped like a key, masked."""
    if settings is not None and settings.api_key is not None:
        secret = settings.api_key.get_secret_value()
        if len(secret) >= 4:
            text = text.replace(secret, "****")
    return _KEY_LIKE.sub(r"\1****", text)


@dataclass(frozen=True)
class StructuredReply:
    """One answered model call: the parsed object, or the reason it could not be parsed."""

    parsed: BaseModel | None
    text: str
    error: str | None
    usage: Usage
    retries: tuple[str, ...] = ()


def retry_after_s(response_headers: Any) -> float | None:
    """Seconds a server asked us to wait (Retry-After-Ms, Retry-After seconds or date)."""
    if response_headers is None:
        return None
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = response_headers.get(header)
        if value is None:
            continue
        try:
            return max(float(value) * scale, 0.0)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)
    return None


def backoff_s(retry: int) -> float:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... up to 8 s, less up to 25%."""
    return min(FIRST_BACKOFF_S * 2**retry, MAX_BACKOFF_S) * (1 - 0.25 * random.random())


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRY_STATUS or exc.status_code >= 500
    return False


def describe_fault(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


def _hint(status: int, detail: str) -> str:
    if status in (401, 403):
        return "check OPENAI_API_KEY"
    if status == 404:
        return "check the model name (JDW_MODEL, --model) and the base URL (OPENAI_BASE_URL, --base-url)"
    if status in (400, 422) or "response_format" in detail or "json_schema" in detail:
        return "if the server rejects the output format, try --structured-output function_calling (llama.cpp) or json_mode"
    return "try again later"


def unavailable(exc: Exception, settings: Settings) -> LlmUnavailable:
    """A readable, key-free LlmUnavailable for an error from the client."""
    if isinstance(exc, openai.APIStatusError):
        detail = re.sub(r"^Error code: \d+ - ", "", exc.message if isinstance(exc.message, str) else str(exc))
        detail = " ".join(detail.split())
        detail = detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 3] + "..."
        message = f"{settings.endpoint} answered HTTP {exc.status_code}: {detail} ({_hint(exc.status_code, detail)})"
    else:
        message = f"{settings.endpoint} {describe_fault(exc)} ({type(exc).__name__}); check that the server is running"
    return LlmUnavailable(redact(message, settings))


def _usage(message: Any, latency: float) -> Usage:
    meta = getattr(message, "usage_metadata", None) or {}
    return Usage(
        calls=1,
        prompt_tokens=int(meta.get("input_tokens", 0)),
        completion_tokens=int(meta.get("output_tokens", 0)),
        latency_s=latency,
    )


def _truncated(exc: openai.LengthFinishReasonError, latency: float) -> StructuredReply:
    usage = exc.completion.usage
    choice = exc.completion.choices[0] if exc.completion.choices else None
    text = (choice.message.content or "") if choice else ""
    return StructuredReply(
        parsed=None,
        text=text,
        error=f"the reply was cut off at the token limit ({usage.completion_tokens if usage else '?'} tokens)",
        usage=Usage(
            calls=1,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            latency_s=latency,
        ),
    )


def _reply(output: dict[str, Any], latency: float) -> StructuredReply:
    raw, parsed = output.get("raw"), output.get("parsed")
    usage = _usage(raw, latency)
    if not isinstance(raw, AIMessage):
        return StructuredReply(parsed, "", None if parsed is not None else "the reply held no message", usage)
    text = raw.text
    if raw.tool_calls:
        text = json.dumps(raw.tool_calls[0]["args"], ensure_ascii=False)
    elif raw.invalid_tool_calls:
        text = str(raw.invalid_tool_calls[0].get("args") or "")
    if parsed is not None:
        return StructuredReply(parsed, text, None, usage)
    if raw.response_metadata.get("finish_reason") == "length":
        error = f"the reply was cut off at the token limit ({usage.completion_tokens} tokens)"
    elif raw.invalid_tool_calls:
        error = "the reply's tool-call arguments were not valid JSON"
    else:
        error = _parse_error(output.get("parsing_error"))
    return StructuredReply(None, text, error, usage)


def _parse_error(error: BaseException | None) -> str:
    if error is None:
        return "the reply held no structured output"
    if isinstance(error, ValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in error.errors()[:5]]
        return "the reply did not match the schema (" + "; ".join(problems) + ")"
    return f"the reply could not be parsed ({type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''})"


def ask_structured(runnable: Runnable, value: Any, settings: Settings, deadline: float) -> StructuredReply:
    """Invoke a `with_structured_output(..., include_raw=True)` runnable, retrying network faults.

    A reply that cannot be parsed comes back with `.error` set (the chain re-asks); a model
    that stays unavailable, or a wait that would pass `deadline`, raises LlmUnavailable.
    """
    retries: list[str] = []
    spent = 0.0
    for retry in range(settings.max_retries + 1):
        if time.monotonic() >= deadline:
            raise LlmUnavailable(f"{settings.endpoint}: the time budget ({settings.budget_s:g} s) ran out")
        started = time.monotonic()
        try:
            output = runnable.invoke(value)
        except openai.LengthFinishReasonError as exc:
            return _with_retries(_truncated(exc, spent + time.monotonic() - started), retries)
        except (ValidationError, openai.ContentFilterFinishReasonError) as exc:
            latency = spent + time.monotonic() - started
            return _with_retries(
                StructuredReply(None, "", _parse_error(exc), Usage(calls=1, latency_s=latency)), retries
            )
        except (openai.APIConnectionError, openai.APIStatusError) as exc:
            spent += time.monotonic() - started
            if not _retryable(exc) or retry == settings.max_retries:
                raise unavailable(exc, settings) from None
            asked = retry_after_s(exc.response.headers) if isinstance(exc, openai.APIStatusError) else None
            wait = asked if asked is not None else backoff_s(retry)
            if time.monotonic() + wait >= deadline:
                raise LlmUnavailable(
                    redact(f"{settings.endpoint} {describe_fault(exc)}; waiting {wait:.1f} s more would pass the time budget "
                           f"({settings.budget_s:g} s)", settings)
                ) from None
            retries.append(f"{describe_fault(exc)}, retried after {wait:.1f} s" + (" (Retry-After)" if asked is not None else ""))
            time.sleep(wait)
            continue
        return _with_retries(_reply(output, spent + time.monotonic() - started), retries)
    raise AssertionError("unreachable: the loop returns or raises")


def _with_retries(reply: StructuredReply, retries: list[str]) -> StructuredReply:
    return StructuredReply(reply.parsed, reply.text, reply.error, reply.usage, tuple(retries))


def _price_table(path: Path) -> dict[str, dict[str, float]]:
    try:
        return _read_prices(path, path.stat().st_mtime)
    except OSError:
        raise AssetError(f"{path}: price table not found (JDW_PRICES)") from None


@lru_cache(maxsize=8)
def _read_prices(path: Path, mtime: float) -> dict[str, dict[str, float]]:
    data = read_yaml(path)
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, dict):
        raise AssetError(f"{path}: a price table needs a 'models' mapping of name -> {{input, output}}")
    table: dict[str, dict[str, float]] = {}
    for name, price in models.items():
        if not (isinstance(price, dict) and {"input", "output"} <= price.keys()):
            raise AssetError(f"{path}: models.{name} needs input and output prices (USD per million tokens)")
        table[str(name)] = {"input": float(price["input"]), "output": float(price["output"])}
    return table


def cost_usd(usage: Usage, model: str, prices: Path | None = None) -> float | None:
    """Estimated cost from the price table; None for a model it does not list (local servers)."""
    table = _price_table(prices or prompts_dir() / "prices.yaml")
    names = [name for name in table if model == name or model.startswith(name + "-")]
    if not names:
        return None
    price = table[max(names, key=len)]
    return (usage.prompt_tokens * price["input"] + usage.completion_tokens * price["output"]) / 1_000_000


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    models: tuple[str, ...] = ()


def connection_test(settings: Settings) -> ConnectionResult:
    """Whether the endpoint answers with these settings, and whether it serves the model."""
    try:
        client = chat_model(settings).root_client.with_options(max_retries=0, timeout=CONNECTION_TEST_TIMEOUT_S)
        served = tuple(sorted(m.id for m in client.models.list()))
    except SettingsError as exc:
        return ConnectionResult(False, str(exc))
    except openai.OpenAIError as exc:
        return ConnectionResult(False, str(unavailable(exc, settings)))
    if served and settings.model not in served:
        listed = ", ".join(served[:10]) + (" ..." if len(served) > 10 else "")
        return ConnectionResult(
            False, f"{settings.endpoint} answers but does not list model {settings.model!r}; it serves: {listed}", served
        )
    return ConnectionResult(True, f"{settings.endpoint} answers and serves {settings.model!r}", served)
