"""Exclusionary and off-putting wording: every rule fires on its examples and stays quiet
on the look-alikes a careless check would flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from chains.quality.wording import Term, wording, wording_rules

CASES: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "fixtures" / "quality" / "wording_cases.yaml").read_text(encoding="utf-8")
)
FAILING = [(code, case["text"], case["term"]) for code, cases in CASES.items() for case in cases["fail"]]
PASSING = [(code, text) for code, cases in CASES.items() for text in cases["pass"]]


def test_every_rule_has_failing_and_passing_cases() -> None:
    assert set(CASES) == set(wording_rules().rules)
    for code, cases in CASES.items():
        assert cases["fail"] and cases["pass"], code


@pytest.mark.parametrize(("code", "text", "term"), FAILING)
def test_rule_reports_the_term_with_a_suggestion(code: str, text: str, term: str) -> None:
    hits = [hit for hit in wording(text) if hit.code == code]
    assert [hit.term for hit in hits] == [term]
    assert hits[0].suggestion and all(form.lower() in text.lower() for form in hits[0].found)


@pytest.mark.parametrize(("code", "text"), PASSING)
def test_look_alikes_are_not_reported(code: str, text: str) -> None:
    assert wording(text) == []


def test_hits_count_repeats_and_keep_the_words_as_written() -> None:
    hits = wording("A Rockstar engineer. Rock stars ship with rockstar tools. Ninja!")
    assert [(h.term, h.found, h.count) for h in hits] == [
        ("rockstar", ["Rockstar", "Rock stars", "rockstar"], 3),
        ("ninja", ["Ninja"], 1),
    ]


def test_guard_only_covers_the_phrase_it_names() -> None:
    hits = wording("We pay a competitive salary in a competitive environment.")
    assert [(h.term, h.count) for h in hits] == [("competitive culture", 1)]


def test_a_broken_pattern_in_the_word_list_is_named() -> None:
    with pytest.raises(ValidationError, match=r"guru: pattern '\(guru' is not a valid regular expression"):
        Term(term="guru", pattern="(guru", suggestion="Say expert.")
