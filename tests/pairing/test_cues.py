"""Cue candidates: numbers, dates, polarity and truth claims that embeddings miss."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from contradict.claims.normalize import normalize
from contradict.pairing.candidates import PairingOptions, choose_pairs
from contradict.pairing.cues import CueOptions, cue_details, cue_pairs, pair_cues
from contradict.records import Claim

DAY = dt.date(2026, 3, 4)


def claim(statement: str, doc: str = "a", n: int = 1) -> Claim:
    """A claim normalised the way extraction does it."""
    normal = normalize(statement, DAY)
    return Claim(id=f"{doc}:c{n}", doc_id=doc, text=statement, span=(0, len(statement)), statement=statement,
                 normalized=normal.text, modality=normal.modality, polarity=normal.polarity,
                 quantities=normal.quantities, dates=normal.dates)  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b", "cues"),
    [
        ("About 15,000 residents were evacuated from the valley.", "More than 40,000 residents were evacuated from the valley.", ("quantity",)),
        ("About 15,000 residents were evacuated from the valley.", "About 15,500 residents were evacuated from the valley.", ()),
        ("The dam collapsed on Tuesday, flooding the valley towns.", "The dam collapsed on Monday, flooding the valley towns.", ("date",)),
        ("We will not send army troops to the flooded region.", "Sending army troops to the flooded region remains on the table.", ("polarity",)),
        ("The dam had been inspected last year by engineers.", "The dam had not been inspected by engineers.", ("polarity",)),
        ("The story about the ghost ship is a hoax.", "A ghost ship full of rats is drifting towards Florida.", ("truth",)),
        ("The story about the ghost ship is a hoax.", "Officials said the ghost ship story was fake.", ()),
        ("The minister opened a new bridge in the north.", "Prices of bread rose by 3 percent in March.", ()),
    ],
)
def test_pair_cues(a, b, cues):
    first, second = claim(a), claim(b, "b")
    assert pair_cues(first, second) == cues
    assert pair_cues(second, first) == cues  # symmetric


def test_cue_details_say_what_differs():
    details = cue_details(claim("About 15,000 residents were evacuated."), claim("More than 40,000 residents were evacuated.", "b"))
    assert "15,000" in details["quantity"] and "40,000" in details["quantity"]


def test_truth_claims_are_paired_below_the_similarity_floor():
    claims = [claim("The report is a hoax, the agency said.", "a", 1),
              claim("A ghost ship is heading for Florida.", "b", 2),
              claim("The weather was fine.", "b", 3)]  # fmt: skip
    emb = np.asarray([[1.0, 0.0], [0.8, 0.6], [-1.0, 0.0]], dtype=np.float32)  # cos 0.8 and -1.0
    found = cue_pairs(claims, emb, CueOptions(truth_per_document=1, truth_min_similarity=0.2))
    assert found == {(0, 1): (pytest.approx(0.8), ("truth",))}
    plain = choose_pairs(claims, emb, PairingOptions(min_similarity=0.9, cues=False))
    assert plain.pairs == ()
    cued = choose_pairs(claims, emb, PairingOptions(min_similarity=0.9))
    assert [(p.claim_a, p.claim_b, p.sources) for p in cued.pairs] == [("a:c1", "b:c2", ("truth",))]
    assert cued.from_cues == 1


def test_cue_partners_per_claim_are_capped():
    base = claim("About 15,000 residents were evacuated from the valley.", "a", 0)
    others = [claim(f"About {n},000 residents were evacuated from the valley.", "b", n) for n in (20, 30, 40, 50)]
    claims = [base, *others]
    emb = np.tile(np.asarray([[1.0, 0.0]], dtype=np.float32), (len(claims), 1))
    found = cue_pairs(claims, emb, CueOptions(top_k=2))
    assert sum(1 for i, j in found if 0 in (i, j)) <= 4  # each b claim may keep its one partner
    assert all(cues == ("quantity",) for _, cues in found.values())


def test_neighbour_pairs_keep_their_source_and_gain_cues():
    claims = [claim("About 15,000 residents were evacuated from the valley.", "a"),
              claim("More than 40,000 residents were evacuated from the valley.", "b")]  # fmt: skip
    emb = np.asarray([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    result = choose_pairs(claims, emb, PairingOptions())
    assert [p.sources for p in result.pairs] == [("neighbour", "quantity")]
    assert result.from_cues == 0


@pytest.mark.parametrize("n", [0, 1])
def test_no_pairs_from_too_few_claims(n):
    claims = [claim("The report is a hoax.")][:n]
    assert cue_pairs(claims, np.ones((n, 2), dtype=np.float32)) == {}
