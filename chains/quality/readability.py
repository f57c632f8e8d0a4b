"""Readability and shape, offline: Flesch reading ease and Flesch-Kincaid grade (syllables
from pyphen's bundled hyphenation dictionary, as textstat counts them, with nothing to
download), sentence length,
length against the template's band, requirements, bullets, "you" versus "we", and the
equal-opportunity statement. Thresholds live in prompts/quality/readability.yaml."""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property, lru_cache
from itertools import chain

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pyphen import Pyphen

from chains.models import JobPosting, SectionContent, Template
from chains.quality.tables import any_of, load_table, valid_patterns

REQUIREMENT_CONTENT: frozenset[SectionContent] = frozenset({"requirements", "qualifications"})
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_][\w'’]*(?:[-.][^\W_][\w'’]*)*")


class Thresholds(BaseModel):
    """prompts/quality/readability.yaml."""

    model_config = ConfigDict(extra="forbid")

    flesch_min: float
    grade_max: float
    sentence_words_max: float
    long_sentence_words: int
    requirements_max: int
    bullet_share_min: float = Field(ge=0, le=1)
    you_share_min: float = Field(ge=0, le=1)
    you_words: list[str]
    we_words: list[str]
    equal_opportunity: list[str] = Field(min_length=1)

    _check_patterns = field_validator("equal_opportunity")(valid_patterns)

    @cached_property
    def eeo_regex(self) -> re.Pattern[str]:
        return any_of(self.equal_opportunity)


class ReadabilityResult(BaseModel):
    """Figures for a text; each bullet or paragraph line counts as at least one sentence."""

    words: int
    sentences: int
    syllables: int
    flesch_reading_ease: float = Field(description="0-100+, higher is easier; 60-70 is plain English.")
    flesch_kincaid_grade: float = Field(description="US school grade needed to follow the text.")
    avg_sentence_length: float = Field(description="Words per sentence.")
    long_sentences: list[str] = Field(default_factory=list, description="Sentences over the long-sentence limit.")
    you: int = Field(description="Times the text says you/your.")
    we: int = Field(description="Times the text says we/our/us.")
    you_share: float | None = Field(description="you / (you + we); None when neither appears.")


class ShapeResult(BaseModel):
    """The posting's shape against its template."""

    words: int
    words_min: int
    words_max: int
    requirements: int = Field(description="Bullets in requirements and qualifications sections.")
    over_template: bool = Field(
        description="Whether a requirements section already has more bullets than its template allows."
    )
    bullet_share: float = Field(description="Share of words that sit in bullets.")
    equal_opportunity: bool = Field(description="Whether an equal-opportunity statement was found.")


@lru_cache(maxsize=1)
def thresholds() -> Thresholds:
    return load_table("readability.yaml", Thresholds)


def sentences(text: str) -> list[str]:
    """Sentences, with every line (a bullet, a paragraph) ending one."""
    found: list[str] = []
    for line in text.splitlines():
        found.extend(part.strip() for part in _SENTENCE_END.split(line) if _WORD.search(part))
    return found


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@lru_cache(maxsize=1)
def _hyphenator() -> Pyphen:
    return Pyphen(lang="en_US")


@lru_cache(maxsize=8192)
def syllables(word: str) -> int:
    """Hyphenation points + 1, the way textstat counts syllables."""
    return len(_hyphenator().positions(re.sub(r"[^\w]", "", word.lower()))) + 1


def readability(text: str) -> ReadabilityResult:
    """Flesch figures, sentence length and you/we focus of a text."""
    limits = thresholds()
    parts = sentences(text)
    per_sentence_words = [words(part) for part in parts]
    counts = Counter(chain.from_iterable(per_sentence_words))
    you_words, we_words = set(limits.you_words), set(limits.we_words)
    n_syllables = you = we = 0
    for word, n in counts.items():
        plain = word.replace("’", "'").lower()
        n_syllables += syllables(plain) * n
        if plain in you_words:
            you += n
        if plain in we_words and word != "US":
            we += n
    n_words, n_sentences = counts.total(), len(parts)
    per_sentence = n_words / n_sentences if n_sentences else 0.0
    per_word = n_syllables / n_words if n_words else 0.0
    return ReadabilityResult(
        words=n_words,
        sentences=n_sentences,
        syllables=n_syllables,
        flesch_reading_ease=round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1) if n_words else 0.0,
        flesch_kincaid_grade=round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1) if n_words else 0.0,
        avg_sentence_length=round(per_sentence, 1),
        long_sentences=[s for s, found in zip(parts, per_sentence_words) if len(found) > limits.long_sentence_words],
        you=you,
        we=we,
        you_share=round(you / (you + we), 2) if you + we else None,
    )


def body_text(posting: JobPosting) -> str:
    """What a candidate reads as prose: paragraphs and bullets, one per line, no headings."""
    return "\n".join(section.text() for section in posting.sections)


def has_equal_opportunity(text: str) -> bool:
    """Read from the last line up: the statement closes a posting, so it is found at once."""
    regex = thresholds().eeo_regex
    return any(regex.search(line) for line in reversed(text.splitlines()))


def shape(posting: JobPosting, template: Template) -> ShapeResult:
    """Length against the template's band (every word a candidate reads, title and headings
    included), requirement count, bullet share, EEO statement. No word spans a line, so the
    bullets are counted once and the rest of the text apart."""
    text = posting.full_text()
    in_bullets = len(words("\n".join(b for s in posting.sections for b in s.bullets)))
    rest = [posting.title, *(line for s in posting.sections for line in (s.heading, *s.paragraphs))]
    total = len(words("\n".join(rest))) + in_bullets
    specs = {section.key: section for section in template.sections}
    listed = [s for s in posting.sections if s.key in specs and specs[s.key].content in REQUIREMENT_CONTENT]
    requirements = sum(len(s.bullets) for s in listed)
    over = any(len(s.bullets) > (specs[s.key].max_bullets or len(s.bullets)) for s in listed)
    return ShapeResult(
        words=total,
        words_min=template.words.min,
        words_max=template.words.max,
        requirements=requirements,
        over_template=over,
        bullet_share=round(in_bullets / total, 2) if total else 0.0,
        equal_opportunity=has_equal_opportunity(text),
    )
