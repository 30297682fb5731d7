"""The model's provisional pair label from two directions, and scoring through a real (tiny) model.

The label a report gives is decided in contradict/findings/decide.py (tests/findings/test_decide.py).
"""

from __future__ import annotations

import pytest

from contradict.records import CandidatePair, Claim, DirectionScore, LabelScores, Prediction
from contradict.scoring.directions import combine, model_text, pair_id, score_pairs


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


def _claim(statement, speaker=None, verb=None, resolved=None):
    return Claim(id="d:c0", doc_id="d", text=statement, span=(0, 1), statement=statement, speaker=speaker,
                 reporting_verb=verb, speaker_resolved=resolved)


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        (_claim("Acme had fired its publicist.", "Acme", "denied"), "Acme denied that Acme had fired its publicist."),
        (_claim("The dam was unsafe.", "Officials", "dismissed"), "Officials denied that the dam was unsafe."),
        (_claim("It is going to cut jobs.", "He", "denies", resolved="Finance Minister Tomas Reyes"),
         "Finance Minister Tomas Reyes denied that it is going to cut jobs."),
        (_claim("Any biopsy was done at the clinic.", "the clinic", "denied"), "The clinic denied that any biopsy was done at the clinic."),
        (_claim("I was there.", "Reyes", "denied"), "Reyes denied that I was there."),
        (_claim("The talks had failed.", "Lavrov", "said"), "The talks had failed."),  # other verbs: the statement
        (_claim("Nobody denied the report."), "Nobody denied the report."),  # unattributed: the statement
    ],
)
def test_the_model_reads_a_denial_as_a_denial(claim, text):
    assert model_text(claim) == text


def test_score_pairs_gives_the_model_the_denial():
    seen = []

    class Recorder:
        def predict(self, pairs):
            seen.extend(pairs)
            scores = LabelScores(contradiction=0.1, entailment=0.1, neutral=0.8)
            return [Prediction(label="neutral", scores=scores, raw=(0.1, 0.8, 0.1)) for _ in pairs]

    claims = {
        "a:c0": Claim(id="a:c0", doc_id="a", text="t", span=(0, 1), statement="Acme fired its publicist."),
        "b:c0": Claim(id="b:c0", doc_id="b", text="t", span=(0, 1), statement="Acme had fired its publicist.",
                      speaker="Acme", reporting_verb="denied"),
    }
    score_pairs([CandidatePair("a:c0", "b:c0", 0.9)], claims, Recorder())
    assert seen == [("Acme fired its publicist.", "Acme denied that Acme had fired its publicist."),
                    ("Acme denied that Acme had fired its publicist.", "Acme fired its publicist.")]
