"""Batch planning: a pure function from token lengths to batches of indices (no torch here).

Items are sorted by length so each batch pads little, then packed greedily under two limits:
the padded size of a batch (longest item x number of items) stays within ``max_tokens``, and
a batch holds at most ``max_batch_size`` items. An item longer than ``max_tokens`` on its own
gets a batch of its own. Callers restore the input order from the indices.

A batch's padded length can be rounded up to a multiple (``padded_width``): backends that
compile or cache kernels per input shape (OpenVINO, oneDNN's bfloat16 kernels under torch) then
see a handful of shapes instead of one per length, at the cost of a little more padding.
"""

from __future__ import annotations

from collections.abc import Sequence


def padded_width(length: int, multiple: int = 1, limit: int | None = None) -> int:
    """The padded length of a batch whose longest item has ``length`` tokens: ``length`` rounded up
    to a multiple of ``multiple``, but not past ``limit`` (the model's longest input) unless the
    item itself is longer."""
    if multiple < 1:
        raise ValueError(f"multiple must be >= 1, got {multiple}")
    rounded = -(-length // multiple) * multiple
    return min(rounded, max(length, limit)) if limit is not None else rounded


def plan_batches(
    lengths: Sequence[int], max_tokens: int, max_batch_size: int, *, multiple: int = 1, limit: int | None = None
) -> list[list[int]]:
    """Group item indices into batches, longest first, under a padded-token budget and a size cap.

    The padded length of a batch is :func:`padded_width` of its longest item (``multiple`` and
    ``limit`` as there; the default 1 pads to the longest item exactly)."""
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
        length = padded_width(max(lengths[index], 1), multiple, limit)
        if current and (len(current) >= max_batch_size or max(width, length) * (len(current) + 1) > max_tokens):
            batches.append(current)
            current, width = [], 0
        current.append(index)
        width = max(width, length)
    if current:
        batches.append(current)
    return batches


def padding_overhead(
    lengths: Sequence[int], batches: Sequence[Sequence[int]], *, multiple: int = 1, limit: int | None = None
) -> tuple[int, int]:
    """Return (real tokens, padded tokens) for a plan, to report how much padding it costs."""
    real = sum(lengths)
    padded = sum(padded_width(max((lengths[i] for i in batch), default=0), multiple, limit) * len(batch) for batch in batches)
    return real, padded


def activation_bytes_per_token(
    *, hidden_size: int, intermediate_size: int, num_heads: int, width: int, bytes_per_value: int, position_span: int = 0
) -> int:
    """A generous estimate of the activation memory one token needs inside one encoder layer.

    Counts the hidden state and its projections (6 x hidden), the feed-forward activation
    (2 x intermediate), and the attention rows of ``width`` keys per head (4 copies: scores,
    mask, softmax, context), plus ``position_span`` relative positions per head where the model
    has disentangled attention. Inference keeps one layer's working set alive at a time.
    """
    if min(hidden_size, intermediate_size, num_heads, width, bytes_per_value) < 1 or position_span < 0:
        raise ValueError("model sizes, width and bytes_per_value must be >= 1 (position_span >= 0)")
    values = 6 * hidden_size + 2 * intermediate_size + num_heads * (4 * width + 2 * position_span)
    return values * bytes_per_value


def token_budget(free_bytes: int, bytes_per_token: int, *, fraction: float = 0.5, floor: int = 512, cap: int = 65536) -> int:
    """Padded tokens per batch that fit in ``fraction`` of the free device memory, in [floor, cap], rounded to 64."""
    if bytes_per_token < 1 or not 0 < fraction <= 1 or floor < 1 or cap < floor:
        raise ValueError("bytes_per_token >= 1, 0 < fraction <= 1 and 1 <= floor <= cap are required")
    fits = int(max(free_bytes, 0) * fraction) // bytes_per_token
    return max(floor, min(cap, fits // 64 * 64))
