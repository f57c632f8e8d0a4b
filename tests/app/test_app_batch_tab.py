"""The Batch tab under AppTest: upload, draft every row, read the outcome, download."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"
CSV = (
    "id,title,company,salary_min,salary_max,must_have_skills\n"
    "be-1,Backend Engineer,Acme,120000,150000,Python;Go\n"
    "rn-2,Registered Nurse,Mercy,50,40,BLS\n"
    "qa-3,QA Engineer,Acme,90000,110000,Playwright\n"
)
JSONL = '{"title": "Data Engineer", "company": "Acme", "salary_min": 1, "salary_max": 2}\nnot json\n'


def batch_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["s"] = "b" * 32
    at.run()
    at.session_state["tab"] = "Batch"
    return at.run()


def run_batch(at: AppTest, name: str, data: str, mime: str) -> AppTest:
    at.file_uploader(key="batch_file").set_value((name, data.encode(), mime))
    at.run()
    at.button(key="batch_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_batch_button_waits_for_a_file() -> None:
    at = batch_page()
    assert at.button(key="batch_run").disabled
    assert at.file_uploader(key="batch_file").allowed_type == [".csv", ".json", ".jsonl", ".ndjson", ".yaml", ".yml"]


def test_a_csv_is_drafted_row_by_row_with_bad_rows_reported() -> None:
    at = run_batch(batch_page(), "roles.csv", CSV, "text/csv")
    assert {m.label: m.value for m in at.metric} == {"Rows": "3", "Valid postings": "2", "Input errors": "1", "Failed": "0"}
    table = at.dataframe[0].value
    assert list(table["Status"]) == ["Valid", "Input error", "Valid"]
    assert "salary_min (50) is greater than salary_max (40)" in table["Message"][1]
    assert sorted(b.label for b in at.download_button) == ["Download postings (.zip)", "Download summary (.csv)"]

    result = at.session_state["batch_result"]
    with zipfile.ZipFile(io.BytesIO(result.archive)) as archive:
        names = set(archive.namelist())
        assert {"postings/be-1.md", "postings/be-1.html", "postings/qa-3.md", "summary.csv"} <= names
        assert not any(name.startswith("postings/rn-2") for name in names)
        assert "$120,000 – $150,000 per year" in archive.read("postings/be-1.md").decode()
    summary = list(csv.DictReader(io.StringIO(result.summary_csv.decode())))
    assert [(row["id"], row["status"]) for row in summary] == [("be-1", "valid"), ("rn-2", "input_error"), ("qa-3", "valid")]


def test_jsonl_rows_that_are_not_json_are_row_errors() -> None:
    at = run_batch(batch_page(), "roles.jsonl", JSONL, "application/jsonl")
    table = at.dataframe[0].value
    assert list(table["Status"]) == ["Valid", "Input error"]
    assert "line 2 is not valid JSON" in table["Message"][1]


def test_a_file_that_is_not_a_list_is_one_message_naming_it() -> None:
    at = run_batch(batch_page(), "roles.yaml", "title: just one mapping\n", "application/yaml")
    assert [e.value for e in at.error] == [
        "roles\\.yaml\\: must be a list of roles \\(or a mapping with a 'roles' list\\)"
    ]
    assert not at.metric
