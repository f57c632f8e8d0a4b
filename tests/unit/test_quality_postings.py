"""Fixture postings, each named for what is wrong with it: parsed, validated, and expected
to raise exactly the codes its .expect.yaml lists (the clean one, none)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chains.models import parse_role
from chains.parse import parse_markdown
from chains.template import get_template
from chains.validate import validate

POSTINGS = Path(__file__).resolve().parents[2] / "fixtures" / "quality" / "postings"
CASES = sorted(POSTINGS.glob("*.expect.yaml"))


@pytest.mark.parametrize("expect", CASES, ids=lambda p: p.name.removesuffix(".expect.yaml"))
def test_posting_raises_exactly_its_codes(expect: Path) -> None:
    spec = yaml.safe_load(expect.read_text(encoding="utf-8"))
    template = get_template(spec["template"])
    role = parse_role(yaml.safe_load((POSTINGS / spec["role"]).read_text(encoding="utf-8"))) if spec["role"] else None
    text = expect.with_name(expect.name.removesuffix(".expect.yaml") + ".md").read_text(encoding="utf-8")
    report = validate(parse_markdown(text, template, role), template, role)
    assert sorted(set(report.codes())) == sorted(spec["codes"]), [i.message for i in report.issues]
    lost = sum(part["lost"] for part in report.breakdown.values())
    assert report.score == round(100 - lost)
    assert lost == pytest.approx(
        sum(
            min(sum(i.points for i in report.issues if i.category == name), part["weight"])
            for name, part in report.breakdown.items()
        )
    )


def test_every_quality_code_has_a_failing_posting() -> None:
    covered = {code for p in CASES for code in yaml.safe_load(p.read_text(encoding="utf-8"))["codes"]}
    for code in (
        "hype_title",
        "gendered_wording",
        "age_coded_wording",
        "off_putting_phrase",
        "hollow_perks",
        "native_speaker",
        "strongly_masculine_coded",
        "eeo_missing",
        "hard_to_read",
        "company_focused",
        "pay_transparency_range",
        "pay_transparency_open_ended",
        "pay_transparency_pay_basis",
        "pay_transparency_benefits",
        "pay_transparency_deadline",
    ):
        assert code in covered
