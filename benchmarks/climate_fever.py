"""Climate-FEVER claim-evidence pairs as a labelled JSON-lines file for `contradict eval`.

Each claim has five evidence sentences labelled SUPPORTS / REFUTES / NOT_ENOUGH_INFO against
it. One pair per (evidence, claim): premise = the evidence sentence, hypothesis = the claim,
label REFUTES -> contradiction, SUPPORTS -> entailment, NOT_ENOUGH_INFO -> neutral, so that
`contradict eval`'s contradiction-vs-rest AUC is the REFUTES-vs-rest AUC. Climate-FEVER is a
measure-role file: write the converted file outside the repository.

    python benchmarks/climate_fever.py ../shared/data/climate-fever/climate-fever.jsonl /tmp/cf.jsonl
    contradict eval /tmp/cf.jsonl --format jsonl --no-windows
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

LABELS = {"REFUTES": "contradiction", "SUPPORTS": "entailment", "NOT_ENOUGH_INFO": "neutral"}


def convert(source: Path, out: Path) -> int:
    """Write the pairs of ``source`` to ``out`` in file order; return how many."""
    count = 0
    with source.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
        for line in fh:
            if not line.strip():
                continue
            claim = json.loads(line)
            for ev in claim["evidences"]:
                if ev["evidence_label"] in LABELS and ev["evidence"].strip():
                    dst.write(json.dumps({"premise": ev["evidence"], "hypothesis": claim["claim"], "label": LABELS[ev["evidence_label"]]}) + "\n")
                    count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="climate-fever.jsonl")
    parser.add_argument("out", type=Path, help="JSON-lines file to write (outside the repository)")
    args = parser.parse_args()
    print(f"{convert(args.source, args.out)} pairs -> {args.out}")


if __name__ == "__main__":
    main()
