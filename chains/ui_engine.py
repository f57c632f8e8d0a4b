"""The page's engine choice without widgets: Offline, OpenAI or an OpenAI-compatible
server, turned into Settings. A key typed in the page is passed straight into Settings
(a SecretStr) and kept nowhere else."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from chains.settings import OPENAI_URL, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from chains.draft import DraftEvent

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


class ModelRun:
    """A model draft read on a worker thread, so the page stays live while the model works:
    it can show each event as it comes and stop waiting at once when the manager presses Stop."""

    def __init__(self, events: Callable[[], Iterator[DraftEvent]]):
        self._queue: queue.Queue[DraftEvent | BaseException | None] = queue.Queue()
        self._stopped = threading.Event()
        threading.Thread(target=self._work, args=(events,), name="jdw-model-run", daemon=True).start()

    def _work(self, events: Callable[[], Iterator[DraftEvent]]) -> None:
        stream = events()
        try:
            for event in stream:
                self._queue.put(event)
                if self._stopped.is_set():
                    break
        except Exception as exc:  # noqa: BLE001 - handed to the page, which shows it as a message
            self._queue.put(exc)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            self._queue.put(None)

    def next(self, timeout: float) -> DraftEvent | None:
        """The next event, or None when none came within `timeout` seconds.

        Raises what the draft raised, or RuntimeError when it ended without a result."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        if item is None:
            raise RuntimeError("the model stopped before finishing the draft")
        return item

    def stop(self) -> None:
        """Ask the worker to stop after the model call in flight; its result is never used."""
        self._stopped.set()
