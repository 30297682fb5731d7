"""Reproducible benchmark pairs: a realistic mix of claim-vs-claim pairs and paragraph-long premises.

From a training-role file of ``../shared/data`` passed by path (JSON lines, optionally gzipped,
with ``premise``/``hypothesis`` or ``sentence1``/``sentence2``; never a file kept for measuring),
or, without one, from the sentences of ``examples/``. Nothing is copied into the repository.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLAIM_WORDS = (10, 60)  # words in premise + hypothesis of a claim-vs-claim pair
PARAGRAPH_SHARE = 0.15  # pairs whose premise is a paragraph of 4-8 sentences
MEASURE_HINTS = ("_test", "test.", "dev_matched", "dev_mismatched", "test_")


def _rows(path: Path) -> list[tuple[str, str]]:
    if any(h in path.name for h in MEASURE_HINTS):
        raise SystemExit(f"{path}: looks like a measure-role file; benchmarks take training/tuning data only")
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if line.strip():
                row = json.loads(line)
                p, h = row.get("premise", row.get("sentence1")), row.get("hypothesis", row.get("sentence2"))
                if isinstance(p, str) and isinstance(h, str) and p.strip() and h.strip():
                    rows.append((" ".join(p.split()), " ".join(h.split())))
    return rows


def _example_rows() -> list[tuple[str, str]]:
    docs = []
    for path in sorted((REPO / "examples").rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in (".json", ".jsonl"):
            text = " ".join(json.loads(x).get("text", "") for x in text.splitlines() if x.strip())
        text = re.sub(r"<[^>]+>", " ", text)
        docs.append([" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", text) if 4 <= len(s.split()) <= 40])
    return [(a, b) for i, d in enumerate(docs) for a in d for j, e in enumerate(docs) if i != j for b in e]


def make_pairs(n: int, data: Path | None = None, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` pairs: claim pairs of 10-60 words, and a share with a paragraph-long premise."""
    rng = random.Random(seed)
    rows = _rows(data) if data else _example_rows()
    rng.shuffle(rows)
    claims = [r for r in rows if CLAIM_WORDS[0] <= len(r[0].split()) + len(r[1].split()) <= CLAIM_WORDS[1]]
    sentences = [p for p, _ in rows if 8 <= len(p.split()) <= 40]
    if not claims or not sentences:
        raise SystemExit("no usable pairs in the source")
    out = []
    for i in range(n):
        if rng.random() < PARAGRAPH_SHARE:
            start = rng.randrange(len(sentences))
            paragraph = " ".join(sentences[(start + k) % len(sentences)] for k in range(rng.randint(4, 8)))
            out.append((paragraph, claims[i % len(claims)][1]))
        else:
            out.append(claims[i % len(claims)])
    return out


def describe(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Word counts of a pair set, for the results file."""
    words = sorted(len(p.split()) + len(h.split()) for p, h in pairs)
    return {
        "pairs": len(pairs),
        "mean_words": round(sum(words) / len(words), 1),
        "median_words": words[len(words) // 2],
        "max_words": words[-1],
        "paragraph_premises": sum(len(p.split()) > 60 for p, _ in pairs),
    }
