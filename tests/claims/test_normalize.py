"""Tests for normalisation: numbers and quantities, dates against the document's date, modality."""

from __future__ import annotations

import datetime as dt

import pytest

from contradict.claims.normalize import (
    MODALITY_RULES,
    Quantity,
    content_words,
    date_range,
    find_dates,
    find_quantities,
    modality,
    normalize,
    parse_number_words,
)

WEDNESDAY = dt.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("three", 3),
        ("Twenty-five", 25),
        ("a dozen", 12),
        ("two hundred and five", 205),
        ("three million", 3_000_000),
        ("one thousand two hundred", 1200),
        ("banana", None),
    ],
)
def test_parse_number_words(text: str, value: float | None) -> None:
    assert parse_number_words(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 15,000 residents were evacuated.", [Quantity("15,000", 15000, "resident", "about")]),
        ("More than 40,000 residents left.", [Quantity("40,000", 40000, "resident", "more than")]),
        ("At least 12 people were killed.", [Quantity("12", 12, "people", "at least")]),
        ("Three towns were flooded.", [Quantity("Three", 3, "town", None)]),
        ("3 towns were flooded.", [Quantity("3", 3, "town", None)]),
        ("It has not been inspected for ten years.", [Quantity("ten", 10, "year", None)]),
        ("Damage reached 300 million euros.", [Quantity("300 million", 3e8, "eur", None)]),
        ("It cost $3.5 million.", [Quantity("$3.5 million", 3.5e6, "usd", None)]),
        ("Prices rose 5%.", [Quantity("5%", 5, "percent", None)]),
        ("It holds water for two hydroelectric plants.", [Quantity("two", 2, "plant", None)]),
        ("No one was hurt in 1962.", []),
        ("", []),
    ],
)
def test_find_quantities(text: str, expected: list[Quantity]) -> None:
    assert [q for _, q in find_quantities(text)] == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("The dam collapsed on Tuesday.", WEDNESDAY, ["2026-03-03"]),
        ("The dam collapsed on Wednesday.", WEDNESDAY, ["2026-03-04"]),
        ("Talks will resume on Friday.", WEDNESDAY, ["2026-03-06"]),
        ("Talks ended last Wednesday.", WEDNESDAY, ["2026-02-25"]),
        ("It happened earlier this week.", WEDNESDAY, ["2026-03-02/2026-03-04"]),
        ("It happened last week.", WEDNESDAY, ["2026-02-23/2026-03-01"]),
        ("It was inspected last year.", WEDNESDAY, ["2025"]),
        ("They left yesterday.", WEDNESDAY, ["2026-03-03"]),
        ("They left overnight.", WEDNESDAY, ["2026-03-03/2026-03-04"]),
        ("It opened two days ago.", WEDNESDAY, ["2026-03-02"]),
        ("Talks are planned for March 12.", WEDNESDAY, ["2026-03-12"]),
        ("Talks ended on 4 March 2025.", None, ["2025-03-04"]),
        ("It was built in 1962.", None, ["1962"]),
        ("It opened in May 2024.", None, ["2024-05"]),
        ("It may open soon.", WEDNESDAY, []),
    ],
)
def test_find_dates_resolved(text: str, today: dt.date | None, expected: list[str]) -> None:
    assert [ref.iso for ref in find_dates(text, today)] == expected


@pytest.mark.parametrize("text", ["It happened on Tuesday.", "It happened earlier this week.", "It happened yesterday."])
def test_relative_dates_without_a_document_date_stay_unresolved(text: str) -> None:
    (ref,) = find_dates(text, None)
    assert (ref.iso, ref.relative) == (None, True)
    assert normalize(text).unresolved_dates == (ref.text,)


@pytest.mark.parametrize(
    ("iso", "first", "last"),
    [
        ("2026-03-04", dt.date(2026, 3, 4), dt.date(2026, 3, 4)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2026-03-02/2026-03-04", dt.date(2026, 3, 2), dt.date(2026, 3, 4)),
    ],
)
def test_date_range(iso: str, first: dt.date, last: dt.date) -> None:
    assert date_range(iso) == (first, last)


@pytest.mark.parametrize(
    ("statement", "verb", "expected"),
    [
        ("Sending troops remains on the table.", None, ("possible", "positive")),
        ("The government has not ruled out a state of emergency.", None, ("possible", "positive")),
        ("We will not send army troops.", None, ("ruled_out", "negative")),
        ("The minister ruled out sending troops.", None, ("ruled_out", "negative")),
        ("The state would not pay for rebuilding homes.", None, ("ruled_out", "negative")),
        ("Troops were sent to the valley.", "denied", ("denied", "negative")),
        ("The dam may have been weakened.", None, ("hedged", "positive")),
        ("The agency expects the river to peak on Friday.", None, ("expected", "positive")),
        ("The government would pay for every home.", None, ("expected", "positive")),
        ("The dam had not been inspected for ten years.", None, ("asserted", "negative")),
        ("The dam collapsed on Tuesday.", None, ("asserted", "positive")),
    ],
)
def test_modality(statement: str, verb: str | None, expected: tuple[str, str]) -> None:
    label, polarity, cues = modality(statement, verb)
    assert (label, polarity) == expected
    assert bool(cues) == (label != "asserted")


def test_modality_rule_names_are_unique() -> None:
    names = [name for name, _ in MODALITY_RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("statement", "normalized"),
    [
        (
            "About 15,000 residents were evacuated overnight.",
            "About 15000 residents were evacuated 2026-03-03/2026-03-04.",
        ),
        ("The dam collapsed on Tuesday, flooding three towns.", "The dam collapsed on 2026-03-03, flooding 3 towns."),
        ("The dam was built in 1962.", "The dam was built in 1962."),
        ("It cost $3 million.", "It cost 3000000 USD."),
        ("The May meeting was cancelled.", "The May meeting was cancelled."),
    ],
)
def test_normalized_text(statement: str, normalized: str) -> None:
    assert normalize(statement, WEDNESDAY).text == normalized


def test_three_and_3_normalise_alike_and_3_and_5_do_not() -> None:
    three = normalize("Three towns were flooded.", WEDNESDAY)
    digits = normalize("3 towns were flooded.", WEDNESDAY)
    five = normalize("5 towns were flooded.", WEDNESDAY)
    assert three.text == digits.text
    assert three.quantities[0].value == digits.quantities[0].value != five.quantities[0].value


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The dam was inspected.", "The dams had been inspected."),
        ("The state would pay for homes.", "The state pays for every home."),
    ],
)
def test_content_words_meet_across_inflection(a: str, b: str) -> None:
    assert content_words(a) == content_words(b)


def test_content_words_numbers_only_when_asked() -> None:
    assert content_words("Three towns, 4,200 homes") == {"town", "hom"}
    assert content_words("Three towns, 4,200 homes", numbers=True) == {"town", "hom", "3", "4200"}
