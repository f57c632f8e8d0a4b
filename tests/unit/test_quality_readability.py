"""Readability and shape: figures on known text, and the posting-level measures."""

from __future__ import annotations

import pytest

from chains.models import JobPosting, PostingSection
from chains.quality.readability import has_equal_opportunity, readability, sentences, shape, syllables, words
from chains.template import get_template


def test_flesch_figures_on_known_text() -> None:
    # 11 one-syllable words in 2 sentences: 206.835 - 1.015 * 5.5 - 84.6 * 1.0 = 116.65
    result = readability("The cat sat on the mat. You will like it here.")
    assert (result.words, result.sentences, result.syllables) == (11, 2, 11)
    assert result.avg_sentence_length == 5.5
    assert result.flesch_reading_ease == pytest.approx(116.7, abs=0.05)
    assert result.flesch_kincaid_grade == pytest.approx(-1.6, abs=0.05)


def test_dense_text_scores_hard_and_high_grade() -> None:
    dense = (
        "The successful incumbent will demonstrate considerable organisational capability, "
        "exceptional interpersonal communication, and comprehensive understanding of "
        "institutional regulatory requirements, particularly regarding international "
        "compliance documentation and administrative accountability."
    )
    result = readability(dense)
    assert result.sentences == 1 and result.words == 26
    assert result.flesch_reading_ease < 0
    assert result.flesch_kincaid_grade > 20


def test_syllables_come_from_the_hyphenation_dictionary() -> None:
    assert [syllables(w) for w in ("the", "communication", "Engineer", "table")] == [1, 5, 3, 2]


def test_every_line_ends_a_sentence_and_abbreviations_do_not() -> None:
    text = "Build APIs with Node.js, e.g. for payments\nShip daily. Review code!\n\nMentor others"
    assert sentences(text) == [
        "Build APIs with Node.js, e.g. for payments",
        "Ship daily.",
        "Review code!",
        "Mentor others",
    ]
    assert words("Pay is $142,603.50 for well-tested Node.js work") == [
        "Pay",
        "is",
        "142,603.50",
        "for",
        "well-tested",
        "Node.js",
        "work",
    ]


def test_long_sentences_are_listed() -> None:
    long = "Every " + " ".join(["word"] * 40) + "."
    result = readability(f"Short one here. {long}")
    assert result.long_sentences == [long]


def test_you_versus_we_counts_the_candidate_focus() -> None:
    result = readability("You will lead. Your team trusts you. We pay well and our office is in the US.")
    assert (result.you, result.we, result.you_share) == (3, 2, 0.6)
    assert readability("Plain words.").you_share is None


def test_equal_opportunity_statements_are_recognised() -> None:
    assert has_equal_opportunity("Acme is an equal opportunity employer.")
    assert has_equal_opportunity("We consider all applicants without regard to race, religion or disability.")
    assert not has_equal_opportunity("Apply by email to jobs@acme.example.")


def posting(sections: list[PostingSection]) -> JobPosting:
    return JobPosting(title="Engineer", company="Acme", sections=sections)


def test_shape_counts_words_requirements_and_bullet_share() -> None:
    template = get_template("standard")
    result = shape(
        posting(
            [
                PostingSection(
                    key="role_overview", heading="Role Overview", paragraphs=["You build things for people."]
                ),
                PostingSection(
                    key="requirements", heading="Requirements", bullets=[f"Skill number {i}." for i in range(9)]
                ),
                PostingSection(key="nice_to_have", heading="Nice-to-Have Skills", bullets=["Go."]),
            ]
        ),
        template,
    )
    # title 1 + headings 2 + 1 + 2 ("Nice-to-Have" is one word) + body 5 + 27 + 1
    assert result.words == 39
    assert result.requirements == 9
    assert result.over_template is True
    assert result.bullet_share == round(28 / 39, 2)
    assert (result.words_min, result.words_max) == (template.words.min, template.words.max)
    assert result.equal_opportunity is False
