"""Reading batch inputs: every format, row ids, safe file names, rows that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from chains.batch import BatchInputError, output_stem, read_rows, row_digest
from chains.models import RoleSpecError, parse_role


def test_csv_rows_become_roles_with_list_cells_split(fixtures_dir: Path) -> None:
    rows = read_rows(fixtures_dir / "batch" / "roles.csv")
    assert [r.id for r in rows] == ["be-001", "fe-002", "rn-003", "wh-004", "5"]
    role = parse_role(rows[0].data)
    assert role.must_have_skills == ["Python", "Java", "PostgreSQL", "REST APIs", "AWS"]
    assert role.location == "Montreal, QC"
    nurse = parse_role(rows[2].data)
    assert nurse.level == "mid" and nurse.nice_to_have_skills == []
    assert parse_role(rows[4].data).id == "5"


def test_yaml_list_and_jsonl_read_the_same_fields(fixtures_dir: Path, tmp_path: Path) -> None:
    rows = read_rows(fixtures_dir / "batch" / "roles.yaml")
    assert [r.id for r in rows] == ["ops-01", "sup-02"]
    assert parse_role(rows[1].data).pay_period == "hour"
    jsonl = tmp_path / "roles.jsonl"
    jsonl.write_text('{"title": "QA Engineer", "company": "Acme", "salary_min": 1, "salary_max": 2}\n\n[1, 2]\n')
    rows = read_rows(jsonl)
    assert [(r.number, r.id) for r in rows] == [(1, "1"), (2, "2")]
    assert rows[0].problem == ""
    assert rows[1].problem == "line 3 must be a JSON object of role fields, not list"


def test_bad_csv_rows_keep_their_own_problem(fixtures_dir: Path) -> None:
    rows = {r.key: r for r in read_rows(fixtures_dir / "batch" / "bad_rows.csv")}
    assert rows["too-many"].problem == "row 7 has 9 cells but the header has 8 columns"
    assert rows["ok-1 (row 8)"].problem == "id 'ok-1' is used again (first on row 1); give every row its own id"
    assert rows["ok-1"].problem == "" and rows["ok-2"].problem == ""
    with pytest.raises(RoleSpecError) as refused:
        parse_role(rows["bad-salary"].data)
    assert str(refused.value) == "salary_min (180000) is greater than salary_max (150000)"


def test_hostile_ids_get_safe_distinct_file_names(fixtures_dir: Path) -> None:
    rows = read_rows(fixtures_dir / "batch" / "hostile_ids.jsonl")
    stems = {r.id: r.stem for r in rows if not r.problem}
    assert stems["Plain-ID_7"] == "Plain-ID_7"
    assert stems["42"] == "42"
    for row_id, stem in stems.items():
        assert "/" not in stem and "\\" not in stem and not stem.startswith("."), row_id
        assert stem.split(".")[0].lower() != "con"
    assert len(set(stems.values())) == len(stems)
    collided = next(r for r in rows if r.id == "plain-id_7")
    assert "names the same output file as row 8 ('Plain-ID_7')" in collided.problem
    assert rows[-1].problem.startswith("line 11 is not valid JSON")


@pytest.mark.parametrize(
    ("row_id", "expected"),
    [
        ("eng-042", "eng-042"),
        ("a.b", "a.b"),
        ("../../etc/x", "etc-x-"),
        ("nul", "nul-"),
        ("", "row-"),
        ("x" * 80, "x" * 55 + "-"),
    ],
)
def test_output_stem(row_id: str, expected: str) -> None:
    stem = output_stem(row_id)
    assert stem.startswith(expected)
    assert len(stem) <= 64 and (stem == row_id or len(stem) == len(expected) + 8)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roles.txt", "", "input must be .csv, .jsonl, .yaml, .yml or .json"),
        ("roles.yaml", "title: [unclosed", "is not valid YAML"),
        ("roles.yaml", "title: Engineer\n", "must be a list of roles"),
        ("roles.csv", "\n", "the first line must be a header"),
        ("roles.csv", "title,title\nA,B\n", "column 'title' appears more than once"),
        ("roles.json", "{", "is not valid JSON (line 1)"),
    ],
)
def test_unusable_input_files_are_refused_whole(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BatchInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_rows(path)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="missing.csv: cannot be read"):
        read_rows(tmp_path / "missing.csv")


def test_row_digest_changes_with_the_row_and_the_config(fixtures_dir: Path) -> None:
    first, second = read_rows(fixtures_dir / "batch" / "roles.yaml")
    assert row_digest(first, "a") == row_digest(first, "a")
    assert row_digest(first, "a") != row_digest(second, "a")
    assert row_digest(first, "a") != row_digest(first, "b")
