"""Nearest neighbours of each claim in other documents: exact (blockwise) or from an ANN index.

Exact search compares every claim with every other, a block of rows at a time: right for a
folder, quadratic for an archive. Above ``ANN_THRESHOLD`` claims (or when asked), claims go
into an HNSW graph (faiss ``IndexHNSWFlat`` over inner products of unit vectors, i.e.
cosines; chosen over hnswlib and usearch by ``benchmarks/ann.py``, see README) and each claim
searches it for its nearest claims, skipping its own document's claims during the search
itself (one search per document, with an ID selector that excludes the document's rows), so
a claim in a long document still gets its top-k from other documents. Both methods return
the same shape, :class:`Neighbours`; only the ANN one may miss a true neighbour (its recall
against exact search is measured in ``benchmarks/growth.py`` and tested).

faiss (``faiss-cpu``) is a dependency of contradict and is imported only when an index is built;
exact search needs only numpy.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from contradict.errors import UsageError

log = logging.getLogger(__name__)

Method = Literal["auto", "exact", "ann"]
METHODS: tuple[str, ...] = ("auto", "exact", "ann")
#: ``auto`` uses exact search below this many claims and the ANN index from it on.
ANN_THRESHOLD = 20_000
_ROW_BLOCK = 1024


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """How neighbours are found: the method, and the HNSW graph's size and search breadth."""

    method: Method = "auto"
    threshold: int = ANN_THRESHOLD
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 64
    threads: int | None = None

    def __post_init__(self) -> None:
        """Reject a method or size that cannot work."""
        if self.method not in METHODS:
            raise UsageError(f"pairing method {self.method!r} is not one of {', '.join(METHODS)}")
        if self.threshold < 0 or self.hnsw_m < 2 or self.ef_construction < 1 or self.ef_search < 1:
            raise UsageError("index sizes must be positive (threshold >= 0, hnsw_m >= 2, ef_* >= 1)")


@dataclass(frozen=True, slots=True)
class Neighbours:
    """Each claim's nearest claims in other documents, most similar first (-1 where there are fewer).

    ``above_gate``: from an exact search given a ``gate``, how many cross-document pairs (each
    once) have a similarity at or above it; None otherwise.
    """

    ids: np.ndarray
    sims: np.ndarray
    method: str
    above_gate: int | None = None


def resolve_method(n: int, options: IndexOptions) -> str:
    """The method a run of ``n`` claims uses: the one asked for, or by size for ``auto``."""
    if options.method != "auto":
        return options.method
    return "ann" if n >= options.threshold else "exact"


def _import_faiss():  # noqa: ANN202
    try:
        import faiss  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(
            "approximate neighbour search needs faiss: pip install faiss-cpu (a dependency of contradict), "
            "or use --pairing exact"
        ) from exc
    return faiss


def _document_index(doc_ids: Sequence[str]) -> np.ndarray:
    _, index = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    return index.astype(np.int64)


def exact_neighbours(embeddings: np.ndarray, doc_ids: Sequence[str], k: int, gate: float | None = None) -> Neighbours:
    """The true top-k of every row among rows of other documents, blockwise (memory: 1024 x n floats).

    With ``gate``, also counts the cross-document pairs at or above it (``Neighbours.above_gate``).
    """
    emb = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(emb)
    doc = _document_index(doc_ids)
    ids = np.full((n, k), -1, dtype=np.int64)
    sims = np.full((n, k), -np.inf, dtype=np.float32)
    above = 0 if gate is not None else None
    if n < 2 or k < 1:
        return Neighbours(ids=ids, sims=sims, method="exact", above_gate=above)
    kk = min(k, n - 1)
    for start in range(0, n, _ROW_BLOCK):
        stop = min(start + _ROW_BLOCK, n)
        block = emb[start:stop] @ emb.T
        block[doc[start:stop, None] == doc[None, :]] = -np.inf
        if gate is not None:
            upper = np.arange(start, stop)[:, None] < np.arange(n)[None, :]
            above += int(((block >= gate) & upper).sum())
        top = np.argpartition(-block, kth=kk - 1, axis=1)[:, :kk]
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)
        top, top_sims = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)
        top[~np.isfinite(top_sims)] = -1
        ids[start:stop, :kk], sims[start:stop, :kk] = top, top_sims
    return Neighbours(ids=ids, sims=sims, method="exact", above_gate=above)


def build_hnsw(embeddings: np.ndarray, options: IndexOptions | None = None):  # noqa: ANN201
    """An HNSW graph (inner product) over the rows, built with ``options.threads`` threads."""
    faiss = _import_faiss()
    options = options or IndexOptions()
    if options.threads:
        faiss.omp_set_num_threads(options.threads)
    emb = np.ascontiguousarray(embeddings, dtype=np.float32)
    index = faiss.IndexHNSWFlat(emb.shape[1], options.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = options.ef_construction
    index.add(emb)
    return index


def ann_neighbours(
    embeddings: np.ndarray,
    doc_ids: Sequence[str],
    k: int,
    options: IndexOptions | None = None,
    index=None,  # noqa: ANN001
    queries: np.ndarray | None = None,
) -> Neighbours:
    """Approximate top-k of every row (or of the rows ``queries`` lists) among other documents' rows.

    ``index`` is a graph from :func:`build_hnsw` over the same rows (built here when None). The
    queries of one document search together, with all of that document's rows excluded by an
    ID selector, so the graph never returns a same-document neighbour and no re-search is needed.
    """
    faiss = _import_faiss()
    options = options or IndexOptions()
    emb = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(emb)
    wanted = np.arange(n, dtype=np.int64) if queries is None else np.asarray(queries, dtype=np.int64)
    ids = np.full((len(wanted), k), -1, dtype=np.int64)
    sims = np.full((len(wanted), k), -np.inf, dtype=np.float32)
    if n < 2 or k < 1 or not len(wanted):
        return Neighbours(ids=ids, sims=sims, method="ann")
    if index is None:
        index = build_hnsw(emb, options)
    doc = _document_index(doc_ids)
    members = np.argsort(doc, kind="stable")
    starts = np.searchsorted(doc[members], np.arange(doc.max() + 2))
    order = np.argsort(doc[wanted], kind="stable")
    bounds = np.flatnonzero(np.diff(doc[wanted][order])) + 1
    for rows in np.split(order, bounds):
        d = doc[wanted[rows[0]]]
        own = np.ascontiguousarray(members[starts[d] : starts[d + 1]], dtype=np.int64)
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(own))
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(options.ef_search, k))
        found_sims, found_ids = index.search(emb[wanted[rows]], k, params=params)
        ids[rows], sims[rows] = found_ids, found_sims
    sims[ids < 0] = -np.inf
    return Neighbours(ids=ids, sims=sims, method="ann")


def neighbours(
    embeddings: np.ndarray, doc_ids: Sequence[str], k: int, options: IndexOptions | None = None
) -> Neighbours:
    """Top-k cross-document neighbours by the method ``options`` resolve to for this many rows."""
    options = options or IndexOptions()
    method = resolve_method(len(embeddings), options)
    log.info("neighbour search: %s over %d claims", method, len(embeddings))
    if method == "ann":
        return ann_neighbours(embeddings, doc_ids, k, options)
    return exact_neighbours(embeddings, doc_ids, k)
