"""Hermetic by default: no test can reach a real provider by accident."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "JDW_", "AZURE_OPENAI", "LANGCHAIN_", "LANGSMITH_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JDW_DATA_DIR", str(tmp_path / "jdw-data"))


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
