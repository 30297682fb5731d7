"""Long premises: score a hypothesis against sentence windows of the premise and keep the strongest.

NLI cross-encoders are trained on short premises and truncate long ones. A claim checked
against a paragraph is scored against the whole premise and against each window of
``size`` consecutive sentences; the pair takes the window with the largest contradiction
when that window says contradiction, else the one with the largest entailment when it says
entailment, else the least-neutral one (SummaC-style max aggregation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contradict.records import Prediction


class Scorer(Protocol):
    """Anything that scores (premise, hypothesis) pairs in input order."""

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """One prediction per pair."""
        ...


def sentence_windows(text: str, size: int, stride: int) -> list[str]:
    """The text's windows of ``size`` consecutive sentences (none when it has ``size`` or fewer)."""
    from contradict.claims.extract import split_sentences  # noqa: PLC0415

    spans = split_sentences(text)
    if len(spans) <= size:
        return []
    starts = list(range(0, len(spans) - size + 1, stride))
    if starts[-1] != len(spans) - size:
        starts.append(len(spans) - size)
    return [text[spans[i][0] : spans[i + size - 1][1]] for i in starts]


def aggregate(predictions: Sequence[Prediction]) -> Prediction:
    """One prediction from those of a premise's windows (see the module docstring)."""
    by_c = max(predictions, key=lambda p: p.scores.contradiction)
    if by_c.label == "contradiction":
        return by_c
    by_e = max(predictions, key=lambda p: p.scores.entailment)
    if by_e.label == "entailment":
        return by_e
    return min(predictions, key=lambda p: p.scores.neutral)


@dataclass
class WindowedScorer:
    """Wraps a scorer so that multi-sentence premises are also scored window by window."""

    model: Scorer
    size: int = 2
    stride: int = 1

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """Predictions in input order; pairs with short premises pass through unchanged."""
        expanded: list[tuple[str, str]] = []
        owners: list[range] = []
        for premise, hypothesis in pairs:
            start = len(expanded)
            expanded.append((premise, hypothesis))
            expanded += [(window, hypothesis) for window in sentence_windows(premise, self.size, self.stride)]
            owners.append(range(start, len(expanded)))
        scored = self.model.predict(expanded)
        return [aggregate([scored[i] for i in owner]) for owner in owners]
