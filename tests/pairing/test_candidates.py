"""Choosing pairs from embeddings: cross-document only, gated, top-k, counted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from contradict.pairing.candidates import PairingOptions, choose_pairs, count_possible, load_encoder
from contradict.records import Claim


def claims_for(doc_ids: list[str]) -> list[Claim]:
    return [Claim(id=f"{d}:c{i}", doc_id=d, text="t", span=(0, 1), statement="t") for i, d in enumerate(doc_ids)]


def unit(rows: list[list[float]]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


@pytest.mark.parametrize(
    ("docs", "possible"),
    [([], 0), (["a"], 0), (["a", "a"], 0), (["a", "b"], 1), (["a", "a", "b"], 2), (["a", "b", "c"], 3), (["a", "a", "b", "b"], 4)],
)
def test_count_possible(docs, possible):
    assert count_possible(docs) == possible


def test_only_cross_document_pairs_above_gate():
    claims = claims_for(["a", "a", "b", "c"])
    emb = unit([[1, 0, 0], [0.99, 0.1, 0], [0.98, 0.05, 0.1], [0, 0, 1]])
    result = choose_pairs(claims, emb, PairingOptions(min_similarity=0.5, top_k=5))
    got = {(p.claim_a, p.claim_b) for p in result.pairs}
    assert got == {("a:c0", "b:c2"), ("a:c1", "b:c2")}  # same-doc pair and the orthogonal claim excluded
    assert result.possible == 5 and result.considered == 2
    assert all(p.similarity >= 0.5 for p in result.pairs)


def test_top_k_limits_each_claim():
    claims = claims_for(["a"] + ["b"] * 6)
    rng = np.random.default_rng(0)
    emb = unit((np.ones((7, 4)) + 0.01 * rng.standard_normal((7, 4))).tolist())
    result = choose_pairs(claims, emb, PairingOptions(min_similarity=0.0, top_k=2))
    # the single claim in doc a picks 2; each claim in b picks a (its only cross-doc partner)
    assert len(result.pairs) == 6
    assert result.considered == 6


def test_max_pairs_keeps_most_similar():
    claims = claims_for(["a", "b", "c"])
    emb = unit([[1, 0], [0.9, 0.1], [0.6, 0.4]])
    result = choose_pairs(claims, emb, PairingOptions(min_similarity=0.0, top_k=5, max_pairs=1))
    assert [(p.claim_a, p.claim_b) for p in result.pairs] == [("a:c0", "b:c1")]


def test_many_claims_cross_blocks():
    rng = np.random.default_rng(1)
    docs = [f"d{i % 7}" for i in range(2100)]
    emb = unit(rng.standard_normal((2100, 8)).tolist())
    result = choose_pairs(claims_for(docs), emb, PairingOptions(min_similarity=0.9, top_k=3))
    sims = emb @ emb.T
    brute = sum(
        1 for i, j in itertools.combinations(range(0, 2100, 7), 2) if docs[i] != docs[j] and sims[i, j] >= 0.9
    )
    assert result.considered >= brute  # the subsample's passing pairs are all counted
    for p in result.pairs:
        assert p.claim_a.split(":")[0] != p.claim_b.split(":")[0]


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError):
        choose_pairs(claims_for(["a", "b"]), unit([[1, 0]]), PairingOptions())


def test_tiny_encoder_folder_loads(tiny_encoder_dir):
    encoder = load_encoder(str(tiny_encoder_dir))
    rows = encoder.encode(["The dam collapsed.", "The dam failed."])
    assert rows.shape == (2, 32)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)
