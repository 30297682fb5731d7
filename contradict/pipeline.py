"""``scan``: load a folder, extract claims, choose pairs, score them, and return a report."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Sequence
from pathlib import Path

from contradict.claims.extract import ExtractOptions, extract_many
from contradict.findings.corroboration import ClaimGroup, group_claims
from contradict.findings.decide import DEFAULT, Calibration, decide_pairs, folder_notes, load_calibration, rank_key
from contradict.findings.kinds import classify_pairs
from contradict.ingest.loading import LoadOptions, load_folder
from contradict.pairing.candidates import Encoder, PairingOptions, choose_pairs, load_encoder
from contradict.records import LABELS, Claim, Document, Label, ScoredPair
from contradict.report import PairCounts, Report
from contradict.scoring.directions import PairScorer, score_pairs
from contradict.scoring.nli import BatchOptions, NLIModel, load_model

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything a scan can be told: how to read, extract, pair, score and report."""

    load: LoadOptions = field(default_factory=LoadOptions)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    pairing: PairingOptions = field(default_factory=PairingOptions)
    model: str | None = None
    model_card: str | None = None
    device: str = "auto"
    batch: BatchOptions = field(default_factory=BatchOptions)
    encoder: str | None = None
    labels: tuple[Label, ...] = LABELS
    decision: Path | None = None
    min_confidence: float | None = None
    extract_processes: int = 1  # worker processes for claim extraction (extract_many)


def scan(
    root: Path | str,
    options: ScanOptions | None = None,
    *,
    model: NLIModel | None = None,
    encoder: Encoder | None = None,
) -> Report:
    """Run every stage over a folder (or one file). Pass ``model``/``encoder`` to reuse loaded ones."""
    options = options or ScanOptions()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    loaded = load_folder(root, options.load)
    timings["load"] = time.perf_counter() - started
    log.info("read %d documents (%d files skipped)", len(loaded.documents), len(loaded.skipped))

    mark = time.perf_counter()
    claims: list[Claim] = []
    languages: dict[str, str | None] = {}
    dropped: Counter[str] = Counter()
    dropped_by_document: dict[str, dict[str, int]] = {}
    other_languages: dict[str, dict[str, int]] = {}
    for document, result in zip(
        loaded.documents, extract_many(loaded.documents, options.extract, processes=options.extract_processes), strict=True
    ):
        claims.extend(result.claims)
        languages[document.id] = result.language
        dropped.update(d.reason for d in result.dropped)
        dropped_by_document[document.id] = dict(Counter(d.reason for d in result.dropped))
        other_languages[document.id] = dict(Counter(d.detail or "?" for d in result.dropped if d.reason == "other_language"))
    timings["extract"] = time.perf_counter() - mark
    log.info("extracted %d claims", len(claims))

    mark = time.perf_counter()
    if model is None:
        model = load_model(options.model, device=options.device, card_path=options.model_card, batch=options.batch)
    if encoder is None:
        encoder = load_encoder(options.encoder)
    timings["load_models"] = time.perf_counter() - mark

    found = analyse(claims, loaded.documents, model=model, encoder=encoder, options=options)
    timings.update(found.timings_s)
    first_batch = found.first_batch
    timings["total"] = time.perf_counter() - started

    reported = tuple(p for p in found.pairs if p.label in options.labels)
    return Report(
        input=str(root),
        model=model.info,
        encoder=getattr(encoder, "name", type(encoder).__name__),
        documents=loaded.documents,
        languages=languages,
        skipped=loaded.skipped,
        claims=tuple(claims),
        dropped=dict(dropped),
        pairs=reported,
        pair_counts=found.counts,
        batches=tuple(model.batch_stats[first_batch:]),
        timings_s=timings,
        groups=found.groups,
        dropped_by_document=dropped_by_document,
        other_languages=other_languages,
        notes=found.notes,
        calibration=found.calibration,
    )


@dataclass(frozen=True, slots=True)
class Findings:
    """What the pairing, scoring and findings stages made of a set of claims."""

    pairs: tuple[ScoredPair, ...]
    groups: tuple[ClaimGroup, ...]
    counts: PairCounts
    timings_s: dict[str, float]
    first_batch: int = 0
    calibration: Calibration = DEFAULT
    notes: tuple[str, ...] = ()


def analyse(
    claims: Sequence[Claim],
    documents: Sequence[Document],
    *,
    model: NLIModel | PairScorer,
    encoder: Encoder,
    options: ScanOptions | None = None,
) -> Findings:
    """Pair the claims across documents, score the pairs both ways, and decide what they mean.

    The part of :func:`scan` after extraction, for callers that hold documents and claims
    already (the real-news benchmark, tests).
    """
    options = options or ScanOptions()
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    embeddings = encoder.encode([c.statement for c in claims])
    pairing = choose_pairs(claims, embeddings, options.pairing)
    timings["pair"] = time.perf_counter() - mark
    log.info(
        "%d cross-document pairs possible, %d above similarity %.2f, scoring %d",
        pairing.possible, pairing.considered, options.pairing.min_similarity, len(pairing.pairs),
    )
    mark = time.perf_counter()
    first_batch = len(getattr(model, "batch_stats", ()))
    by_id = {c.id: c for c in claims}
    scored = score_pairs(pairing.pairs, by_id, model)
    timings["score"] = time.perf_counter() - mark
    mark = time.perf_counter()
    card = getattr(getattr(model, "info", None), "card", None)
    calibration = load_calibration(card, options.decision).with_thresholds(options.min_confidence)
    scored = decide_pairs(scored, by_id, calibration)
    scored = classify_pairs(scored, by_id, {d.id: d.date for d in documents})
    scored.sort(key=rank_key)
    groups = group_claims(claims, scored)
    timings["decide_kinds_groups"] = time.perf_counter() - mark
    notes = folder_notes(documents, claims, pairing.pairs)
    for note in notes:
        log.warning("%s", note)
    return Findings(
        notes=notes,
        pairs=tuple(scored),
        groups=groups,
        counts=PairCounts(possible=pairing.possible, considered=pairing.considered, scored=len(scored),
                          from_cues=pairing.from_cues),
        timings_s=timings,
        first_batch=first_batch,
        calibration=calibration,
    )

