"""Gender-coded wording by the gender-decoder method (Gaucher, Friesen & Kay, 2011).

Word stems, tokenising, hyphen handling, prefix matching and bands follow Kat Matfield's
MIT-licensed gender-decoder exactly; the stems live in prompts/quality/gender_words.yaml.
jdwriter adds one step before counting: fixed phrases such as "competitive salary" or
"lead generation", whose stem says nothing about the person or the culture, are set aside
and reported as ignored rather than counted.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property, lru_cache
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chains.quality.tables import load_table, phrases, valid_patterns

Band = Literal[
    "strongly feminine-coded",
    "feminine-coded",
    "neutral",
    "empty",
    "masculine-coded",
    "strongly masculine-coded",
]
BANDS: tuple[Band, ...] = get_args(Band)
STRONG = 3
# gender-decoder's split: non-ASCII characters, whitespace and these marks separate words.
# Encoding to ASCII turns every non-ASCII character into "?", one of the marks.
_SEPARATORS = str.maketrans(dict.fromkeys(".\t,<>*?!\"[]@':;()/&", " "))


class GenderWords(BaseModel):
    """The word lists: gender-decoder's stems and exceptions, jdwriter's context guards."""

    model_config = ConfigDict(extra="forbid")

    source: str
    licence: str
    feminine: list[str] = Field(min_length=1)
    masculine: list[str] = Field(min_length=1)
    exceptions: list[str] = Field(default_factory=list)
    explanations: dict[Band, str]
    context_guards: list[str] = Field(default_factory=list)

    _check_guards = field_validator("context_guards")(valid_patterns)

    @cached_property
    def hyphenated(self) -> tuple[str, ...]:
        return tuple(w for w in (*self.feminine, *self.masculine) if "-" in w)

    @cached_property
    def guard_pattern(self) -> re.Pattern[str] | None:
        return phrases(self.context_guards)


class GenderResult(BaseModel):
    """What the decoder found: coded words with counts, the band, and what it set aside."""

    band: Band
    masculine: dict[str, int] = Field(description="Masculine-coded words found -> times, in order of first use.")
    feminine: dict[str, int] = Field(description="Feminine-coded words found -> times, in order of first use.")
    masculine_count: int
    feminine_count: int
    ignored: dict[str, int] = Field(
        default_factory=dict, description="Guarded phrases set aside before counting -> times."
    )
    explanation: str = ""


@lru_cache(maxsize=1)
def gender_words() -> GenderWords:
    return load_table("gender_words.yaml", GenderWords)


def word_list(text: str, hyphenated: tuple[str, ...] | None = None) -> list[str]:
    """gender-decoder's tokens: ASCII only, lower case, split on its punctuation set, and
    hyphenated words split apart unless they start with a hyphenated coded stem."""
    stems = gender_words().hyphenated if hyphenated is None else hyphenated
    words = text.encode("ascii", "replace").decode("ascii").translate(_SEPARATORS).lower().split()
    tokens: list[str] = []
    for word in words:
        if "-" in word and not word.startswith(stems):
            tokens.extend(part for part in word.split("-") if part)
        else:
            tokens.append(word)
    return tokens


@lru_cache(maxsize=16384)
def stem_matches(word: str) -> tuple[int, int]:
    """How many masculine and feminine stems a token starts with: gender-decoder lists a
    word once per stem it starts with, and skips its whole-word exceptions."""
    lists = gender_words()
    if word in lists.exceptions:
        return 0, 0
    return sum(word.startswith(s) for s in lists.masculine), sum(word.startswith(s) for s in lists.feminine)


def band(feminine: int, masculine: int) -> Band:
    """gender-decoder's bands: the difference in counts, 'strongly' beyond three."""
    score = feminine - masculine
    if score == 0:
        return "neutral" if feminine else "empty"
    if score > STRONG:
        return "strongly feminine-coded"
    if score > 0:
        return "feminine-coded"
    if score < -STRONG:
        return "strongly masculine-coded"
    return "masculine-coded"


def gender_coding(text: str) -> GenderResult:
    """The coded words in a posting's text, counted and banded."""
    lists = gender_words()
    ignored: Counter[str] = Counter()
    guard = lists.guard_pattern
    found = list(guard.finditer(text)) if guard is not None else []
    if found:
        ignored.update(" ".join(m.group(0).lower().split()) for m in found)
        kept = [0, *(edge for m in found for edge in m.span()), len(text)]
        text = " ".join(text[kept[i] : kept[i + 1]] for i in range(0, len(kept), 2))
    masculine: dict[str, int] = {}
    feminine: dict[str, int] = {}
    for word, times in Counter(word_list(text, lists.hyphenated)).items():
        times_masculine, times_feminine = stem_matches(word)
        if times_masculine:
            masculine[word] = times * times_masculine
        if times_feminine:
            feminine[word] = times * times_feminine
    masculine_count, feminine_count = sum(masculine.values()), sum(feminine.values())
    result = band(feminine_count, masculine_count)
    return GenderResult(
        band=result,
        masculine=masculine,
        feminine=feminine,
        masculine_count=masculine_count,
        feminine_count=feminine_count,
        ignored=dict(ignored),
        explanation=" ".join(lists.explanations[result].split()),
    )
