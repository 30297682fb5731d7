"""Which ANN library to pair claims with: recall of cross-document top-k against exact search, and time.

Reads the claims and embeddings that ``benchmarks/growth.py --cache DIR`` stored (real claims
embedded with the default encoder) and, on the first N of them, builds each library's HNSW
graph and searches every claim's neighbours in other documents. Libraries that cannot exclude
a document's rows during the search (hnswlib, usearch, and faiss "overfetch") take the
``k + extra`` nearest and drop same-document ones; ``faiss`` (what contradict uses) excludes
them with an ID selector per document. Single-threaded, and timed in CPU seconds of this process
(wall clock on a shared machine measures the other work as much as this).

    python benchmarks/ann.py --cache /work/scale-cache --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from contradict.pairing.index import IndexOptions, ann_neighbours, build_hnsw, exact_neighbours  # noqa: E402


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = total = 0
    for f, t in zip(found, truth, strict=True):
        t = set(t[t >= 0].tolist())
        hits += len(t & set(f[f >= 0].tolist()))
        total += len(t)
    return hits / max(total, 1)


def _filter(ids: np.ndarray, doc: np.ndarray, k: int) -> np.ndarray:
    out = np.full((len(ids), k), -1, dtype=np.int64)
    for i, row in enumerate(ids):
        keep = [j for j in row if j >= 0 and doc[j] != doc[i]][:k]
        out[i, : len(keep)] = keep
    return out


def run(emb: np.ndarray, doc_ids: list[str], k: int, extra: int) -> list[dict]:
    """One row per library setting: build and search seconds, and recall against exact top-k."""
    _, doc = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    n, dim = emb.shape
    started = time.process_time()
    truth = exact_neighbours(emb, doc_ids, k).ids
    rows = [{"library": "exact (numpy, blockwise)", "build_s": 0.0, "search_s": round(time.process_time() - started, 2),
             "recall": 1.0}]
    import faiss  # noqa: PLC0415

    faiss.omp_set_num_threads(1)
    for m, ef_c, ef_s in ((16, 80, 64), (32, 80, 64), (32, 80, 128)):
        options = IndexOptions(method="ann", hnsw_m=m, ef_construction=ef_c, ef_search=ef_s, threads=1)
        t0 = time.process_time()
        index = build_hnsw(emb, options)
        t1 = time.process_time()
        found = ann_neighbours(emb, doc_ids, k, options, index=index).ids
        t2 = time.process_time()
        rows.append({"library": f"faiss {faiss.__version__} HNSW M={m} efC={ef_c} efS={ef_s}, selector",
                     "build_s": round(t1 - t0, 2), "search_s": round(t2 - t1, 2), "recall": round(_recall(found, truth), 4)})
        if (m, ef_s) == (32, 64):
            index.hnsw.efSearch = ef_s
            t1 = time.process_time()
            _, raw = index.search(emb, k + extra)
            t2 = time.process_time()
            rows.append({"library": f"faiss {faiss.__version__} HNSW M={m} efC={ef_c} efS={ef_s}, overfetch {k + extra}",
                         "build_s": rows[-1]["build_s"], "search_s": round(t2 - t1, 2),
                         "recall": round(_recall(_filter(raw, doc, k), truth), 4)})
    try:
        import hnswlib  # noqa: PLC0415
    except ImportError:
        hnswlib = None
    if hnswlib is not None:
        for m, ef_c, ef_s in ((16, 80, 64), (32, 80, 64)):
            t0 = time.process_time()
            index = hnswlib.Index(space="ip", dim=dim)
            index.init_index(max_elements=n, M=m, ef_construction=ef_c, random_seed=0)
            index.set_num_threads(1)
            index.add_items(emb, np.arange(n))
            t1 = time.process_time()
            index.set_ef(max(ef_s, k + extra))
            raw, _ = index.knn_query(emb, k=min(k + extra, n))
            t2 = time.process_time()
            rows.append({"library": f"hnswlib {getattr(hnswlib, '__version__', '0.8')} M={m} efC={ef_c} efS={max(ef_s, k + extra)}, overfetch {k + extra}",
                         "build_s": round(t1 - t0, 2), "search_s": round(t2 - t1, 2),
                         "recall": round(_recall(_filter(raw.astype(np.int64), doc, k), truth), 4)})
    try:
        import usearch  # noqa: PLC0415
        from usearch.index import Index  # noqa: PLC0415
    except ImportError:
        Index = None  # noqa: N806
    if Index is not None:
        for m, ef_c, ef_s in ((16, 80, 64), (32, 80, 64)):
            t0 = time.process_time()
            index = Index(ndim=dim, metric="ip", dtype="f32", connectivity=m, expansion_add=ef_c,
                          expansion_search=max(ef_s, k + extra))
            index.add(np.arange(n), emb, threads=1)
            t1 = time.process_time()
            matches = index.search(emb, k + extra, threads=1)
            t2 = time.process_time()
            rows.append({"library": f"usearch {usearch.__version__} connectivity={m} add={ef_c} search={max(ef_s, k + extra)}, overfetch {k + extra}",
                         "build_s": round(t1 - t0, 2), "search_s": round(t2 - t1, 2),
                         "recall": round(_recall(_filter(matches.keys.astype(np.int64), doc, k), truth), 4)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="growth.py's cache folder")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--extra", type=int, default=15, help="overfetch for libraries without a selector")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    stored = max(args.cache.glob("prepared-*.pkl"), key=lambda p: int(p.name.split("-")[1]))  # the largest corpus
    with stored.open("rb") as fh:
        claims = pickle.load(fh)["claims"]
    emb = np.load(stored.with_suffix(".npy"))
    result = {"cache": str(stored), "top_k": args.top_k, "runs": []}
    for size in (int(s) for s in args.sizes.split(",")):
        rows = run(emb[:size], [c.doc_id for c in claims[:size]], args.top_k, args.extra)
        result["runs"].append({"claims": size, "rows": rows})
        for row in rows:
            print(size, json.dumps(row), file=sys.stderr)
    lines = []
    for run_ in result["runs"]:
        lines += [f"\n{run_['claims']:,} claims, top-{args.top_k} across documents, 1 thread\n",
                  "| library and setting | build CPU s | search CPU s | recall vs exact |", "|---|---|---|---|"]
        lines += [f"| {r['library']} | {r['build_s']} | {r['search_s']} | {r['recall']} |" for r in run_["rows"]]
    print("\n".join(lines))
    if args.out:
        args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        args.out.with_suffix(".md").write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
