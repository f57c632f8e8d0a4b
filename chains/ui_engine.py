"""The page's engine choice without widgets: Offline, OpenAI or an OpenAI-compatible
server, turned into Settings. A key typed in the page is passed straight into Settings
(a SecretStr) and kept nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from chains.settings import OPENAI_URL, Settings, SettingsError, load_settings

EngineChoice = Literal["offline", "openai", "compatible"]
CHOICES: dict[EngineChoice, str] = {
    "offline": "Offline (template engine)",
    "openai": "OpenAI",
    "compatible": "OpenAI-compatible server",
}


def engine_settings(
    choice: EngineChoice,
    secrets: Mapping[str, Any],
    *,
    api_key: str = "",
    base_url: str = "",
    model: str = "",
    structured_output: str | None = None,
) -> Settings:
    """Settings for the chosen LLM engine: the environment and secrets, then the sidebar."""
    overrides: dict[str, Any] = {"api_key": api_key.strip() or None, "model": model.strip() or None}
    if choice == "openai":
        overrides["base_url"] = OPENAI_URL
    elif choice == "compatible":
        if not base_url.strip():
            raise SettingsError("Server URL is required, e.g. http://127.0.0.1:11434/v1 for Ollama")
        overrides["base_url"] = base_url
        overrides["structured_output"] = structured_output
    else:
        raise SettingsError("the offline engine needs no model settings")
    return load_settings(secrets, **overrides)


def defaults(secrets: Mapping[str, Any]) -> dict[str, Any]:
    """What the sidebar starts with: the model and server named by the environment, if any."""
    try:
        settings = load_settings(secrets)
    except SettingsError:
        settings = Settings()
    return {
        "model": settings.model,
        "base_url": "" if settings.is_openai else settings.endpoint,
        "structured_output": settings.structured_output,
        "key_from_environment": settings.api_key is not None,
    }
