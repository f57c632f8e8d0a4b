"""The openai engine against a real model: llama_cpp.server serving SmolLM2-135M-Instruct.

The model is tiny; it exercises the real path (HTTP, function calling with a grammar, parse,
validate, re-ask, repair), not prose quality. Whatever it writes, each posting must come out
valid with the exact salary, and its notes must say what was re-asked or repaired.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from llamaserver import MODEL_ALIAS as LLAMA_MODEL

from chains.cli import load_role_file, main
from chains.engines import draft
from chains.settings import load_settings

pytestmark = pytest.mark.llama

ROLES = Path(__file__).resolve().parents[2] / "fixtures" / "roles"
MODEL_ENV = {"JDW_MODEL": LLAMA_MODEL, "JDW_STRUCTURED_OUTPUT": "function_calling", "JDW_MAX_TOKENS": "384",
             "JDW_TIMEOUT": "300", "JDW_BUDGET": "600", "JDW_TEMPERATURE": "0"}


@pytest.mark.parametrize(
    ("role_file", "salary"),
    [
        ("senior-backend.yaml", "$142,603 – $185,000 per year"),
        ("nurse-hourly.yaml", "$42.50 – $58.00 per hour"),
        ("data-scientist-gbp.yaml", "£75,000 – £95,000 per year"),
    ],
)
def test_cli_drafts_valid_postings_with_the_exact_salary(llama_server: str, monkeypatch: pytest.MonkeyPatch,
                                                         role_file: str, salary: str) -> None:
    for name, value in MODEL_ENV.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["draft", str(ROLES / role_file), "--engine", "openai", "--base-url", llama_server,
                                       "--format", "json", "--no-fallback"])
    assert result.exit_code == 0, result.stderr
    posting = json.loads(result.stdout)
    compensation = next(s for s in posting["sections"] if s["key"] == "compensation")
    assert posting["salary"]["text"] == salary and salary in " ".join(compensation["paragraphs"])
    meta = posting["meta"]
    assert meta["engine"] == "openai" and meta["model"] == LLAMA_MODEL
    assert 1 <= meta["attempts"] <= 2 and meta["usage"]["calls"] == meta["attempts"]
    assert meta["usage"]["prompt_tokens"] > 0 and meta["usage"]["completion_tokens"] > 0
    assert meta["notes"][0].startswith("attempt 1:")
    replaced = [s["key"] for s in posting["sections"] if s["provenance"] != "llm"]
    for key in replaced:
        assert any(key in note for note in meta["notes"]), f"the notes say why {key} was not the model's"
    assert f"model {LLAMA_MODEL}: {meta['usage']['calls']} call(s)" in result.stderr


def test_json_schema_is_refused_by_llama_cpp_and_the_page_still_gets_a_posting(llama_server: str) -> None:
    settings = load_settings(base_url=llama_server, model=LLAMA_MODEL, structured_output="json_schema", max_retries=0)
    result = draft(load_role_file(ROLES / "senior-backend.yaml"), engine="openai", settings=settings)
    assert result.report.valid and result.posting.meta.engine == "template"
    warning = next(i for i in result.report.issues if i.code == "llm_unavailable")
    assert "try --structured-output function_calling" in warning.message
