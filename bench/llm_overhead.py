"""What the openai engine adds on top of the model's own time.

1. Against the fake OpenAI server answering validly after a fixed latency L: N postings at
   concurrency C. Wall time against the ideal N/C x L (goal <= 1.15x), model calls per
   posting (goal 1.0) and prompt tokens per posting (goal <= 2,000; the fake server counts
   about four characters a token, the schema included).
2. Against llama_cpp.server serving SmolLM2-135M-Instruct (needs the local extra): each
   fixture role drafted end to end with one attempt, against the raw time of the same
   request sent straight to the server (same prompt, tool and completion tokens; goal <= 1.2x).

Run: .venv/bin/python bench/llm_overhead.py [-n 40] [-c 8] [--latency 1.0] [--repeat 2] [--no-llama]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

import httpx
import yaml
from langchain_core.utils.function_calling import convert_to_openai_tool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from fakeopenai import FakeOpenAI, reply
from llamaserver import MODEL_ALIAS, LlamaServer

from chains.compose import compose
from chains.draft import PostingDraft, prompt_values, prompts
from chains.engines import draft
from chains.models import RoleSpec, parse_role
from chains.settings import load_settings
from chains.template import get_template

ROLES = ["senior-backend", "nurse-hourly", "data-scientist-gbp"]
LLAMA_MAX_TOKENS = 384
T = TypeVar("T")


def role(name: str) -> RoleSpec:
    return parse_role(yaml.safe_load((ROOT / "fixtures" / "roles" / f"{name}.yaml").read_text(encoding="utf-8")))


def fake_server(count: int, concurrency: int, latency: float) -> None:
    spec = role("senior-backend")
    with FakeOpenAI(default=reply("valid", delay_s=latency)) as server:
        settings = load_settings(base_url=server.base_url, model="fake-model", timeout_s=30)
        draft(spec, engine="openai", settings=settings)
        server.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda _: draft(spec, engine="openai", settings=settings), range(count)))
        wall = time.perf_counter() - started
    ideal = count / concurrency * latency
    valid = sum(r.report.valid for r in results)
    calls = statistics.mean(r.posting.meta.usage.calls for r in results)
    tokens = statistics.mean(r.posting.meta.usage.prompt_tokens for r in results)
    print(f"fake server: {count} postings, concurrency {concurrency}, latency {latency:g} s, {valid}/{count} valid")
    print(f"  wall {wall:.2f} s vs ideal {ideal:.2f} s: {wall / ideal:.3f}x (goal <= 1.15x)")
    print(f"  model calls per posting: {calls:.2f} (goal 1.0)")
    print(f"  prompt tokens per posting: {tokens:,.0f} (goal <= 2,000)")


def _raw_request(spec: RoleSpec, max_tokens: int) -> dict:
    """The request the chain's first ask sends, built straight from the prompt files."""
    template = get_template("standard")
    messages = prompts()[0].invoke(prompt_values(spec, template, compose(spec, template))).to_messages()
    roles = {"system": "system", "human": "user"}
    tool = convert_to_openai_tool(PostingDraft)
    return {
        "model": MODEL_ALIAS,
        "messages": [{"role": roles[m.type], "content": m.content} for m in messages],
        "tools": [tool],
        "tool_choice": {"type": "function", "function": {"name": tool["function"]["name"]}},
        "max_tokens": max_tokens,
        "temperature": 0,
    }


def _send(client: httpx.Client, request: dict) -> dict:
    return client.post("/chat/completions", json=request).json()


def _flush(client: httpx.Client) -> None:
    """Evaluate an unrelated prompt so the next request starts without a cached prefix."""
    client.post("/chat/completions", json={"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1})


def _timed(call: Callable[[], T], client: httpx.Client) -> tuple[float, T]:
    _flush(client)
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def llama(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder, LlamaServer(Path(folder) / "server.log") as server, \
            httpx.Client(base_url=server.base_url, timeout=600) as client:
        settings = load_settings(base_url=server.base_url, model=MODEL_ALIAS, structured_output="function_calling",
                                 max_tokens=LLAMA_MAX_TOKENS, temperature=0, attempts=1, timeout_s=600, budget_s=1200)
        ratios, replays = [], []
        print(f"llama.cpp server (SmolLM2-135M, 2 threads, max_tokens {LLAMA_MAX_TOKENS}, one attempt, "
              f"best of {repeat}):")
        for name in ROLES:
            spec = role(name)
            runs = [_timed(partial(draft, spec, engine="openai", settings=settings), client) for _ in range(repeat)]
            end_to_end, result = min(runs, key=lambda run: run[0])
            usage = result.posting.meta.usage
            request = _raw_request(spec, usage.completion_tokens)
            replay, raw = min((_timed(partial(_send, client, request), client)
                               for _ in range(repeat)), key=lambda run: run[0])
            ratios.append(end_to_end / usage.latency_s)
            replays.append(end_to_end / replay)
            print(f"  {name}: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, "
                  f"valid={result.report.valid}; end to end {end_to_end:.2f} s, of which the model call "
                  f"{usage.latency_s:.2f} s (chain overhead {(end_to_end - usage.latency_s) * 1000:.0f} ms): "
                  f"{end_to_end / usage.latency_s:.3f}x; the same request sent raw "
                  f"({raw['usage']['completion_tokens']} completion tokens) {replay:.2f} s: {end_to_end / replay:.3f}x")
        print(f"  end to end / model time in the call: mean {statistics.mean(ratios):.3f}x (goal <= 1.2x)")
        print(f"  end to end / the request sent raw: mean {statistics.mean(replays):.3f}x (goal <= 1.2x; "
              "noisy when the machine is shared)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=40)
    parser.add_argument("-c", "--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=2, help="llama.cpp runs per measurement; the best counts.")
    parser.add_argument("--no-llama", action="store_true", help="Skip the llama.cpp part.")
    args = parser.parse_args()
    fake_server(args.count, args.concurrency, args.latency)
    if not args.no_llama:
        llama(args.repeat)


if __name__ == "__main__":
    main()
