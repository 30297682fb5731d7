"""Tests for claim extraction: segmentation, noise rules, attribution, languages, ids."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from contradict.claims.extract import (
    CHECKWORTHY_RULES,
    NOISE_RULES,
    SENTENCE_NOISE_RULES,
    Attribution,
    DocumentClaims,
    Dropped,
    ExtractOptions,
    checkworthiness,
    extract_claims,
    find_attribution,
    noise_reason,
    split_sentences,
)
from contradict.errors import UsageError
from contradict.records import Document

NORMAL = "The ministry said 3,000 troops were deployed."


def make_doc(text: str, doc_id: str = "d1") -> Document:
    """A Document around text."""
    return Document(
        id=doc_id, path=f"{doc_id}.txt", title="t", date=None, text=text, content_hash="h"
    )


def statements(result: DocumentClaims) -> list[str]:
    """The statements of a result, in order."""
    return [claim.statement for claim in result.claims]


def reasons(result: DocumentClaims, text: str) -> list[tuple[str, str]]:
    """(reason, dropped text) for each dropped span of a result."""
    return [(d.reason, text[d.span[0] : d.span[1]]) for d in result.dropped]


# ---------------------------------------------------------------- segmentation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  \n\n \t\n", []),
        ("One sentence only.", ["One sentence only."]),
        (
            '"We will not," Gen. Smith said. He left.',
            ['"We will not," Gen. Smith said.', "He left."],
        ),
        (
            "The U.S. Army said it would leave. He left.",
            ["The U.S. Army said it would leave.", "He left."],
        ),
        (
            "Adm. John Aquilino said the fleet was ready.",
            ["Adm. John Aquilino said the fleet was ready."],
        ),
        (
            "Mr. Smith met Mrs. Jones at 5 p.m. on Tuesday. They talked.",
            ["Mr. Smith met Mrs. Jones at 5 p.m. on Tuesday.", "They talked."],
        ),
        (
            "Lt. Col. Sgt. Jones arrived. Sen. Warren and Rep. Ocasio-Cortez spoke.",
            ["Lt. Col. Sgt. Jones arrived.", "Sen. Warren and Rep. Ocasio-Cortez spoke."],
        ),
        # pysbd splits after "Pres."; the title repair joins it back.
        (
            "They met Pres. Zelenskiy in Kyiv on Monday. He was there.",
            ["They met Pres. Zelenskiy in Kyiv on Monday.", "He was there."],
        ),
        # pysbd splits after "D-Calif."; a piece starting with a comma is a continuation.
        (
            "Rep. Adam Schiff, D-Calif., said the bill failed. Others agreed.",
            ["Rep. Adam Schiff, D-Calif., said the bill failed.", "Others agreed."],
        ),
        ("He left at 5 a.m. Monday. Fine.", ["He left at 5 a.m. Monday.", "Fine."]),
        (
            "The meeting was at 3 p.m. Officials said it was fine.",
            ["The meeting was at 3 p.m.", "Officials said it was fine."],
        ),
        (
            'Lavrov said: "We will not send troops. We never planned to." The talks failed.',
            ['Lavrov said: "We will not send troops. We never planned to."', "The talks failed."],
        ),
        (
            "“Is it over?” he asked. “Yes,” she said.",
            ["“Is it over?” he asked.", "“Yes,” she said."],
        ),
        # pysbd keeps these together; split after a closing quote before a capital.
        ('He said "Yes." "No." He left.', ['He said "Yes."', '"No."', "He left."]),
        ("He said: ‘We are ready.’ Then he left.", ["He said: ‘We are ready.’", "Then he left."]),
        # one paragraph per line, blank lines or not
        (
            "First line here.\nSecond line here.\n\n  Third.  ",
            ["First line here.", "Second line here.", "Third."],
        ),
        ("A title\r\nBody text.", ["A title", "Body text."]),
        # a hard-wrapped line that continues in lower case stays one sentence
        (
            "The ministry said 3,000 troops\nwere deployed.",
            ["The ministry said 3,000 troops\nwere deployed."],
        ),
        ("It rained. It rained. It rained.", ["It rained.", "It rained.", "It rained."]),
        # ambiguous "U.S." + capital: left to pysbd, which splits
        (
            "Troops arrived in the U.S. He said nothing.",
            ["Troops arrived in the U.S.", "He said nothing."],
        ),
        ("The U.S. Defense Department said so.", ["The U.S. Defense Department said so."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    spans = split_sentences(text)
    assert [text[start:end] for start, end in spans] == expected
    assert all(text[start:end] == text[start:end].strip() for start, end in spans)
    assert spans == sorted(spans)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two.  One. ", ["One. ", "One. "]),  # a repeated sentence: the next occurrence
        ("a a a", ["a", "a", "a", "a"]),  # one more than the text holds: left out
        ("x.\u00a0\u2009\x1c y.", ["x.", "y."]),  # every kind of whitespace \s takes
        ("Yes. No.", ["Maybe.", "No."]),  # not in the text: left out
        ("ab ab", ["ab ab", "ab"]),  # no occurrence after the previous one
        ("", ["a"]),
    ],
)
def test_sentence_spans_are_pysbds(text: str, sentences: list[str]) -> None:
    """_find_spans returns what pysbd's regular-expression search for each sentence returns."""
    import pysbd

    from contradict.claims.extract import _find_spans

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    segmenter.original_text = text
    expected = [(s.sent, s.start, s.end) for s in segmenter.sentences_with_char_spans(sentences)]
    assert _find_spans(text, sentences) == expected


# ---------------------------------------------------------------- noise rules


@pytest.mark.parametrize(
    ("reason", "line"),
    [
        ("heading", "# Russia rules out troops"),
        ("heading", "### Background"),
        ("heading", "Russia rules out sending troops to Ukraine"),
        ("heading", "Lavrov Says Russia Will Not Send Troops."),
        ("slug", "UKRAINE-CRISIS/TROOPS"),
        ("slug", "UKRAINE-CRISIS/TROOPS (UPDATE 2)"),
        ("slug", "SLUG: ukraine troops"),
        ("slug", "ukraine-troops-2026-03-04"),
        ("slug", "https://example.com/world/ukraine-troops"),
        ("byline", "By Jane Doe"),
        ("byline", "BY JANE DOE"),
        ("byline", "By Jane Doe and John Roe, Reuters"),
        ("byline", "By Jane Doe | March 4, 2026"),
        ("byline", "Reporting by Pavel Polityuk; Editing by Alex Richardson"),
        ("byline", "(Writing by Jane Doe; Editing by John Roe)"),
        ("byline", "Additional reporting by Jane Doe in Moscow"),
        ("photo_credit", "Photo: Russian troops near the border."),
        ("photo_credit", "Russian troops near the border. (Photo by John Smith/Getty Images)"),
        ("photo_credit", "Credit: Jane Doe"),
        ("photo_credit", "Image: Reuters"),
        ("photo_credit", "Troops stand near the border. Jane Doe/Reuters"),
        ("photo_credit", "Troops stand near the border. REUTERS/Maxim Shemetov"),
        ("photo_credit", "Troops stand near the border. AP Photo/Evgeniy Maloletka"),
        ("photo_credit", "Troops stand near the border. Getty Images"),
        ("photo_credit", "Russian troops at the border in a file photo."),
        ("share_prompt", "Share this"),
        ("share_prompt", "Share this article"),
        ("share_prompt", "Share on Facebook"),
        ("share_prompt", "Tweet"),
        ("share_prompt", "Email"),
        ("share_prompt", "Copy link"),
        ("share_prompt", "Print"),
        ("share_prompt", "Follow us on Telegram and Instagram"),
        ("share_prompt", "Share | Tweet | Email | Print"),
        ("share_prompt", "Facebook Twitter LinkedIn Email"),
        ("comment_prompt", "Leave a comment"),
        ("comment_prompt", "Comments (12)"),
        ("comment_prompt", "Join the conversation"),
        ("comment_prompt", "What do you think? Tell us in the comments."),
        ("comment_prompt", "Sign in to comment"),
        ("comment_prompt", "Subscribe to our newsletter"),
        ("comment_prompt", "Subscribe to our daily newsletter for the latest news."),
        ("navigation", "Home › World › Europe"),
        ("navigation", "News | World | Business | Sport"),
        ("navigation", "Home » Europe » Ukraine"),
        ("navigation", "Politics · Economy · Culture"),
        ("navigation", "Home > World > Europe"),
        ("navigation", "Related:"),
        ("navigation", "Related: Ukraine says talks with Russia have stalled"),
        ("navigation", "Read more: Ukraine says talks with Russia have stalled"),
        ("navigation", "Related articles"),
        ("navigation", "Most read"),
        ("navigation", "Advertisement"),
        ("navigation", "Skip to content"),
        ("navigation", "We use cookies to improve your experience on our site. Accept all cookies"),
        ("photo_credit", "Image source, Coastal Post / Marta Ribeiro"),
        ("source_line", "Source: Valdora civil protection agency"),
        ("source_line", "Sources: Reuters, AFP"),
        ("source_line", "via AFP"),
        ("source_line", "(AFP)"),
        ("source_line", "Reuters contributed to this report."),
        ("source_line", "This article was originally published by The Herald."),
        ("source_line", "With reporting from AFP"),
        ("editor_note", "Editor's note: This story has been updated."),
        ("editor_note", "Correction: An earlier version misstated the toll."),
        ("copyright", "Copyright 2026 The Associated Press. All rights reserved."),
        ("copyright", "© 2026 Reuters"),
        ("copyright", "This material may not be published, broadcast, rewritten or redistributed."),
        ("dateline_only", "Published March 4, 2026"),
        ("dateline_only", "Updated: March 4, 2026 10:30 GMT"),
        ("dateline_only", "Last updated 2 hours ago"),
        ("dateline_only", "March 4, 2026"),
        ("dateline_only", "Tuesday, March 4, 2026"),
        ("dateline_only", "4 March 2026 10:30"),
        ("dateline_only", "10:30 a.m. ET"),
        ("dateline_only", "Date: 04/03/2026"),
        ("dateline_only", "First published on Tuesday 4 March 2026"),
    ],
)
def test_noise_rule_positive(reason: str, line: str) -> None:
    assert noise_reason(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        NORMAL,
        "By Monday, troops had left the city of Kharkiv.",
        "Share prices fell 5% on Monday after the announcement.",
        "Photos taken by residents showed damaged buildings.",
        "Getty Images said it would cut 100 jobs this year.",
        "Related talks in Geneva collapsed on Monday evening.",
        "Home prices rose for a third month in March.",
        "Comments by the minister angered officials in Kyiv.",
        "Email records show the plan was approved in March.",
        "The talks were published on March 4, 2026, after a long delay.",
        "Lavrov said: “We will not send troops.”",
        "NATO-led troops arrived in the region on Monday.",
        "Updated figures show 3,000 troops died in March.",
        "Posted guards stopped 12 trucks on Monday.",
        "The copyright dispute reached the court in March.",
        "Foreign Minister Sergei Lavrov spoke to reporters.",
        "Sources said the talks had failed on Monday.",
        "The correction of the river's course took ten years.",
    ],
)
def test_noise_rules_keep_normal_sentences(line: str) -> None:
    assert noise_reason(line) is None
    assert noise_reason(line, SENTENCE_NOISE_RULES) is None


@pytest.mark.parametrize(("reason", "predicate"), NOISE_RULES, ids=[r for r, _ in NOISE_RULES])
def test_every_rule_rejects_a_normal_sentence(
    reason: str, predicate: Callable[[str], bool]
) -> None:
    assert not predicate(NORMAL)


def test_rule_table_reasons_are_unique_and_sentence_rules_a_subset() -> None:
    names = [reason for reason, _ in NOISE_RULES]
    assert len(names) == len(set(names))
    assert set(SENTENCE_NOISE_RULES) <= set(NOISE_RULES)
    assert "heading" not in dict(SENTENCE_NOISE_RULES)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Is this the end of the talks?", "question"),
        ('"Are you sure this will work?" he asked.', "question"),
        ("He left town.", "too_short"),
        ('"No," he said.', "too_short"),
        ("The talks " + "went on and on " * 30 + "until Monday.", "too_long"),
    ],
)
def test_sentence_level_drops(text: str, reason: str) -> None:
    result = extract_claims(make_doc(text))
    assert result.claims == ()
    assert [d.reason for d in result.dropped] == [reason]
    assert result.dropped[0].span == (0, len(text))


def test_length_limits_follow_options() -> None:
    text = "Troops left the border region."
    assert statements(extract_claims(make_doc(text), ExtractOptions(min_words=6))) == []
    assert statements(extract_claims(make_doc(text), ExtractOptions(max_words=4))) == []
    assert statements(extract_claims(make_doc(text), ExtractOptions(min_words=5, max_words=5))) == [
        text
    ]


@pytest.mark.parametrize(
    "kwargs", [{"min_words": 0}, {"min_words": 10, "max_words": 5}, {"language": "English"}]
)
def test_bad_options_raise_usage_error(kwargs: dict) -> None:
    with pytest.raises(UsageError):
        ExtractOptions(**kwargs)


# ---------------------------------------------------------------- attribution


@pytest.mark.parametrize(
    ("sentence", "speaker", "verb", "statement"),
    [
        ('"We will not send troops," Lavrov said.', "Lavrov", "said", "We will not send troops."),
        ('"We will not send troops," said Lavrov.', "Lavrov", "said", "We will not send troops."),
        (
            '"We will not send troops," Foreign Minister Sergei Lavrov told reporters on Tuesday.',
            "Foreign Minister Sergei Lavrov",
            "told",
            "We will not send troops.",
        ),
        (
            "“We will not send troops,” said Lavrov on Tuesday.",
            "Lavrov",
            "said",
            "We will not send troops.",
        ),
        (
            '"It is over for us," he said, adding that talks would resume.',
            "he",
            "said",
            "It is over for us.",
        ),
        ('"He said it will not work," Smith said.', "Smith", "said", "He said it will not work."),
        ("Lavrov said the talks had failed.", "Lavrov", "said", "The talks had failed."),
        ("Lavrov said that the talks had failed.", "Lavrov", "said", "The talks had failed."),
        (
            "The White House said on Monday that the talks had failed.",
            "The White House",
            "said",
            "The talks had failed.",
        ),
        ('Lavrov said: "We will not send troops."', "Lavrov", "said", "We will not send troops."),
        (
            "Gen. Smith, the army chief, said the troops would stay.",
            "Gen. Smith",
            "said",
            "The troops would stay.",
        ),
        ("He said it will not work.", "He", "said", "It will not work."),
        (
            "According to Lavrov, the talks had failed.",
            "Lavrov",
            "according to",
            "The talks had failed.",
        ),
        (
            "The talks had failed, according to the Kremlin.",
            "the Kremlin",
            "according to",
            "The talks had failed.",
        ),
        (
            "The talks had failed, according to officials on Monday.",
            "officials",
            "according to",
            "The talks had failed.",
        ),
        (
            "Troops were deployed at dawn, the ministry said in a statement.",
            "the ministry",
            "said",
            "Troops were deployed at dawn.",
        ),
        (
            "Troops were deployed at dawn, said officials in Kyiv.",
            "officials in Kyiv",
            "said",
            "Troops were deployed at dawn.",
        ),
        (
            "Russia's foreign ministry said the talks had failed.",
            "Russia's foreign ministry",
            "said",
            "The talks had failed.",
        ),
        (
            "A spokesperson for the ministry denied that troops were sent there.",
            "A spokesperson for the ministry",
            "denied",
            "Troops were sent there.",
        ),
        # a denial of reports, claims or rumours: 'reports' is not the reporting verb
        ("The minister denied reports that troops had been sent.", "The minister", "denied", "Troops had been sent."),
        (
            "Yorkville Endoscopy issued a statement last Thursday denying reports that a biopsy was done at the clinic.",
            "Yorkville Endoscopy",
            "denied",
            "A biopsy was done at the clinic.",
        ),
        ("Officials dismissed claims that the dam was unsafe.", "Officials", "dismissed", "The dam was unsafe."),
        ("IBM has denied rumors that it is going to cut jobs.", "IBM", "denied", "IBM is going to cut jobs."),
        (
            "U.S. Secretary of State Marco Rubio warned that sanctions would follow soon.",
            "U.S. Secretary of State Marco Rubio",
            "warned",
            "Sanctions would follow soon.",
        ),
        (
            "Zelenskiy wrote on Telegram that the attack killed 12 people.",
            "Zelenskiy",
            "wrote",
            "The attack killed 12 people.",
        ),
        ("Officials say the border is closed.", "Officials", "say", "The border is closed."),
        ("On Monday, Lavrov said the talks had failed.", "Lavrov", "said", "The talks had failed."),
        (
            "Lavrov also said on Tuesday that troops would stay there.",
            "Lavrov",
            "said",
            "Troops would stay there.",
        ),
        (
            '"We are not looking for a fight," Defense Secretary Lloyd Austin told reporters at '
            "the Pentagon.",
            "Defense Secretary Lloyd Austin",
            "told",
            "We are not looking for a fight.",
        ),
        (
            "Sen. Jim Risch, R-Idaho, the top Republican on the committee, said the deployment "
            'was "long overdue."',
            "Sen. Jim Risch",
            "said",
            'The deployment was "long overdue."',
        ),
        (
            'The Pentagon said it would send troops, a move Moscow called "a provocation."',
            "The Pentagon",
            "said",
            'The Pentagon would send troops, a move Moscow called "a provocation."',
        ),
        (
            "Russian President Vladimir Putin told reporters the talks had failed.",
            "Russian President Vladimir Putin",
            "told",
            "The talks had failed.",
        ),
        (
            "The ministry confirmed: “Troops   were deployed at dawn.”",
            "The ministry",
            "confirmed",
            "Troops were deployed at dawn.",
        ),
        # split quotes, mid-sentence attribution, noun-phrase speakers of any head
        ('"We will not," Lavrov said, "send troops."', "Lavrov", "said", "We will not send troops."),
        ("“We are ready,” she said, “and we will stay.”", "she", "said", "We are ready and we will stay."),
        ("The troops, he said, were tired.", "he", "said", "The troops were tired."),
        ("The dam, officials said on Monday, was never inspected.", "officials", "said", "The dam was never inspected."),
        (
            "Engineers at the national water authority said the dam had not been inspected.",
            "Engineers at the national water authority",
            "said",
            "The dam had not been inspected.",
        ),
        (
            "The gates were jammed, workers at the plant said.",
            "workers at the plant",
            "said",
            "The gates were jammed.",
        ),
        (
            "Residents who stayed behind said the water rose within minutes.",
            "Residents who stayed behind",
            "said",
            "The water rose within minutes.",
        ),
        (
            "People living near the dam told reporters the water came fast.",
            "People living near the dam",
            "told",
            "The water came fast.",
        ),
        (
            "Officials said earlier this week that no evacuation would be needed.",
            "Officials",
            "said",
            "No evacuation would be needed.",
        ),
        (
            '"We can no longer guarantee safety," Costa said in a video posted online.',
            "Costa",
            "said",
            "We can no longer guarantee safety.",
        ),
        (
            "Two firefighters were injured, the fire service said, bringing the total to seven.",
            "the fire service",
            "said",
            "Two firefighters were injured.",
        ),
    ],
)
def test_attribution(sentence: str, speaker: str, verb: str, statement: str) -> None:
    found = find_attribution(sentence)
    assert found is not None
    assert (found.speaker, found.verb) == (speaker, verb)
    result = extract_claims(make_doc(sentence))
    assert [(c.speaker, c.reporting_verb, c.statement) for c in result.claims] == [
        (speaker, verb, statement)
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        NORMAL.replace("The ministry said", "Officials in Kyiv counted"),
        "The company reported a loss of $3 million.",
        "The White House said nothing about the troops.",
        "Troops left the city after officials said the talks failed.",
        "Sergei Lavrov met Antony Blinken in Geneva on Monday.",
        "Documents reported by Reuters show the plan failed.",
        "Lavrov told reporters.",
        "He said no.",
        "Troops who said the war was over went home.",
        "Troops left after the minister, who said little, flew home.",
        "The minister who said the dam was safe has resigned.",
    ],
)
def test_no_attribution(sentence: str) -> None:
    assert find_attribution(sentence) is None


def test_attribution_content_span_is_relative_to_sentence() -> None:
    sentence = '"We will not send troops," Lavrov said.'
    found = find_attribution(sentence)
    assert found == Attribution("Lavrov", "said", (1, 25))
    assert sentence[1:25] == "We will not send troops,"


def test_unattributed_statement_is_normalised_but_text_is_exact() -> None:
    text = "Troops   were seen near the “border”  on Monday."
    (claim,) = extract_claims(make_doc(text)).claims
    assert claim.text == text
    assert claim.statement == 'Troops were seen near the "border" on Monday.'
    assert (claim.speaker, claim.reporting_verb) == (None, None)


def test_whole_quote_continues_previous_speaker_in_paragraph_only() -> None:
    text = (
        '"We will not send troops," Lavrov said. "There is no need for that."\n'
        '"It was a fine day for everyone."'
    )
    result = extract_claims(make_doc(text))
    assert [(c.speaker, c.statement) for c in result.claims] == [
        ("Lavrov", "We will not send troops."),
        ("Lavrov", "There is no need for that."),
        (None, '"It was a fine day for everyone."'),
    ]


def test_split_quote_statement_joins_both_parts_and_span_is_the_sentence() -> None:
    text = '"We will not," Lavrov said, "send troops."'
    found = find_attribution(text)
    assert found == Attribution("Lavrov", "said", (1, 12), (29, 41))
    (claim,) = extract_claims(make_doc(text)).claims
    assert (claim.statement, claim.span, claim.modality) == ("We will not send troops.", (0, len(text)), "ruled_out")


# ---------------------------------------------------------------- datelines, dedup, ids, spans


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        (
            "KYIV, March 4 (Reuters) - Troops left the border region.",
            "Troops left the border region.",
        ),
        ("WASHINGTON (AP) — Troops left the border region.", "Troops left the border region."),
        ("Kyiv, Ukraine (AP) — Troops left the border region.", "Troops left the border region."),
        ("LONDON — Troops left the border region.", "Troops left the border region."),
        ("(Reuters) - Troops left the border region.", "Troops left the border region."),
        ("KESSEL, Valdora, March 4 (Wire) - Troops left the region.", "Troops left the region."),
        (
            "KYIV, March 4 (Reuters) - Russia said on Tuesday it would not send troops.",
            "Russia would not send troops.",
        ),
        ("Russia - a key player - said little.", "Russia - a key player - said little."),
        (
            "NATO — the alliance — stayed out of the talks.",
            "NATO — the alliance — stayed out of the talks.",
        ),
    ],
)
def test_dateline_stripped_from_statement_not_span(text: str, statement: str) -> None:
    (claim,) = extract_claims(make_doc(text)).claims
    assert claim.statement == statement
    assert claim.span == (0, len(text))
    assert claim.text == text


def test_dateline_only_stripped_from_first_sentence_of_paragraph() -> None:
    text = "Troops left on Monday. LONDON — Troops returned on Tuesday."
    assert statements(extract_claims(make_doc(text))) == [
        "Troops left on Monday.",
        "LONDON — Troops returned on Tuesday.",
    ]


def test_near_duplicates_keep_first() -> None:
    text = (
        "Lavrov said the talks had failed.\n"
        "THE TALKS HAD FAILED, Lavrov said.\n"
        "“The talks   had failed,” he said."
    )
    result = extract_claims(make_doc(text))
    assert [(c.statement, c.span) for c in result.claims] == [("The talks had failed.", (0, 33))]
    assert [d.reason for d in result.dropped] == ["duplicate", "duplicate"]


def test_claim_ids_count_from_one_in_document_order() -> None:
    text = (
        "Troops left the border region.\nShare this\n"
        "Troops returned to the border.\nTanks were seen near Kharkiv."
    )
    result = extract_claims(make_doc(text, doc_id="news-7"))
    assert [c.id for c in result.claims] == ["news-7:c1", "news-7:c2", "news-7:c3"]
    assert all(c.doc_id == "news-7" for c in result.claims)
    assert [c.span[0] for c in result.claims] == sorted(c.span[0] for c in result.claims)


# ---------------------------------------------------------------- languages

SPANISH = "El ministerio dijo que tres mil soldados fueron desplegados en la frontera con Ucrania."
GERMAN = "Das Ministerium sagte, dass dreitausend Soldaten an der Grenze stationiert wurden."
ENGLISH_BODY = (
    "Russian troops were deployed near the border with Ukraine on Monday, officials said.\n"
    "The ministry said the troops would stay in the region for several weeks.\n"
    "Sergei Lavrov met Antony Blinken in Geneva on Monday.\n"
    "Brent crude rose 2% to $85 a barrel.\n"
    "Tanks were seen near Bakhmut and Avdiivka.\n"  # langdetect: Afrikaans, 0.99999
)


@pytest.mark.parametrize("foreign", [SPANISH, GERMAN])
def test_other_language_paragraph_dropped_whole(foreign: str) -> None:
    text = ENGLISH_BODY + foreign
    result = extract_claims(make_doc(text))
    assert result.language == "en"
    assert len(result.claims) == 5  # name-heavy and short English lines survive
    assert reasons(result, text) == [("other_language", foreign)]


def test_other_language_kept_when_not_dropping() -> None:
    text = ENGLISH_BODY + SPANISH
    result = extract_claims(make_doc(text), ExtractOptions(drop_other_languages=False))
    assert len(result.claims) == 6
    assert result.dropped == ()


def test_given_language_overrides_detection() -> None:
    english = ENGLISH_BODY.splitlines()[:2]
    text = "\n".join([*english, SPANISH])
    result = extract_claims(make_doc(text), ExtractOptions(language="es"))
    assert result.language == "en"
    assert statements(result) == [SPANISH]
    assert reasons(result, text) == [("other_language", line) for line in english]


def test_function_words_settle_an_english_document_without_langdetect(monkeypatch: pytest.MonkeyPatch) -> None:
    from contradict.claims import extract as extract_module

    asked: list[str] = []
    real = extract_module._language_probs
    monkeypatch.setattr(extract_module, "_language_probs", lambda text: asked.append(text) or real(text))
    english = " ".join([ENGLISH_BODY.replace("\n", " ")] * 2)
    assert extract_module.detect_language(english) == "en" and asked == []
    # too few words, or too few English function words: langdetect decides
    assert extract_module.detect_language("The ministry said so.") == "en" and len(asked) == 1
    spanish = " ".join([SPANISH] * 4)
    assert extract_module.detect_language(spanish) == "es" and len(asked) == 2
    # an English body with a German article pasted after it is still English, and the German paragraph is dropped
    result = extract_claims(make_doc(english + "\n" + GERMAN))
    assert result.language == "en"
    assert [d.detail for d in result.dropped if d.reason == "other_language"] == ["de"]


@pytest.mark.parametrize("text", ["", "   \n", "12345 67 -- 89"])
def test_documents_without_language(text: str) -> None:
    result = extract_claims(make_doc(text))
    assert result.language is None
    assert result.claims == ()


# ---------------------------------------------------------------- a realistic scraped article

ARTICLE = "\n".join(
    [
        "UKRAINE-CRISIS/TROOPS",
        "Russia rules out sending troops to Ukraine as talks stall",
        "By Jane Doe and John Roe, Reuters",
        "Published March 4, 2026 10:30 GMT",
        "Russian soldiers stand guard near the border on March 3, 2026. REUTERS/Maxim Shemetov",
        "",
        "KYIV, March 4 (Reuters) - Russia said on Tuesday it would not send troops to Ukraine, "
        "as talks in Geneva stalled.",
        "",
        '"We will not send troops," Foreign Minister Sergei Lavrov told reporters on Tuesday. '
        '"There is no need for that."',
        "",
        "Ukraine's army said 3,000 Russian troops had been deployed near Kharkiv. "
        "Gen. Oleksandr Syrskyi, the army chief, said the troops had tanks.",
        "Share this article | Tweet | Email | Print",
        "Will the talks resume next week?",
        "According to diplomats in Geneva, the next round is planned for March 12.",
        "Leave a comment",
        "Related: Ukraine says talks with Russia have stalled",
        "Related articles",
        "Home › World › Europe",
        "El ministerio ruso dijo que no habrá más conversaciones con Ucrania este mes.",
        "",
    ]
)


def test_realistic_article() -> None:
    result = extract_claims(make_doc(ARTICLE, doc_id="reuters-1"))
    assert result.language == "en"
    assert [(c.id, c.speaker, c.reporting_verb, c.statement) for c in result.claims] == [
        (
            "reuters-1:c1",
            "Russia",
            "said",
            "Russia would not send troops to Ukraine, as talks in Geneva stalled.",
        ),
        ("reuters-1:c2", "Foreign Minister Sergei Lavrov", "told", "We will not send troops."),
        ("reuters-1:c3", "Foreign Minister Sergei Lavrov", "told", "There is no need for that."),
        (
            "reuters-1:c4",
            "Ukraine's army",
            "said",
            "3,000 Russian troops had been deployed near Kharkiv.",
        ),
        ("reuters-1:c5", "Gen. Oleksandr Syrskyi", "said", "The troops had tanks."),
        (
            "reuters-1:c6",
            "diplomats in Geneva",
            "according to",
            "The next round is planned for March 12.",
        ),
    ]
    assert reasons(result, ARTICLE) == [
        ("slug", "UKRAINE-CRISIS/TROOPS"),
        ("heading", "Russia rules out sending troops to Ukraine as talks stall"),
        ("byline", "By Jane Doe and John Roe, Reuters"),
        ("dateline_only", "Published March 4, 2026 10:30 GMT"),
        (
            "photo_credit",
            "Russian soldiers stand guard near the border on March 3, 2026. REUTERS/Maxim Shemetov",
        ),
        ("share_prompt", "Share this article | Tweet | Email | Print"),
        ("question", "Will the talks resume next week?"),
        ("comment_prompt", "Leave a comment"),
        ("navigation", "Related: Ukraine says talks with Russia have stalled"),
        ("related_content", "Related articles"),
        ("related_content", "Home › World › Europe"),
        (
            "other_language",
            "El ministerio ruso dijo que no habrá más conversaciones con Ucrania este mes.",
        ),
    ]


@pytest.mark.parametrize("text", [ARTICLE, ENGLISH_BODY + SPANISH, ARTICLE.replace("\n", "\r\n")])
def test_spans_are_exact(text: str) -> None:
    result = extract_claims(make_doc(text))
    assert result.claims
    for claim in result.claims:
        assert text[claim.span[0] : claim.span[1]] == claim.text
        assert claim.text == claim.text.strip()
    for dropped in result.dropped:
        assert isinstance(dropped, Dropped)
        assert 0 <= dropped.span[0] < dropped.span[1] <= len(text)


def test_records_are_frozen() -> None:
    result = extract_claims(make_doc(NORMAL))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.language = "fr"  # type: ignore[misc]
    assert result == extract_claims(make_doc(NORMAL))


# ---------------------------------------------------------------- related blocks, languages per document


@pytest.mark.parametrize(
    "header", ["Related coverage", "Most read", "More on this story", "**Read more:**", "You may also like"]
)
def test_related_content_block_is_dropped_until_text_resumes(header: str) -> None:
    items = ["- Dam operators face new rules.", "How floods are forecast", "Why did the Kessel dam fail?"]
    body = "Road N-12 between Brava and Santa Luz was closed on Monday and remains shut."
    first = "Troops were deployed near the Kessel dam on Monday."
    text = "\n".join([first, header, *items, body])
    result = extract_claims(make_doc(text))
    # the body's two coordinated clauses are two atomic claims, the subject carried into the second
    assert statements(result) == [
        first, "Road N-12 between Brava and Santa Luz was closed on Monday.",
        "Road N-12 between Brava and Santa Luz remains shut.",
    ]
    assert [r for r, _ in reasons(result, text)] == ["related_content"] * 4


def test_other_language_detail_names_the_language() -> None:
    result = extract_claims(make_doc(ENGLISH_BODY + GERMAN))
    assert [(d.reason, d.detail) for d in result.dropped] == [("other_language", "de")]


# ---------------------------------------------------------------- check-worthiness


@pytest.mark.parametrize(
    ("statement", "attributed", "worthy"),
    [
        ("About 15,000 residents were evacuated from the Orna valley.", False, True),
        ("The Kessel dam collapsed early on Tuesday.", False, True),
        ("Troops left the border region.", False, True),
        ("We will not send army troops to the flooded region.", True, True),
        ("Thank you very much.", False, False),
        ("I think we have to be very careful.", False, False),
        ("Well, let me say this about that.", False, False),
    ],
)
def test_checkworthiness(statement: str, attributed: bool, worthy: bool) -> None:
    assert (checkworthiness(statement, attributed) >= ExtractOptions().min_checkworthiness) is worthy


def test_checkworthiness_threshold_drops_with_a_reason() -> None:
    text = "I think we have to be very careful about this."
    result = extract_claims(make_doc(text))
    assert (result.claims, [d.reason for d in result.dropped]) == ((), ["not_checkworthy"])
    kept = extract_claims(make_doc(text), ExtractOptions(min_checkworthiness=-10))
    assert statements(kept) == [text]


def test_checkworthy_rule_names_are_unique() -> None:
    names = [name for name, _, _ in CHECKWORTHY_RULES]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- merging and the new claim fields


def test_near_duplicates_merge_into_the_first_with_their_spans() -> None:
    first = "The Kessel dam collapsed early on Tuesday, officials said."
    second = "Early on Tuesday the Kessel dam collapsed, officials said."
    other = "The Kessel dam collapsed early on Monday, officials said."
    text = "\n".join([first, second, other])
    result = extract_claims(make_doc(text))
    assert [c.statement for c in result.claims] == ["The Kessel dam collapsed early on Tuesday.", "The Kessel dam collapsed early on Monday."]
    start = len(first) + 1
    assert result.claims[0].merged_spans == ((start, start + len(second)),)
    assert [d.reason for d in result.dropped] == ["duplicate"]


def test_claim_fields_are_filled() -> None:
    text = (
        "Defence Minister Tomas Reyes visited Orna on Wednesday.\n"
        '"We will not send three army brigades," he told reporters on Tuesday.'
    )
    document = Document(id="w", path="w.txt", title="t", date=dt.date(2026, 3, 4), text=text, content_hash="h")
    claim = extract_claims(document).claims[-1]
    assert (claim.speaker, claim.speaker_resolved, claim.reporting_verb) == ("he", "Defence Minister Tomas Reyes", "told")
    assert claim.normalized == "We will not send 3 army brigades."
    assert (claim.modality, claim.polarity, claim.hedges) == ("ruled_out", "negative", ("will not",))
    assert [(q.value, q.unit) for q in claim.quantities] == [(3, "brigade")]
    assert claim.said_on == dt.date(2026, 3, 3)  # 'on Tuesday' in the reporting clause
    assert claim.flags == ()
    assert claim.checkworthiness is not None


# ---------------------------------------------------------------- the labelled set

LABELLED = Path(__file__).parent.parent / "data" / "labelled" / "claims.jsonl"


def _labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("row", _labelled(), ids=lambda row: row["id"])
def test_labelled_claims(row: dict) -> None:
    """Each labelled sentence, after its context in one paragraph: claim or not, and its fields."""
    text = f"{row['context']} {row['sentence']}" if row["context"] else row["sentence"]
    offset = len(text) - len(row["sentence"])
    date = dt.date.fromisoformat(row["date"]) if row["date"] else None
    result = extract_claims(Document(id="l", path="l", title="t", date=date, text=text, content_hash="h"))
    found = [c for c in result.claims if c.span[0] == offset]
    if not row["claim"]:
        assert not found
        assert [d.reason for d in result.dropped if d.span[0] <= offset < d.span[1]] == [row["reason"]]
        return
    (claim,) = found
    for field in ("speaker", "speaker_resolved", "statement", "normalized", "modality", "polarity", "flags"):
        if field in row:
            value = getattr(claim, field)
            assert (list(value) if isinstance(value, tuple) else value) == row[field], field


def test_labelled_set_has_claims_and_non_claims() -> None:
    rows = _labelled()
    assert sum(r["claim"] for r in rows) >= 20 and sum(not r["claim"] for r in rows) >= 10


@pytest.mark.parametrize("size", [200_000, 1_000_000])
def test_a_huge_paragraph_without_a_sentence_end_extracts_in_bounded_time(size: int):
    """The splitter sees at most MAX_UNIT_CHARS at once: time grows linearly (1 MB once took over 10 minutes)."""
    import random
    import time

    from contradict.claims.extract import MAX_UNIT_CHARS, _units

    rng = random.Random(0)
    words = "the minister said that water levels in the northern valley were rising while engineers inspected".split()
    text = " ".join(rng.choice(words) for _ in range(size // 6))[:size]
    units = _units(text, 0, len(text))
    assert all(end - start <= MAX_UNIT_CHARS for start, end in units)
    assert "".join(text[s:e] for s, e in units).replace(" ", "") == text.replace(" ", ""), "nothing lost but spaces"
    started = time.monotonic()
    extract_claims(make_doc(text))
    assert time.monotonic() - started < 240, "extraction must stay about linear in the text"
