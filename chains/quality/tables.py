"""The quality checks' data files (prompts/quality/*.yaml): loading one into its schema with
an error that names the file and the field, and the regular expressions they hold."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

from chains.resources import load_asset, prompts_dir

Table = TypeVar("Table", bound=BaseModel)


def load_table(name: str, schema: type[Table]) -> Table:
    """prompts/quality/<name> validated against its schema; AssetError naming what is wrong."""
    return load_asset(prompts_dir() / "quality" / name, schema, "table")


def valid_patterns(patterns: list[str]) -> list[str]:
    """Field validator: every pattern compiles, or the bad one is named."""
    for pattern in patterns:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression ({exc})") from None
    return patterns


def phrases(patterns: list[str]) -> re.Pattern[str] | None:
    """Whole phrases (word-bounded) from a list that may be empty: None when it is."""
    return any_of(patterns, r"\b", r"\b") if patterns else None


def any_of(patterns: Iterable[str], before: str = "", after: str = "") -> re.Pattern[str]:
    """One case-insensitive pattern matching any of them, between optional boundaries."""
    return re.compile(before + "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")" + after, re.IGNORECASE)
