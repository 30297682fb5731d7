"""Measure an NLI model on a labelled file: accuracy, per-label P/R/F1, ROC AUC, confusion, calibration."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from contradict.evaluation.datasets import Dataset
from contradict.records import LABELS, Prediction


class Scorer(Protocol):
    """Anything that scores (premise, hypothesis) pairs in input order."""

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """One prediction per pair."""
        ...


@dataclass(frozen=True, slots=True)
class LabelMetrics:
    """Precision, recall, F1 and support of one label."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class EvalResult:
    """What one evaluation measured."""

    dataset: str
    examples: int
    two_way: bool
    accuracy: float
    per_label: dict[str, LabelMetrics]
    auc: float | None
    auc_label: str
    confusion: dict[str, dict[str, int]]
    ece: float
    seconds: float


def roc_auc(positive: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U with tied ranks); None when one class is absent."""
    y = np.asarray(positive, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE over equal-width confidence bins: the gap between confidence and accuracy, weighted by bin size."""
    conf = np.asarray(confidence, dtype=np.float64)
    ok = np.asarray(correct, dtype=np.float64)
    if len(conf) == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(conf[mask].mean() - ok[mask].mean())
    return float(total)


def score_dataset(data: Dataset, predictions: Sequence[Prediction], seconds: float = 0.0) -> EvalResult:
    """Compare predictions with gold labels; two-way files are scored entailment vs not."""
    gold = [e.label for e in data.examples]
    if data.two_way:
        labels: tuple[str, ...] = ("entailment", "not_entailment")
        pred = ["entailment" if p.scores.entailment >= 0.5 else "not_entailment" for p in predictions]
        conf = [max(p.scores.entailment, 1 - p.scores.entailment) for p in predictions]
        auc_label, auc_scores = "entailment", [p.scores.entailment for p in predictions]
    else:
        labels = LABELS
        pred = [p.label for p in predictions]
        conf = [max(p.scores.contradiction, p.scores.entailment, p.scores.neutral) for p in predictions]
        auc_label, auc_scores = "contradiction", [p.scores.contradiction for p in predictions]
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    per_label = {}
    for label in labels:
        tp = confusion[label][label]
        predicted = sum(confusion[g][label] for g in labels)
        support = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelMetrics(round(precision, 4), round(recall, 4), round(f1, 4), support)
    correct = [g == p for g, p in zip(gold, pred, strict=True)]
    auc = roc_auc([g == auc_label for g in gold], auc_scores)
    return EvalResult(
        dataset=data.name,
        examples=len(gold),
        two_way=data.two_way,
        accuracy=round(sum(correct) / len(gold), 4),
        per_label=per_label,
        auc=round(auc, 4) if auc is not None else None,
        auc_label=auc_label,
        confusion=confusion,
        ece=round(expected_calibration_error(conf, correct), 4),
        seconds=round(seconds, 2),
    )


def evaluate(data: Dataset, model: Scorer) -> EvalResult:
    """Score every example of a dataset (premise -> hypothesis) and measure the result."""
    started = time.perf_counter()
    predictions = model.predict([(e.premise, e.hypothesis) for e in data.examples])
    return score_dataset(data, predictions, time.perf_counter() - started)


def to_dict(result: EvalResult) -> dict[str, Any]:
    """JSON-ready form of a result."""
    return asdict(result)


def format_table(result: EvalResult) -> str:
    """A plain-text table of a result for people."""
    lines = [
        f"{result.dataset}: {result.examples} examples, {'two' if result.two_way else 'three'}-way",
        f"accuracy {result.accuracy:.4f}   {result.auc_label}-vs-rest ROC AUC "
        f"{'n/a' if result.auc is None else f'{result.auc:.4f}'}   ECE {result.ece:.4f}   {result.seconds:.1f} s",
        "",
        f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for label, m in result.per_label.items():
        lines.append(f"{label:<16}{m.precision:>10.4f}{m.recall:>10.4f}{m.f1:>10.4f}{m.support:>10}")
    labels = list(result.confusion)
    lines += ["", "confusion (rows gold, columns predicted)", " " * 16 + "".join(f"{p[:14]:>16}" for p in labels)]
    for g in labels:
        lines.append(f"{g:<16}" + "".join(f"{result.confusion[g][p]:>16}" for p in labels))
    return "\n".join(lines) + "\n"
