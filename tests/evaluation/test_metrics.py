"""Metrics, dataset readers and long-premise windows."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from contradict.errors import InputFormatError, UsageError
from contradict.evaluation.datasets import Dataset, Example, read_dataset
from contradict.evaluation.metrics import evaluate, expected_calibration_error, format_table, roc_auc, score_dataset
from contradict.records import LabelScores, Prediction
from contradict.scoring.windows import WindowedScorer, aggregate, sentence_windows


@pytest.mark.parametrize(
    ("positive", "scores", "auc"),
    [
        ([True, False], [0.9, 0.1], 1.0),
        ([True, False], [0.1, 0.9], 0.0),
        ([True, False, True, False], [0.5, 0.5, 0.5, 0.5], 0.5),
        ([True, True, False, False], [0.8, 0.4, 0.6, 0.2], 0.75),
        ([True, True], [0.1, 0.2], None),
    ],
)
def test_roc_auc_table(positive, scores, auc):
    assert roc_auc(positive, scores) == (pytest.approx(auc) if auc is not None else None)


def test_roc_auc_matches_pair_counting():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    s = np.round(rng.random(300), 2)  # many ties
    pos, neg = s[y], s[~y]
    brute = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    assert roc_auc(y.tolist(), s.tolist()) == pytest.approx(brute)


@pytest.mark.parametrize(
    ("confidence", "correct", "ece"),
    [([1.0, 1.0], [True, True], 0.0), ([0.9] * 10, [True] * 9 + [False], 0.0), ([0.9] * 10, [True] * 5 + [False] * 5, 0.4), ([], [], 0.0)],
)
def test_ece_table(confidence, correct, ece):
    assert expected_calibration_error(confidence, correct) == pytest.approx(ece)


def pred(c: float, e: float, n: float) -> Prediction:
    s = LabelScores(contradiction=c, entailment=e, neutral=n)
    return Prediction(label=s.label(), scores=s, raw=(e, n, c))


def test_score_dataset_three_way():
    data = Dataset("d", (Example("p", "h", "contradiction"), Example("p", "h", "entailment"), Example("p", "h", "neutral")), False, 0)
    result = score_dataset(data, [pred(0.8, 0.1, 0.1), pred(0.6, 0.3, 0.1), pred(0.1, 0.1, 0.8)])
    assert result.accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert result.confusion["entailment"]["contradiction"] == 1
    assert result.per_label["contradiction"].precision == 0.5 and result.per_label["contradiction"].recall == 1.0
    assert result.auc == 1.0
    assert "accuracy 0.6667" in format_table(result)


def test_score_dataset_two_way():
    data = Dataset("d", (Example("p", "h", "entailment"), Example("p", "h", "not_entailment")), True, 0)
    result = score_dataset(data, [pred(0.1, 0.7, 0.2), pred(0.3, 0.6, 0.1)])
    assert result.accuracy == 0.5 and result.auc_label == "entailment"
    assert set(result.confusion) == {"entailment", "not_entailment"}


FILES = {
    "snli": ("a.jsonl.gz", [{"sentence1": "P", "sentence2": "H", "gold_label": "contradiction"}, {"sentence1": "P", "sentence2": "H", "gold_label": "-"}]),
    "anli": ("a.jsonl", [{"premise": "P", "hypothesis": "H", "label": 2}, {"premise": "P", "hypothesis": "H", "label": 0}]),
    "rte3": ("a.jsonl", [{"premise": "P", "hypothesis": "H", "label_3way": "NO"}, {"premise": "P", "hypothesis": "H", "label_3way": "UNKNOWN"}]),
    "jsonl": ("a.jsonl", [{"premise": "P", "hypothesis": "H", "label": "c"}, {"premise": "P", "hypothesis": "H", "label": "maybe"}]),
}


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_read_json_formats(tmp_path: Path, fmt):
    name, rows = FILES[fmt]
    path = tmp_path / name
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    data = read_dataset(path, fmt)
    assert data.examples[0] == Example("P", "H", "contradiction")
    assert len(data.examples) + data.dropped == 2


@pytest.mark.parametrize(
    ("fmt", "name", "text", "labels"),
    [
        ("mnli", "m.tsv", "index\tpremise\thypothesis\tgold_label\tn\n0\tP\tH\tneutral\t100\n", ["neutral"]),
        ("mnli", "m.csv", 'pairID,sentence1,sentence2,label\n1,"P, with comma",H,entailment\n', ["entailment"]),
        ("mnli", "m.tsv", "contradiction\tP\tH\n", ["contradiction"]),
        ("xnli", "x.tsv", "id\tpremise\thypothesis\tlabel\n0\tP\tH\t1\n", ["neutral"]),
        ("fever-binary", "f.txt", "not_entailment\tP\tH\nentailment\tP\tH\n", ["not_entailment", "entailment"]),
    ],
)
def test_read_table_formats(tmp_path: Path, fmt, name, text, labels):
    path = tmp_path / name
    path.write_text(text)
    data = read_dataset(path, fmt)
    assert [e.label for e in data.examples] == labels
    assert data.two_way == (fmt == "fever-binary")


def test_sick_split(tmp_path: Path):
    path = tmp_path / "SICK.txt"
    path.write_text("pair_ID\tsentence_A\tsentence_B\tentailment_label\tSemEval_set\n1\tA\tB\tNEUTRAL\tTRAIN\n2\tA\tB\tCONTRADICTION\tTEST\n")
    assert [e.label for e in read_dataset(path, "sick", split="TEST").examples] == ["contradiction"]
    assert len(read_dataset(path, "sick").examples) == 2


def test_dataset_errors(tmp_path: Path):
    with pytest.raises(UsageError):
        read_dataset(tmp_path / "missing.jsonl", "jsonl")
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "no premise"}\n')
    with pytest.raises(InputFormatError, match="--format snli"):
        read_dataset(path, "snli")
    with pytest.raises(UsageError, match="unknown format"):
        read_dataset(path, "nope")


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("One sentence here.", 2, []),
        ("First one. Second one.", 2, []),
        ("First one. Second one. Third one.", 2, ["First one. Second one.", "Second one. Third one."]),
        ("Troops left. Rain fell. Roads closed. Schools opened.", 3, ["Troops left. Rain fell. Roads closed.", "Rain fell. Roads closed. Schools opened."]),
    ],
)
def test_sentence_windows(text, size, expected):
    assert sentence_windows(text, size, 1) == expected


def test_aggregate_prefers_contradiction_then_entailment():
    assert aggregate([pred(0.1, 0.2, 0.7), pred(0.8, 0.1, 0.1)]).label == "contradiction"
    assert aggregate([pred(0.1, 0.2, 0.7), pred(0.1, 0.8, 0.1), pred(0.3, 0.3, 0.4)]).label == "entailment"
    assert aggregate([pred(0.2, 0.2, 0.6), pred(0.1, 0.3, 0.6), pred(0.3, 0.3, 0.4)]).scores.neutral == 0.4


def test_windowed_scorer_on_tiny_model(tiny_nli):
    short = ("The dam collapsed on Tuesday.", "The dam failed.")
    long_premise = "The dam was built in 1962. It collapsed on Tuesday. Rescue teams arrived on Wednesday. Schools stayed closed."
    windowed = WindowedScorer(tiny_nli).predict([short, (long_premise, "The dam failed.")])
    plain = tiny_nli.predict([short])[0]
    assert windowed[0].raw == pytest.approx(plain.raw, abs=1e-5)  # short premises pass through
    candidates = tiny_nli.predict([(long_premise, "The dam failed.")] + [(w, "The dam failed.") for w in sentence_windows(long_premise, 2, 1)])
    assert any(windowed[1].raw == pytest.approx(c.raw, abs=1e-5) for c in candidates)


def test_evaluate_end_to_end_on_tiny_model(tiny_nli, tmp_path: Path):
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps({"premise": f"Fact {i} holds.", "hypothesis": "It does not.", "label": lab})
                              for i, lab in enumerate(["entailment", "neutral", "contradiction"] * 3)))
    result = evaluate(read_dataset(path, "jsonl"), tiny_nli)
    assert result.examples == 9 and sum(m.support for m in result.per_label.values()) == 9
    assert sum(sum(row.values()) for row in result.confusion.values()) == 9
