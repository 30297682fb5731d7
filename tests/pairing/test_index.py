"""Neighbour search at scale: the HNSW index against exact search, the switch, and the indexed cue pairs."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from contradict.claims.extract import extract_claims
from contradict.errors import UsageError
from contradict.ingest.loading import load_folder
from contradict.pairing.candidates import PairingOptions, choose_pairs, load_encoder
from contradict.pairing.cues import TRUTH_PATTERN, CueOptions, cue_pairs, indexed_cue_pairs
from contradict.pairing.index import (
    ANN_THRESHOLD,
    IndexOptions,
    ann_neighbours,
    exact_neighbours,
    neighbours,
    resolve_method,
)
from contradict.records import Claim
from tests.conftest import EXAMPLES


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    """Unit vectors around 60 random centres (topics), the shape real claim embeddings have."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((60, dim))
    rows = centres[rng.integers(0, 60, n)] + 0.9 * rng.standard_normal((n, dim))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def plain_claims(doc_ids: list[str]) -> list[Claim]:
    return [Claim(id=f"{d}:c{i}", doc_id=d, text="t", span=(0, 1), statement="t") for i, d in enumerate(doc_ids)]


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, list[str]]:
    emb = clustered(4000, 32, seed=7)
    docs = [f"d{i // 12}" for i in range(4000)]  # 12 consecutive rows per document, like a document's claims
    return emb, docs


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth, strict=True))
    return hits / (truth >= 0).sum()


def test_exact_neighbours_are_the_brute_force_top_k(corpus):
    emb, docs = corpus
    emb, docs = emb[:700], docs[:700]
    got = exact_neighbours(emb, docs, 5)
    sims = emb @ emb.T
    same = np.asarray(docs)[:, None] == np.asarray(docs)[None, :]
    sims[same] = -np.inf
    want = np.argsort(-sims, axis=1, kind="stable")[:, :5]
    assert np.array_equal(np.sort(got.ids, axis=1), np.sort(want, axis=1))
    assert np.all(np.diff(got.sims, axis=1) <= 0)
    assert got.above_gate is None


def test_exact_neighbours_count_the_pairs_above_a_gate_once_across_row_blocks(corpus):
    emb, docs = corpus  # 4,000 rows: four blocks of 1,024
    sims = emb @ emb.T
    sims[np.asarray(docs)[:, None] == np.asarray(docs)[None, :]] = -np.inf
    plain = exact_neighbours(emb, docs, 5)
    for gate in (0.0, 0.3):
        counted = exact_neighbours(emb, docs, 5, gate=gate)
        assert counted.above_gate == int(np.triu(sims >= gate, 1).sum()) > 0
        assert np.array_equal(counted.ids, plain.ids)


def test_ann_recall_against_exact_on_a_few_thousand_rows(corpus):
    emb, docs = corpus
    truth = exact_neighbours(emb, docs, 5)
    found = ann_neighbours(emb, docs, 5, IndexOptions(method="ann", threads=1))
    assert found.method == "ann" and found.ids.shape == (4000, 5)
    assert recall(found.ids, truth.ids) >= 0.95
    doc = np.asarray(docs)
    assert not np.any(doc[found.ids] == doc[:, None])  # never a neighbour from the claim's own document
    assert np.all(np.diff(found.sims, axis=1) <= 1e-6)


def test_ann_searches_only_the_rows_asked_and_fills_short_rows():
    emb = clustered(40, 8, seed=1)
    docs = ["a"] * 37 + ["b"] * 3
    found = ann_neighbours(emb, docs, 5, IndexOptions(method="ann"), queries=np.array([0, 38]))
    assert found.ids.shape == (2, 5)
    assert set(found.ids[0][found.ids[0] >= 0]) == {37, 38, 39}  # only three rows in other documents
    assert np.all(found.ids[0][3:] == -1) and np.all(np.isneginf(found.sims[0][3:]))
    assert all(j < 37 for j in found.ids[1])


@pytest.mark.parametrize(
    ("n", "method", "threshold", "expected"),
    [(10, "auto", ANN_THRESHOLD, "exact"), (ANN_THRESHOLD - 1, "auto", ANN_THRESHOLD, "exact"),
     (ANN_THRESHOLD, "auto", ANN_THRESHOLD, "ann"), (50, "auto", 50, "ann"), (10**6, "exact", ANN_THRESHOLD, "exact"),
     (3, "ann", ANN_THRESHOLD, "ann")],
)
def test_switch_threshold(n, method, threshold, expected):
    assert resolve_method(n, IndexOptions(method=method, threshold=threshold)) == expected


def test_choose_pairs_switches_at_the_threshold(corpus):
    emb, docs = corpus
    claims = plain_claims(docs[:600])
    below = choose_pairs(claims, emb[:600], PairingOptions(min_similarity=0.3, index=IndexOptions(threshold=601)))
    above = choose_pairs(claims, emb[:600], PairingOptions(min_similarity=0.3, index=IndexOptions(threshold=600)))
    assert (below.method, above.method) == ("exact", "ann")
    exact_pairs = {(p.claim_a, p.claim_b) for p in below.pairs}
    ann_pairs = {(p.claim_a, p.claim_b) for p in above.pairs}
    assert len(exact_pairs & ann_pairs) / len(exact_pairs) >= 0.95
    assert all(p.claim_a.split(":")[0] != p.claim_b.split(":")[0] for p in above.pairs)
    assert above.considered == len(ann_pairs)  # ann counts what it saw above the gate


def test_neighbours_dispatches_by_size(corpus):
    emb, docs = corpus
    assert neighbours(emb[:100], docs[:100], 3, IndexOptions(threshold=100)).method == "ann"
    assert neighbours(emb[:100], docs[:100], 3, IndexOptions(threshold=101)).method == "exact"


def test_bad_method_is_a_usage_error():
    with pytest.raises(UsageError, match="pairing method"):
        IndexOptions(method="fast")  # type: ignore[arg-type]


def test_ann_without_faiss_says_what_to_install(monkeypatch, corpus):
    emb, docs = corpus
    monkeypatch.setitem(sys.modules, "faiss", None)
    with pytest.raises(UsageError, match="pip install faiss-cpu"):
        choose_pairs(plain_claims(docs[:50]), emb[:50], PairingOptions(index=IndexOptions(method="ann")))
    assert choose_pairs(plain_claims(docs[:50]), emb[:50], PairingOptions()).method == "exact"  # small input: no faiss needed


@pytest.fixture(scope="module")
def news_claims(tiny_encoder_dir) -> tuple[list[Claim], np.ndarray]:
    """The real claims of examples/news (default extraction with the parse), embedded with the tiny encoder."""
    claims = [c for d in load_folder(EXAMPLES).documents for c in extract_claims(d).claims]
    return claims, load_encoder(str(tiny_encoder_dir)).encode([c.statement for c in claims])


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_indexed_cue_pairs_equal_the_all_words_cue_pairs_on_examples(news_claims, seed):
    claims, emb = news_claims
    if seed is not None:  # other embeddings: other similarity orders, same equality
        emb = clustered(len(claims), 16, seed)
    reference = cue_pairs(claims, emb)
    indexed = indexed_cue_pairs(claims, emb)
    assert indexed == reference
    kinds = {c for _, cues in reference.values() for c in cues}
    assert {"quantity", "date", "polarity"} <= kinds  # the examples exercise the cue rules (no truth claim there)


def test_indexed_truth_pairs_from_neighbours_equal_the_full_search_when_they_cover_it(news_claims):
    claims, emb = news_claims
    hoax = "Reports that the Kessel dam burst and flooded the valley are a hoax, the ministry said."
    claims = [*claims, Claim(id="x:c0", doc_id="x", text=hoax, span=(0, len(hoax)), statement=hoax)]
    emb = np.vstack([emb, emb[:1] * 0.6 + emb[1:2] * 0.4])
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    truth = [i for i, c in enumerate(claims) if TRUTH_PATTERN.search(c.statement)]
    assert truth
    near = exact_neighbours(emb, [c.doc_id for c in claims], len(claims))
    got = indexed_cue_pairs(claims, emb, truth_partners={i: (near.ids[i], near.sims[i]) for i in truth})
    want = cue_pairs(claims, emb)
    assert got.keys() == want.keys() and any("truth" in cues for _, cues in want.values())
    for key, (sim, cues) in want.items():  # a matrix product and a dot product may differ in the last bits
        assert got[key][1] == cues and got[key][0] == pytest.approx(sim, abs=1e-6)


def test_a_key_shared_by_too_many_claims_is_skipped():
    from contradict.claims.normalize import normalize

    statements = [f"About {1000 + 7 * i} residents were evacuated from the valley." for i in range(40)]
    claims = []
    for i, s in enumerate(statements):
        normal = normalize(s, None)
        claims.append(Claim(id=f"d{i}:c0", doc_id=f"d{i}", text=s, span=(0, len(s)), statement=s,
                            normalized=normal.text, quantities=normal.quantities))
    emb = clustered(40, 8, seed=3)
    assert indexed_cue_pairs(claims, emb, CueOptions(max_posting=100))  # quantities clash: pairs found
    assert indexed_cue_pairs(claims, emb, CueOptions(max_posting=39)) == {}  # every key held by 40 claims


@pytest.mark.parametrize("block", [1, 3, 2048])
def test_indexed_cue_pairs_do_not_depend_on_how_many_claims_go_at_once(news_claims, monkeypatch, block):
    """The inverted index walks the claims a block at a time (to bound memory); any block gives the same pairs."""
    import functools

    from contradict.pairing import cues as cues_module

    claims, emb = news_claims
    reference = cue_pairs(claims, emb)
    whole = indexed_cue_pairs(claims, emb)
    walk = getattr(cues_module, "_shared_key_pairs")
    monkeypatch.setattr(cues_module, "_shared_key_pairs", functools.partial(walk, block=block))
    got = indexed_cue_pairs(claims, emb)
    assert got == reference and list(got) == list(whole)  # the same pairs, found in the same order
    assert reference


def test_ann_pairing_keeps_cue_pairs(news_claims):
    claims, emb = news_claims
    exact = choose_pairs(claims, emb, PairingOptions(index=IndexOptions(method="exact")))
    ann = choose_pairs(claims, emb, PairingOptions(index=IndexOptions(method="ann")))
    cue_kinds = {"quantity", "date", "polarity", "truth"}
    exact_cued = {(p.claim_a, p.claim_b) for p in exact.pairs if cue_kinds & set(p.sources)}
    ann_cued = {(p.claim_a, p.claim_b) for p in ann.pairs if cue_kinds & set(p.sources)}
    assert exact_cued and exact_cued == ann_cued  # four documents: the 32 truth neighbours cover each document's top 2
