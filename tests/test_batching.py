"""Batch planning is a pure function: tables of token lengths -> expected batches."""

from __future__ import annotations

import random

import pytest

from contradict.batching import padding_overhead, plan_batches


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "max_batch", "expected"),
    [
        ([], 100, 8, []),
        ([5], 100, 8, [[0]]),
        # sorted longest first; ties keep input order
        ([3, 9, 5], 100, 8, [[1, 2, 0]]),
        ([4, 4, 4], 100, 8, [[0, 1, 2]]),
        # the batch-size cap splits
        ([1, 1, 1, 1, 1], 100, 2, [[0, 1], [2, 3], [4]]),
        # the token budget splits: widest item x count must fit in 20
        ([10, 10, 10, 2, 2], 20, 8, [[0, 1], [2, 3], [4]]),
        ([10, 9, 8, 2, 2], 20, 8, [[0, 1], [2, 3], [4]]),
        ([5, 5, 5, 5], 20, 8, [[0, 1, 2, 3]]),
        # an item over the budget alone gets a batch of its own
        ([50, 3, 3], 20, 8, [[0], [1, 2]]),
        ([50, 60], 20, 8, [[1], [0]]),
        # zero-length items still count as one token of width
        ([0, 0, 0], 2, 8, [[0, 1], [2]]),
    ],
)
def test_plan_table(lengths, max_tokens, max_batch, expected):
    assert plan_batches(lengths, max_tokens, max_batch) == expected


@pytest.mark.parametrize("seed", range(5))
def test_plan_invariants(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 200) for _ in range(rng.randint(1, 300))]
    batches = plan_batches(lengths, 1024, 16)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))  # every item exactly once
    for batch in batches:
        assert len(batch) <= 16
        width = max(lengths[i] for i in batch)
        assert width * len(batch) <= 1024 or len(batch) == 1
    real, padded = padding_overhead(lengths, batches)
    assert real == sum(lengths) and padded >= real


@pytest.mark.parametrize(("max_tokens", "max_batch"), [(0, 4), (10, 0)])
def test_plan_rejects_bad_limits(max_tokens, max_batch):
    with pytest.raises(ValueError):
        plan_batches([1, 2], max_tokens, max_batch)


def test_plan_rejects_negative_length():
    with pytest.raises(ValueError):
        plan_batches([1, -2], 10, 4)
