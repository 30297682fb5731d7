"""Ways to re-rank or fold the reported contradictions, fitted on train topics, measured on tune topics.

Each is measured by the real-news benchmark's proxy (:mod:`realnews`): the share of each
topic's top 10 contradictions that join an agree and a disagree document, pooled over the
topics that have both. Only ``dispute`` is in the tool; this is the record of how it was chosen and why the others
are not (README, "Decisions and quality on real news").

- ``dispute`` (the one in the tool, :mod:`contradict.findings.disputes`): contradictions ordered
  by confidence times ``(1 + truth_weight * truth gap) * (1 + share_weight * contradiction
  share)`` of their two documents, over a grid of the two weights; the shipped weights are
  the best top 10 on train (ties broken on tune).
- ``rerank``: a logistic model fitted only among the pairs the default decision labels
  contradiction, against the stance proxy, over the confidence, similarity, how many of the
  folder's other documents hold a claim like each side (cosine >= 0.6), speakers, cues, kind,
  hedges and length; the contradictions re-ranked by its probability.
- ``fold``: two contradictions are one dispute when each side's claims are alike (cosine >=
  tau, same polarity, modality, numbers and dates); each dispute is reported once, by its
  strongest pair. tau is chosen on the train topics (best top 10, then fewest disputes).
- ``central``: the folder's 3 most restated claims (the claims that most other documents
  restate, cosine >= 0.6, kept apart at cosine < 0.8); a document's stance is the mean, over
  its claims alike to them (cosine >= 0.5), of the model's entailment minus contradiction both
  ways, less 0.5 for a truth cue; contradictions between documents of opposite computed stance
  first, the larger the gap the earlier.

    python benchmarks/ranking.py ../shared/data/fnc1 --cache /work/findings-cache \\
        --fit-topics train-104,train-11,train-118,train-204,train-213,train-220,train-228,train-26,train-304,train-32,train-322,train-323,train-344,train-385 \\
        --out benchmarks/results/ranking

Verdicts and embeddings are cached in ``--cache`` as by ``realnews.py`` (the same files).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realnews as R  # noqa: E402

from contradict.findings.decide import fit_logistic  # noqa: E402
from contradict.findings.disputes import SHARE_WEIGHT, TRUTH_WEIGHT, rank_pairs  # noqa: E402
from contradict.findings.kinds import dates_disagree, numbers_disagree  # noqa: E402
from contradict.pairing.cues import TRUTH_PATTERN  # noqa: E402

log = logging.getLogger("ranking")
FEATURES = ("logit_confidence", "similarity", "support_mean", "support_min", "speakers", "truth", "quantity", "date",
            "polarity", "other", "factual", "hedged", "flagged", "log_length")  # fmt: skip
FOLD_GRID = (0.9, 0.85, 0.8, 0.75, 0.7)


class Folder:
    """One analysed topic with its claims' unit embeddings and similarity matrix."""

    def __init__(self, topic: Any, claims: list[Any], found: Any, encoder: Any) -> None:
        self.topic, self.claims, self.found = topic, claims, found
        self.by_id = {c.id: c for c in claims}
        self.index = {c.id: i for i, c in enumerate(claims)}
        emb = encoder.encode([c.statement for c in claims])
        emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        self.sim = emb @ emb.T
        self.docs = np.array([c.doc_id for c in claims])
        others = max(len(set(self.docs)) - 1, 1)
        self.support = np.array([len(set(self.docs[(self.docs != self.docs[i]) & (self.sim[i] >= 0.6)])) for i in range(len(claims))])
        self.support_share = self.support / others
        self.contradictions = [p for p in found.pairs if p.label == "contradiction"]
        self.eligible = {"agree", "disagree"} <= set(topic.stance.values())

    def opposite(self, pair: Any) -> bool:
        stances = {self.topic.stance[self.by_id[pair.claim_a].doc_id], self.topic.stance[self.by_id[pair.claim_b].doc_id]}
        return stances == R.OPPOSITE


def topk(folders: Sequence[Folder], order: Callable[[Folder], list[Any]], k: int) -> float | None:
    hits = [f.opposite(p) for f in folders if f.eligible for p in order(f)[:k]]
    return round(sum(hits) / len(hits), 4) if hits else None


def top10(folders: Sequence[Folder], order: Callable[[Folder], list[Any]]) -> float | None:
    return topk(folders, order, 10)


def per_8_docs(folders: Sequence[Folder], order: Callable[[Folder], list[Any]]) -> float:
    return round(8 * sum(len(order(f)) for f in folders) / max(sum(len(f.topic.documents) for f in folders), 1), 2)


def as_reported(f: Folder) -> list[Any]:
    return f.contradictions


def by_confidence(f: Folder) -> list[Any]:
    return sorted(f.contradictions, key=lambda p: -(p.confidence or 0.0))


# ---------------------------------------------------------------- rerank


def pair_features(f: Folder, p: Any) -> dict[str, float]:
    a, b = f.by_id[p.claim_a], f.by_id[p.claim_b]
    conf = min(max(p.confidence or 0.0, 1e-4), 1 - 1e-4)
    cues = {e.type for e in p.evidence}
    sa, sb = f.support_share[f.index[a.id]], f.support_share[f.index[b.id]]
    return {
        "logit_confidence": math.log(conf / (1 - conf)), "similarity": float(p.similarity),
        "support_mean": float(sa + sb) / 2, "support_min": float(min(sa, sb)),
        "speakers": float(bool(a.speaker)) + float(bool(b.speaker)),
        **{cue: float(cue in cues) for cue in ("truth", "quantity", "date", "polarity")},
        "other": float(p.kind == "other"), "factual": float(p.kind == "factual"),
        "hedged": float(bool(a.hedges or b.hedges)), "flagged": float(bool(a.flags or b.flags)),
        "log_length": math.log(len(a.statement.split()) + len(b.statement.split())),
    }  # fmt: skip


def rerank(train: Sequence[Folder], tune: Sequence[Folder]) -> dict[str, Any]:
    rows = [pair_features(f, p) for f in train for p in f.contradictions]
    targets = [int(f.opposite(p)) for f in train for p in f.contradictions]
    model = fit_logistic(rows, targets, FEATURES)
    out: dict[str, Any] = {"fitted_on_pairs": len(rows), "positives": sum(targets),
                           "weights": dict(zip(FEATURES, (round(w, 3) for w in model.weights), strict=True))}

    def order(f: Folder) -> list[Any]:
        return sorted(f.contradictions, key=lambda p: -model.probability(pair_features(f, p)))

    for name, folders in (("train", train), ("tune", tune)):
        out[name] = {"top10_as_reported": top10(folders, as_reported), "top10_by_confidence": top10(folders, by_confidence),
                     "top10_reranked": top10(folders, order)}
    # what the proxy is made of: contradictions with a "discuss" document can never count
    out["train_share_with_discuss"] = round(
        sum("discuss" in {f.topic.stance[f.by_id[p.claim_a].doc_id], f.topic.stance[f.by_id[p.claim_b].doc_id]}
            for f in train for p in f.contradictions) / max(len(rows), 1), 4)  # fmt: skip
    return out


# ---------------------------------------------------------------- dispute (shipped)

DISPUTE_GRID = ((0.0, 0.0), (10.0, 0.0), (0.0, 3.0), (3.0, 1.0), (3.0, 3.0), (10.0, 1.0), (10.0, 3.0), (10.0, 10.0),
                (30.0, 3.0))  # fmt: skip


def disputed(truth_weight: float, share_weight: float) -> Callable[[Folder], list[Any]]:
    """The report's order with other dispute weights (contradict.findings.disputes.rank_pairs)."""

    def order(f: Folder) -> list[Any]:
        ranked = rank_pairs(list(f.found.pairs), f.by_id, f.topic.documents, truth_weight, share_weight)
        return [p for p in ranked if p.label == "contradiction"]

    return order


def dispute(train: Sequence[Folder], tune: Sequence[Folder]) -> dict[str, Any]:
    """Top 5 and top 10 over the weight grid; the shipped weights are the best on train (ties: tune)."""
    rows = []
    for tw, sw in DISPUTE_GRID:
        order = disputed(tw, sw)
        rows.append({"truth_weight": tw, "share_weight": sw,
                     **{f"{name}_top{k}": topk(folders, order, k) for name, folders in (("train", train), ("tune", tune))
                        for k in (5, 10)}})  # fmt: skip
    return {"shipped": {"truth_weight": TRUTH_WEIGHT, "share_weight": SHARE_WEIGHT}, "grid": rows}


# ---------------------------------------------------------------- fold


def clusters(f: Folder, tau: float) -> list[int]:
    parent = list(range(len(f.claims)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.where(np.triu(f.sim, 1) >= tau), strict=True):
        a, b = f.claims[i], f.claims[j]
        if a.polarity == b.polarity and a.modality == b.modality and not numbers_disagree(a, b) and not dates_disagree(a, b):
            parent[find(int(i))] = find(int(j))
    return [find(i) for i in range(len(f.claims))]


def folded(tau: float) -> Callable[[Folder], list[Any]]:
    cache: dict[int, list[Any]] = {}

    def order(f: Folder) -> list[Any]:
        if id(f) not in cache:
            label = clusters(f, tau)
            seen: set[frozenset[int]] = set()
            kept = []
            for p in f.contradictions:  # already in the report's order
                key = frozenset((label[f.index[p.claim_a]], label[f.index[p.claim_b]]))
                if key not in seen:
                    seen.add(key)
                    kept.append(p)
            cache[id(f)] = kept
        return cache[id(f)]

    return order


def fold(train: Sequence[Folder], tune: Sequence[Folder]) -> dict[str, Any]:
    grid = []
    for tau in FOLD_GRID:
        order = folded(tau)
        grid.append({"tau": tau, "train_top10": top10(train, order), "train_per_8_docs": per_8_docs(train, order)})
    best = max(grid, key=lambda g: (g["train_top10"] or 0.0, -g["train_per_8_docs"]))
    order = folded(best["tau"])
    return {"grid_on_train": grid, "tau": best["tau"],
            "train": {"top10": top10(train, as_reported), "per_8_docs": per_8_docs(train, as_reported),
                      "top10_folded": best["train_top10"], "per_8_docs_folded": best["train_per_8_docs"]},
            "tune": {"top10": top10(tune, as_reported), "per_8_docs": per_8_docs(tune, as_reported),
                     "top10_folded": top10(tune, order), "per_8_docs_folded": per_8_docs(tune, order)}}  # fmt: skip


# ---------------------------------------------------------------- central


def document_stances(f: Folder, model: Any, n_central: int = 3) -> dict[str, float]:
    central: list[int] = []
    for i in np.argsort(-f.support, kind="stable"):
        if all(f.sim[i, j] < 0.8 for j in central):
            central.append(int(i))
        if len(central) >= n_central:
            break
    stances = {}
    for doc in sorted(set(f.docs)):
        values = []
        for c in central:
            near = [int(i) for i in np.where((f.docs == doc) & (f.sim[c] >= 0.5))[0] if i != c]
            if not near:
                continue
            texts = [(f.claims[i].statement, f.claims[c].statement) for i in near]
            preds = model.predict(texts + [(h, p) for p, h in texts])
            for k, i in enumerate(near):
                fw, bw = preds[k].scores, preds[k + len(near)].scores
                value = (fw.entailment + bw.entailment - fw.contradiction - bw.contradiction) / 2
                values.append(value - (0.5 if TRUTH_PATTERN.search(f.claims[i].statement) else 0.0))
        stances[doc] = float(np.mean(values)) if values else 0.0
    return stances


def central(train: Sequence[Folder], tune: Sequence[Folder], model: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, folders in (("train", train), ("tune", tune)):
        computed = {id(f): document_stances(f, model) for f in folders}

        def order(f: Folder, computed: dict[int, dict[str, float]] = computed) -> list[Any]:
            s = computed[id(f)]

            def key(p: Any) -> tuple[float, float]:
                sa, sb = s[f.by_id[p.claim_a].doc_id], s[f.by_id[p.claim_b].doc_id]
                return (-abs(sa - sb) * (1.0 if sa * sb < 0 else 0.3), -(p.confidence or 0.0))

            return sorted(f.contradictions, key=key)

        by_gold: dict[str, list[float]] = {}
        for f in folders:
            for doc, value in computed[id(f)].items():
                by_gold.setdefault(f.topic.stance[doc], []).append(value)
        out[name] = {"top10_as_reported": top10(folders, as_reported), "top10_by_confidence": top10(folders, by_confidence),
                     "top10_central": top10(folders, order),
                     "computed_stance_by_gold": {g: round(float(np.mean(v)), 3) for g, v in sorted(by_gold.items())}}  # fmt: skip
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the fnc1 folder (../shared/data/fnc1)")
    parser.add_argument("--cache", type=Path, required=True, help="realnews.py's cache folder")
    parser.add_argument("--fit-topics", required=True, help="comma list of train topic ids to fit and choose on")
    parser.add_argument("--max-docs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write OUT.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    from contradict.pairing.candidates import load_encoder  # noqa: PLC0415
    from contradict.scoring.nli import load_model  # noqa: PLC0415

    fit_ids = [t.strip() for t in args.fit_topics.split(",") if t.strip()]
    train_topics = R.read_topics(args.data, ["train"], args.max_docs, args.seed, fit_ids)
    tune_topics = R.read_topics(args.data, ["tune"], args.max_docs, args.seed, [])
    model = R.CachedModel(load_model(None), R.DiskCache(args.cache / "nli.sqlite"))
    encoder = R.CachedEncoder(load_encoder(None), R.DiskCache(args.cache / "embeddings.sqlite"))
    options = R.ScanOptions()
    folders = {}
    for name, topics in (("train", train_topics), ("tune", tune_topics)):
        _, analysed = R.run(topics, model, encoder, options)
        folders[name] = [Folder(t, c, f, encoder) for t, c, f in analysed]
    result = {"command": " ".join(["python", "benchmarks/ranking.py", *(argv if argv is not None else sys.argv[1:])]),
              "machine": R.machine(), "train_topics": fit_ids, "tune_topics": [t.id for t in tune_topics],
              "dispute": dispute(folders["train"], folders["tune"]),
              "rerank": rerank(folders["train"], folders["tune"]), "fold": fold(folders["train"], folders["tune"]),
              "central": central(folders["train"], folders["tune"], model)}  # fmt: skip
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
