"""Money in text: what counts as an amount, what it is worth, and what does not count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chains.money import find_amounts

D = Decimal

# text -> (low, high, a currency it may be, is_range, period)
POSITIVE = [
    ("The salary range is $142,603 – $185,000 per year.", (D(142603), D(185000), "USD", True, "year")),
    ("ranges from $52K to $275K", (D(52000), D(275000), "USD", True, None)),
    ("(range $52K-$275K USD)", (D(52000), D(275000), "USD", True, None)),
    ("USD 100,000", (D(100000), D(100000), "USD", False, None)),
    ("100,000 USD", (D(100000), D(100000), "USD", False, None)),
    ("100.000 €", (D(100000), D(100000), "EUR", False, None)),
    ("€1.234,56 im Monat", (D("1234.56"), D("1234.56"), "EUR", False, None)),
    ("€70,000 – €90,000 per year", (D(70000), D(90000), "EUR", True, "year")),
    ("between €70,000 and €90,000 a year", (D(70000), D(90000), "EUR", True, "year")),
    ("£600 per day", (D(600), D(600), "GBP", False, "day")),
    ("CHF 90,000 – CHF 110,000 per year", (D(90000), D(110000), "CHF", True, "year")),
    ("CA$90,000 – CA$110,000", (D(90000), D(110000), "CAD", True, None)),
    ("A$120,000", (D(120000), D(120000), "AUD", False, None)),
    ("¥6,000,000 annually", (D(6000000), D(6000000), "JPY", False, "year")),
    ("₹12,00,000 – ₹15,00,000 per annum", (D(1200000), D(1500000), "INR", True, "year")),
    ("$42.50 – $58.00 per hour", (D("42.50"), D("58.00"), "USD", True, "hour")),
    ("$50/hr", (D(50), D(50), "USD", False, "hour")),
    ("100,000 – 120,000 USD annually", (D(100000), D(120000), "USD", True, "year")),
    ("$100,000 – 120,000", (D(100000), D(120000), "USD", True, None)),
    ("$120–150k", (D(120000), D(150000), "USD", True, None)),
    ("$1.5M seed round", (D(1500000), D(1500000), "USD", False, None)),
    ("a 5 million dollars budget", (D(5000000), D(5000000), "USD", False, None)),
    ("SEK 50 000 per month", (D(50000), D(50000), "SEK", False, "month")),
    ("100 000 kr", (D(100000), D(100000), "NOK", False, None)),
    ("annual base salary of $90,000", (D(90000), D(90000), "USD", False, "year")),
    ("$90,000 yearly, plus equity", (D(90000), D(90000), "USD", False, "year")),
    ("a $2,000 yearly learning budget", (D(2000), D(2000), "USD", False, None)),
]

NEGATIVE = [
    "Handle 1M+ requests daily",
    "24/7 support",
    "Salary transparency in 2026",
    "83% of openings",
    "401(k) matching and a 403(b) plan",
    "a 300-bed hospital",
    "Python 3.12 and PHP 8.2",
    "TOP 10 customers",
    "ranked 1,000 of 10,000",
    "CVE-2024-1234",
    "lift up to 50 pounds",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE, ids=[t for t, _ in POSITIVE])
def test_amounts_are_found_with_their_value(text: str, expected: tuple) -> None:
    low, high, currency, is_range, period = expected
    [amount] = find_amounts(text)
    assert (amount.low, amount.high) == (low, high)
    assert amount.in_currency(currency)
    assert amount.is_range is is_range
    assert amount.period == period
    assert amount.text == text[amount.start : amount.end]


@pytest.mark.parametrize("text", NEGATIVE)
def test_figures_that_are_not_money(text: str) -> None:
    assert find_amounts(text) == []


def test_a_bare_dollar_is_any_dollar_but_a_prefixed_one_is_not() -> None:
    [bare] = find_amounts("$90,000")
    [canadian] = find_amounts("CA$90,000")
    assert bare.in_currency("USD") and bare.in_currency("CAD")
    assert canadian.in_currency("CAD") and not canadian.in_currency("USD")


def test_a_code_after_a_range_narrows_its_symbol() -> None:
    [amount] = find_amounts("$52K-$275K USD")
    assert amount.currencies == frozenset({"USD"})


def test_word_like_codes_count_when_asked_for() -> None:
    assert find_amounts("PHP 50,000 per month") == []
    [amount] = find_amounts("PHP 50,000 per month", codes=["PHP"])
    assert amount.low == D(50000) and amount.in_currency("PHP") and amount.period == "month"


def test_several_amounts_in_order() -> None:
    text = "Pay is $142,603 – $185,000 per year, plus a $2,000 learning budget and €500 for equipment."
    amounts = find_amounts(text)
    assert [a.text for a in amounts] == ["$142,603 – $185,000", "$2,000", "€500"]
    assert [a.is_range for a in amounts] == [True, False, False]


def test_two_figures_joined_by_and_are_a_range_only_after_between() -> None:
    assert len(find_amounts("$5,000 and $7,000 in grants")) == 2
    assert len(find_amounts("between $5,000 and $7,000")) == 1
