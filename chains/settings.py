"""LLM settings, read in one place: environment variables, Streamlit secrets, then explicit
overrides (CLI options, the page's sidebar). The API key is a SecretStr from the moment it
is read, so no repr, log line or error message can show it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from chains.models import describe_errors

StructuredOutput = Literal["json_schema", "function_calling", "json_mode"]
STRUCTURED_OUTPUTS: tuple[StructuredOutput, ...] = ("json_schema", "function_calling", "json_mode")
OPENAI_URL = "https://api.openai.com/v1"

# Field name -> the variable (or Streamlit secret) it is read from.
ENV_NAMES: dict[str, str] = {
    "api_key": "OPENAI_API_KEY",
    "base_url": "OPENAI_BASE_URL",
    "model": "JDW_MODEL",
    "structured_output": "JDW_STRUCTURED_OUTPUT",
    "timeout_s": "JDW_TIMEOUT",
    "max_retries": "JDW_MAX_RETRIES",
    "temperature": "JDW_TEMPERATURE",
    "max_tokens": "JDW_MAX_TOKENS",
    "attempts": "JDW_ATTEMPTS",
    "budget_s": "JDW_BUDGET",
    "fallback": "JDW_FALLBACK",
    "prices": "JDW_PRICES",
}


class SettingsError(ValueError):
    """A setting that cannot be used, named with its variable and what to do."""


class Settings(BaseModel):
    """How the openai engine reaches its model, and how hard it tries before falling back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: SecretStr | None = Field(None, description="API key; optional for local servers.")
    base_url: str | None = Field(None, description="An OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1.")
    model: str = Field("gpt-4o-mini", min_length=1, max_length=200)
    structured_output: StructuredOutput = Field(
        "json_schema", description="json_schema (OpenAI, vLLM, Ollama), function_calling (llama.cpp), json_mode."
    )
    timeout_s: float = Field(60.0, gt=0, le=600, description="Seconds one request may take.")
    max_retries: int = Field(2, ge=0, le=10, description="Network retries per model call (429, 5xx, timeouts).")
    temperature: float = Field(0.4, ge=0, le=2)
    max_tokens: int = Field(2048, ge=16, le=32768, description="Completion tokens per call.")
    attempts: int = Field(2, ge=1, le=5, description="Model attempts per posting: the first ask plus re-asks.")
    budget_s: float = Field(
        180.0, gt=0, le=3600, description="Seconds per posting: no model call or retry starts after them."
    )
    fallback: bool = Field(True, description="Use the template engine's posting when the model stays unavailable.")
    prices: Path | None = Field(None, description="A price table YAML replacing prompts/prices.yaml.")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def endpoint(self) -> str:
        """Where requests go, for messages people read (never includes the key)."""
        return self.base_url or OPENAI_URL

    @property
    def is_openai(self) -> bool:
        return self.base_url is None or self.base_url.startswith(OPENAI_URL)


def _from_mapping(source: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, name in ENV_NAMES.items():
        value = source.get(name)
        if value is not None and str(value).strip() != "":
            values[field] = str(value).strip()
    return values


def load_settings(secrets: Mapping[str, Any] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, then Streamlit secrets, then overrides (None = not given).

    Raises SettingsError naming the variable and its value when one cannot be used.
    """
    values = {**_from_mapping(secrets or {}), **_from_mapping(os.environ)}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        lines = []
        for field, message in describe_errors(exc):
            if field == "api_key":
                message = "api_key must be text"
            name = ENV_NAMES.get(field)
            lines.append(f"{message} (set by {name})" if name and field not in overrides else message)
        raise SettingsError("; ".join(lines)) from None


def streamlit_secrets() -> dict[str, Any]:
    """The page's secrets as a plain dict, or {} when the app has no secrets file."""
    import streamlit as st

    try:
        return {name: st.secrets[name] for name in ENV_NAMES.values() if name in st.secrets}
    except FileNotFoundError:  # no (or an unreadable) secrets file: the normal offline case
        return {}
