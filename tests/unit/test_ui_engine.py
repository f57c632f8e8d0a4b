"""The sidebar's engine choice as Settings; a typed key stays secret."""

from __future__ import annotations

import pytest

from chains import ui_engine
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
