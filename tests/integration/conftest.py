"""Real servers on 127.0.0.1 for the openai engine: the fake OpenAI server (every test) and
llama_cpp.server serving SmolLM2-135M-Instruct (tests marked llama; needs the local extra)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakeopenai import TEST_KEY, FakeOpenAI
from llamaserver import LlamaServer

from chains.settings import Settings, load_settings


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=TEST_KEY) as server:
        yield server


@pytest.fixture
def fake_openai(_fake_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The session's fake server with an empty script and request log."""
    _fake_server.reset()
    yield _fake_server
    _fake_server.reset()


@pytest.fixture
def fake_settings(fake_openai: FakeOpenAI) -> Callable[..., Settings]:
    """Settings pointing at the fake server; keyword arguments override (timeouts, attempts...)."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"base_url": fake_openai.base_url, "model": "fake-model", "api_key": TEST_KEY,
                                  "timeout_s": 5.0}
        return load_settings(**{**values, **overrides})

    return make


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama_cpp.server on a free loopback port for the whole session; yields its base URL."""
    with LlamaServer(tmp_path_factory.mktemp("llama") / "server.log") as server:
        yield server.base_url
