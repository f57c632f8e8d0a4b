"""Posting quality beyond structure: gender-coded words, exclusionary wording, readability
and shape, and pay-transparency law. Importing the package registers its checks and
measures with the validator (chains.validate loads it before the first validation)."""

from chains.quality import checks
from chains.quality.gender import GenderResult, gender_coding
from chains.quality.paylaw import PayLawResult, jurisdictions, pay_transparency
from chains.quality.readability import ReadabilityResult, ShapeResult, readability, shape
from chains.quality.summary import summary
from chains.quality.wording import WordingHit, wording

__all__ = [
    "GenderResult",
    "PayLawResult",
    "ReadabilityResult",
    "ShapeResult",
    "WordingHit",
    "checks",
    "gender_coding",
    "jurisdictions",
    "pay_transparency",
    "readability",
    "shape",
    "summary",
    "wording",
]
