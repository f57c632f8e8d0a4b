"""Gender-coded wording: gender-decoder's own test cases, ported, plus jdwriter's guards."""

from __future__ import annotations

import pytest

from chains.quality.gender import BANDS, band, gender_coding, gender_words, word_list


def words(result_words: dict[str, int]) -> list[str]:
    return [word for word, times in result_words.items() for _ in range(times)]


# gender-decoder tests.py: test_clean_up_word_list
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sharing is as important as ambition", ["sharing", "is", "as", "important", "as", "ambition"]),
        ("Qualities: sharing\tambition", ["qualities", "sharing", "ambition"]),
        ("Sharing;ambitious", ["sharing", "ambitious"]),
        ("Sharing/ambitious", ["sharing", "ambitious"]),
        ("Sharing, co-operative, 'servant-leader'", ["sharing", "co-operative", "servant", "leader"]),
        ("Sharing\u2014ambitious", ["sharing", "ambitious"]),
        ("Sharing(ambitious) and (leader)", ["sharing", "ambitious", "and", "leader"]),
        ("Sharing[ambitious] and [leader]", ["sharing", "ambitious", "and", "leader"]),
        ("Sharing<ambitious> and <leader>", ["sharing", "ambitious", "and", "leader"]),
        ("Sharing ambitious ", ["sharing", "ambitious"]),
        ("Sharing&ambitious, empathy&kindness,", ["sharing", "ambitious", "empathy", "kindness"]),
        ("Sharing&ambitious*, empathy*kindness,", ["sharing", "ambitious", "empathy", "kindness"]),
        ('Lead "Developer" Who is Connect@HBS? We ', ["lead", "developer", "who", "is", "connect", "hbs", "we"]),
        ("Lead Developer v good!", ["lead", "developer", "v", "good"]),
        ("\u201cLead\u201d \u2018Developer\u2019 v good!", ["lead", "developer", "v", "good"]),
    ],
)
def test_word_list_splits_like_gender_decoder(text: str, expected: list[str]) -> None:
    assert word_list(text) == expected


# gender-decoder tests.py: test_extract_coded_words
def test_coded_words_are_listed_in_order_with_counts() -> None:
    result = gender_coding("Ambition:competition\u2013decisiveness, empathy&kindness")
    assert words(result.masculine) == ["ambition", "competition", "decisiveness"]
    assert result.masculine_count == 3
    assert words(result.feminine) == ["empathy", "kindness"]
    assert result.feminine_count == 2
    only_feminine = gender_coding("empathy&kindness")
    assert (only_feminine.masculine, only_feminine.masculine_count) == ({}, 0)
    assert words(only_feminine.feminine) == ["empathy", "kindness"]
    spread = gender_coding("empathy irrelevant words kindness")
    assert words(spread.feminine) == ["empathy", "kindness"]
    assert spread.masculine_count == 0


# gender-decoder tests.py: test_assess_coding_neutral_and_empty
def test_bands_neutral_and_empty() -> None:
    empty = gender_coding("irrelevant words")
    assert (empty.masculine_count, empty.feminine_count, empty.band) == (0, 0, "empty")
    neutral = gender_coding("sharing versus aggression")
    assert neutral.masculine_count == neutral.feminine_count == 1
    assert neutral.band == "neutral"


# gender-decoder tests.py: test_assess_coding_masculine and test_assess_coding_feminine
@pytest.mark.parametrize(
    ("text", "masculine", "feminine", "expected"),
    [
        ("Ambition:competition\u2013decisiveness, empathy&kindness", 3, 2, "masculine-coded"),
        ("Ambition:competition\u2013decisiveness, other words", 3, 0, "masculine-coded"),
        ("Ambition:competition\u2013decisiveness&leadership, other words", 4, 0, "strongly masculine-coded"),
        (
            "Ambition:competition\u2013decisiveness&leadership, decisiveness, stubborness, sharing and empathy",
            6,
            2,
            "strongly masculine-coded",
        ),
        ("Ambition:competition, empathy&kindness, co-operation", 2, 3, "feminine-coded"),
        ("empathy&kindness, co-operation and some other words", 0, 3, "feminine-coded"),
        ("empathy&kindness, co-operation, trust and other words", 0, 4, "strongly feminine-coded"),
        (
            "Ambition:competition, empathy&kindness and responsibility, co-operation, honesty, trust and other words",
            2,
            6,
            "strongly feminine-coded",
        ),
    ],
)
def test_bands(text: str, masculine: int, feminine: int, expected: str) -> None:
    result = gender_coding(text)
    assert (result.masculine_count, result.feminine_count, result.band) == (masculine, feminine, expected)


# gender-decoder tests.py: test_analyse
def test_analyse_lists_repeated_words_each_time() -> None:
    result = gender_coding(
        "Ambition:competition\u2013decisiveness&leadership, decisiveness, stubborness, sharing and empathy"
    )
    assert result.band == "strongly masculine-coded"
    assert result.masculine == {"ambition": 1, "competition": 1, "decisiveness": 2, "leadership": 1, "stubborness": 1}
    assert result.feminine == {"sharing": 1, "empathy": 1}


# gender-decoder tests.py: test_increment_or_create / test_process_ad
def test_process_ad_counts_distinct_words_and_repeats() -> None:
    result = gender_coding("sharing leader sharing")
    assert result.feminine == {"sharing": 2}
    assert result.masculine == {"leader": 1}
    ad = gender_coding(
        "Sharing: ambition\tkindness&empathy(never more than frou) Who is Connect@HBS? "
        "leader-supporter-follower aggresive/responsible;understand? connect"
    )
    assert sorted(ad.masculine) == ["ambition", "leader"]
    assert sorted(ad.feminine) == [
        "connect",
        "empathy",
        "kindness",
        "responsible",
        "sharing",
        "supporter",
        "understand",
    ]
    assert len(ad.masculine) + len(ad.feminine) == 9
    assert ad.masculine_count + ad.feminine_count == 10


def test_hyphenated_coded_stems_stay_whole_and_count_once_per_stem() -> None:
    assert word_list("A self-confident, co-operative team-player") == [
        "a",
        "self-confident",
        "co-operative",
        "team",
        "player",
    ]
    result = gender_coding("A self-confident, inter-personal lead")
    assert result.masculine == {"self-confident": 1, "lead": 1}
    assert result.feminine == {"inter-personal": 2}


def test_prefix_matching_only_at_the_start_of_a_word() -> None:
    result = gender_coding("Misleading, unsupported and overconfident")
    assert (result.masculine_count, result.feminine_count, result.band) == (0, 0, "empty")


def test_sharepoint_is_not_coded() -> None:
    assert gender_coding("Build SharePoint sites").feminine == {}
    assert gender_coding("Share your work").feminine == {"share": 1}


@pytest.mark.parametrize(
    ("feminine", "masculine", "expected"),
    [
        (0, 0, "empty"),
        (2, 2, "neutral"),
        (1, 0, "feminine-coded"),
        (4, 0, "strongly feminine-coded"),
        (0, 3, "masculine-coded"),
        (1, 5, "strongly masculine-coded"),
        (4, 1, "feminine-coded"),
    ],
)
def test_band_thresholds(feminine: int, masculine: int, expected: str) -> None:
    assert band(feminine, masculine) == expected
    assert expected in BANDS


def test_competitive_salary_and_lead_generation_are_set_aside_not_counted() -> None:
    result = gender_coding("We offer a competitive salary. You will own lead generation and cut lead times.")
    assert result.masculine == {}
    assert result.ignored == {"competitive salary": 1, "lead generation": 1, "lead times": 1}
    culture = gender_coding("We are a competitive team and you will lead it.")
    assert culture.masculine == {"competitive": 1, "lead": 1}
    assert culture.ignored == {}


def test_result_explains_its_band() -> None:
    assert "women" in gender_coding("Aggressive, dominant, fearless, driven, competitive").explanation


def test_word_lists_carry_the_mit_attribution_and_full_stems() -> None:
    lists = gender_words()
    assert "MIT" in lists.licence and "lovedaybrooke" in lists.licence
    assert len(lists.masculine) == 52 and len(lists.feminine) == 50
    assert {"compet", "lead", "analy", "driven"} <= set(lists.masculine)
    assert {"support", "collab", "understand", "trust", "respon"} <= set(lists.feminine)
