"""Installed from a wheel (not editable), the CLI still finds its prompts and templates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_install_carries_prompts_and_templates(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(target), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    role = ROOT / "fixtures" / "roles" / "frontend-mid.yaml"
    code = "import chains, sys; from chains.cli import main; print(chains.__file__, file=sys.stderr); main()"
    result = subprocess.run([sys.executable, "-c", code, "draft", str(role), "--template", "classic", "-q"],
                            capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stderr.splitlines()[0]
    assert "€70,000 – €90,000 per year" in result.stdout
    assert "## Brightpath Learning" not in result.stdout and "## About Brightpath Learning" in result.stdout
