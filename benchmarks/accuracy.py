"""How far each faster backend moves the scores from the float32 reference (torch), and what that costs.

On labelled pairs from a training-role file (SNLI 1.0 dev is training data in ../shared/data;
the point is the *change* against float32, not a quality figure): for every backend, the
distribution of |p(contradiction) - p_fp32|, how often the card's label changes, the
contradiction-vs-rest ROC AUC and three-way accuracy with the card's bands; and, per backend, the
largest change of a pair's score between being scored alone and inside shuffled batches.

    python benchmarks/accuracy.py --data ../shared/data/snli/snli_1.0_dev.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def read_snli(path: Path, n: int, seed: int) -> list[tuple[str, str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        rows = [json.loads(line) for line in fh if line.strip()]
    out = []
    for row in rows:
        premise, hypothesis = row.get("sentence1", row.get("premise")), row.get("sentence2", row.get("hypothesis"))
        label = row.get("gold_label", row.get("label"))
        if label in ("entailment", "neutral", "contradiction") and premise and hypothesis:
            out.append((premise, hypothesis, label))
    random.Random(seed).shuffle(out)
    return out[:n]


def auc(scores: list[float], positive: list[bool]) -> float:
    """ROC AUC by ranks (Mann-Whitney U), ties averaged."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    pos = sum(positive)
    neg = len(positive) - pos
    return (sum(r for r, p in zip(ranks, positive, strict=True) if p) - pos * (pos + 1) / 2) / (pos * neg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="labelled training-role JSON lines (SNLI-style)")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--batch-pairs", type=int, default=64, help="pairs checked alone vs in batches")
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--out", type=Path, default=RESULTS / "accuracy")
    args = parser.parse_args()

    from contradict.scoring.nli import load_model

    rows = read_snli(args.data, args.pairs, seed=0)
    pairs = [(p, h) for p, h, _ in rows]
    gold = [label for _, _, label in rows]
    results = {}
    reference: list | None = None
    for backend in args.backends.split(","):
        model = load_model(device="cpu", backend=backend, threads=args.threads)
        predictions = model.predict(pairs)
        probs = [p.scores.contradiction for p in predictions]
        labels = [p.label for p in predictions]
        if reference is None:
            reference = predictions
        diffs = sorted(abs(a - b.scores.contradiction) for a, b in zip(probs, reference, strict=True))
        sample = pairs[: args.batch_pairs]
        alone = [model.predict([pair])[0].scores.contradiction for pair in sample]
        rng = random.Random(1)
        moved = 0.0
        for _ in range(3):
            order = list(range(len(sample))) * 2
            rng.shuffle(order)
            batched = model.predict([sample[i] for i in order])
            moved = max(moved, max(abs(batched[k].scores.contradiction - alone[i]) for k, i in enumerate(order)))
        results[backend] = {
            "dtype": model.info.dtype,
            "max_abs_diff": round(diffs[-1], 5),
            "p99_abs_diff": round(diffs[int(0.99 * (len(diffs) - 1))], 5),
            "mean_abs_diff": round(sum(diffs) / len(diffs), 5),
            "label_changed": round(sum(a != b.label for a, b in zip(labels, reference, strict=True)) / len(labels), 4),
            "contradiction_auc": round(auc(probs, [g == "contradiction" for g in gold]), 4),
            "three_way_accuracy": round(sum(a == g for a, g in zip(labels, gold, strict=True)) / len(gold), 4),
            "batch_dependence_max": float(f"{moved:.2e}"),
        }
        print(backend, json.dumps(results[backend]), flush=True)
    record = {"command": "python benchmarks/accuracy.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "out"),
              "data": str(args.data), "pairs": len(pairs), "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    lines = [
        "| backend | dtype | max / p99 / mean abs diff of the contradiction score vs torch fp32 | labels changed | contradiction AUC | 3-way accuracy (card labels) | max change alone vs in batches |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['dtype']} | {r['max_abs_diff']} / {r['p99_abs_diff']} / {r['mean_abs_diff']} | {100 * r['label_changed']:.1f}% | "
            f"{r['contradiction_auc']} | {r['three_way_accuracy']} | {r['batch_dependence_max']} |"
        )
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
