"""A blind reading by hand of the strongest contradictions of several real-news runs.

The stance proxy of :mod:`realnews` counts a contradiction as right when its two documents take
opposite stances; it cannot see what the two claims say. This tool sets up a reading that can:

    python benchmarks/byhand.py blind RUN_A.json RUN_B.json --top 5 --out WORK/tune5
    # read WORK/tune5.blind.json and write WORK/tune5.labels.txt: one line per item, "ID R|N|?"
    #   R: a real disagreement (one claim denies or cannot be true with what the other states,
    #      read as about the same thing); N: not; ?: cannot tell from the two claims
    python benchmarks/byhand.py score WORK/tune5 --out benchmarks/results/NAME.json

``blind`` takes each run's ``top10`` lists (written by ``realnews.py --out``), keeps each topic's
first ``--top`` contradictions, merges the pairs the runs share, shuffles them with a fixed
seed, and writes two files: ``.blind.json`` with only the story's headline and the two claims
(no run, rank, stance or score), to be read and labelled, and ``.map.json`` with which runs
ranked each item where and the documents' stances, not to be opened before labelling.
``score`` joins the labels to the map and reports, per run and cut-off, the share of real
disagreements, the stance proxy's share on the same pairs, and how often the two agree. The
written result keeps no claim text (FNC-1's text stays out of the repository).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("byhand")
LABELS = ("R", "N", "?")
SEED = 2312


def blind_items(runs: dict[str, list[dict[str, Any]]], headlines: dict[str, str], top: int, seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The union of each run's first ``top`` contradictions per topic, shuffled: (blind, map).

    A pair is the same item in two runs when its topic and its two claims (in either order) match."""
    items: dict[tuple[str, str, str], dict[str, Any]] = {}
    for name, rows in runs.items():
        for row in rows:
            if row["rank"] > top:
                continue
            a, b = sorted((row["a"], row["b"]))
            item = items.setdefault((row["topic"], a, b), {"topic": row["topic"], "a": row["a"], "b": row["b"],
                                                           "stances": list(row["stances"]), "ranks": {}})  # fmt: skip
            item["ranks"][name] = row["rank"]
    keys = list(items)  # runs in the order given, rows in file order: the same inputs give the same ids
    random.Random(seed).shuffle(keys)
    blind = [{"id": i, "story": headlines.get(items[k]["topic"], ""), "a": items[k]["a"], "b": items[k]["b"]} for i, k in enumerate(keys)]
    mapping = [{"id": i, "topic": items[k]["topic"], "stances": items[k]["stances"], "ranks": items[k]["ranks"]} for i, k in enumerate(keys)]
    return blind, mapping


def read_labels(path: Path, ids: Sequence[int]) -> dict[int, str]:
    """``ID LABEL`` lines; every id labelled once, with one of R, N, ?."""
    labels: dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in LABELS:
            raise ValueError(f"{path}:{number}: expected 'ID R|N|?', got {line!r}")
        if int(parts[0]) in labels:
            raise ValueError(f"{path}:{number}: item {parts[0]} labelled twice")
        labels[int(parts[0])] = parts[1]
    missing = sorted(set(ids) - set(labels))
    extra = sorted(set(labels) - set(ids))
    if missing or extra:
        raise ValueError(f"{path}: labels do not match the items (missing {missing[:10]}, unknown {extra[:10]})")
    return labels


def score(mapping: Sequence[dict[str, Any]], labels: dict[int, str], cutoffs: Sequence[int]) -> dict[str, dict[str, Any]]:
    """Per run and cut-off: pairs, real by hand, ambiguous, the proxy's share, and hand-proxy agreement."""
    out: dict[str, dict[str, Any]] = {}
    runs = sorted({name for item in mapping for name in item["ranks"]})
    for name in runs:
        for k in cutoffs:
            rows = [(labels[it["id"]], set(it["stances"]) == {"agree", "disagree"}) for it in mapping if it["ranks"].get(name, k + 1) <= k]
            n = len(rows)
            real = sum(label == "R" for label, _ in rows)
            unsure = sum(label == "?" for label, _ in rows)
            proxy = sum(opposite for _, opposite in rows)
            agree = sum((label == "R") == opposite for label, opposite in rows if label != "?")
            out[f"{name}@{k}"] = {
                "run": name, "top": k, "pairs": n, "real": real, "ambiguous": unsure,
                "real_share": round(real / n, 4) if n else None,
                "real_share_ambiguous_half": round((real + unsure / 2) / n, 4) if n else None,
                "proxy_share": round(proxy / n, 4) if n else None,
                "proxy_agrees_with_hand": agree, "labelled_sure": n - unsure,
            }  # fmt: skip
    return out


def _headlines(fnc1: Path) -> dict[str, str]:
    rows = (json.loads(line) for line in (fnc1 / "topics.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["topic_id"]: row["main_headline"] for row in rows}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("blind", help="write the items to read (.blind.json) and their key (.map.json)")
    b.add_argument("runs", nargs="+", type=Path, help="realnews.py --out JSON files (with top10 lists)")
    b.add_argument("--top", type=int, default=5, help="first N contradictions of each topic (default 5)")
    b.add_argument("--fnc1", type=Path, default=Path("../shared/data/fnc1"), help="for the stories' headlines")
    b.add_argument("--out", type=Path, required=True, help="prefix: writes PREFIX.blind.json and PREFIX.map.json")
    s = sub.add_parser("score", help="join PREFIX.labels.txt to PREFIX.map.json")
    s.add_argument("prefix", type=Path)
    s.add_argument("--labels", type=Path, help="default PREFIX.labels.txt")
    s.add_argument("--cutoffs", default="3,5", help="comma-separated top-k cut-offs (default 3,5)")
    s.add_argument("--out", type=Path, help="write the result (no claim text) as JSON")
    s.add_argument("--note", default="", help="who read, and how blind it was")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "blind":
        runs: dict[str, list[dict[str, Any]]] = {}
        for path in args.runs:
            data = json.loads(path.read_text(encoding="utf-8"))
            if "top10" not in data:
                parser.error(f"{path} has no top10 lists: use realnews.py's own --out JSON, not a committed copy")
            runs[path.stem] = data["top10"]
        if len(runs) != len(args.runs):
            parser.error("two runs share a file name; rename one")
        blind, mapping = blind_items(runs, _headlines(args.fnc1), args.top)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        Path(f"{args.out}.blind.json").write_text(json.dumps(blind, indent=1, ensure_ascii=False), encoding="utf-8")
        Path(f"{args.out}.map.json").write_text(json.dumps(mapping, indent=1), encoding="utf-8")
        log.info("%d items to read in %s.blind.json (do not open %s.map.json before labelling)", len(blind), args.out, args.out)
        return 0
    mapping = json.loads(Path(f"{args.prefix}.map.json").read_text(encoding="utf-8"))
    try:
        labels = read_labels(args.labels or Path(f"{args.prefix}.labels.txt"), [it["id"] for it in mapping])
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    cutoffs = [int(c) for c in args.cutoffs.split(",")]
    result = score(mapping, labels, cutoffs)
    for row in result.values():
        log.info("%-28s top %d: %3d pairs, real %3d (%.3f; ambiguous %d, counted half %.3f), proxy %.3f, proxy agrees with hand on %d of %d",
                 row["run"], row["top"], row["pairs"], row["real"], row["real_share"] or 0, row["ambiguous"],
                 row["real_share_ambiguous_half"] or 0, row["proxy_share"] or 0, row["proxy_agrees_with_hand"], row["labelled_sure"])  # fmt: skip
    if args.out:
        rows = [{"id": it["id"], "topic": it["topic"], "stances": it["stances"], "ranks": it["ranks"], "label": labels[it["id"]]} for it in mapping]
        args.out.write_text(json.dumps({"note": args.note, "labels": "R real disagreement, N not, ? cannot tell",
                                        "seed": SEED, "summary": result, "rows": rows}, indent=1) + "\n", encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
