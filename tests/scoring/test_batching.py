"""Batch planning is a pure function: tables of token lengths -> expected batches."""

from __future__ import annotations

import random

import pytest

from contradict.scoring.batching import (
    activation_bytes_per_token,
    padded_width,
    padding_overhead,
    plan_batches,
    token_budget,
)


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


@pytest.mark.parametrize(
    ("length", "multiple", "limit", "expected"),
    [
        (37, 1, None, 37),
        (37, 16, None, 48),
        (48, 16, None, 48),
        (1, 16, None, 16),
        (0, 16, None, 0),
        # never past the model's longest input, unless the item itself is longer
        (150, 16, 160, 160),
        (155, 16, 150, 155),
        (37, 16, 40, 40),
    ],
)
def test_padded_width_table(length, multiple, limit, expected):
    assert padded_width(length, multiple, limit) == expected


def test_padded_width_rejects_bad_multiple():
    with pytest.raises(ValueError, match="multiple"):
        padded_width(10, 0)


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "multiple", "limit", "expected"),
    [
        # widths 10 and 9 both pad to 16: 16 x 2 fits in 32, a third does not
        ([10, 9, 8], 32, 16, None, [[0, 1], [2]]),
        # unrounded the same lengths fit in one batch of 3 x 10
        ([10, 9, 8], 32, 1, None, [[0, 1, 2]]),
        # the limit caps the rounding: 3 x 12 fits in 36
        ([12, 11, 10], 36, 16, 12, [[0, 1, 2]]),
    ],
)
def test_plan_with_rounded_widths(lengths, max_tokens, multiple, limit, expected):
    batches = plan_batches(lengths, max_tokens, 8, multiple=multiple, limit=limit)
    assert batches == expected
    real, padded = padding_overhead(lengths, batches, multiple=multiple, limit=limit)
    assert real == sum(lengths)
    assert padded == sum(padded_width(max(lengths[i] for i in b), multiple, limit) * len(b) for b in batches)


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


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        # hidden 384, intermediate 1536, 6 heads, width 512, fp16, no relative positions
        ((384, 1536, 6, 512, 2, 0), (6 * 384 + 2 * 1536 + 6 * 4 * 512) * 2),
        # the same with DeBERTa's 2 x 256 relative position buckets
        ((384, 1536, 6, 512, 2, 512), (6 * 384 + 2 * 1536 + 6 * (4 * 512 + 2 * 512)) * 2),
        ((1, 1, 1, 1, 4, 0), (6 + 2 + 4) * 4),
    ],
)
def test_activation_bytes_per_token(sizes, expected):
    hidden, inter, heads, width, nbytes, span = sizes
    got = activation_bytes_per_token(
        hidden_size=hidden, intermediate_size=inter, num_heads=heads, width=width, bytes_per_value=nbytes, position_span=span
    )
    assert got == expected


@pytest.mark.parametrize(
    ("free", "per_token", "kwargs", "expected"),
    [
        (80 * 2**30, 60_000, {}, 65536),  # a big GPU hits the cap
        (1_000_000_000, 60_000, {}, 8320),  # half of 1 GB / 60 kB = 8333 tokens, rounded down to 64
        (1_000_000_000, 60_000, {"fraction": 1.0}, 16640),
        (10_000_000, 60_000, {}, 512),  # too little memory: the floor
        (0, 60_000, {}, 512),
        (-5, 60_000, {"floor": 64}, 64),
        (1_000_000_000, 60_000, {"cap": 4096}, 4096),
    ],
)
def test_token_budget(free, per_token, kwargs, expected):
    assert token_budget(free, per_token, **kwargs) == expected


@pytest.mark.parametrize("kwargs", [{"fraction": 0}, {"fraction": 1.5}, {"floor": 0}, {"floor": 100, "cap": 50}])
def test_token_budget_rejects_bad_limits(kwargs):
    with pytest.raises(ValueError):
        token_budget(1000, 10, **kwargs)
