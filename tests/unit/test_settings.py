"""Settings, the model builder and the pieces of the network policy that need no network."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from chains.llm import LOCAL_KEY, backoff_s, chat_model, cost_usd, redact, retry_after_s
from chains.models import Usage
from chains.resources import AssetError
from chains.settings import Settings, SettingsError, load_settings

KEY = "sk-proj-UNIT-TEST-KEY-0123456789abcdef"


def test_defaults_without_any_configuration() -> None:
    settings = load_settings()
    assert settings.api_key is None
    assert settings.base_url is None and settings.is_openai
    assert settings.structured_output == "json_schema"
    assert settings.attempts == 2 and settings.fallback is True


def test_environment_then_secrets_then_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("JDW_MODEL", "from-env")
    monkeypatch.setenv("JDW_TIMEOUT", "12.5")
    secrets = {"JDW_MODEL": "from-secrets", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1/", "JDW_ATTEMPTS": "3"}
    settings = load_settings(secrets, structured_output="function_calling")
    assert settings.model == "from-env"
    assert settings.base_url == "http://127.0.0.1:11434/v1"
    assert settings.attempts == 3 and settings.timeout_s == 12.5
    assert settings.structured_output == "function_calling"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == KEY
    assert load_settings(secrets, model="from-option").model == "from-option"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("JDW_STRUCTURED_OUTPUT", "xml", "structured_output ('xml') must be one of: json_schema, function_calling"),
        ("JDW_TIMEOUT", "soon", "timeout_s ('soon') must be a number (set by JDW_TIMEOUT)"),
        ("OPENAI_BASE_URL", "localhost:8080", "base_url ('localhost:8080') must start with http:// or https:// (set by OPENAI_BASE_URL)"),
        ("JDW_FALLBACK", "perhaps", "fallback ('perhaps')"),
    ],
)
def test_an_unusable_variable_is_named_with_its_value(monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
                                                      expected: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert expected in str(caught.value) and f"(set by {variable})" in str(caught.value)


def test_the_key_never_shows_in_repr_str_json_or_logs(monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    settings = load_settings()
    model = chat_model(settings)
    logging.getLogger("jdwriter.test").debug("settings %s %r model %s %r", settings, settings, model, model)
    shown = [repr(settings), str(settings), settings.model_dump_json(), repr(model), str(model), caplog.text]
    assert all(KEY not in text for text in shown)
    assert model.openai_api_key is not None and model.openai_api_key.get_secret_value() == KEY


def test_openai_without_a_key_says_what_to_do() -> None:
    with pytest.raises(SettingsError, match="OPENAI_API_KEY is not set"):
        chat_model(load_settings())


def test_a_local_server_needs_no_key_and_gets_max_tokens_it_understands() -> None:
    model = chat_model(load_settings(base_url="http://127.0.0.1:8080/v1", max_tokens=300))
    assert model.openai_api_key is not None and model.openai_api_key.get_secret_value() == LOCAL_KEY
    assert model.extra_body == {"max_tokens": 300}
    assert model.max_retries == 0, "network retries are ours, under the posting's time budget"
    openai = chat_model(Settings(api_key=SecretStr(KEY)))
    assert openai.extra_body is None


def test_the_same_settings_share_one_model() -> None:
    settings = load_settings(base_url="http://127.0.0.1:8080/v1")
    assert chat_model(settings) is chat_model(load_settings(base_url="http://127.0.0.1:8080/v1"))


def test_redact_masks_the_configured_key_and_anything_key_shaped() -> None:
    settings = Settings(api_key=SecretStr("local-secret-value"))
    text = "refused local-secret-value; Incorrect API key provided: sk-abcd1234efgh5678."
    cleaned = redact(text, settings)
    assert "local-secret-value" not in cleaned and "1234efgh5678" not in cleaned
    assert "sk-abcd****" in cleaned


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"retry-after": "2"}, 2.0), ({"retry-after-ms": "250", "retry-after": "9"}, 0.25), ({"retry-after": "0.5"}, 0.5),
     ({}, None), ({"retry-after": "soon"}, None)],
)
def test_retry_after_is_read_in_seconds(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_s(headers) == seconds


def test_retry_after_as_an_http_date_in_the_past_means_now() -> None:
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


def test_backoff_grows_and_is_capped() -> None:
    assert 0.375 <= backoff_s(0) <= 0.5
    assert 0.75 <= backoff_s(1) <= 1.0
    assert 6.0 <= backoff_s(10) <= 8.0


def test_cost_from_the_price_table() -> None:
    usage = Usage(calls=1, prompt_tokens=2_000, completion_tokens=1_000)
    assert cost_usd(usage, "gpt-4o-mini") == pytest.approx((2_000 * 0.15 + 1_000 * 0.60) / 1e6)
    assert cost_usd(usage, "gpt-4o-mini-2024-07-18") == cost_usd(usage, "gpt-4o-mini")
    assert cost_usd(usage, "smollm2") is None


def test_a_custom_price_table_replaces_the_default(tmp_path: Path) -> None:
    table = tmp_path / "prices.yaml"
    table.write_text("models:\n  smollm2: {input: 1.0, output: 2.0}\n", encoding="utf-8")
    assert cost_usd(Usage(prompt_tokens=1_000_000, completion_tokens=500_000), "smollm2", table) == pytest.approx(2.0)
    broken = tmp_path / "broken.yaml"
    broken.write_text("models:\n  smollm2: {input: 1.0}\n", encoding="utf-8")
    with pytest.raises(AssetError, match="models.smollm2 needs input and output prices"):
        cost_usd(Usage(), "smollm2", broken)
    with pytest.raises(AssetError, match="price table not found"):
        cost_usd(Usage(), "smollm2", tmp_path / "missing.yaml")
