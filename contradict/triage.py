"""Triage: a reader's decisions on flagged pairs (dismissed or confirmed), kept in a small JSON file.

A decision is keyed by the content of the two claims, not by pair or claim ids (which change
when a document is edited or another is added): each claim's statement and speaker,
normalised (Unicode NFKC, case, quotes, whitespace, end punctuation) and sorted, so the key is
the same whichever claim is ``a``. The document is not part of the key: the same two statements
from the same speakers are the same disagreement wherever they are repeated (a wire story
re-published by another outlet), and the model's verdict depends on the statements alone.

The file (``contradict-triage.json`` beside the report unless named) is JSON, written atomically::

    {"version": 1,
     "decisions": {"<key>": {"decision": "dismissed", "note": "different floods", "decided_at": "...",
                             "pair_id": "p...", "claims": [{"statement": ..., "speaker": ..., "document": ...}, ...]}}}

Scans and jobs read it: a dismissed pair leaves ``pairs`` (and so summaries, counts and alerts)
and is listed apart in the report's ``triage.dismissed``; a confirmed one stays, noted in
``triage.confirmed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from contradict.errors import UsageError
from contradict.outputs import atomic_write

if TYPE_CHECKING:
    from contradict.records import Claim, ScoredPair
    from contradict.report import Report

log = logging.getLogger(__name__)

DEFAULT_NAME = "contradict-triage.json"
FORMAT_VERSION = 1
DECISIONS: tuple[str, ...] = ("dismissed", "confirmed")
Decision = Literal["dismissed", "confirmed"]
P = TypeVar("P")

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'})
_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\s\"'.,;:!?()\[\]-]+|[\s\"'.,;:!?()\[\]-]+$")


class TriageError(UsageError):
    """A triage file cannot be read or written, or a decision names a pair the report does not hold."""


@dataclass(frozen=True, slots=True)
class ClaimContent:
    """What identifies a claim across runs: its statement and speaker; the document is kept for a reader."""

    statement: str
    speaker: str | None = None
    document: str | None = None


@dataclass(frozen=True, slots=True)
class TriageEntry:
    """One decision on a pair: dismissed or confirmed, why, when, and the pair and claims it was made on."""

    key: str
    decision: Decision
    note: str | None
    decided_at: str
    pair_id: str
    claims: tuple[ClaimContent, ClaimContent]


@dataclass(frozen=True, slots=True)
class Triage:
    """The decisions of one triage file, by key (``path`` None: decisions held in memory only)."""

    path: Path | None
    entries: Mapping[str, TriageEntry]

    def lookup(self, a: ClaimContent, b: ClaimContent) -> TriageEntry | None:
        """The decision on the pair of these two claims, if any (in either order)."""
        return self.entries.get(pair_key(a, b))


@dataclass(frozen=True, slots=True)
class Triaged:
    """What a triage file did to a report: the pairs it dismissed (listed apart) and those it confirmed."""

    file: str | None
    dismissed: tuple[tuple[ScoredPair, TriageEntry], ...] = ()
    confirmed: tuple[tuple[str, TriageEntry], ...] = ()


def normalise(text: str | None) -> str:
    """Text as compared for triage: NFKC, casefolded, straight quotes, one space, no end punctuation."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _EDGE.sub("", _SPACE.sub(" ", text))


def pair_key(a: ClaimContent, b: ClaimContent) -> str:
    """The order-independent key of a pair of claims: a hash of both normalised statements and speakers."""
    sides = sorted([normalise(c.statement), normalise(c.speaker)] for c in (a, b))
    text = json.dumps(sides, ensure_ascii=False, separators=(",", ":"))
    return "t" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def content_of(claim: Claim | Mapping[str, Any]) -> ClaimContent:
    """The content of a claim record or of a claim in a report's JSON (``statement``, else ``text``)."""
    if isinstance(claim, Mapping):
        statement = claim.get("statement") or claim.get("text") or ""
        return ClaimContent(str(statement), claim.get("speaker"), claim.get("doc_id") or claim.get("document"))
    return ClaimContent(claim.statement, claim.speaker, claim.doc_id)


# ---------------------------------------------------------------- the file


def default_path(report_path: Path) -> Path:
    """Where the triage file of a report lives unless named: ``contradict-triage.json`` beside it."""
    return report_path.parent / DEFAULT_NAME


def _entry(key: str, raw: Any) -> TriageEntry:
    if not isinstance(raw, Mapping):
        raise ValueError(f"decision {key!r} is not an object")
    decision = raw.get("decision")
    if decision not in DECISIONS:
        raise ValueError(f"decision {key!r} has decision {decision!r}; expected dismissed or confirmed")
    claims = raw.get("claims") or []
    if not isinstance(claims, list) or len(claims) != 2 or not all(isinstance(c, Mapping) for c in claims):
        raise ValueError(f"decision {key!r} needs its two claims")
    contents = tuple(ClaimContent(str(c.get("statement") or ""), c.get("speaker"), c.get("document")) for c in claims)
    note = raw.get("note")
    return TriageEntry(
        key=key, decision=decision, note=None if note is None else str(note),
        decided_at=str(raw.get("decided_at") or ""), pair_id=str(raw.get("pair_id") or ""),
        claims=(contents[0], contents[1]),
    )


def load_triage(path: Path | str) -> Triage:
    """Read a triage file; a file that does not exist yet holds no decisions. TriageError when it is corrupt."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise TriageError(f"triage file {path} is a folder; name a file such as {path / DEFAULT_NAME}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Triage(path, {})
    except (OSError, UnicodeDecodeError) as exc:
        raise TriageError(f"cannot read triage file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or not isinstance(data.get("decisions"), dict):
            raise ValueError(f"expected an object with version {FORMAT_VERSION} and decisions")
        entries = {key: _entry(key, raw) for key, raw in data["decisions"].items()}
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise TriageError(
            f"triage file {path} is not valid ({exc}); fix it or move it aside, then record decisions again"
        ) from None
    return Triage(path, entries)


def dumps(triage: Triage) -> str:
    """A triage file's text: its decisions sorted by key, for stable diffs."""
    decisions = {
        key: {
            "decision": e.decision,
            "note": e.note,
            "decided_at": e.decided_at,
            "pair_id": e.pair_id,
            "claims": [{"statement": c.statement, "speaker": c.speaker, "document": c.document} for c in e.claims],
        }
        for key, e in sorted(triage.entries.items())
    }
    return json.dumps({"version": FORMAT_VERSION, "decisions": decisions}, ensure_ascii=False, indent=2) + "\n"


def write_triage(triage: Triage) -> None:
    """Write the triage file atomically (an earlier file is left whole if the write fails)."""
    if triage.path is None:
        raise TriageError("this triage holds no file path; load it with load_triage(path)")
    atomic_write(triage.path, dumps(triage), "triage file")


# ---------------------------------------------------------------- decisions on a report's pairs


def report_pairs(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every pair of a report's JSON: those in ``pairs`` and those a triage file dismissed."""
    dismissed = (data.get("triage") or {}).get("dismissed") or []
    return [*(data.get("pairs") or []), *(item["pair"] for item in dismissed if isinstance(item, Mapping) and "pair" in item)]


def pair_claims(pair: Mapping[str, Any], claims: Mapping[str, Mapping[str, Any]]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The two claims of a pair in a report's JSON: by id from the report's claims, or carried inline.

    Inline, a pair may hold the claim itself as ``claim_a``, a side object as ``a`` (schema 2.2:
    ``claim``, ``document``, ``text``, ``statement``, ``speaker``, ...), or ``text_a`` and the like.
    """
    sides = []
    for side in ("a", "b"):
        ref = pair.get(f"claim_{side}")
        inline = pair.get(side)
        if isinstance(ref, Mapping):
            sides.append(ref)
        elif isinstance(ref, str) and ref in claims:
            sides.append(claims[ref])
        elif isinstance(inline, Mapping) and isinstance(inline.get("text"), str):
            sides.append({"id": inline.get("claim") or ref, "doc_id": inline.get("document"), **inline})
        elif isinstance(pair.get(f"text_{side}"), str):
            sides.append({"id": ref, "text": pair[f"text_{side}"], "statement": pair.get(f"statement_{side}"),
                          "speaker": pair.get(f"speaker_{side}"), "doc_id": pair.get(f"doc_{side}")})
        else:
            raise TriageError(f"pair {pair.get('id')!r} names claim {ref!r}, which the report does not hold")
    return sides[0], sides[1]


def record(
    data: Mapping[str, Any],
    pair_id: str,
    decision: Decision | None,
    triage: Triage,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Triage, TriageEntry | None]:
    """Record (or, with ``decision`` None, forget) a decision on the report pair ``pair_id``.

    Returns the new triage (not yet written) and the entry recorded (None when forgotten).
    TriageError when the report holds no such pair.
    """
    pairs = {p.get("id"): p for p in report_pairs(data)}
    if pair_id not in pairs:
        near = [pid for pid in pairs if isinstance(pid, str) and pid.startswith(pair_id[:4])][:3]
        hint = f" (pairs with a similar id: {', '.join(near)})" if near else ""
        raise TriageError(f"the report holds no pair {pair_id!r}{hint}; pair ids are the 'id' of each entry in 'pairs'")
    claims = {c["id"]: c for c in data.get("claims") or [] if isinstance(c, Mapping) and "id" in c}
    a, b = (content_of(c) for c in pair_claims(pairs[pair_id], claims))
    key = pair_key(a, b)
    entries = dict(triage.entries)
    if decision is None:
        entries.pop(key, None)
        return replace(triage, entries=entries), None
    when = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    entry = TriageEntry(key=key, decision=decision, note=note, decided_at=when, pair_id=pair_id, claims=(a, b))
    entries[key] = entry
    return replace(triage, entries=entries), entry


def split(
    pairs: Iterable[P], contents: Callable[[P], tuple[ClaimContent, ClaimContent]], triage: Triage
) -> tuple[list[P], list[tuple[P, TriageEntry]], list[tuple[P, TriageEntry]]]:
    """Pairs kept (in order), pairs dismissed and pairs confirmed, each with its decision."""
    kept: list[P] = []
    dismissed: list[tuple[P, TriageEntry]] = []
    confirmed: list[tuple[P, TriageEntry]] = []
    for pair in pairs:
        entry = triage.lookup(*contents(pair))
        if entry is not None and entry.decision == "dismissed":
            dismissed.append((pair, entry))
            continue
        kept.append(pair)
        if entry is not None:
            confirmed.append((pair, entry))
    return kept, dismissed, confirmed


def _contents(claims: Mapping[str, Claim]) -> Callable[[ScoredPair], tuple[ClaimContent, ClaimContent]]:
    """For :func:`split`: the contents of a scored pair's two claims."""
    return lambda p: (content_of(claims[p.claim_a]), content_of(claims[p.claim_b]))


def dismissed_ids(pairs: Iterable[ScoredPair], claims: Mapping[str, Claim], triage: Triage | None) -> frozenset[str]:
    """Ids of the pairs ``triage`` dismisses (none without a triage file), for the ranking to leave out of its counts."""
    if triage is None:
        return frozenset()
    _, dismissed, _ = split(pairs, _contents(claims), triage)
    return frozenset(p.id for p, _ in dismissed)


def apply(report: Report, triage: Triage) -> Report:
    """The report with dismissed pairs moved out of ``pairs`` into ``triage`` (confirmed ones noted there)."""
    claims: dict[str, Claim] = {c.id: c for c in report.claims}
    kept, dismissed, confirmed = split(report.pairs, _contents(claims), triage)
    if dismissed or confirmed:
        log.info("triage %s: %d pair(s) dismissed, %d confirmed", triage.path, len(dismissed), len(confirmed))
    outcome = Triaged(
        file=str(triage.path) if triage.path else None,
        dismissed=tuple(dismissed),
        confirmed=tuple((p.id, e) for p, e in confirmed),
    )
    return replace(report, pairs=tuple(kept), triage=outcome)


def entry_dict(entry: TriageEntry) -> dict[str, Any]:
    """A decision as it appears in a report's ``triage`` section."""
    return {"key": entry.key, "decision": entry.decision, "note": entry.note, "decided_at": entry.decided_at}


def apply_to_data(data: Mapping[str, Any], triage: Triage) -> dict[str, Any]:
    """A report's JSON re-split by ``triage``: pairs dismissed earlier and no longer are put back.

    For re-rendering a report after new decisions without scanning again.
    """
    claims = {c["id"]: c for c in data.get("claims") or [] if isinstance(c, Mapping) and "id" in c}
    everything: Sequence[Mapping[str, Any]] = report_pairs(data)
    kept, dismissed, confirmed = split(
        everything, lambda p: tuple(content_of(c) for c in pair_claims(p, claims)), triage  # type: ignore[arg-type, return-value]
    )
    out = dict(data)
    out["pairs"] = list(kept)
    out["triage"] = {
        "file": str(triage.path) if triage.path else None,
        "dismissed": [{"pair": dict(p), **entry_dict(e)} for p, e in dismissed],
        "confirmed": [{"pair_id": p.get("id"), **entry_dict(e)} for p, e in confirmed],
    }
    return out


@dataclass(frozen=True, slots=True)
class TriageUpdate:
    """What :func:`update` did: the triage file written, and each pair id with its new decision (None: forgotten)."""

    path: Path
    changes: tuple[tuple[str, TriageEntry | None], ...]


def update(
    report_path: Path,
    *,
    dismiss: Sequence[str] = (),
    confirm: Sequence[str] = (),
    forget: Sequence[str] = (),
    note: str | None = None,
    path: Path | None = None,
) -> TriageUpdate:
    """Record decisions on pairs of a JSON report in its triage file (``path``, default beside the report).

    Every pair id is checked before anything is written; the file is written once, atomically.
    """
    from contradict import report as report_io  # noqa: PLC0415

    named = [*dismiss, *confirm, *forget]
    twice = sorted({pid for pid in named if named.count(pid) > 1})
    if twice:
        raise TriageError(f"pair {twice[0]} is named twice (--dismiss, --confirm, --reset); give each pair one decision")
    if not named:
        raise TriageError("name a pair with --dismiss PAIR_ID, --confirm PAIR_ID or --reset PAIR_ID")
    data = report_io.read(report_path)
    path = path if path is not None else default_path(report_path)
    triage = load_triage(path)
    changes: list[tuple[str, TriageEntry | None]] = []
    for pair_ids, decision in ((dismiss, "dismissed"), (confirm, "confirmed"), (forget, None)):
        for pair_id in pair_ids:
            triage, entry = record(data, pair_id, decision, triage, note)  # type: ignore[arg-type]
            changes.append((pair_id, entry))
    write_triage(triage)
    return TriageUpdate(path=path, changes=tuple(changes))
