"""The issue-14 comparison table from benchmarks/quality/finetune/*.json (written by
benchmarks/finetune_quality.sh): one row per metric, one column per model prefix. The last two
columns judge the second prefix (the candidate) against the first (the baseline) and the target.

    python benchmarks/finetune_table.py bands ftall ft
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "quality" / "finetune"
ROWS = (  # (label, set, metric, target, higher is better)
    ("SNLI test, 3-way accuracy (first 2,000)", "snli", "accuracy", 0.91, True),
    ("MNLI matched dev, 3-way accuracy (first 2,000)", "mnli_m", "accuracy", 0.86, True),
    ("MNLI mismatched dev, 3-way accuracy (first 2,000)", "mnli_mm", "accuracy", 0.86, True),
    ("SNLI test, contradiction-vs-rest AUC", "snli", "auc", 0.97, True),
    ("MNLI matched, contradiction-vs-rest AUC", "mnli_m", "auc", 0.97, True),
    ("MNLI mismatched, contradiction-vs-rest AUC", "mnli_mm", "auc", 0.97, True),
    ("ANLI R1 test, 3-way accuracy (all 1,000)", "anli_r1", "accuracy", 0.35, True),
    ("Climate-FEVER evidence-claim pairs, REFUTES-vs-rest AUC (7,675)", "climate_fever", "auc", 0.85, True),
    ("MNLI mismatched, expected calibration error", "mnli_mm", "ece", 0.05, False),
    ("ConTRoL test, 3-way accuracy (805, windows)", "control", "accuracy", None, True),
    ("ConTRoL test, contradiction-vs-rest AUC", "control", "auc", None, True),
)


def cell(prefix: str, name: str, metric: str) -> float | None:
    path = FOLDER / f"{prefix}_{name}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get(metric)


def main() -> None:
    prefixes = sys.argv[1:] or ["bands", "ft"]
    candidate = prefixes[1] if len(prefixes) > 1 else prefixes[0]
    print("| set, metric | " + " | ".join(prefixes) + f" | target | {candidate} better than {prefixes[0]}? | {candidate} meets target? |")
    print("|---|" + "---|" * (len(prefixes) + 3))
    for label, name, metric, target, higher in ROWS:
        values = [cell(p, name, metric) for p in prefixes]
        shown = ["not measured" if v is None else f"{v:.4f}" if metric != "accuracy" else f"{100 * v:.2f}" for v in values]
        verdict = ""
        if len(values) > 1 and None not in values[:2]:
            verdict = "yes" if (values[1] > values[0] if higher else values[1] < values[0]) else "no"
        goal = "" if target is None else (f">= {target:g}" if higher else f"<= {target:g}")
        if target is not None and metric == "accuracy":
            goal = f">= {100 * target:g}"
        judged = values[1] if len(values) > 1 else values[0]
        met = "" if target is None or judged is None else ("yes" if (judged >= target if higher else judged <= target) else "no")
        print(f"| {label} | " + " | ".join(shown) + f" | {goal} | {verdict} | {met} |")


if __name__ == "__main__":
    main()
