"""The page's posting side without widgets: sections as editable text and back, the
report grouped for reading, and the score breakdown as chart rows."""

from __future__ import annotations

import re
from typing import Any

from chains.models import Issue, JobPosting, PostingSection, Report, Severity
from chains.validate import SEVERITY_RANK

SEVERITY_TITLES: dict[Severity, str] = {"error": "Errors", "warning": "Warnings", "info": "Notes"}
_BULLET = re.compile(r"^\s*[-*•]\s+")


def section_text(section: PostingSection) -> str:
    """Paragraphs as plain text separated by a blank line, then one `- ` line per bullet."""
    parts = [*section.paragraphs]
    if section.bullets:
        parts.append("\n".join(f"- {bullet}" for bullet in section.bullets))
    return "\n\n".join(parts)


def text_height(text: str, chars_per_line: int = 85, line_px: int = 24) -> int:
    """Pixels for an edit box that shows the whole section, wrapped lines counted, within bounds."""
    rows = sum(max(1, -(-len(line) // chars_per_line)) for line in text.splitlines() or [""])
    return max(100, min(480, line_px * (rows + 1) + 16))


def parse_section_text(text: str) -> tuple[list[str], list[str]]:
    """(paragraphs, bullets) from edited text: `- ` lines are bullets, other blocks paragraphs."""
    paragraphs: list[str] = []
    bullets: list[str] = []
    block: list[str] = []

    def close() -> None:
        if block:
            paragraphs.append(" ".join(block))
            block.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if _BULLET.match(line):
            close()
            bullet = _BULLET.sub("", line).strip()
            if bullet:
                bullets.append(bullet)
        elif stripped:
            block.append(stripped)
        else:
            close()
    close()
    return paragraphs, bullets


def with_section_text(posting: JobPosting, key: str, text: str) -> JobPosting:
    """A copy of the posting with one section's text replaced by what the manager typed."""
    paragraphs, bullets = parse_section_text(text)
    sections = [
        s.model_copy(update={"paragraphs": paragraphs, "bullets": bullets}) if s.key == key else s
        for s in posting.sections
    ]
    return posting.model_copy(update={"sections": sections})


def with_section(posting: JobPosting, replacement: PostingSection) -> JobPosting:
    """A copy of the posting with one section swapped for a regenerated one."""
    sections = [replacement if s.key == replacement.key else s for s in posting.sections]
    return posting.model_copy(update={"sections": sections})


def grouped_issues(report: Report) -> list[tuple[Severity, list[Issue]]]:
    """Issues by severity, errors first; severities with no issue left out."""
    return [
        (severity, [i for i in report.issues if i.severity == severity])
        for severity in sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__)
        if any(i.severity == severity for i in report.issues)
    ]


def section_label(posting: JobPosting, key: str | None) -> str:
    """The heading a section key stands for, as the manager sees it."""
    if key is None:
        return "Whole posting"
    section = posting.get(key)
    return section.heading if section else key.replace("_", " ").capitalize()


def breakdown_rows(report: Report) -> list[dict[str, Any]]:
    """One row per score category with the points kept and the points lost, for a chart."""
    rows = []
    for category, numbers in report.breakdown.items():
        weight = float(numbers.get("weight", 0))
        lost = min(float(numbers.get("lost", 0)), weight)
        name = category.replace("_", " ").capitalize()
        rows.append({"Category": name, "Kept": round(weight - lost, 1), "Lost": round(lost, 1)})
    return rows


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: str) -> str:
    """Text shown through Streamlit's Markdown exactly as typed: no formatting, no HTML,
    no math, whatever the manager or a model put in it."""
    return _MD_SPECIAL.sub(r"\\\1", text)
