"""Alerts: scored pairs that match a job's rules, with stable ids, as JSON lines.

An alert's ``alert_id`` is a hash of the model id and revision and of its two claims'
identities (document id, span, statement), sorted: the same two claims scored by the same
model always give the same id, whatever the run, the pair order or the time. Receivers
dedupe on it. Alerts follow ``schemas/alert.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from contradict.jobs.config import AlertRules
from contradict.records import Claim, ContradictionKind, Document, EntailmentDirection, Label, LabelScores, ScoredPair
from contradict.scoring.nli import ModelInfo

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "alert.schema.json"


@dataclass(frozen=True, slots=True)
class AlertClaim:
    """One side of an alert: the claim, the document it is in, who said it and when."""

    claim: Claim
    document: Document

    def identity(self) -> tuple[str, int, int, str]:
        """What makes this claim the same claim across runs: document id, span and statement."""
        return (self.document.id, self.claim.span[0], self.claim.span[1], self.claim.statement)


@dataclass(frozen=True, slots=True)
class Alert:
    """A scored pair that matched a job's alert rules, with its stable id and when it was raised."""

    alert_id: str
    job: str
    raised_at: dt.datetime
    model: ModelInfo
    pair: ScoredPair
    claims: tuple[AlertClaim, AlertClaim]


def alert_id(model: ModelInfo, claims: Iterable[AlertClaim]) -> str:
    """Stable id: a hash of the model id, its revision, and the sorted identities of the claims."""
    identities = sorted(claim.identity() for claim in claims)
    text = json.dumps([model.id, model.revision, identities], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _speaker(claim: Claim) -> str | None:
    return " ".join(claim.speaker.split()).casefold() if claim.speaker else None


def label_score(pair: ScoredPair) -> float:
    """The score of the pair's own label (its contradiction score for a contradiction)."""
    return pair.contradiction_score if pair.label == "contradiction" else float(getattr(pair.scores, pair.label))


def matches(pair: ScoredPair, a: AlertClaim, b: AlertClaim, rules: AlertRules) -> bool:
    """Whether a scored pair raises an alert under ``rules``."""
    if pair.label not in rules.labels or label_score(pair) < rules.min_score:
        return False
    if pair.label == "contradiction" and rules.kinds is not None:
        if pair.kind is None and not rules.unknown_kind:
            return False
        if pair.kind is not None and pair.kind not in rules.kinds:
            return False
    if rules.skip_same_document and a.document.path == b.document.path:
        return False
    speaker = _speaker(a.claim)
    return not (rules.skip_same_speaker and speaker is not None and speaker == _speaker(b.claim))


def select_alerts(
    job: str,
    pairs: Sequence[ScoredPair],
    claims: Mapping[str, Claim],
    documents: Mapping[str, Document],
    model: ModelInfo,
    rules: AlertRules,
    raised_at: dt.datetime | None = None,
) -> list[Alert]:
    """The alerts that ``pairs`` raise under ``rules``, in the pairs' order."""
    raised_at = raised_at or dt.datetime.now(dt.timezone.utc)
    alerts: list[Alert] = []
    for pair in pairs:
        a = AlertClaim(claims[pair.claim_a], documents[claims[pair.claim_a].doc_id])
        b = AlertClaim(claims[pair.claim_b], documents[claims[pair.claim_b].doc_id])
        if matches(pair, a, b, rules):
            alerts.append(Alert(alert_id(model, (a, b)), job, raised_at, model, pair, (a, b)))
    return alerts


def _scores(scores: LabelScores) -> dict[str, float]:
    return {name: round(getattr(scores, name), 6) for name in ("contradiction", "entailment", "neutral")}


def _claim(side: AlertClaim) -> dict[str, Any]:
    claim, document = side.claim, side.document
    return {
        "id": claim.id,
        "text": claim.text,
        "statement": claim.statement,
        "span": [claim.span[0], claim.span[1]],
        "speaker": claim.speaker,
        "reporting_verb": claim.reporting_verb,
        "document": {
            "id": document.id,
            "path": document.path,
            "title": document.title,
            "date": document.date.isoformat() if document.date else None,
        },
    }


def to_dict(alert: Alert) -> dict[str, Any]:
    """The alert as JSON-ready data, following ``schemas/alert.schema.json``."""
    pair = alert.pair
    label: Label = pair.label
    kind: ContradictionKind | None = pair.kind
    direction: EntailmentDirection | None = pair.entailment_direction
    return {
        "schema_version": SCHEMA_VERSION,
        "alert_id": alert.alert_id,
        "job": alert.job,
        "raised_at": alert.raised_at.isoformat(timespec="seconds"),
        "label": label,
        "kind": kind,
        "score": round(label_score(pair), 6),
        "contradiction_score": round(pair.contradiction_score, 6),
        "scores": _scores(pair.scores),
        "entailment_direction": direction,
        "similarity": round(pair.similarity, 4),
        "pair_id": pair.id,
        "model": {"id": alert.model.id, "revision": alert.model.revision, "card": alert.model.card},
        "claims": [_claim(side) for side in alert.claims],
    }


def dumps(alert: Alert) -> str:
    """The alert as one line of JSON (no newline)."""
    return json.dumps(to_dict(alert), ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The alert JSON Schema, as shipped in the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``data`` does not follow the alert schema."""
    import jsonschema  # noqa: PLC0415

    jsonschema.validate(data, load_schema(), format_checker=jsonschema.FormatChecker())


def _ids_in(path: Path) -> set[str]:
    """Alert ids already in a JSON-lines file; a torn last line (a crash mid-write) is cut off first."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        log.warning("%s: its last line is incomplete (an interrupted write); removing it", path)
        with path.open("r+b") as fh:
            fh.truncate(keep)
        data = data[:keep]
    ids: set[str] = set()
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            ids.add(str(json.loads(line)["alert_id"]))
        except (ValueError, KeyError, TypeError):
            log.warning("%s: line %d is not an alert; left as it is", path, number)
    return ids


def append_jsonl(path: Path, lines: Sequence[tuple[str, str]]) -> list[str]:
    """Append (alert_id, JSON) lines whose id the file lacks; fsync; return every id now in the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    present = _ids_in(path)
    fresh = [(alert_id, payload) for alert_id, payload in lines if alert_id not in present]
    if fresh:
        with path.open("a", encoding="utf-8") as fh:
            for _, payload in fresh:
                fh.write(payload + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return [alert_id for alert_id, _ in lines]
