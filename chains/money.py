"""Money as candidates read it: the salary range rendered from the inputs, never from a model."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_symbol, list_currencies

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


_EXTRA_SYMBOLS: dict[str, tuple[str, ...]] = {
    "US$": ("USD",),
    "C$": ("CAD",),
    "AU$": ("AUD",),
    "S$": ("SGD",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "zł": ("PLN",),
    "₽": ("RUB",),
    "₺": ("TRY",),
    "₴": ("UAH",),
    "₦": ("NGN",),
    "฿": ("THB",),
}
# ISO codes that are also everyday words or product names ("PHP 8", "TOP 10", "CVE-…"):
# recognised only when asked for, e.g. when the role is paid in one of them.
_WORDLIKE_CODES = frozenset(
    {"ALL", "AMD", "BAM", "BOB", "CUP", "CVE", "GEL", "LAK", "MAD", "MOP", "NIO", "PEN", "PHP", "SOS", "TOP", "TRY"}
)
_WORD_CURRENCIES = {"dollars": "$", "dollar": "$", "euros": "€", "euro": "€"}
_MULTIPLIERS = {"k": Decimal(1000), "thousand": Decimal(1000), "m": Decimal(1000000), "mm": Decimal(1000000),
                "mn": Decimal(1000000), "million": Decimal(1000000)}
_NUMBER = (
    r"\d{1,3}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?(?!\d|[,.]\d)"  # lakh grouping: ₹12,00,000
    r"|\d{1,3}(?:(?:,\d{3})+|(?:\.\d{3})+|(?:[ \u00a0\u202f']\d{3})+)(?:[.,]\d{1,2})?(?!\d|[,.]\d)"
    r"|\d+(?:[.,]\d{1,2})?(?!\d|[,.]\d)"
)
_SUFFIX = r"(?:(?P<suffix>[kK]|[mM]{1,2}|mn)(?![A-Za-z])|\s(?P<word>thousand|million)\b)"
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to)\s*", re.IGNORECASE)
_AND_GAP = re.compile(r"\s+and\s+", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_PERIOD_WORDS = {
    "hour": "hour", "hr": "hour", "hourly": "hour", "day": "day", "daily": "day", "week": "week",
    "wk": "week", "weekly": "week", "month": "month", "mo": "month", "monthly": "month", "year": "year",
    "yr": "year", "annum": "year", "annual": "year", "annually": "year", "yearly": "year", "pa": "year",
}
_PERIOD_AFTER = re.compile(
    r"\s*(?:(?:per|an?|each|/)\s*(?P<unit>hour|hr|day|week|wk|month|mo|year|yr|annum)\b"
    r"|(?P<adverb>annually|(?:hourly|daily|weekly|monthly|yearly)(?!\s+(?!and\b|or\b|plus\b)[a-z]))\b"
    r"|(?P<pa>p\.\s?a\.))",
    re.IGNORECASE,
)
_PERIOD_BEFORE = re.compile(
    r"\b(?P<adjective>hourly|daily|weekly|monthly|yearly|annual)\s+(?:base\s+|gross\s+)?"
    r"(?:salary|pay|rate|wage|compensation|earnings|range)\b[^.;\n]{0,40}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    """A money amount found in text: one figure, or a range stated as one ("$52K-$275K")."""

    low: Decimal
    high: Decimal
    currencies: frozenset[str]  # the ISO codes its marker can mean: a bare "$" is any dollar
    text: str
    start: int
    end: int
    is_range: bool = False
    period: PayPeriod | None = None

    def figures(self) -> tuple[Decimal, ...]:
        return (self.low, self.high) if self.is_range else (self.low,)

    def in_currency(self, code: str) -> bool:
        return code.upper() in self.currencies


@lru_cache(maxsize=1)
def _symbols() -> dict[str, frozenset[str]]:
    """Every currency marker babel prints in English (plus common local ones) -> ISO codes.
    A bare one-character symbol also means every currency whose symbol ends with it."""
    exact: dict[str, set[str]] = {}
    for code in list_currencies():
        symbol = get_currency_symbol(code, "en_US")
        if symbol != code and symbol != "¤":
            exact.setdefault(symbol, set()).add(code)
    for symbol, codes in _EXTRA_SYMBOLS.items():
        exact.setdefault(symbol, set()).update(codes)
    for symbol in [s for s in exact if len(s) == 1]:
        for other, codes in list(exact.items()):
            if other.endswith(symbol):
                exact[symbol].update(codes)
    return {symbol: frozenset(codes) for symbol, codes in exact.items()}


_DIGIT = re.compile(r"\d")
_FIGURE = re.compile(rf"(?<![\d.,])(?P<num>{_NUMBER}){_SUFFIX}?")


@dataclass(frozen=True)
class _Markers:
    """Regexes for a currency marker just before or just after a figure."""

    before: re.Pattern[str]
    after: re.Pattern[str]


@lru_cache(maxsize=64)
def _markers(extra_codes: frozenset[str]) -> _Markers:
    symbol = "|".join(re.escape(s) for s in sorted(_symbols(), key=len, reverse=True))
    codes = {c for c in list_currencies() if c.isalpha() and c.isupper() and not c.startswith("X")}
    code = "|".join(sorted((codes - _WORDLIKE_CODES) | extra_codes))
    words = "|".join(_WORD_CURRENCIES)
    return _Markers(
        before=re.compile(rf"(?:(?<![A-Za-z])(?P<sym>{symbol})\s?|(?<![A-Za-z])(?P<code>{code})[\s\u00a0]?)$"),
        after=re.compile(rf"\s?(?P<sym>{symbol})(?![A-Za-z])|[\s\u00a0]?(?P<code>{code})\b|\s(?P<word>{words})\b"),
    )


def _number(text: str) -> Decimal:
    """`1,234.56`, `1.234,56`, `100 000`, `42.50`, `1.500` (thousands) -> Decimal."""
    digits = text.replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ").replace(" ", "")
    last = max(digits.rfind(","), digits.rfind("."))
    if last >= 0 and len(digits) - last - 1 in (1, 2):
        whole, cents = digits[:last], digits[last + 1:]
        return Decimal(whole.replace(",", "").replace(".", "") + "." + cents)
    return Decimal(digits.replace(",", "").replace(".", ""))


@dataclass
class _Figure:
    value: Decimal
    multiplier: Decimal | None
    currencies: frozenset[str] | None
    start: int
    end: int


def _figures(text: str, extra_codes: frozenset[str]) -> list[_Figure]:
    """Every figure with its multiplier and, where one is next to it, its currency marker."""
    if not _DIGIT.search(text):
        return []
    symbols = _symbols()
    markers = _markers(extra_codes)
    found = []
    for match in _FIGURE.finditer(text):
        start, end = match.start(), match.end()
        before = markers.before.search(text, max(0, start - 5), start)
        after = markers.after.match(text, end)
        currencies = _common(_currencies(before, symbols), _currencies(after, symbols))
        start = before.start() if before else start
        end = after.end() if after else end
        unit = (match["suffix"] or match["word"] or "").lower()
        found.append(_Figure(_number(match["num"]), _MULTIPLIERS.get(unit), currencies or None, start, end))
    return found


def _currencies(marker: re.Match[str] | None, symbols: dict[str, frozenset[str]]) -> frozenset[str] | None:
    if marker is None:
        return None
    if marker["code"]:
        return frozenset({marker["code"]})
    if marker["sym"]:
        return symbols[marker["sym"]]
    return symbols[_WORD_CURRENCIES[marker["word"].lower()]]


def _period(text: str, start: int, end: int) -> PayPeriod | None:
    after = _PERIOD_AFTER.match(text, end)
    if after:
        word = (after["unit"] or after["adverb"] or "pa").lower()
        return _PERIOD_WORDS[word]  # type: ignore[return-value]
    before = _PERIOD_BEFORE.search(text, max(0, start - 80), start)
    if before:
        return _PERIOD_WORDS[before["adjective"].lower()]  # type: ignore[return-value]
    return None


def find_amounts(text: str, *, codes: Iterable[str] = ()) -> list[Amount]:
    """Every money amount in the text, in order; a range ("$52K-$275K", "between €70,000
    and €90,000", "100,000 – 120,000 USD") is one Amount. A figure counts as money only
    with a currency symbol, ISO code or currency word next to it (or to its range partner),
    so "1M+ requests", "24/7", "2026", "83%" and "401(k)" are not money. `codes` adds ISO
    codes that are also common words (e.g. the role's own "PHP")."""
    figures = _figures(text, frozenset(c.upper() for c in codes))
    amounts: list[Amount] = []
    i = 0
    while i < len(figures):
        left = figures[i]
        right = figures[i + 1] if i + 1 < len(figures) else None
        if right and (left.currencies or right.currencies) and _joined(text, left, right):
            low_mult = left.multiplier
            if low_mult is None and right.multiplier and left.value <= right.value and left.value < 1000:
                low_mult = right.multiplier
            low = left.value * (low_mult or 1)
            high = right.value * (right.multiplier or 1)
            if low <= high:
                currencies = _common(left.currencies, right.currencies)
                amounts.append(_amount(text, low, high, currencies, left.start, right.end, is_range=True))
                i += 2
                continue
        if left.currencies:
            value = left.value * (left.multiplier or 1)
            amounts.append(_amount(text, value, value, left.currencies, left.start, left.end, is_range=False))
        i += 1
    return amounts


def _common(left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str]:
    """What two markers agree on ("$52K-$275K USD" is USD only)."""
    if left and right:
        return (left & right) or (left | right)
    return left or right or frozenset()


def _joined(text: str, left: _Figure, right: _Figure) -> bool:
    """Whether two figures form a range: "X – Y", "X to Y", "between X and Y"."""
    if _RANGE_GAP.fullmatch(text, left.end, right.start):
        return True
    between = _BETWEEN.search(text, max(0, left.start - 12), left.start)
    return bool(between and _AND_GAP.fullmatch(text, left.end, right.start))


def _amount(
    text: str, low: Decimal, high: Decimal, currencies: frozenset[str], start: int, end: int, *, is_range: bool
) -> Amount:
    return Amount(
        low=low,
        high=high,
        currencies=currencies,
        text=text[start:end],
        start=start,
        end=end,
        is_range=is_range,
        period=_period(text, start, end),
    )
