"""Same-article pairs from real news: alike claims of one document, minus those a cue or a speaker sets apart."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from contradict.claims.normalize import normalize
from contradict.records import Claim
from contradict.training.newspairs import LABEL, NewsPairOptions, same_document_pairs

DAY = dt.date(2026, 3, 4)


def claim(n: int, statement: str, speaker: str | None = None) -> Claim:
    normal = normalize(statement, DAY)
    return Claim(id=f"d:c{n}", doc_id="d", text=statement, span=(0, len(statement)), statement=statement, speaker=speaker,
                 normalized=normal.text, modality=normal.modality, polarity=normal.polarity,
                 quantities=normal.quantities, dates=normal.dates)  # fmt: skip


def unit(*angles: float) -> np.ndarray:
    """Unit vectors at these angles (degrees): cosines are cos(difference)."""
    r = np.radians(angles)
    return np.stack([np.cos(r), np.sin(r)], axis=1).astype(np.float32)


def test_alike_claims_of_one_article_become_not_contradiction_rows():
    claims = [
        claim(0, "Conner went to another police officer who helped her get medical attention."),
        claim(1, "Conner was trying to drive around the officers at the petrol station."),
        claim(2, "The city council approved a new budget for the parks."),
    ]
    pairs = same_document_pairs(claims, unit(0, 40, 120), "d", NewsPairOptions(), random.Random(0))
    assert len(pairs) == 1  # cos 40 deg = 0.77 is in the band; 80 and 120 deg are not
    (pair,) = pairs
    assert pair.label == LABEL and pair.document == "d" and pair.similarity == round(float(np.cos(np.radians(40))), 4)
    assert {pair.premise, pair.hypothesis} == {claims[0].statement, claims[1].statement}


def test_pairs_a_cue_a_speaker_or_a_repeat_sets_apart_are_left_out():
    claims = [
        claim(0, "About 15,000 residents were evacuated from the valley."),
        claim(1, "More than 40,000 residents were evacuated from the valley."),  # quantity cue with 0
        claim(2, "The dam had not been inspected by engineers.", speaker="the authority"),
        claim(3, "The dam was in good condition last spring.", speaker="the mayor"),  # another speaker than 2
        claim(4, "About 15,000 residents were evacuated from the valley."),  # the same as 0
        claim(5, "The valley was flooded after the dam broke."),
    ]
    angles = unit(0, 10, 50, 60, 0, 20)
    pairs = same_document_pairs(claims, angles, "d", NewsPairOptions(max_similarity=1.0), random.Random(0))
    kept = {frozenset((p.premise, p.hypothesis)) for p in pairs}
    s = [c.statement for c in claims]
    assert kept == {frozenset((s[0], s[5])), frozenset((s[1], s[5]))}  # 4 repeats 0, so (4, 5) reads as (0, 5)
    assert not same_document_pairs(claims[:1], angles[:1], "d", NewsPairOptions(), random.Random(0))


def test_at_most_per_document_pairs_the_most_alike_first():
    claims = [claim(i, f"The river rose by the old mill on day number {w}.") for i, w in enumerate("abcdef")]
    pairs = same_document_pairs(claims, unit(0, 5, 10, 15, 20, 25), "d", NewsPairOptions(min_similarity=0.0, max_similarity=1.0, per_document=3),
                                random.Random(0))  # fmt: skip
    assert len(pairs) == 3 and [p.similarity for p in pairs] == sorted((p.similarity for p in pairs), reverse=True)
