"""`jdwriter batch` as a person runs it: exit codes, the summary, refused invocations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chains.batch import folder_lock
from chains.cli import main


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["batch", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_clean_batch_exits_0_with_every_format(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        fixtures_dir / "batch" / "roles.csv", "--out", out, "--formats", "md,html,txt,json,jsonld,docx"
    )
    assert code == 0, output
    assert "Valid" in output and "summary.json" in output
    files = sorted(p.name for p in (out / "postings").iterdir())
    assert len(files) == 5 * 6
    assert {"be-001.md", "be-001.docx", "5.jsonld", "rn-003.html", "wh-004.txt", "fe-002.json"} <= set(files)
    totals = json.loads((out / "summary.json").read_text())
    assert (totals["valid"], totals["formats"]) == (5, ["md", "html", "txt", "json", "jsonld", "docx"])


def test_bad_rows_exit_1_and_are_listed_with_their_field(fixtures_dir: Path, tmp_path: Path) -> None:
    code, output = invoke(fixtures_dir / "batch" / "bad_rows.csv", "--out", tmp_path / "out")
    assert code == 1
    assert "row 2 (bad-salary): input_error: salary_min (180000) is greater than salary_max (150000)" in output
    assert "row 3 (no-title): input_error: title is required" in output


def test_rerun_reports_rows_skipped(fixtures_dir: Path, tmp_path: Path) -> None:
    invoke(fixtures_dir / "batch" / "roles.yaml", "--out", tmp_path / "out")
    code, output = invoke(fixtures_dir / "batch" / "roles.yaml", "--out", tmp_path / "out")
    assert code == 0
    assert "2 row(s) already done with the same input: skipped" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--formats", "md,pdf"], "'pdf' is not a format; choose from md,html,txt,json,jsonld,docx"),
        (["--template", "nope"], "template 'nope' not found"),
        (["--mode", "openai-batch", "--engine", "template"], "--mode openai-batch drafts with the openai engine"),
        (["--concurrency", "0"], "Invalid value for '--concurrency'"),
    ],
)
def test_bad_invocations_exit_2(fixtures_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    code, output = invoke(fixtures_dir / "batch" / "roles.yaml", "--out", tmp_path / "out", *args)
    assert code == 2
    assert message in output
    assert "Traceback" not in output


def test_unreadable_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    source = tmp_path / "roles.yaml"
    source.write_text("title: [unclosed")
    code, output = invoke(source, "--out", tmp_path / "out")
    assert (code, output.strip()) == (2, f"error: {source}: is not valid YAML (line 1)")
    code, output = invoke(tmp_path / "missing.csv", "--out", tmp_path / "out")
    assert code == 2 and "missing.csv: cannot be read" in output


def test_missing_out_exits_2(fixtures_dir: Path) -> None:
    code, output = invoke(fixtures_dir / "batch" / "roles.yaml")
    assert code == 2 and "Missing option '--out'" in output


def test_a_folder_in_use_exits_2(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with folder_lock(out):
        code, output = invoke(fixtures_dir / "batch" / "roles.yaml", "--out", out)
    assert code == 2 and "another batch is writing here" in output


@pytest.mark.parametrize("mode", ["direct", "openai-batch"])
def test_the_openai_engine_without_a_key_or_server_exits_2_before_any_row(
    fixtures_dir: Path, tmp_path: Path, mode: str
) -> None:
    code, output = invoke(
        fixtures_dir / "batch" / "roles.yaml", "--out", tmp_path / "out", "--engine", "openai", "--mode", mode
    )
    assert code == 2
    assert "OPENAI_API_KEY is not set" in output
    assert not (tmp_path / "out").exists()
