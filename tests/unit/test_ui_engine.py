"""The sidebar's engine choice as Settings; a typed key stays secret."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from chains import ui_engine
from chains.draft import DraftEvent
from chains.llm import LlmUnavailable
from chains.settings import OPENAI_URL, SettingsError


def test_openai_uses_the_typed_key_as_a_secret() -> None:
    settings = ui_engine.engine_settings("openai", {}, api_key=" sk-typed-in-page-123456 ", model="gpt-4o")
    assert settings.base_url == OPENAI_URL and settings.model == "gpt-4o"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-typed-in-page-123456"
    assert "sk-typed" not in repr(settings) and "sk-typed" not in str(settings.model_dump())


def test_a_compatible_server_needs_its_url() -> None:
    with pytest.raises(SettingsError, match="Server URL is required"):
        ui_engine.engine_settings("compatible", {}, model="llama")
    settings = ui_engine.engine_settings(
        "compatible", {}, base_url="http://127.0.0.1:8080/v1/", model="smollm2", structured_output="function_calling"
    )
    assert (settings.base_url, settings.structured_output) == ("http://127.0.0.1:8080/v1", "function_calling")


def test_a_bad_url_is_a_readable_error() -> None:
    with pytest.raises(SettingsError, match="must start with http"):
        ui_engine.engine_settings("compatible", {}, base_url="localhost:8080", model="m")


def test_the_environment_fills_what_the_sidebar_leaves_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-abcdef")
    monkeypatch.setenv("JDW_MODEL", "gpt-4.1-mini")
    settings = ui_engine.engine_settings("openai", {})
    assert settings.model == "gpt-4.1-mini" and settings.api_key.get_secret_value() == "sk-from-env-abcdef"
    defaults = ui_engine.defaults({})
    assert defaults["model"] == "gpt-4.1-mini" and defaults["key_from_environment"]
    assert "sk-from-env" not in str(defaults)


def _event(kind: str, message: str = "") -> DraftEvent:
    return DraftEvent(kind, message)  # type: ignore[arg-type]


def test_a_model_run_hands_over_events_then_ends() -> None:
    run = ui_engine.ModelRun(lambda: iter([_event("asking", "Drafting"), _event("done", "valid")]))
    seen = []
    while len(seen) < 2:
        event = run.next(timeout=5)
        if event is not None:
            seen.append(event.kind)
    assert seen == ["asking", "done"]
    with pytest.raises(RuntimeError, match="stopped before finishing"):
        run.next(timeout=5)


def test_a_model_run_passes_on_the_drafts_error() -> None:
    def failing() -> Iterator[DraftEvent]:
        yield _event("asking", "Drafting")
        raise LlmUnavailable("http://127.0.0.1:9/v1 could not be reached")

    run = ui_engine.ModelRun(failing)
    assert run.next(timeout=5).kind == "asking"
    with pytest.raises(LlmUnavailable, match="could not be reached"):
        run.next(timeout=5)


def test_a_stopped_model_run_asks_no_more_and_closes_the_stream() -> None:
    released, closed, asked = threading.Event(), threading.Event(), []

    def slow() -> Iterator[DraftEvent]:
        try:
            for attempt in (1, 2, 3):
                asked.append(attempt)
                released.wait(5)
                yield _event("reply", f"attempt {attempt}")
        finally:
            closed.set()

    run = ui_engine.ModelRun(slow)
    assert run.next(timeout=0.05) is None
    run.stop()
    released.set()
    assert closed.wait(5)
    assert asked == [1]
