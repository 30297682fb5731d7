"""Tests for the kinds of contradiction: the rule table on built claims, and the labelled pairs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from contradict.claims.extract import extract_claims
from contradict.claims.normalize import normalize
from contradict.findings.kinds import (
    KIND_RULES,
    classify,
    classify_pairs,
    dates_disagree,
    explain,
    names_disagree,
    numbers_disagree,
    topic_overlap,
)
from contradict.records import Claim, DirectionScore, Document, LabelScores, Prediction, ScoredPair

LABELLED = Path(__file__).parent.parent / "data" / "labelled" / "kinds.jsonl"
MAR4, MAR6 = dt.date(2026, 3, 4), dt.date(2026, 3, 6)


def contradiction(a: Claim, b: Claim, label: str = "contradiction") -> ScoredPair:
    """A scored pair of two claims with the given label (scores do not matter to kinds)."""
    scores = LabelScores(contradiction=0.99, entailment=0.0, neutral=0.01)
    prediction = Prediction(label=label, scores=scores, raw=(0.99,))  # type: ignore[arg-type]
    return ScoredPair(
        id="p1", claim_a=a.id, claim_b=b.id, similarity=0.7, label=label,  # type: ignore[arg-type]
        contradiction_score=0.99, scores=scores, entailment_direction=None,
        directions=(DirectionScore(a.id, b.id, prediction), DirectionScore(b.id, a.id, prediction)),
    )  # fmt: skip


def claim(statement: str, speaker: str | None = None, said_on: dt.date | None = None, doc: str = "a") -> Claim:
    """A claim normalised the way extraction does it."""
    normal = normalize(statement, said_on)
    return Claim(
        id=f"{doc}:c1", doc_id=doc, text=statement, span=(0, len(statement)), statement=statement,
        speaker=speaker, reporting_verb="said" if speaker else None, normalized=normal.text,
        modality=normal.modality, polarity=normal.polarity, quantities=normal.quantities, dates=normal.dates,
        said_on=said_on,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        (claim("About 15,000 residents were evacuated.", "the agency", MAR4),
         claim("More than 40,000 residents were evacuated.", "the agency", MAR6, "b"), "factual"),
        (claim("We will not send army troops to the region.", "Defence Minister Tomas Reyes", MAR4),
         claim("Sending army troops to the region remains on the table.", "Reyes", MAR6, "b"), "temporal"),
        (claim("The dam had been inspected last year.", "Interior Minister Anna Berg", MAR4),
         claim("The dam had not been inspected for ten years.", "Engineers at the water authority", MAR6, "b"), "stance"),
        (claim("The dam had been inspected last year.", "Berg", MAR4),
         claim("The dam had never been inspected.", "Berg", MAR4, "b"), "other"),
        (claim("The dam had been inspected last year.", "he", MAR4),
         claim("The dam had never been inspected.", "Berg", MAR6, "b"), "other"),
        (claim("The Kessel dam collapsed on Tuesday.", None, MAR4),
         claim("The Kessel dam did not collapse.", None, MAR6, "b"), "factual"),
        (claim("Reyes ordered army engineers to the Orna valley.", None, MAR4),
         claim("Relief convoys reached the town of Orna with food.", None, MAR6, "b"), "other"),
        # a debunking shares few words with the story it debunks, and is still about it
        (claim("The report that the singer died of a heart attack is yet another celebrity death hoax.", None, MAR4),
         claim("The sad news was given by his wife at a news conference in Los Angeles.", None, MAR6, "b"), "factual"),
        (claim("Gill Rosenberg took to social media to dispel the rumor.", "Rosenberg", MAR4),
         claim("A former soldier from Tel Aviv was captured after going to Iraq.", None, MAR6, "b"), "factual"),
        # ... but one speaker's debunking and later account is a change of position
        (claim("The report that troops were sent is false.", "Defence Minister Tomas Reyes", MAR4),
         claim("Army troops were sent to the Orna valley.", "Reyes", MAR6, "b"), "temporal"),
        (claim("The government would not ask other countries for planes.", "Interior Minister Paulo Mendes", MAR4),
         claim("Lusmark asked Spain and France for planes on Friday.", None, MAR6, "b"), "temporal"),
    ],
)  # fmt: skip
def test_kind_rules(a: Claim, b: Claim, kind: str) -> None:
    assert classify(contradiction(a, b), a, b) == kind
    assert classify(contradiction(b, a), b, a) == kind  # symmetric


@pytest.mark.parametrize("label", ["entailment", "neutral"])
def test_only_contradictions_get_a_kind(label: str) -> None:
    a, b = claim("The dam collapsed on Tuesday."), claim("The dam collapsed on Monday.", doc="b")
    assert classify(contradiction(a, b, label), a, b) is None
    assert explain(contradiction(a, b, label), a, b) is None


def test_document_dates_stand_in_for_unknown_said_dates() -> None:
    a = claim("We will not send army troops.", "Reyes")
    b = claim("Sending army troops remains on the table.", "Reyes", doc="b")
    assert classify(contradiction(a, b), a, b) == "other"
    assert classify(contradiction(a, b), a, b, MAR4, MAR6) == "temporal"


def test_three_and_3_are_not_a_disagreement_but_3_and_5_are() -> None:
    three, digits = claim("Three towns were flooded."), claim("3 towns were flooded.", doc="b")
    five = claim("5 towns were flooded.", doc="b")
    assert not numbers_disagree(three, digits)
    assert numbers_disagree(three, five)


@pytest.mark.parametrize(
    ("a", "b", "disagree"),
    [
        ("About 15,000 people left.", "15,900 people left.", False),
        ("About 15,000 people left.", "More than 40,000 people left.", True),
        ("At least 12 people died.", "15 people died.", False),
        ("Up to 12 people died.", "15 people died.", True),
        ("12 people died.", "12 soldiers arrived.", False),
    ],
)
def test_qualified_numbers(a: str, b: str, disagree: bool) -> None:
    assert numbers_disagree(claim(a), claim(b, doc="b")) is disagree


def test_dates_and_names() -> None:
    monday, tuesday = claim("The dam collapsed on Monday.", said_on=MAR4), claim("The dam collapsed on Tuesday.", said_on=MAR4)
    assert dates_disagree(monday, tuesday)
    assert not dates_disagree(tuesday, claim("The dam collapsed early this week.", said_on=MAR4))
    assert names_disagree(claim("The dam was built by Kessel Energy."), claim("The dam was built by Orna Power."))
    assert not names_disagree(claim("The dam was built by Kessel Energy."), claim("The dam was built by Kessel Energy."))


def test_topic_overlap() -> None:
    assert topic_overlap(claim("The dam was inspected."), claim("The Kessel dam had not been inspected.")) == 1.0
    assert topic_overlap(claim("Reyes ordered engineers to Orna."), claim("Convoys reached Orna.")) == 0.0


def test_classify_pairs_sets_kinds_with_replace() -> None:
    a = claim("About 15,000 residents were evacuated.", "the agency", MAR4)
    b = claim("More than 40,000 residents were evacuated.", "the agency", MAR6, "b")
    pairs = [contradiction(a, b), contradiction(a, b, "neutral")]
    out = classify_pairs(pairs, {a.id: a, b.id: b}, {"a": MAR4, "b": MAR6})
    assert [p.kind for p in out] == ["factual", None]
    assert out[1] is pairs[1]


def test_every_rule_has_a_known_kind_and_a_reason() -> None:
    assert {kind for kind, _, _ in KIND_RULES} == {"factual", "stance", "temporal", "other"}
    assert all(reason for _, reason, _ in KIND_RULES)
    assert KIND_RULES[-1][0] == "factual"  # the fallback


def _labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _last_claim(side: dict, doc_id: str) -> Claim:
    date = dt.date.fromisoformat(side["date"]) if side["date"] else None
    document = Document(id=doc_id, path=doc_id, title="t", date=date, text=side["text"], content_hash="h")
    return extract_claims(document).claims[-1]


@pytest.mark.parametrize("row", _labelled(), ids=lambda row: row["id"])
def test_labelled_kinds(row: dict) -> None:
    """From text to kind: extract both documents, take their last claims, classify."""
    a, b = _last_claim(row["a"], "a"), _last_claim(row["b"], "b")
    assert explain(contradiction(a, b), a, b) is not None
    assert classify(contradiction(a, b), a, b) == row["kind"], row["note"]


def test_labelled_kinds_cover_every_kind() -> None:
    assert {row["kind"] for row in _labelled()} == {"factual", "stance", "temporal", "other"}
