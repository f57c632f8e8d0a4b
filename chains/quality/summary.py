"""The figures behind the quality issues as a few lines a person reads: for the text report
of `jdwriter check`/`draft` and the page. Reads Report.details, so it works on a report
loaded back from JSON as well as on a fresh one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _words(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{word} ×{n}" if n > 1 else word for word, n in counts.items()) or "none"


def summary(details: Mapping[str, Any]) -> list[str]:
    """One line each for gender coding, readability, shape and pay-transparency law."""
    lines: list[str] = []
    gender = details.get("gender")
    if gender:
        lines.append(
            f"Gender coding: {gender['band']} (gender-decoder). "
            f"Masculine-coded: {_words(gender['masculine'])}. Feminine-coded: {_words(gender['feminine'])}."
        )
    read, shape = details.get("readability"), details.get("shape")
    if read and shape:
        lines.append(
            f"Readability: Flesch reading ease {read['flesch_reading_ease']:g}, grade {read['flesch_kincaid_grade']:g}, "
            f"{read['avg_sentence_length']:g} words per sentence; says you/your {read['you']} times, we/our {read['we']}."
        )
        lines.append(
            f"Shape: {shape['words']} words (template: {shape['words_min']}-{shape['words_max']}), "
            f"{shape['requirements']} requirements, {shape['bullet_share']:.0%} in bullets, "
            f"equal-opportunity statement {'present' if shape['equal_opportunity'] else 'missing'}."
        )
    law = details.get("pay_transparency")
    if law is not None:
        names = [j["name"] for j in law["jurisdictions"]]
        reach = ", ".join(names) if names else "none of the jurisdictions jdwriter knows"
        unmet = len(law["findings"])
        lines.append(
            f"Pay-transparency law: {reach}"
            + (f"; {unmet} rule(s) unmet." if unmet else "; every rule met." if names else ".")
        )
    return lines
