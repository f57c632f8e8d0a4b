"""Sections as editable text and back, the report grouped for reading, safe display text."""

from __future__ import annotations

from chains import ui_posting
from chains.models import Issue, JobPosting, PostingSection, Report


def _posting() -> JobPosting:
    return JobPosting(
        title="Nurse",
        company="Care",
        sections=[
            PostingSection(key="overview", heading="Role Overview", paragraphs=["First.", "Second."]),
            PostingSection(
                key="compensation",
                heading="Compensation and Benefits",
                paragraphs=["$42.50 – $58.00 per hour."],
                bullets=["Health insurance", "Paid leave"],
            ),
        ],
    )


def test_section_text_round_trips() -> None:
    for section in _posting().sections:
        text = ui_posting.section_text(section)
        assert ui_posting.parse_section_text(text) == (section.paragraphs, section.bullets)
    assert ui_posting.section_text(_posting().sections[1]) == (
        "$42.50 – $58.00 per hour.\n\n- Health insurance\n- Paid leave"
    )


def test_edited_text_replaces_only_that_section() -> None:
    posting = _posting()
    edited = ui_posting.with_section_text(posting, "compensation", "Pay is\ngood.\n\n* Dental\n-   \n• Vision\n")
    section = edited.get("compensation")
    assert section.paragraphs == ["Pay is good."]
    assert section.bullets == ["Dental", "Vision"]
    assert edited.get("overview") == posting.get("overview")
    assert posting.get("compensation").bullets == ["Health insurance", "Paid leave"]


def test_issues_are_grouped_errors_first() -> None:
    report = Report(
        issues=[
            Issue(code="a", severity="info", message="i"),
            Issue(code="b", severity="error", message="e"),
            Issue(code="c", severity="warning", message="w"),
            Issue(code="d", severity="error", message="e2"),
        ]
    )
    grouped = ui_posting.grouped_issues(report)
    assert [(severity, [i.code for i in issues]) for severity, issues in grouped] == [
        ("error", ["b", "d"]),
        ("warning", ["c"]),
        ("info", ["a"]),
    ]
    assert ui_posting.grouped_issues(Report()) == []


def test_section_labels_are_headings() -> None:
    posting = _posting()
    assert ui_posting.section_label(posting, "overview") == "Role Overview"
    assert ui_posting.section_label(posting, "how_to_apply") == "How to apply"
    assert ui_posting.section_label(posting, None) == "Whole posting"


def test_breakdown_rows_split_kept_and_lost_points() -> None:
    report = Report(breakdown={"structure": {"weight": 40, "lost": 10, "score": 30}})
    assert ui_posting.breakdown_rows(report) == [{"Category": "Structure", "Kept": 30.0, "Lost": 10.0}]


def test_plain_text_escapes_markdown_html_and_math() -> None:
    assert ui_posting.plain("<script>alert(1)</script>") == "\\<script\\>alert\\(1\\)\\</script\\>"
    assert ui_posting.plain("$100 – $200 *bold* :red[x]") == "\\$100 – \\$200 \\*bold\\* \\:red\\[x\\]"


def test_edit_boxes_grow_with_wrapped_lines_within_bounds() -> None:
    short = ui_posting.text_height("One line.")
    wrapped = ui_posting.text_height("word " * 60)
    assert short == 100
    assert wrapped > short
    assert ui_posting.text_height("- bullet\n" * 200) == 480
