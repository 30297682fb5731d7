"""The model's provisional pair label from two directions, and scoring through a real (tiny) model.

The label a report gives is decided in contradict/findings/decide.py (tests/findings/test_decide.py).
"""

from __future__ import annotations

import pytest

from contradict.records import CandidatePair, Claim, DirectionScore, LabelScores, Prediction
from contradict.scoring.directions import combine, pair_id, score_pairs


def direction(c: float, e: float, n: float, premise: str = "a", hypothesis: str = "b") -> DirectionScore:
    scores = LabelScores(contradiction=c, entailment=e, neutral=n)
    return DirectionScore(premise, hypothesis, Prediction(label=scores.label(), scores=scores, raw=(e, n, c)))


CANDIDATE = CandidatePair("a", "b", 0.8)


@pytest.mark.parametrize(
    ("forward", "backward", "label", "contradiction", "entails"),
    [
        ((0.9, 0.05, 0.05), (0.2, 0.1, 0.7), "contradiction", 0.9, None),
        ((0.2, 0.1, 0.7), (0.6, 0.3, 0.1), "contradiction", 0.6, None),
        ((0.1, 0.8, 0.1), (0.1, 0.2, 0.7), "entailment", 0.1, "a->b"),
        ((0.05, 0.2, 0.75), (0.1, 0.8, 0.1), "entailment", 0.1, "b->a"),
        ((0.1, 0.8, 0.1), (0.1, 0.7, 0.2), "entailment", 0.1, "both"),
        ((0.1, 0.2, 0.7), (0.3, 0.1, 0.6), "neutral", 0.3, None),
        # contradiction in one direction wins over entailment in the other
        ((0.7, 0.2, 0.1), (0.1, 0.8, 0.1), "contradiction", 0.7, "b->a"),
    ],
)
def test_combine_table(forward, backward, label, contradiction, entails):
    pair = combine(CANDIDATE, direction(*forward), direction(*backward, premise="b", hypothesis="a"))
    assert pair.label == label
    assert pair.contradiction_score == pytest.approx(contradiction)
    assert pair.entailment_direction == entails
    assert pair.scores.label() == label
    assert pair.id == pair_id("b", "a")


def test_combine_keeps_why_the_pair_was_chosen():
    candidate = CandidatePair("a", "b", 0.3, sources=("truth",))
    pair = combine(candidate, direction(0.1, 0.2, 0.7), direction(0.1, 0.2, 0.7, premise="b", hypothesis="a"))
    assert pair.sources == ("truth",) and pair.confidence is None and pair.evidence == ()


def claim(cid: str, doc: str, statement: str) -> Claim:
    return Claim(id=cid, doc_id=doc, text=statement, span=(0, len(statement)), statement=statement)


def test_score_pairs_scores_both_directions_sorted(tiny_nli):
    claims = {
        c.id: c
        for c in [
            claim("d1:c1", "d1", "The dam collapsed on Tuesday."),
            claim("d1:c2", "d1", "About 15,000 residents were evacuated."),
            claim("d2:c1", "d2", "More than 40,000 residents were evacuated."),
            claim("d2:c2", "d2", "The dam failed early on Tuesday."),
        ]
    }
    candidates = [CandidatePair("d1:c1", "d2:c2", 0.9), CandidatePair("d1:c2", "d2:c1", 0.8)]
    scored = score_pairs(candidates, claims, tiny_nli)
    assert len(scored) == 2
    assert scored[0].contradiction_score >= scored[1].contradiction_score
    for pair in scored:
        forward, backward = pair.directions
        assert (forward.premise, forward.hypothesis) == (pair.claim_a, pair.claim_b)
        assert (backward.premise, backward.hypothesis) == (pair.claim_b, pair.claim_a)
        expected = tiny_nli.predict([(claims[pair.claim_a].statement, claims[pair.claim_b].statement)])[0]
        assert forward.prediction.raw == pytest.approx(expected.raw, abs=1e-5)
