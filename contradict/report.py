"""The scan report: a typed record, its JSON form, and validation against the shipped JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from contradict.findings.corroboration import ClaimGroup
from contradict.findings.decide import DEFAULT, Calibration
from contradict.outputs import atomic_write
from contradict.records import BatchStats, Claim, Document, LabelScores, ScoredPair, Skipped
from contradict.scoring.nli import ModelInfo

SCHEMA_VERSION = "2.1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "report.schema.json"


@dataclass(frozen=True, slots=True)
class PairCounts:
    """How many claim pairs were possible, passed the similarity gate, and were scored, and how neighbours were searched."""

    possible: int
    considered: int
    scored: int
    from_cues: int = 0
    search: str = "exact"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one scan found, ready to serialise."""

    input: str
    model: ModelInfo
    encoder: str
    documents: tuple[Document, ...]
    languages: dict[str, str | None]
    skipped: tuple[Skipped, ...]
    claims: tuple[Claim, ...]
    dropped: dict[str, int]
    pairs: tuple[ScoredPair, ...]
    pair_counts: PairCounts
    batches: tuple[BatchStats, ...]
    timings_s: dict[str, float]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    groups: tuple[ClaimGroup, ...] = ()
    dropped_by_document: dict[str, dict[str, int]] = field(default_factory=dict)
    other_languages: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    calibration: Calibration = DEFAULT


def _scores(scores: LabelScores) -> dict[str, float]:
    return {
        "contradiction": round(scores.contradiction, 6),
        "entailment": round(scores.entailment, 6),
        "neutral": round(scores.neutral, 6),
    }


def scoring_stats(batches: Sequence[BatchStats]) -> dict[str, Any]:
    """Totals over the model batches: tokens, padding, time on each thread, and throughput.

    Tokenization runs on its own thread, overlapped with the model, so the scoring wall time
    is model time plus the time the model waited for batches (``queue_s``); rates use it.
    """
    tokens = sum(b.tokens for b in batches)
    padded = sum(b.padded_tokens for b in batches)
    model_s = sum(b.model_s for b in batches)
    queue_s = sum(b.queue_s for b in batches)
    wall_s = model_s + queue_s
    directions = sum(b.size for b in batches)
    return {
        "batches": len(batches),
        "directions_scored": directions,
        "tokens": tokens,
        "padded_tokens": padded,
        "padding_overhead": round(padded / tokens - 1, 4) if tokens else 0.0,
        "tokenize_s": round(sum(b.tokenize_s for b in batches), 4),
        "queue_s": round(queue_s, 4),
        "model_s": round(model_s, 4),
        "wall_s": round(wall_s, 4),
        "pairs_per_s": round(directions / wall_s, 2) if wall_s else 0.0,
        "tokens_per_s": round(tokens / wall_s, 1) if wall_s else 0.0,
        "backend": ",".join(sorted({b.backend for b in batches if b.backend})),
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, following ``schemas/report.schema.json``."""
    claims_per_doc = Counter(c.doc_id for c in report.claims)
    labels = Counter(p.label for p in report.pairs)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "input": report.input,
        "model": {
            "id": report.model.id,
            "revision": report.model.revision,
            "device": report.model.device,
            "dtype": report.model.dtype,
            "card": report.model.card,
        },
        "encoder": report.encoder,
        "documents": [
            {
                "id": d.id,
                "path": d.path,
                "title": d.title,
                "date": d.date.isoformat() if d.date else None,
                "language": report.languages.get(d.id),
                "claims": claims_per_doc.get(d.id, 0),
                "other_language_paragraphs": sum(report.other_languages.get(d.id, {}).values()),
                "other_languages": dict(sorted(report.other_languages.get(d.id, {}).items())),
                "dropped": dict(sorted(report.dropped_by_document.get(d.id, {}).items())),
            }
            for d in report.documents
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "claims": [
            {
                "id": c.id,
                "doc_id": c.doc_id,
                "text": c.text,
                "statement": c.statement,
                "span": [c.span[0], c.span[1]],
                "speaker": c.speaker,
                "reporting_verb": c.reporting_verb,
                "speaker_resolved": c.speaker_resolved,
                "normalized": c.normalized,
                "modality": c.modality,
                "polarity": c.polarity,
                "hedges": list(c.hedges),
                "quantities": [
                    {"text": q.text, "value": q.value, "unit": q.unit, "qualifier": q.qualifier} for q in c.quantities
                ],
                "dates": list(c.dates),
                "said_on": c.said_on.isoformat() if c.said_on else None,
                "checkworthiness": c.checkworthiness,
                "flags": list(c.flags),
                "merged_spans": [[s, e] for s, e in c.merged_spans],
                "spans": [[s, e] for s, e in (c.spans or (c.span,))],
                "context": c.context,
                "context_span": list(c.context_span) if c.context_span else None,
                "entities": [
                    {"label": e.label, "text": e.text, "value": e.value, "span": list(e.span) if e.span else None}
                    for e in c.entities
                ],
            }
            for c in report.claims
        ],
        "groups": [
            {
                "id": g.id,
                "claims": list(g.claims),
                "documents": list(g.documents),
                "statement": g.statement,
                "basis": list(g.basis),
            }
            for g in report.groups
        ],
        "pairs": [
            {
                "id": p.id,
                "claim_a": p.claim_a,
                "claim_b": p.claim_b,
                "similarity": round(p.similarity, 4),
                "label": p.label,
                "contradiction_score": round(p.contradiction_score, 6),
                "scores": _scores(p.scores),
                "entailment_direction": p.entailment_direction,
                "kind": p.kind,
                "confidence": None if p.confidence is None else round(p.confidence, 4),
                "evidence": [{"type": e.type, "detail": e.detail} for e in p.evidence],
                "sources": list(p.sources),
                "directions": [
                    {
                        "premise": d.premise,
                        "hypothesis": d.hypothesis,
                        "label": d.prediction.label,
                        "scores": _scores(d.prediction.scores),
                        "raw": [round(x, 6) for x in d.prediction.raw],
                    }
                    for d in p.directions
                ],
            }
            for p in report.pairs
        ],
        "notes": list(report.notes),
        "decision": {
            "calibration": report.calibration.model,
            "contradiction_threshold": report.calibration.contradiction_threshold,
            "corroboration_threshold": report.calibration.corroboration_threshold,
        },
        "stats": {
            "documents": len(report.documents),
            "skipped": len(report.skipped),
            "claims": len(report.claims),
            "dropped": dict(sorted(report.dropped.items())),
            "pairs": {
                "possible": report.pair_counts.possible,
                "considered": report.pair_counts.considered,
                "scored": report.pair_counts.scored,
                "from_cues": report.pair_counts.from_cues,
                "reported": len(report.pairs),
                "search": report.pair_counts.search,
            },
            "labels": {label: labels.get(label, 0) for label in ("contradiction", "entailment", "neutral")},
            "timings_s": {k: round(v, 3) for k, v in report.timings_s.items()},
            "scoring": scoring_stats(report.batches),
        },
    }


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The report's JSON Schema, as shipped in the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``data`` does not follow the report schema."""
    import jsonschema  # noqa: PLC0415

    jsonschema.validate(data, load_schema(), format_checker=jsonschema.FormatChecker())


def dumps(report: Report) -> str:
    """The report as indented JSON text."""
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


def write(report: Report, path: Path) -> None:
    """Write the report atomically: a reader never sees half a file, a failed run leaves the old one."""
    atomic_write(path, dumps(report), "report")
