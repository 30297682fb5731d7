"""Measure contradict's check-worthiness filtering on ClaimBuster sentences: precision and recall.

Each sentence is read as a one-sentence document by ``contradict.claims.extract.extract_claims``; it is
"kept" when it becomes a claim (not dropped as noise, a question, too short, or below the
check-worthiness threshold). Check-worthy sentences (label 1) are the positives.

    python benchmarks/checkworthiness.py ../shared/data/claimbuster/test.json \
        --train ../shared/data/claimbuster/kfold_25ncs.json --out benchmarks/checkworthiness_results.json

The test file has the MEASURE role: numbers are reported on it, nothing is chosen by looking at
it. With ``--train``, the train file minus every sentence id found in the test file is scored at
a range of thresholds, and the threshold with the best F1 there is then also reported on the
test file, next to the pipeline's default threshold.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contradict.claims.extract import ExtractOptions, extract_claims
from contradict.records import Document

log = logging.getLogger("benchmarks.checkworthiness")
SWEEP = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 of keeping check-worthy sentences, with the counts behind them."""

    threshold: float
    precision: float
    recall: float
    f1: float
    kept: int
    positives: int
    sentences: int


def read_rows(path: Path) -> list[dict]:
    """ClaimBuster rows: ``sentence_id``, ``label`` (1 = check-worthy), ``text``."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [{"id": r["sentence_id"], "label": int(r["label"]), "text": r["text"]} for r in rows]


def kept_scores(rows: Sequence[dict]) -> list[float | None]:
    """Each sentence's check-worthiness when nothing else drops it, else None (dropped whatever the threshold)."""
    options = ExtractOptions(language="en", drop_other_languages=False, min_checkworthiness=float("-inf"))
    out: list[float | None] = []
    for row in rows:
        document = Document(id=str(row["id"]), path="-", title="", date=None, text=row["text"], content_hash="")
        claims = extract_claims(document, options).claims
        out.append(max((c.checkworthiness or 0.0) for c in claims) if claims else None)
    return out


def measure(rows: Sequence[dict], scores: Sequence[float | None], threshold: float) -> Scores:
    """Precision, recall and F1 of keeping sentences whose score is at or above the threshold."""
    kept = [s is not None and s >= threshold for s in scores]
    tp = sum(k and r["label"] == 1 for k, r in zip(kept, rows, strict=True))
    positives = sum(r["label"] == 1 for r in rows)
    precision = tp / sum(kept) if any(kept) else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(threshold, round(precision, 4), round(recall, 4), round(f1, 4), sum(kept), positives, len(rows))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (and optionally write) the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("test", type=Path, help="ClaimBuster test.json (measure role)")
    parser.add_argument("--train", type=Path, help="ClaimBuster kfold_25ncs.json; test ids are removed first")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    default = ExtractOptions().min_checkworthiness
    test_rows = read_rows(args.test)
    started = time.perf_counter()
    test_scores = kept_scores(test_rows)
    elapsed = time.perf_counter() - started
    results: dict = {
        "test_file": args.test.name,
        "test": {"default": _as_dict(measure(test_rows, test_scores, default))},
        "sentences_per_s": round(len(test_rows) / elapsed, 1),
    }
    if args.train:
        test_ids = {r["id"] for r in test_rows}
        train_rows = [r for r in read_rows(args.train) if r["id"] not in test_ids]
        train_scores = kept_scores(train_rows)
        sweep = [measure(train_rows, train_scores, t) for t in SWEEP]
        best = max(sweep, key=lambda s: (s.f1, -s.threshold))
        results["train_file"] = f"{args.train.name} minus {len(test_ids)} test ids"
        results["train"] = {"default": _as_dict(measure(train_rows, train_scores, default)),
                            "sweep": [_as_dict(s) for s in sweep]}  # fmt: skip
        results["test"]["best_f1_threshold_on_train"] = _as_dict(measure(test_rows, test_scores, best.threshold))
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def _as_dict(scores: Scores) -> dict:
    return {name: getattr(scores, name) for name in Scores.__slots__}


if __name__ == "__main__":
    sys.exit(main())
