"""Batch planning: a pure function from token lengths to batches of indices (no torch here).

Items are sorted by length so each batch pads little, then packed greedily under two limits:
the padded size of a batch (longest item x number of items) stays within ``max_tokens``, and
a batch holds at most ``max_batch_size`` items. An item longer than ``max_tokens`` on its own
gets a batch of its own. Callers restore the input order from the indices.
"""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(lengths: Sequence[int], max_tokens: int, max_batch_size: int) -> list[list[int]]:
    """Group item indices into batches, longest first, under a padded-token budget and a size cap."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")
    if max_batch_size < 1:
        raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
    if any(n < 0 for n in lengths):
        raise ValueError("token lengths must be >= 0")
    # Longest first: the first item of a batch fixes its padded length. Ties keep input order.
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    width = 0
    for index in order:
        length = max(lengths[index], 1)
        if current and (len(current) >= max_batch_size or max(width, length) * (len(current) + 1) > max_tokens):
            batches.append(current)
            current, width = [], 0
        current.append(index)
        width = max(width, length)
    if current:
        batches.append(current)
    return batches


def padding_overhead(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> tuple[int, int]:
    """Return (real tokens, padded tokens) for a plan, to report how much padding it costs."""
    real = sum(lengths)
    padded = sum(max((lengths[i] for i in batch), default=0) * len(batch) for batch in batches)
    return real, padded
