"""The scan report: a typed record, its JSON form, and validation against the shipped JSON Schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from contradict.findings.corroboration import ClaimGroup
from contradict.findings.decide import DEFAULT, Calibration
from contradict.outputs import atomic_write
from contradict.records import BatchStats, Claim, Document, LabelScores, ScoredPair, Skipped
from contradict.scoring.nli import ModelInfo
from contradict.triage import Triaged, entry_dict

SCHEMA_VERSION = "2.3"
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
    triage: Triaged | None = None  # set when a triage file was read (contradict.triage.apply)


@dataclass(frozen=True, slots=True)
class PairSide:
    """One claim of a reported pair as a reader needs it: what was said, by whom, when, and in which document."""

    claim: str
    document: str
    path: str
    text: str
    statement: str
    speaker: str | None
    said_on: dt.date | None
    modality: str = "asserted"  # 'denied' when the speaker denies the statement (shown beside the speaker)


def pair_sides(report: Report) -> list[tuple[ScoredPair, PairSide, PairSide]]:
    """Each reported pair with its two claims (``claim_a``, ``claim_b``) looked up in the report."""
    claims = {c.id: c for c in report.claims}
    paths = {d.id: d.path for d in report.documents}

    def side(claim_id: str) -> PairSide:
        c = claims[claim_id]
        return PairSide(claim=c.id, document=c.doc_id, path=paths.get(c.doc_id, c.doc_id), text=c.text,
                        statement=c.statement, speaker=c.speaker_resolved or c.speaker, said_on=c.said_on,
                        modality=c.modality)

    return [(p, side(p.claim_a), side(p.claim_b)) for p in report.pairs]


def _side(side: PairSide) -> dict[str, Any]:
    return {
        "claim": side.claim,
        "document": side.document,
        "path": side.path,
        "text": side.text,
        "statement": side.statement,
        "speaker": side.speaker,
        "said_on": side.said_on.isoformat() if side.said_on else None,
    }


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


def pair_to_dict(p: ScoredPair, a: PairSide, b: PairSide) -> dict[str, Any]:
    """One pair as JSON-ready data (``$defs/pair`` of the schema): one item of ``pairs``, one line of ``--format jsonl``."""
    return {
        "id": p.id,
        "claim_a": p.claim_a,
        "claim_b": p.claim_b,
        "a": _side(a),
        "b": _side(b),
        "similarity": round(p.similarity, 4),
        "label": p.label,
        "contradiction_score": round(p.contradiction_score, 6),
        "scores": _scores(p.scores),
        "entailment_direction": p.entailment_direction,
        "kind": p.kind,
        "confidence": None if p.confidence is None else round(p.confidence, 4),
        "rank_score": None if p.rank_score is None else round(p.rank_score, 4),
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


def to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, following ``schemas/report.schema.json``."""
    claims_per_doc = Counter(c.doc_id for c in report.claims)
    labels = Counter(p.label for p in report.pairs)
    data = {
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
        "pairs": [pair_to_dict(p, a, b) for p, a, b in pair_sides(report)],
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
    if report.triage is not None:
        data["triage"] = _triage(report, report.triage)
    return data


def _triage(report: Report, triaged: Triaged) -> dict[str, Any]:
    """The report's ``triage`` section: pairs dismissed (in full, as in ``pairs``) and confirmed."""
    dismissed = to_dict(replace(report, pairs=tuple(p for p, _ in triaged.dismissed), triage=None))["pairs"]
    return {
        "file": triaged.file,
        "dismissed": [{"pair": pair, **entry_dict(e)} for pair, (_, e) in zip(dismissed, triaged.dismissed, strict=True)],
        "confirmed": [{"pair_id": pair_id, **entry_dict(e)} for pair_id, e in triaged.confirmed],
    }


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The report's JSON Schema, as shipped in the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: dict[str, Any], definition: str | None = None) -> None:
    """Raise jsonschema.ValidationError when ``data`` does not follow the report schema.

    ``definition`` names a part of it instead (``pair``: one line of ``--format jsonl``).
    """
    import jsonschema  # noqa: PLC0415

    schema = load_schema()
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())


def dumps(report: Report) -> str:
    """The report as indented JSON text."""
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


def write(report: Report, path: Path, fmt: str = "json") -> None:
    """Write the report (in one of :data:`FORMATS`) atomically: a reader never sees half a file, a failed run leaves the old one."""
    atomic_write(path, render(report, fmt), "report")


def read(path: Path) -> dict[str, Any]:
    """A report's JSON from a file, checked: the schema at this version, the lists a reader needs at any.

    InputFormatError (one line) when the file is missing, not JSON or not a contradict report.
    """
    import jsonschema  # noqa: PLC0415

    from contradict.errors import InputFormatError  # noqa: PLC0415

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFormatError(f"{path}: no such report; write one with contradict scan FOLDER --out {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{path}: cannot read the report ({getattr(exc, 'strerror', None) or exc})") from None
    except json.JSONDecodeError as exc:
        raise InputFormatError(
            f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); give the report.json contradict scan wrote"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in ("documents", "claims", "pairs")):
        raise InputFormatError(f"{path}: not a contradict report (it needs documents, claims and pairs lists)")
    if data.get("schema_version") == SCHEMA_VERSION:
        try:
            validate(data)
        except jsonschema.ValidationError as exc:
            at = "/".join(str(part) for part in exc.absolute_path) or "(top level)"
            raise InputFormatError(f"{path}: does not follow the report schema at {at}: {exc.message[:200]}") from None
    for index, pair in enumerate(data["pairs"]):
        if not isinstance(pair, dict) or not isinstance(pair.get("id"), str) or not isinstance(pair.get("label"), str):
            raise InputFormatError(f"{path}: pairs[{index}] needs an id and a label")
    return data


# ----------------------------------------------------------------------------- the pairs in other formats

FORMATS = ("json", "jsonl", "csv", "markdown", "table")
"""``--format``: the whole report as JSON; or its pairs, one JSON object a line, as CSV, Markdown or a text table."""

CSV_FIELDS = (
    "id", "label", "kind", "confidence", "rank_score", "contradiction_score", "similarity",
    "a_claim", "a_statement", "a_speaker", "a_said_on", "a_document",
    "b_claim", "b_statement", "b_speaker", "b_said_on", "b_document",
    "evidence", "sources",
)


def evidence_text(pair: ScoredPair) -> str:
    """The evidence of a pair on one line: ``type: detail`` items separated by ``; ``."""
    return "; ".join(f"{e.type}: {e.detail}" for e in pair.evidence)


def pair_row(p: ScoredPair, a: PairSide, b: PairSide) -> dict[str, str | float | None]:
    """One pair as a flat row (the columns of :data:`CSV_FIELDS`)."""
    row: dict[str, str | float | None] = {
        "id": p.id,
        "label": p.label,
        "kind": p.kind,
        "confidence": None if p.confidence is None else round(p.confidence, 4),
        "rank_score": None if p.rank_score is None else round(p.rank_score, 4),
        "contradiction_score": round(p.contradiction_score, 6),
        "similarity": round(p.similarity, 4),
    }
    for prefix, side in (("a", a), ("b", b)):
        row[f"{prefix}_claim"] = side.claim
        row[f"{prefix}_statement"] = side.statement
        row[f"{prefix}_speaker"] = side.speaker
        row[f"{prefix}_said_on"] = side.said_on.isoformat() if side.said_on else None
        row[f"{prefix}_document"] = side.document
    row["evidence"] = evidence_text(p)
    row["sources"] = "+".join(p.sources)
    return row


def dumps_jsonl(report: Report) -> str:
    """The pairs, one JSON object a line (each as in the report's ``pairs``), strongest first."""
    return "".join(json.dumps(pair_to_dict(*item), ensure_ascii=False) + "\n" for item in pair_sides(report))


def dumps_csv(report: Report) -> str:
    """The pairs as CSV with a header row (:data:`CSV_FIELDS`); an empty cell is a missing value."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in pair_sides(report):
        writer.writerow(pair_row(*item))
    return buffer.getvalue()


def _md(value: object) -> str:
    """A Markdown table cell: pipes, backslashes, HTML and line breaks cannot break out of it."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def dumps_markdown(report: Report) -> str:
    """The pairs as a Markdown table: label and kind, confidence, both claims with speaker, date and document, evidence."""
    lines = [
        "| # | label | kind | confidence | claim A | speaker, date, document A | claim B | speaker, date, document B | evidence |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for number, (p, a, b) in enumerate(pair_sides(report), start=1):
        def who(side: PairSide) -> str:
            return ", ".join(x for x in (side.speaker, side.said_on.isoformat() if side.said_on else None, side.document) if x)

        confidence = "" if p.confidence is None else f"{p.confidence:.2f}"
        cells = [number, p.label, p.kind or "", confidence, a.statement, who(a), b.statement, who(b), evidence_text(p)]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def render(report: Report, fmt: str = "json", width: int = 160) -> str:
    """The report in one of :data:`FORMATS` (``table``: plain text ``width`` columns wide)."""
    if fmt == "json":
        return dumps(report)
    if fmt == "jsonl":
        return dumps_jsonl(report)
    if fmt == "csv":
        return dumps_csv(report)
    if fmt == "markdown":
        return dumps_markdown(report)
    if fmt == "table":
        from contradict.terminal import table_text  # noqa: PLC0415

        return table_text(report, width=width)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
