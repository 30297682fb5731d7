"""``scan``: load a folder (or take texts in memory), extract claims, choose pairs, score them, and return a report."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contradict.claims.extract import ExtractOptions, extract_many
from contradict.claims.parse import check_parser_name, load_parser
from contradict.errors import NoDocumentsError, UsageError
from contradict.findings.corroboration import ClaimGroup, group_claims
from contradict.findings.decide import DEFAULT, Calibration, folder_notes, load_calibration
from contradict.findings.disputes import decide_and_rank
from contradict.ingest.loading import LoadOptions, load_folder, text_document
from contradict.pairing.candidates import Encoder, PairingOptions, choose_pairs, load_encoder
from contradict.progress import ProgressFn, takes_progress
from contradict.ray_engine import ModelSpec, RayOptions, check_engine, connect, spec_path
from contradict.records import LABELS, Claim, Document, Label, ScoredPair, Skipped
from contradict.report import PairCounts, Report
from contradict.scoring.directions import PairScorer, score_pairs
from contradict.scoring.nli import BatchOptions, NLIModel, load_model
from contradict.triage import Triage
from contradict.triage import apply as apply_triage
from contradict.triage import dismissed_ids

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
    triage: Triage | None = None  # decisions of a triage file: dismissed pairs are listed apart
    backend: str = "auto"
    threads: int | None = None
    extract_processes: int = 1  # worker processes for claim extraction (extract_many; the local engine)
    engine: str = "local"  # or "ray": extraction, embedding and scoring on a Ray cluster (contradict.ray_engine)
    ray: RayOptions = field(default_factory=RayOptions)


def no_documents_message(root: Path | str, skipped: Sequence[Skipped]) -> str:
    """The message for an input from which no document loads: the skip reasons, and the option that may help."""
    if not skipped:
        return f"no document found in {root}: it holds no .txt, .md, .html, .pdf, .docx, .json or .jsonl file"
    reasons = Counter(re.sub(r"\b(line|record|item) \d+", r"\1 N", s.reason) for s in skipped)
    listed = "; ".join(f"{count} x {reason}" for reason, count in reasons.most_common(3))
    hint = ""
    if any("field" in reason for reason in reasons):
        hint = ". For JSON, name the fields with --json-text-field (and --json-title-field, --json-date-field)"
    elif any("unsupported file type" in reason for reason in reasons):
        hint = ". contradict reads .txt, .md, .html, .pdf, .docx, .json and .jsonl files"
    return f"no document could be read from {root} ({len(skipped)} skipped: {listed}){hint}"


def scan(
    root: Path | str,
    options: ScanOptions | None = None,
    *,
    model: NLIModel | None = None,
    encoder: Encoder | None = None,
    progress: ProgressFn | None = None,
) -> Report:
    """Run every stage over a folder (or one file). Pass ``model``/``encoder`` to reuse loaded ones.

    The documents are read before any model loads: a folder from which none loads raises
    :class:`~contradict.errors.NoDocumentsError` naming the reasons. ``progress`` hears of each
    stage (:mod:`contradict.progress`).
    """
    options = options or ScanOptions()
    started = time.perf_counter()
    loaded = load_folder(root, options.load, progress=progress)
    log.info("read %d documents (%d files skipped)", len(loaded.documents), len(loaded.skipped))
    if not loaded.documents:
        raise NoDocumentsError(no_documents_message(root, loaded.skipped))
    return _scan(loaded.documents, loaded.skipped, str(root), options, model, encoder, progress, started)


def scan_texts(
    texts: Iterable[str | Document] | Mapping[str, str],
    options: ScanOptions | None = None,
    *,
    model: NLIModel | None = None,
    encoder: Encoder | None = None,
    progress: ProgressFn | None = None,
) -> Report:
    """Run every stage over documents held in memory, and return the report.

    ``texts``: strings (their ids are ``text-1``, ``text-2``, ... in order), a mapping of id to
    text, or :class:`~contradict.records.Document` records (see
    :func:`contradict.ingest.text_document` to give one a title or a date).
    """
    options = options or ScanOptions()
    started = time.perf_counter()
    if isinstance(texts, Mapping):
        documents = [text_document(text, str(doc_id)) for doc_id, text in texts.items()]
    else:
        documents = [t if isinstance(t, Document) else text_document(t, f"text-{i}") for i, t in enumerate(texts, start=1)]
    if not documents:
        raise UsageError("no texts to scan: pass at least two documents")
    ids = Counter(d.id for d in documents)
    if twice := [doc_id for doc_id, count in ids.items() if count > 1]:
        raise UsageError(f"document ids must be unique; given more than once: {', '.join(sorted(twice))}")
    return _scan(tuple(documents), (), "(in memory)", options, model, encoder, progress, started)


def _scan(
    documents: tuple[Document, ...],
    skipped: tuple[Skipped, ...],
    source: str,
    options: ScanOptions,
    model: NLIModel | None,
    encoder: Encoder | None,
    progress: ProgressFn | None,
    started: float,
) -> Report:
    """The stages after loading: models (when not given), claims, then :func:`analyse`."""
    timings: dict[str, float] = {"load": time.perf_counter() - started}

    mark = time.perf_counter()  # the models before extraction: a model that cannot load fails before the slow part
    check_engine(options.engine)  # --engine ray without Ray installed fails here, before any model loads
    if options.extract.spacy_model:
        check_parser_name(options.extract.spacy_model)  # a misspelt pipeline fails here, in microseconds
    engine = connect(options.ray) if options.engine == "ray" else None
    if model is None and engine is not None:  # loaded once on the cluster to learn who it is, then once per actor
        model = engine.model(ModelSpec(options.model, device=options.device, card_path=spec_path(options.model_card),
                                       batch=options.batch, backend=options.backend, threads=options.threads))
    elif model is None:  # the device and backend are checked before any weights load
        model = load_model(options.model, device=options.device, card_path=options.model_card, batch=options.batch,
                           backend=options.backend, threads=options.threads)
    if options.extract.spacy_model and engine is None:
        load_parser(options.extract.spacy_model)  # loaded once per process; a broken pipeline fails before extraction
    if encoder is None:
        encoder = engine.encoder(options.encoder) if engine is not None else load_encoder(options.encoder)
    timings["load_models"] = time.perf_counter() - mark

    mark = time.perf_counter()
    claims: list[Claim] = []
    languages: dict[str, str | None] = {}
    dropped: Counter[str] = Counter()
    dropped_by_document: dict[str, dict[str, int]] = {}
    other_languages: dict[str, dict[str, int]] = {}
    if progress is not None:
        progress("extract", 0, len(documents))
    if engine is not None:
        results = iter(engine.extract(documents, options.extract))
    else:
        results = extract_many(documents, options.extract, processes=options.extract_processes)
    for done, (document, result) in enumerate(zip(documents, results, strict=True), start=1):
        claims.extend(result.claims)
        languages[document.id] = result.language
        dropped.update(d.reason for d in result.dropped)
        dropped_by_document[document.id] = dict(Counter(d.reason for d in result.dropped))
        other_languages[document.id] = dict(Counter(d.detail or "?" for d in result.dropped if d.reason == "other_language"))
        if progress is not None:
            progress("extract", done, len(documents))
    timings["extract"] = time.perf_counter() - mark
    log.info("extracted %d claims", len(claims))

    found = analyse(claims, documents, model=model, encoder=encoder, options=options, progress=progress)
    timings.update(found.timings_s)
    first_batch = found.first_batch
    timings["total"] = time.perf_counter() - started

    reported = tuple(p for p in found.pairs if p.label in options.labels)
    report = Report(
        input=source,
        model=model.info,
        encoder=getattr(encoder, "name", type(encoder).__name__),
        documents=documents,
        languages=languages,
        skipped=skipped,
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
    return report if options.triage is None else apply_triage(report, options.triage)


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
    progress: ProgressFn | None = None,
) -> Findings:
    """Pair the claims across documents, score the pairs both ways, and decide what they mean.

    The part of :func:`scan` after extraction, for callers that hold documents and claims
    already (the real-news benchmark, tests).
    """
    options = options or ScanOptions()
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    statements = [c.statement for c in claims]
    if progress is not None and takes_progress(encoder.encode):
        progress("pair", 0, len(statements))
        embeddings = encoder.encode(statements, progress=lambda done: progress("pair", done, len(statements)))  # type: ignore[call-arg]
    else:
        embeddings = encoder.encode(statements)
    if progress is not None:
        progress("pair", len(statements), len(statements))
    pairing = choose_pairs(claims, embeddings, options.pairing)
    timings["pair"] = time.perf_counter() - mark
    log.info(
        "%d cross-document pairs possible, %d above similarity %.2f, scoring %d",
        pairing.possible, pairing.considered, options.pairing.min_similarity, len(pairing.pairs),
    )
    mark = time.perf_counter()
    first_batch = len(getattr(model, "batch_stats", ()))
    by_id = {c.id: c for c in claims}
    scored = score_pairs(pairing.pairs, by_id, model, progress=progress)
    timings["score"] = time.perf_counter() - mark
    mark = time.perf_counter()
    card = getattr(getattr(model, "info", None), "card", None)
    calibration = load_calibration(card, options.decision).with_thresholds(options.min_confidence)
    scored = decide_and_rank(scored, by_id, documents, calibration, dismissed_ids(scored, by_id, options.triage))
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
                          from_cues=pairing.from_cues, search=pairing.method),
        timings_s=timings,
        first_batch=first_batch,
        calibration=calibration,
    )

