"""Evaluation: measure an NLI model on labelled files.

- :mod:`~contradict.evaluation.datasets`: readers for the NLI file formats, labels mapped explicitly.
- :mod:`~contradict.evaluation.metrics`: accuracy, per-label P/R/F1, ROC AUC, calibration error.
- :mod:`~contradict.evaluation.fnc1`: FNC-1 topics as folders of real news with document stances
  (the real-news benchmark and the news training pairs read them; measure topics are refused).

Entry points: :func:`read_dataset`, then :func:`evaluate`.
"""

from contradict.evaluation.datasets import Dataset, Example, read_dataset
from contradict.evaluation.metrics import EvalResult, evaluate

__all__ = ["Dataset", "EvalResult", "Example", "evaluate", "read_dataset"]
