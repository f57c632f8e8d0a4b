"""Money as candidates read it: the salary range rendered from the inputs, never from a model."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

from chains.models import PayPeriod, RoleSpec, Salary

DASH = "\u2013"


def format_amount(value: Decimal, currency: str, cents: bool) -> str:
    """`$142,603`, `€70,000`, `$42.50`, `CHF 90,000`: the currency's usual English form."""
    pattern = "¤#,##0.00" if cents else "¤#,##0"
    text = format_currency(value, currency, format=pattern, locale="en_US", currency_digits=False)
    symbol_end = len(text) - len(text.lstrip("".join(ch for ch in text if not ch.isdigit())))
    symbol = text[:symbol_end]
    if symbol.isalpha() and len(symbol) > 1:
        return f"{symbol} {text[symbol_end:]}"
    return text


def needs_cents(low: Decimal, high: Decimal, period: PayPeriod) -> bool:
    return period == "hour" or low != low.to_integral() or high != high.to_integral()


def salary_text(low: Decimal, high: Decimal, currency: str, period: PayPeriod) -> str:
    """`$142,603 – $185,000 per year`; a single figure when min equals max."""
    cents = needs_cents(low, high, period)
    first = format_amount(low, currency, cents)
    if low == high:
        return f"{first} per {period}"
    return f"{first} {DASH} {format_amount(high, currency, cents)} per {period}"


def role_salary(role: RoleSpec) -> Salary:
    return Salary(
        min=role.salary_min,
        max=role.salary_max,
        currency=role.currency,
        period=role.pay_period,
        text=salary_text(role.salary_min, role.salary_max, role.currency, role.pay_period),
    )
