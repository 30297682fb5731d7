"""Tests for context: people found, speakers keyed, pronouns and short references resolved or flagged."""

from __future__ import annotations

import pytest

from contradict.claims.context import GROUP_HEADS, PERSON_HEADS, DocumentContext, find_people, speaker_key


@pytest.mark.parametrize(
    ("sentence", "mentions"),
    [
        ("Defence Minister Tomas Reyes visited Orna.", ["Defence Minister Tomas Reyes"]),
        ("Russian President Vladimir Putin met Chancellor Olaf Brand.", ["Russian President Vladimir Putin", "Chancellor Olaf Brand"]),
        ("U.S. Secretary of State Marco Rubio spoke.", ["U.S. Secretary of State Marco Rubio"]),
        ("Tomas Reyes, the defence minister, arrived.", ["Tomas Reyes"]),
        ("Tomas Reyes met Mayor Piet Osei.", ["Mayor Piet Osei", "Tomas Reyes"]),
        ("Santa Luz was closed on Monday.", []),
        ("Kessel Energy built the dam.", []),
        ("The dam collapsed.", []),
    ],
)
def test_find_people(sentence: str, mentions: list[str]) -> None:
    assert [p.mention for p in find_people(sentence)] == mentions


@pytest.mark.parametrize(
    ("speaker", "key"),
    [
        ("Defence Minister Tomas Reyes", "reyes"),
        ("Reyes", "reyes"),
        ("the civil protection agency", "civil protection agency"),
        ("The civil protection agency", "civil protection agency"),
        ("he", None),
        (None, None),
        ("", None),
    ],
)
def test_speaker_key(speaker: str | None, key: str | None) -> None:
    assert speaker_key(speaker) == key


def read(*sentences: str, speakers: tuple[str | None, ...] = ()) -> DocumentContext:
    """A context that has read the sentences (with their speakers, when given)."""
    context = DocumentContext()
    for index, sentence in enumerate(sentences):
        speaker = speakers[index] if index < len(speakers) else None
        context.observe(sentence, speaker, sentence)
    return context


def test_pronoun_speaker_resolves_to_the_only_person_nearby() -> None:
    context = read("Defence Minister Tomas Reyes visited Orna on Wednesday.")
    resolved = context.resolve("The army would build bridges.", "He", quoted=False, attributed=True)
    assert resolved.speaker_resolved == "Defence Minister Tomas Reyes"
    assert resolved.statement == "The army would build bridges."
    assert resolved.flags == ()


def test_pronoun_speaker_with_two_candidates_is_flagged() -> None:
    context = read("Tomas Reyes met Mayor Piet Osei on Wednesday.")
    resolved = context.resolve("The dam had been safe.", "He", quoted=False, attributed=True)
    assert resolved.speaker_resolved is None
    assert resolved.flags == ("unresolved_speaker",)


def test_gender_from_titles_separates_candidates() -> None:
    context = read("Mrs. Anna Berg met Mr. Piet Osei on Wednesday.")
    assert context.pronoun("she").mention == "Mrs. Anna Berg"
    assert context.pronoun("he").mention == "Mr. Piet Osei"


def test_pronoun_window_forgets_old_mentions() -> None:
    context = read("Defence Minister Tomas Reyes visited Orna.", "The river rose.", "Rain fell.", "Roads closed.", "Trains stopped.")
    assert context.pronoun("he") is None


@pytest.mark.parametrize(
    ("statement", "speaker", "expected"),
    [
        ("It would reopen the bridge.", "Russia", "Russia would reopen the bridge."),
        ("He would resign.", "Lavrov", "Foreign Minister Sergei Lavrov would resign."),
        ("His ministry would pay.", "Lavrov", "Foreign Minister Sergei Lavrov's ministry would pay."),
        ("They were exhausted.", "the rescuers", "The rescuers were exhausted."),
        ("He would resign.", "the ministry", "He would resign."),
    ],
)
def test_indirect_speech_pronoun_is_the_speaker(statement: str, speaker: str, expected: str) -> None:
    context = read("Foreign Minister Sergei Lavrov spoke.") if speaker == "Lavrov" else DocumentContext()
    assert context.resolve(statement, speaker, quoted=False, attributed=True).statement == expected


def test_indirect_speech_pronoun_with_another_person_near_is_flagged_not_guessed() -> None:
    context = read("President Donald Trump spoke on Friday.", "Ms Marine Le Pen won the first round on Sunday.")
    resolved = context.resolve("She was the strongest on borders.", "Trump", quoted=False, attributed=True)
    assert resolved.statement == "She was the strongest on borders."  # not 'President Donald Trump was the strongest ...'
    assert "unresolved_pronoun" in resolved.flags
    alone = read("President Donald Trump spoke on Friday.")  # no one else near: the speaker
    assert alone.resolve("He was the strongest on borders.", "Trump", quoted=False, attributed=True).statement == (
        "President Donald Trump was the strongest on borders."
    )


def test_quoted_first_person_is_kept_without_flags() -> None:
    resolved = DocumentContext().resolve("We will not send troops.", "Lavrov", quoted=True, attributed=True)
    assert (resolved.statement, resolved.flags) == ("We will not send troops.", ())


def test_subject_pronoun_resolved_or_flagged() -> None:
    context = read("Prime Minister Elena Vos flew to Orna.")
    assert context.resolve("She ordered an inquiry.", None, quoted=False, attributed=False).statement == (
        "Prime Minister Elena Vos ordered an inquiry."
    )
    lonely = DocumentContext().resolve("He ordered an inquiry.", None, quoted=False, attributed=False)
    assert (lonely.statement, lonely.flags) == ("He ordered an inquiry.", ("unresolved_pronoun",))


def test_it_takes_the_previous_subject_unless_expletive() -> None:
    context = read("The Kessel dam collapsed on Tuesday.")
    assert context.resolve("It was built in 1962.", None, quoted=False, attributed=False).statement == (
        "The Kessel dam was built in 1962."
    )
    expletive = context.resolve("It is unclear whether the dam was inspected.", None, quoted=False, attributed=False)
    assert (expletive.statement, expletive.flags) == ("It is unclear whether the dam was inspected.", ())


@pytest.mark.parametrize(
    ("context_sentence", "reference", "expected"),
    [
        ("Russian President Vladimir Putin met Chancellor Olaf Brand.", "The Russian leader", "Russian President Vladimir Putin"),
        ("Russian President Vladimir Putin met Chancellor Olaf Brand.", "The chancellor", "Chancellor Olaf Brand"),
        ("Interior Minister Anna Berg spoke in Kessel.", "the minister", "Interior Minister Anna Berg"),
        ("President Ana Ruiz met Prime Minister Elena Vos.", "The leader", None),
    ],
)
def test_short_reference_speaker(context_sentence: str, reference: str, expected: str | None) -> None:
    resolved = read(context_sentence).resolve("The talks had failed.", reference, quoted=False, attributed=True)
    assert resolved.speaker_resolved == expected
    assert resolved.flags == (() if expected else ("unresolved_speaker",))


def test_short_reference_subject_is_replaced() -> None:
    context = read("President Ana Ruiz returned to the capital.")
    resolved = context.resolve("The president ordered troops to the border.", None, quoted=False, attributed=False)
    assert resolved.statement == "President Ana Ruiz ordered troops to the border."


def test_descriptive_group_speaker_needs_no_resolution() -> None:
    resolved = DocumentContext().resolve("Bridges will be built.", "the defence ministry", quoted=False, attributed=True)
    assert resolved.flags == ()


@pytest.mark.parametrize("statement", ["This is a disaster for the valley.", "The wind has changed that."])
def test_vague_references_are_flagged(statement: str) -> None:
    assert "vague_reference" in DocumentContext().resolve(statement, "Costa", quoted=True, attributed=True).flags


def test_head_tables_do_not_overlap() -> None:
    assert not set(PERSON_HEADS) & GROUP_HEADS
