"""The jdwriter CLI as a person uses it: exit codes, messages, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from chains.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ROLE = FIXTURES / "roles" / "senior-backend.yaml"
BAD = yaml.safe_load((FIXTURES / "bad_roles" / "expected.yaml").read_text())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_draft_prints_every_section_and_the_exact_salary(runner: CliRunner) -> None:
    result = runner.invoke(main, ["draft", str(ROLE)])
    assert result.exit_code == 0, result.stderr
    for heading in ("About the Company", "Role Overview", "Key Responsibilities", "Requirements",
                    "Nice-to-Have Skills", "Compensation and Benefits", "How to Apply"):
        assert f"## {heading}" in result.stdout
    assert "$142,603 – $185,000 per year" in result.stdout
    assert result.stderr.startswith("valid · score ")


@pytest.mark.parametrize("path", sorted((FIXTURES / "roles").glob("*.*")), ids=lambda p: p.name)
def test_every_fixture_drafts_valid(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(main, ["draft", str(path), "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert "0 error(s)" in result.stderr


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_exits_2_with_one_line_naming_the_field(runner: CliRunner, name: str) -> None:
    result = runner.invoke(main, ["draft", str(FIXTURES / "bad_roles" / name)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert any(BAD[name]["says"] in line for line in lines)
    assert all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["draft", str(tmp_path / "absent.yaml")]).exit_code == 2
    assert runner.invoke(main, ["draft", str(ROLE), "--format", "pdf"]).exit_code == 2
    result = runner.invoke(main, ["draft", str(ROLE), "--template", "nope"])
    assert result.exit_code == 2 and "template 'nope' not found; available: " in result.stderr
    notes = tmp_path / "role.txt"
    notes.write_text("title: x")
    assert "must be .yaml, .yml or .json" in runner.invoke(main, ["draft", str(notes)]).stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed")
    result = runner.invoke(main, ["draft", str(broken)])
    assert result.exit_code == 2 and "is not valid YAML" in result.stderr


def test_malformed_template_file_is_named(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text("key: mine\nname: Mine\nsections:\n  - key: about\n    heading: About\n    content: nonsense\n    guidance: x\n")
    result = runner.invoke(main, ["draft", str(ROLE), "--template", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "sections.0.content" in result.stderr


def test_company_template_folder(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    standard = yaml.safe_load((FIXTURES.parent / "prompts" / "templates" / "standard.yaml").read_text())
    standard["key"], standard["name"] = "acme", "Acme house style"
    standard["sections"][0]["heading"] = "Life at {company}"
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(standard))
    monkeypatch.setenv("JDW_TEMPLATES_DIR", str(tmp_path))
    assert "acme" in runner.invoke(main, ["templates"]).stdout
    result = runner.invoke(main, ["draft", str(ROLE), "-t", "acme"])
    assert result.exit_code == 0 and "## Life at Hopper" in result.stdout


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json", "jsonld", "docx"])
def test_draft_writes_every_format(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"posting.{fmt}"
    result = runner.invoke(main, ["draft", str(ROLE), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    if fmt == "docx":
        assert data[:2] == b"PK"
    else:
        assert "142,603" in data.decode() or "142603" in data.decode()
    if fmt in ("json", "jsonld"):
        json.loads(data)


def test_docx_needs_an_out_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["draft", str(ROLE), "--format", "docx"])
    assert result.exit_code == 2 and "--out" in result.stderr


def test_check_reports_drafts_as_clean(runner: CliRunner, tmp_path: Path) -> None:
    posting = tmp_path / "posting.md"
    assert runner.invoke(main, ["draft", str(ROLE), "--out", str(posting)]).exit_code == 0
    result = runner.invoke(main, ["check", str(posting), "--role", str(ROLE)])
    assert result.exit_code == 0, result.stderr


def test_check_finds_a_changed_salary(runner: CliRunner, tmp_path: Path) -> None:
    posting = tmp_path / "posting.md"
    runner.invoke(main, ["draft", str(ROLE), "--out", str(posting)])
    posting.write_text(posting.read_text().replace("$185,000", "$195,000"))
    result = runner.invoke(main, ["check", str(posting), "--role", str(ROLE)])
    assert result.exit_code == 1
    assert "salary_mismatch" in result.stderr


def test_check_json_is_machine_readable(runner: CliRunner, tmp_path: Path) -> None:
    posting = tmp_path / "posting.md"
    runner.invoke(main, ["draft", str(ROLE), "--out", str(posting)])
    posting.write_text(posting.read_text().replace("## Requirements", "## Stuff"))
    result = runner.invoke(main, ["check", str(posting), "--role", str(ROLE), "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert "missing_section" in [issue["code"] for issue in report["issues"]]
    assert 0 <= report["score"] < 100 and report["breakdown"]


def test_help_is_useful(runner: CliRunner) -> None:
    for command in (["--help"], ["draft", "--help"], ["check", "--help"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 0
    assert "salary_min" in runner.invoke(main, ["draft", "--help"]).stdout
    assert "Exit status" in runner.invoke(main, ["check", "--help"]).stdout


def test_roles_command_shows_the_match(runner: CliRunner) -> None:
    result = runner.invoke(main, ["roles", "Sr. Backend Engineer (Python)"])
    assert "-> backend" in result.stdout


def test_console_script_runs_as_a_module() -> None:
    result = subprocess.run([sys.executable, "-m", "chains", "draft", str(ROLE), "-q"], capture_output=True, text=True)
    assert result.returncode == 0 and "$142,603 – $185,000 per year" in result.stdout
