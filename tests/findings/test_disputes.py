"""Contradictions ranked by how far their two documents are in dispute: a pure function of pairs, claims and documents."""

from __future__ import annotations

import dataclasses

import pytest

from contradict.findings.disputes import (
    SHARE_WEIGHT,
    TRUTH_WEIGHT,
    Dispute,
    decide_and_rank,
    disputes,
    rank_pairs,
    truth_rate,
)
from contradict.records import Claim, DirectionScore, Document, LabelScores, Prediction, ScoredPair


def claim(doc: str, n: int, statement: str = "The dam was inspected last year.") -> Claim:
    return Claim(id=f"{doc}:c{n}", doc_id=doc, text=statement, span=(0, len(statement)), statement=statement,
                 normalized=statement)  # fmt: skip


def document(doc: str, text: str) -> Document:
    return Document(id=doc, path=f"{doc}.txt", title=doc, date=None, text=text, content_hash=doc)


def pair(a: Claim, b: Claim, label: str, confidence: float, kind: str | None = None) -> ScoredPair:
    scores = LabelScores(contradiction=0.9 if label == "contradiction" else 0.05, entailment=0.05, neutral=0.05)
    prediction = Prediction(label=scores.label(), scores=scores, raw=(scores.contradiction, scores.entailment))
    return ScoredPair(
        id=f"{a.id}-{b.id}", claim_a=a.id, claim_b=b.id, similarity=0.7, label=label,  # type: ignore[arg-type]
        contradiction_score=scores.contradiction, scores=scores, entailment_direction=None,
        directions=(DirectionScore(a.id, b.id, prediction), DirectionScore(b.id, a.id, prediction)),
        kind=kind if label == "contradiction" else None, confidence=confidence,  # type: ignore[arg-type]
    )  # fmt: skip


def test_truth_rate_counts_words_calling_a_story_false_per_100_words() -> None:
    assert truth_rate("") == 0.0
    assert truth_rate("The dam was inspected last year by engineers.") == 0.0
    text = " ".join(["word"] * 96 + ["a", "hoax,", "not", "true"])  # 100 words, two truth phrases
    assert truth_rate(text) == pytest.approx(2.0)


def test_dispute_weight() -> None:
    assert Dispute(scored=4, contradictions=0, truth_gap=0.0).weight() == 1.0
    assert Dispute(4, 2, 0.0).weight() == pytest.approx(1 + SHARE_WEIGHT * 0.5)
    assert Dispute(4, 2, 0.3).weight() == pytest.approx((1 + TRUTH_WEIGHT * 0.3) * (1 + SHARE_WEIGHT * 0.5))
    assert Dispute(4, 2, 0.3).weight(0.0, 1.0) == pytest.approx(1.5)
    assert Dispute(0, 0, 0.0).share == 0.0


def _folder() -> tuple[list[Document], dict[str, Claim], list[ScoredPair]]:
    """Three documents: b debunks the story a and c tell; a and c clash once among four pairs."""
    docs = [document("a", "The dam collapsed on Tuesday. " * 10),
            document("b", "The story is a hoax. It is fake, engineers said. " * 5),
            document("c", "The dam collapsed on Tuesday. " * 10)]  # fmt: skip
    claims = {c.id: c for c in [claim(d, n) for d in "abc" for n in range(1, 5)]}
    pairs = [pair(claims["a:c1"], claims["c:c1"], "contradiction", 0.95, "factual")]
    pairs += [pair(claims[f"a:c{n}"], claims[f"c:c{n}"], "entailment", 0.8) for n in (2, 3, 4)]
    pairs += [pair(claims["a:c1"], claims["b:c1"], "contradiction", 0.7, "factual"),
              pair(claims["a:c2"], claims["b:c2"], "contradiction", 0.6, "factual"),
              pair(claims["b:c3"], claims["c:c3"], "neutral", 0.5),
              pair(claims["b:c4"], claims["c:c4"], "contradiction", 0.99, "other")]  # fmt: skip
    return docs, claims, pairs


def test_disputes_count_each_document_pair_once_whichever_side_is_first() -> None:
    docs, claims, pairs = _folder()
    found = disputes(pairs, claims, docs)
    assert set(found) == {("a", "c"), ("a", "b"), ("b", "c")}
    assert (found["a", "c"].scored, found["a", "c"].contradictions, found["a", "c"].truth_gap) == (4, 1, 0.0)
    assert (found["a", "b"].scored, found["a", "b"].contradictions) == (2, 2)
    assert found["a", "b"].truth_gap == pytest.approx(truth_rate(docs[1].text)) and found["a", "b"].truth_gap > 0
    swapped = [dataclasses.replace(p, claim_a=p.claim_b, claim_b=p.claim_a) for p in pairs]
    assert disputes(swapped, claims, docs) == found


def test_rank_pairs_orders_contradictions_by_the_dispute_of_their_documents() -> None:
    docs, claims, pairs = _folder()
    ranked = rank_pairs(pairs, claims, docs)
    labels = [p.label for p in ranked]
    assert labels == ["contradiction"] * 4 + ["entailment"] * 3 + ["neutral"]
    # the debunking pairs (a-b) outrank the single clash between a and c, though that one is surer
    assert [p.id for p in ranked[:3]] == ["a:c1-b:c1", "a:c2-b:c2", "a:c1-c:c1"]
    assert ranked[3].kind == "other"  # unrelated ones stay last, however strong
    found = disputes(pairs, claims, docs)
    for p in ranked[:4]:
        key = tuple(sorted((claims[p.claim_a].doc_id, claims[p.claim_b].doc_id)))
        assert p.rank_score == pytest.approx(p.confidence * found[key].weight(), abs=1e-6)
        assert p.evidence[-1].type == "dispute" and "scored pairs between them are contradictions" in p.evidence[-1].detail
    assert all(p.rank_score is None and not p.evidence for p in ranked[4:])
    debunking = ranked[0].evidence[-1].detail  # claim b is in document b, the debunking
    assert "2 of 2 scored pairs" in debunking and "claim b's document calls a story false more often" in debunking
    assert "'hoax' x5, 'fake' x5" in debunking and "against 0.00" in debunking
    assert "calls a story false" not in ranked[2].evidence[-1].detail  # a and c: no truth words either side
    before = {p.id: (p.label, p.kind, p.confidence) for p in pairs}
    assert {p.id: (p.label, p.kind, p.confidence) for p in ranked} == before  # only the order and rank_score change


def test_no_dispute_signal_keeps_the_confidence_order() -> None:
    docs = [document(d, "The dam was inspected last year.") for d in "ab"]
    claims = {c.id: c for c in [claim(d, n) for d in "ab" for n in (1, 2, 3)]}
    pairs = [pair(claims[f"a:c{n}"], claims[f"b:c{n}"], "contradiction", conf, "factual")
             for n, conf in ((1, 0.6), (2, 0.9), (3, 0.75))]  # fmt: skip
    ranked = rank_pairs(pairs, claims, docs)
    assert [p.confidence for p in ranked] == [0.9, 0.75, 0.6]


def test_ranking_again_gives_the_same_pairs() -> None:
    docs, claims, pairs = _folder()
    once = rank_pairs(pairs, claims, docs)
    assert rank_pairs(once, claims, docs) == once  # no second dispute line, the same scores
    flat = rank_pairs(pairs, claims, docs, truth_weight=0.0, share_weight=0.0)
    assert [p.id for p in flat][:3] == ["a:c1-c:c1", "a:c1-b:c1", "a:c2-b:c2"]  # by confidence alone
    relabelled = [dataclasses.replace(p, label="neutral") if p.label == "contradiction" else p for p in once]
    assert all(p.rank_score is None for p in rank_pairs(relabelled, claims, docs))


def test_decide_and_rank_decides_classifies_and_orders() -> None:
    docs, claims, pairs = _folder()
    undecided = [dataclasses.replace(p, label="neutral", confidence=None, kind=None) for p in pairs]
    ranked = decide_and_rank(undecided, claims, docs)
    contradictions = [p for p in ranked if p.label == "contradiction"]
    assert contradictions and all(p.kind and p.rank_score is not None for p in contradictions)
    assert [p.label for p in ranked] == sorted((p.label for p in ranked), key=["contradiction", "entailment", "neutral"].index)


def test_a_dismissed_contradiction_does_not_lift_the_others_between_its_documents() -> None:
    docs, claims, pairs = _folder()
    kept = {p.id: p for p in rank_pairs(pairs, claims, docs)}
    dismissed = {p.id: p for p in rank_pairs(pairs, claims, docs, dismissed={"a:c2-b:c2"})}
    assert disputes(pairs, claims, docs, dismissed={"a:c2-b:c2"})["a", "b"].contradictions == 1
    assert dismissed["a:c1-b:c1"].rank_score < kept["a:c1-b:c1"].rank_score  # share 1 of 2, not 2 of 2
    assert "1 of 2 scored pairs" in dismissed["a:c1-b:c1"].evidence[-1].detail
    assert dismissed["a:c1-c:c1"].rank_score == kept["a:c1-c:c1"].rank_score  # other documents: untouched
    assert {p: (q.label, q.confidence) for p, q in dismissed.items()} == {p: (q.label, q.confidence) for p, q in kept.items()}
