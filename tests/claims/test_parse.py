"""The spaCy parse behind claims: loading, atomic clauses, speakers, entities, and the hand-split gold."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from contradict.claims import parse
from contradict.claims.extract import ExtractOptions, extract_claims
from contradict.claims.parse import DEFAULT_SPACY_MODEL, atomic_clauses, load_parser, parse_attribution
from contradict.errors import ParserLoadError
from contradict.records import Document

VOS = (
    "Meanwhile, Prime Minister Elena Vos has ruled out new fuel taxes, though she proposed a levy on "
    "airlines and stressed that rail would still be funded."
)


@pytest.fixture(scope="session")
def nlp():
    return load_parser()


def doc_of(text: str, date: dt.date | None = dt.date(2026, 3, 5)) -> Document:
    return Document(id="d", path="d.txt", title="t", date=date, text=text, content_hash="h")


# ---------------------------------------------------------------- loading


def test_default_pipeline_is_checked_and_loaded_once(nlp) -> None:
    assert nlp.meta["version"] == "3.8.0"
    assert load_parser() is nlp
    assert load_parser(DEFAULT_SPACY_MODEL) is nlp
    assert {"tok2vec", "tagger", "parser", "ner"} <= set(nlp.pipe_names)
    assert not {"senter", "lemmatizer", "attribute_ruler"} & set(nlp.pipe_names)  # not needed, not run
    from thinc.api import get_current_ops

    assert not any(component.model.ops.use_blis for _, component in nlp.pipeline)  # numpy's BLAS (parse._OPS)
    assert get_current_ops().use_blis  # thinc's default for anything else is left alone


def test_default_pipeline_with_wrong_meta_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "_package_meta", lambda name: {"lang": "en", "version": "3.7.1", "components": ["parser"]})
    parse._load.cache_clear()
    try:
        with pytest.raises(ParserLoadError, match="3.7.1"):
            load_parser()
    finally:
        parse._load.cache_clear()


def test_missing_pipeline_says_what_to_do() -> None:
    with pytest.raises(ParserLoadError, match="--spacy-model"):
        load_parser("no_such_spacy_pipeline")


def test_pipeline_without_parser_is_refused(tmp_path: Path) -> None:
    import spacy

    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ParserLoadError, match="parser"):
        load_parser(str(tmp_path / "blank"))


def test_a_named_pipeline_folder_is_used(tmp_path: Path, nlp) -> None:
    nlp.to_disk(tmp_path / "copy")
    result = extract_claims(doc_of(VOS), ExtractOptions(spacy_model=str(tmp_path / "copy")))
    assert len(result.claims) == 3


# ---------------------------------------------------------------- atomic clauses


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (VOS, ["Prime Minister Elena Vos has ruled out new fuel taxes.", "She proposed a levy on airlines.",
               "Rail would still be funded."]),
        ("The storm cut power to 3,000 homes and the river burst its banks in two places.",
         ["The storm cut power to 3,000 homes.", "The river burst its banks in two places."]),
        ("Police arrested two men on Sunday but released them on Monday.",
         ["Police arrested two men on Sunday.", "Police released them on Monday."]),
        ("Kessel, a town of 4,000 people, lost its only bridge in the flood.",
         ["Kessel lost its only bridge in the flood.", "Kessel is a town of 4,000 people."]),
        ("Engineers inspected the Kessel dam, which was built in 1961, on Monday.",
         ["Engineers inspected the Kessel dam on Monday.", "The Kessel dam was built in 1961."]),
        ("Rescue teams searched the flooded valley after the river peaked on Tuesday.",
         ["Rescue teams searched the flooded valley after the river peaked on Tuesday."]),
    ],
)
def test_atomic_clauses(nlp, sentence: str, expected: list[str]) -> None:
    clauses = atomic_clauses(nlp(sentence))
    assert [c.statement for c in clauses] == expected
    for clause in clauses:  # every piece is text of the sentence
        assert all(0 <= s < e <= len(sentence) for s, e in clause.spans)


def test_reporting_chain_carries_the_subject_as_speaker(nlp) -> None:
    (_, _, chained) = atomic_clauses(nlp(VOS))
    assert (chained.speaker, chained.verb) == ("she", "stressed")


def test_a_sentence_without_a_verb_gives_no_clause(nlp) -> None:
    assert atomic_clauses(nlp("Brava, July 17.")) == []


# ---------------------------------------------------------------- attribution


@pytest.mark.parametrize(
    ("sentence", "speaker", "verb", "content"),
    [
        ('"We will keep the bridges open," Reyes told reporters alongside the mayor.', "Reyes", "told",
         "We will keep the bridges open"),
        ("Interior Minister Anna Berg has made clear that the dam will be rebuilt.", "Interior Minister Anna Berg",
         "made clear", "the dam will be rebuilt"),
        ("The dam will be rebuilt within two years, Anna Berg has said.", "Anna Berg", "said",
         "The dam will be rebuilt within two years"),
        ("The river, according to the water authority, rose by two metres overnight.", "the water authority",
         "according to", "The river|rose by two metres overnight"),
    ],
)
def test_parse_attribution(nlp, sentence: str, speaker: str, verb: str, content: str) -> None:
    found = parse_attribution(nlp(sentence))
    assert found is not None
    assert (found.speaker, found.verb) == (speaker, verb)
    assert "|".join(sentence[s:e] for s, e in found.content_spans) == content


def test_no_attribution_without_a_clause(nlp) -> None:
    assert parse_attribution(nlp("Reyes told reporters about the flood.")) is None


# ---------------------------------------------------------------- claims from the parse


def test_compound_sentence_gives_atomic_claims_with_spans_and_context() -> None:
    document = doc_of("Prime Minister Elena Vos spoke in Orna.\n" + VOS)
    claims = extract_claims(document).claims[1:]
    assert [c.statement for c in claims] == [
        "Prime Minister Elena Vos has ruled out new fuel taxes.",
        "Prime Minister Elena Vos proposed a levy on airlines.",
        "Rail would still be funded.",
    ]
    assert (claims[2].speaker, claims[2].speaker_resolved, claims[2].reporting_verb) == (
        "she", "Prime Minister Elena Vos", "stressed")
    assert claims[0].modality == "ruled_out"
    for claim in claims:
        assert claim.text == document.text[claim.span[0] : claim.span[1]]
        assert claim.context == VOS == document.text[claim.context_span[0] : claim.context_span[1]]
        assert all(claim.span[0] <= s < e <= claim.span[1] for s, e in claim.spans)
    assert claims[1].text == "she proposed a levy on airlines"


def test_whole_sentence_claim_keeps_its_sentence_span() -> None:
    text = "About 15,000 residents were evacuated overnight, according to the civil protection agency."
    (claim,) = extract_claims(doc_of(text)).claims
    assert claim.span == (0, len(text)) and claim.spans == (claim.span,) and claim.context == text


def test_narrated_fact_in_the_speakers_phrase_has_no_speaker() -> None:
    text = "Mayor Piet Osei, who was elected in 2022, said the town would need a year to recover."
    claims = extract_claims(doc_of(text)).claims
    assert [(c.statement, c.speaker) for c in claims] == [
        ("Mayor Piet Osei was elected in 2022.", None),
        ("The town would need a year to recover.", "Mayor Piet Osei"),
    ]


def test_entities_with_normalised_values() -> None:
    text = "Interior Minister Anna Berg visited Kessel. The dam will be rebuilt by June at a cost of $2 million, Berg said."
    claim = extract_claims(doc_of(text)).claims[-1]
    assert [(e.label, e.text, e.value) for e in claim.entities] == [
        ("DATE", "June", "2026-06"), ("MONEY", "$2 million", "2000000 usd")]
    for entity in claim.entities:
        assert text[entity.span[0] : entity.span[1]] == entity.text


def test_resolved_pronoun_brings_its_person_as_an_entity() -> None:
    text = "Mayor Rita Costa visited the shelter in Orna. She promised 500 new beds by Friday."
    claim = extract_claims(doc_of(text)).claims[-1]
    assert claim.statement.startswith("Mayor Rita Costa promised")
    assert ("PERSON", "Rita Costa", None) in [(e.label, e.value, e.span) for e in claim.entities]


def test_pronoun_resolves_to_the_person_of_the_previous_sentence() -> None:
    text = (
        "Prime Minister Elena Vos said the budget was balanced. Defence Minister Tomas Reyes has also taken a "
        "different position. He told parliament that the army would stay in the valley until May."
    )
    claim = extract_claims(doc_of(text)).claims[-1]
    assert (claim.speaker, claim.speaker_resolved, claim.flags) == ("He", "Defence Minister Tomas Reyes", ())


def test_demonstrative_noun_gets_its_antecedent_or_a_flag() -> None:
    text = "The council approved a plan to widen the river bed. That plan foundered when the money ran out."
    assert extract_claims(doc_of(text)).claims[-1].statement == (
        "The plan to widen the river bed foundered when the money ran out.")
    (alone,) = extract_claims(doc_of("This group is not registered as a charity in Valdora.")).claims
    assert alone.flags == ("vague_reference",)


@pytest.mark.parametrize(
    "text", ["They closed the road to Orna on Monday.", "Its engineers left the dam on Monday night.",
             "These trucks carried water to Orna on Monday."],
)
def test_no_claim_starts_with_an_unresolved_reference_without_a_flag(text: str) -> None:
    (claim,) = extract_claims(doc_of(text)).claims
    assert {"unresolved_pronoun", "vague_reference"} & set(claim.flags)


def test_header_date_line_is_not_part_of_a_claim() -> None:
    text = "date 2026-03-05 Minister says troops will stay\n\nDefence Minister Tomas Reyes said troops would stay in Orna."
    claims = extract_claims(doc_of(text)).claims
    assert [c.statement for c in claims] == ["Troops would stay in Orna."]
    assert "2026-03-05" not in claims[0].text


def test_rules_only_keeps_the_sentence_whole_and_names_no_entities() -> None:
    (claim,) = extract_claims(doc_of(VOS), ExtractOptions(spacy_model="none")).claims
    assert claim.statement == VOS and claim.entities == ()


def test_other_language_document_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args):
        raise AssertionError("parsed a German document with the English pipeline")

    monkeypatch.setattr("contradict.claims.extract.parse_sentences", refuse)
    german = "Die Regierung hat am Dienstag neue Hilfen für die Menschen im Tal angekündigt, sagte der Minister."
    result = extract_claims(doc_of(german))
    assert result.language == "de"


def test_run_on_sentence_stays_whole() -> None:
    text = "The talks " + "went on and on " * 30 + "until Monday."
    assert extract_claims(doc_of(text)).claims == ()  # too long, and not split into 30 fragments


# ---------------------------------------------------------------- many documents at once

FRESH = Path(__file__).parent.parent / "data" / "fresh_news"


def _many_documents() -> list[Document]:
    from contradict.ingest.loading import load_file

    fresh = [d for path in sorted(FRESH.iterdir()) for d in load_file(path, FRESH)[0]]
    german = "Die Regierung hat am Dienstag neue Hilfen für die Menschen im Tal angekündigt, sagte der Minister."
    return [*fresh, doc_of(VOS), doc_of(""), doc_of(german), doc_of("Prime Minister Elena Vos spoke in Orna.\n" + VOS)]


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("spacy_model", [DEFAULT_SPACY_MODEL, None])
def test_many_documents_give_what_each_gives_alone(
    monkeypatch: pytest.MonkeyPatch, processes: int, spacy_model: str | None
) -> None:
    """extract_many, in batches of 2 documents (English, empty and German mixed) and in 2 processes, equals extract_claims per document."""
    from contradict.claims import extract

    monkeypatch.setattr(extract, "BATCH_DOCUMENTS", 2)
    documents = _many_documents()
    options = ExtractOptions(spacy_model=spacy_model)
    alone = [extract_claims(d, options) for d in documents]
    assert sum(len(r.claims) for r in alone) > 20
    assert list(extract.extract_many(documents, options, processes=processes)) == alone


@pytest.mark.parametrize(
    ("documents", "size", "processes", "lengths"),
    [
        (0, 8, 2, []),
        (1, 8, 2, [1]),
        (8, 8, 2, [8]),  # one batch: extracted in this process
        (9, 8, 2, [5, 4]),
        (16, 8, 2, [8, 8]),
        (17, 8, 2, [5, 4, 4, 4]),
        (20, 8, 2, [5, 5, 5, 5]),  # each worker 10, not 8 + 4 and 8
        (20, 8, 1, [8, 8, 4]),  # one process: consecutive pieces
        (33, 8, 2, [8, 8, 5, 4, 4, 4]),
        (48, 8, 2, [8, 8, 8, 8, 8, 8]),
        (7, 2, 3, [2, 1, 1, 1, 1, 1]),
    ],
)
def test_batches_share_the_last_documents_evenly(documents: int, size: int, processes: int, lengths: list[int]) -> None:
    """The batches extract_many hands to its workers: full ones, then the rest in a multiple of the workers, in order."""
    from contradict.claims.extract import _batches

    batches = list(_batches(range(documents), size, processes))
    assert [len(b) for b in batches] == lengths
    assert [d for b in batches for d in b] == list(range(documents))


def test_many_documents_edge_cases() -> None:
    from contradict.claims.extract import extract_many
    from contradict.errors import UsageError

    assert list(extract_many([])) == []
    assert list(extract_many([doc_of(VOS)], processes=2)) == [extract_claims(doc_of(VOS))]  # one batch: no workers
    with pytest.raises(UsageError, match="processes"):
        extract_many([doc_of(VOS)], processes=0)


# ---------------------------------------------------------------- the hand-split gold

GOLD = Path(__file__).parent.parent / "data" / "labelled" / "atomic.jsonl"
#: Known misses, measured and reported in the README: the parse puts the mayor's 'while' clause
#: inside what the agency said.
KNOWN_SPEAKER_MISSES = {("compound-while-said", "The mayor put the number at 60.")}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _gold() -> list[dict]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["set"] != "fresh_news"]  # fresh_news is measured, not asserted (benchmarks/claims.py)


@pytest.mark.parametrize("row", _gold(), ids=lambda row: row["id"])
def test_hand_split_gold(row: dict) -> None:
    result = extract_claims(doc_of(row["text"], dt.date.fromisoformat(row["date"])))
    found = {_norm(c.statement): c for c in result.claims}
    assert sorted(found) == sorted(_norm(g["statement"]) for g in row["claims"])
    for gold in row["claims"]:
        claim = found[_norm(gold["statement"])]
        if "speaker" in gold and (row["id"], gold["statement"]) not in KNOWN_SPEAKER_MISSES:
            assert _norm(claim.speaker_resolved or claim.speaker or "") == _norm(gold["speaker"] or "")


def test_quotation_opened_in_one_sentence_takes_the_speaker_of_the_next() -> None:
    text = '"The levee will hold. We have reinforced it with 5,000 sandbags," Mayor Rita Costa said on Monday.'
    claims = extract_claims(doc_of(text)).claims
    assert [(c.statement, c.speaker) for c in claims] == [
        ("The levee will hold.", "Mayor Rita Costa"),
        ("We have reinforced it with 5,000 sandbags.", "Mayor Rita Costa"),
    ]


def test_quotation_after_a_speaker_the_parse_found_keeps_the_speaker() -> None:
    text = '"The dam is safe," said engineer Paul Weber. "There is no reason to evacuate the town."'
    claims = extract_claims(doc_of(text)).claims
    assert [c.speaker for c in claims] == ["engineer Paul Weber", "engineer Paul Weber"]


def test_title_words_are_not_entities_of_their_own() -> None:
    (claim,) = extract_claims(doc_of("Defence Minister Tomas Reyes has taken a different position on the dam.")).claims
    assert [(e.label, e.value) for e in claim.entities] == [("PERSON", "Tomas Reyes")]


def test_it_speaker_with_two_bodies_in_the_nearest_sentence_is_not_guessed() -> None:
    text = (
        "The water authority and the civil protection agency said the dam had failed. "
        "It said on Monday that the river would peak on Friday."
    )
    claim = extract_claims(doc_of(text)).claims[-1]
    assert (claim.speaker, claim.speaker_resolved) == ("It", None)
    assert "unresolved_speaker" in claim.flags


def test_second_passive_verb_borrows_the_auxiliary() -> None:
    claims = extract_claims(doc_of("Police said the driver was arrested at the scene and charged with dangerous driving.")).claims
    assert [c.statement for c in claims] == [
        "The driver was arrested at the scene.", "The driver was charged with dangerous driving."]


def test_according_to_inside_a_clause_is_not_attribution(nlp) -> None:
    doc = nlp("The group wants to reshape the region according to its radical vision of the state.")
    assert parse_attribution(doc) is None


@pytest.mark.parametrize(
    "sentence", ["Police secured the scene on Wednesday Oct. 22, 2014.", "The office is in Aylmer, QC, near the river."]
)
def test_appositive_date_or_name_is_no_separate_fact(nlp, sentence: str) -> None:
    assert len(atomic_clauses(nlp(sentence))) == 1


def test_a_speaker_phrase_ending_in_a_place_is_not_a_person() -> None:
    text = (
        "He comes from a family of teachers, according to a biography that says he studied in Baghdad. "
        "His group called on supporters to rally."
    )
    claim = extract_claims(doc_of(text)).claims[-1]
    assert claim.statement.startswith("His group") and "unresolved_pronoun" in claim.flags


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The dam has not been inspected or repaired since 2019.", ["The dam has not been inspected or repaired since 2019."]),
        ("Traffic picked up in the capital, and there were long lines outside petrol stations.",
         ["Traffic picked up in the capital.", "There were long lines outside petrol stations."]),
        ("The army will build and run two field hospitals in Orna.", ["The army will build and run two field hospitals in Orna."]),
        ("Officials met the envoy and the ambassador, who were visiting Tobruk, on Monday.",
         ["Officials met the envoy and the ambassador, who were visiting Tobruk, on Monday."]),
    ],
)
def test_what_is_not_split(nlp, sentence: str, expected: list[str]) -> None:
    assert [c.statement for c in atomic_clauses(nlp(sentence))] == expected


def test_indirect_speech_pronoun_is_not_a_speaker_of_the_other_gender() -> None:
    """'Mr Machnouk said ... she was being interrogated': the title says 'she' is someone else."""
    text = ("Mr Machnouk said Ms Dulaimi's children were staying at a care centre while she was being "
            "interrogated at the defence ministry's headquarters.")  # fmt: skip
    claims = extract_claims(doc_of(text)).claims
    interrogated = [c for c in claims if "interrogated" in c.statement]
    assert interrogated and not any("Machnouk" in c.statement for c in interrogated)
    assert all("unresolved_pronoun" in c.flags or c.statement.startswith("Ms Dulaimi") for c in interrogated)
    # a title that agrees with the pronoun leaves it the speaker
    text = "Mr Paul Ginsberg analyzed the recording. Mr Ginsberg said he detected at least 10 gunshots."
    assert extract_claims(doc_of(text)).claims[-1].statement == "Mr Paul Ginsberg detected at least 10 gunshots."
