"""The template engine passes its own bar: every draft, for every role family, level and
template, scores at least 85, has no error, and is no more than "masculine-coded"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from chains.compose import compose
from chains.library import get_library
from chains.models import LEVELS, parse_role
from chains.template import get_template, template_names
from chains.validate import validate

MIN_SCORE = 85
TONES = ("professional", "friendly", "enthusiastic")
SEED_PLACE: dict[str, Any] = {}
# On-site in Colorado with no benefits or closing date given: the law asks for both, so the
# draft carries pay-transparency warnings, and must still clear the bar.
BARE_DENVER: dict[str, Any] = {
    "location": "Denver, CO",
    "workplace": "onsite",
    "remote_regions": [],
    "benefits": [],
    "application_deadline": None,
}
SEED = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "fixtures" / "roles" / "senior-backend.yaml").read_text(encoding="utf-8")
)
CASES = [
    (template, family.key, family.examples[0] if family.examples else family.name)
    for template in template_names()
    for family in get_library().families.values()
]


@pytest.mark.parametrize(("template_name", "family", "title"), CASES, ids=[f"{t}-{f}" for t, f, _ in CASES])
def test_every_level_passes_the_quality_bar(template_name: str, family: str, title: str) -> None:
    template = get_template(template_name)
    failures: list[str] = []
    for level in LEVELS:
        i = LEVELS.index(level)
        where = SEED_PLACE if i % 2 == 0 else BARE_DENVER
        role = parse_role({**SEED, **where, "title": title, "level": level, "tone": TONES[i % len(TONES)]})
        report = validate(compose(role, template), template, role)
        band = report.details["gender"]["band"]
        problems: list[Any] = [f"{i.code}: {i.message}" for i in report.issues if i.severity == "error" or i.points]
        if report.score < MIN_SCORE or not report.valid or band == "strongly masculine-coded":
            failures.append(f"{level}: score {report.score}, {band}, {problems}")
    assert not failures, "\n".join(failures)
