"""A job's state in one SQLite file: claim and score caches, alerts raised, and the delivery outbox.

- ``claim_cache``: a document's claims, keyed by its content hash and the extraction options.
- ``direction_scores``: one NLI verdict per (model id, revision, card, runtime, premise, hypothesis);
  the runtime (backend and number type) counts because int8 or float16 scores differ.
- ``alerts``: every alert ever raised by the job, with the exact JSON that is delivered.
- ``outbox``: one row per (alert, sink), written in the same transaction as the alert and
  marked delivered only after the sink accepted it; rows left undelivered are sent again.
- ``runs``: what each run did (documents, pairs, directions scored and cached, alerts).

Two runs of one job are kept apart by :func:`job_lock` (an ``flock`` on the state file itself,
released by the OS if the process dies); SQLite's own locking and busy timeout guard the rest.
An empty or foreign state file is an error, not a silent new start.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import importlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from contradict.errors import ContradictError
from contradict.records import Claim, LabelScores, Prediction

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# PRAGMA application_id of a state file: 'ctdx' (older files have 0 and the contradict tables).
APPLICATION_ID = 0x63746478
_CHUNK = 400  # SQLite host parameters per IN (...) query
_POLL_S = 0.1

_SCHEMA = """
CREATE TABLE claim_cache (
    key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    language TEXT,
    claims TEXT NOT NULL,
    dropped TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE direction_scores (
    key TEXT PRIMARY KEY,
    model_id TEXT NOT NULL,
    revision TEXT NOT NULL,
    card TEXT NOT NULL,
    runtime TEXT NOT NULL,
    premise TEXT NOT NULL,
    hypothesis TEXT NOT NULL,
    label TEXT NOT NULL,
    contradiction REAL NOT NULL,
    entailment REAL NOT NULL,
    neutral REAL NOT NULL,
    raw TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    payload TEXT NOT NULL,
    raised_at TEXT NOT NULL
);
CREATE TABLE outbox (
    alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
    sink TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (alert_id, sink)
);
CREATE INDEX outbox_pending ON outbox (sink, delivered_at);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    documents INTEGER,
    claims INTEGER,
    pairs INTEGER,
    directions_scored INTEGER,
    directions_cached INTEGER,
    alerts_new INTEGER
);
"""


class StateError(ContradictError):
    """A job's state file cannot be opened, or was written by a newer contradict."""


class StateLockedError(ContradictError):
    """Another run of the same job holds its state file for longer than the lock timeout."""


@dataclass(frozen=True, slots=True)
class CachedClaims:
    """A document's claims as cached: detected language, claims, dropped spans by reason and other languages."""

    language: str | None
    claims: tuple[Claim, ...]
    dropped: Mapping[str, int]
    other_languages: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreModel:
    """What a cached score depends on besides its texts: model id, revision, card and runtime."""

    model_id: str
    revision: str
    card: str
    runtime: str = ""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """An alert waiting for one sink: its id, the exact JSON to send, and earlier attempts."""

    alert_id: str
    sink: str
    payload: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class RunCounts:
    """What one run of a job did, as recorded in the ``runs`` table."""

    documents: int
    claims: int
    pairs: int
    directions_scored: int
    directions_cached: int
    alerts_new: int


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def encode(value: Any) -> Any:
    """JSON-ready data for a record: contradict's dataclasses (nested too), tuples and dates, tagged."""
    if is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        return {"__record__": f"{kind.__module__}:{kind.__qualname__}",
                "fields": {f.name: encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in the state file")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`; only dataclasses defined in contradict's own modules are rebuilt."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "__tuple__" in data:
        return tuple(decode(item) for item in data["__tuple__"])
    if "__date__" in data:
        return dt.date.fromisoformat(data["__date__"])
    if "__datetime__" in data:
        return dt.datetime.fromisoformat(data["__datetime__"])
    if "__record__" in data:
        module, _, name = str(data["__record__"]).partition(":")
        if module != "contradict" and not module.startswith("contradict."):
            raise ValueError(f"refusing to rebuild {module}:{name} (not a contradict record)")
        kind = getattr(importlib.import_module(module), name)
        if not (isinstance(kind, type) and is_dataclass(kind)):
            raise ValueError(f"{module}:{name} is not a record")
        return kind(**{key: decode(value) for key, value in data["fields"].items()})
    return {key: decode(value) for key, value in data.items()}


def score_key(model: ScoreModel, premise: str, hypothesis: str) -> str:
    """The cache key of one direction: a hash of the model, its revision, card and runtime, and both texts."""
    text = json.dumps([model.model_id, model.revision, model.card, model.runtime, premise, hypothesis], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, slots=True)
class HeldLock:
    """The state file a run holds locked, and whether this run created it (so it may start empty)."""

    path: Path
    created: bool


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino)


@contextmanager
def job_lock(state_path: Path, timeout_s: float, job: str) -> Iterator[HeldLock]:
    """Hold the state file itself locked (``flock``) while the body runs; wait up to ``timeout_s``.

    The lock is on the file that holds the alerts, not on a side file that could be deleted
    while a run holds it. After locking, the path must still name the locked file (a file
    moved or deleted meanwhile is locked again at its path). The OS releases the lock when
    the process dies. SQLite's own byte-range locks are separate and unaffected.
    """
    try:
        state_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError(f"{state_path.parent}: cannot create the state folder ({exc.strerror or exc})") from None
    deadline = time.monotonic() + timeout_s
    waiting = False
    while True:
        created = False
        try:
            fd = os.open(state_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            created = True
        except FileExistsError:
            try:
                fd = os.open(state_path, os.O_RDWR)
            except FileNotFoundError:
                continue  # removed between the two opens: try again
            except OSError as exc:
                raise StateError(f"{state_path}: cannot open the state file ({exc.strerror})") from exc
        except OSError as exc:
            raise StateError(f"{state_path}: cannot create the state file ({exc.strerror})") from exc
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise StateError(f"{state_path}: cannot lock ({exc.strerror})") from exc
                if time.monotonic() >= deadline:
                    raise StateLockedError(
                        f"job {job!r} is already running (its state {state_path} is locked); gave up after waiting "
                        f"{timeout_s:g} s. Wait for that run to finish, or raise state.lock_timeout_s"
                    )
                if not waiting:
                    log.warning("job %s: another run holds %s; waiting up to %g s", job, state_path, timeout_s)
                    waiting = True
                time.sleep(min(_POLL_S, max(deadline - time.monotonic(), 0.0)))
            if not _same_file(fd, state_path):
                continue  # the file we locked was moved or deleted while we waited: lock what is there now
            yield HeldLock(state_path, created)
            return
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def move_aside(state_path: Path) -> Path | None:
    """Rename a state file (and its -wal/-shm) to ``<name>.<UTC time>.bak``; the caller holds no lock on it.

    For a fresh start: the old alerts are kept there, never deleted. Returns the new name, or None when
    there was no file.
    """
    if not state_path.exists():
        return None
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = state_path.with_name(f"{state_path.name}.{stamp}.bak")
    for suffix in ("-wal", "-shm"):
        side = state_path.with_name(state_path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    state_path.rename(target)
    return target


class State:
    """A job's SQLite state file: caches, alerts and outbox (use as a context manager)."""

    def __init__(self, path: Path | str, busy_timeout_s: float = 30.0, *, new: bool = True) -> None:
        """Open (or, when ``new``, create) a state file; ``new=False`` refuses an empty or missing one.

        A job run passes ``new`` only when it created the file itself: a state file that exists
        but is empty was truncated or replaced, and starting afresh would send every alert again.
        """
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"{self.path.parent}: cannot create the state folder ({exc.strerror or exc})") from None
        if not new and (not self.path.exists() or self.path.stat().st_size == 0):
            raise StateError(
                f"{self.path}: the state file is {'missing' if not self.path.exists() else 'empty'}; starting afresh would "
                "raise and deliver every alert again. Restore it, or run with --fresh-state to start a new state "
                "(the old file is kept as .bak)"
            )
        try:
            self.db = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: survives a process crash; an OS crash may undo
            # the last commits, which only means an alert is sent again under its id (receivers dedupe)
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: not a usable contradict state file ({exc}); move it away to start afresh") from exc

    def __enter__(self) -> "State":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        application = self.db.execute("PRAGMA application_id").fetchone()[0]
        if application not in (0, APPLICATION_ID):
            raise StateError(f"{self.path}: a SQLite file of another program (application id {application:#x}), "
                             "not a contradict state; point state.path elsewhere")
        if version == 0 and self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise StateError(f"{self.path}: a SQLite file with tables of another program, not a contradict state; "
                             "point state.path elsewhere (or run with --fresh-state to move it aside)")
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: written by a newer contradict (state version {version}, this one reads {SCHEMA_VERSION}); "
                "upgrade contradict or point state.path elsewhere"
            )
        with self.transaction():
            if self.db.execute("PRAGMA user_version").fetchone()[0] == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                self.db.execute(f"PRAGMA application_id={APPLICATION_ID}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---------------------------------------------------------------- claims

    def get_claims(self, key: str, doc_id: str) -> CachedClaims | None:
        """The cached claims for ``key``, with ids rebuilt for document ``doc_id``; None when not cached."""
        row = self.db.execute("SELECT language, claims, dropped FROM claim_cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            claims = tuple(
                replace(decode(item["claim"]), id=doc_id + item["suffix"], doc_id=doc_id) for item in json.loads(row[1])
            )
        except (TypeError, ValueError, KeyError, AttributeError, ImportError) as exc:  # written by other code
            log.debug("claim cache entry %s is unreadable (%s); extracting again", key[:12], exc)
            return None
        dropped = json.loads(row[2])
        return CachedClaims(row[0], claims, dropped["reasons"], dropped["other_languages"])

    def put_claims(self, key: str, content_hash: str, doc_id: str, cached: CachedClaims) -> None:
        """Cache a document's claims; ids are stored relative to ``doc_id`` so copies of a file share them."""
        items = []
        for claim in cached.claims:
            if not claim.id.startswith(doc_id):
                raise ValueError(f"claim id {claim.id!r} does not start with its document id {doc_id!r}")
            items.append({"suffix": claim.id[len(doc_id):], "claim": encode(replace(claim, id="", doc_id=""))})
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO claim_cache (key, content_hash, language, claims, dropped, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, content_hash, cached.language, json.dumps(items, ensure_ascii=False),
                 json.dumps({"reasons": dict(cached.dropped), "other_languages": dict(cached.other_languages)}, sort_keys=True),
                 _now()),
            )

    # ---------------------------------------------------------------- scores

    def get_scores(self, model: ScoreModel, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Prediction]:
        """Cached verdicts for the (premise, hypothesis) texts that have one."""
        by_key = {score_key(model, p, h): (p, h) for p, h in pairs}
        found: dict[tuple[str, str], Prediction] = {}
        for chunk in _chunks(list(by_key)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, label, contradiction, entailment, neutral, raw FROM direction_scores WHERE key IN ({marks})"  # noqa: S608
            for key, label, contradiction, entailment, neutral, raw in self.db.execute(query, chunk):
                scores = LabelScores(contradiction=contradiction, entailment=entailment, neutral=neutral)
                found[by_key[key]] = Prediction(label=label, scores=scores, raw=tuple(json.loads(raw)))
        return found

    def put_scores(self, model: ScoreModel, scored: Mapping[tuple[str, str], Prediction]) -> None:
        """Cache verdicts for (premise, hypothesis) texts under ``model``, in one transaction."""
        now = _now()
        rows = [
            (score_key(model, p, h), model.model_id, model.revision, model.card, model.runtime, p, h, pred.label,
             pred.scores.contradiction, pred.scores.entailment, pred.scores.neutral, json.dumps(list(pred.raw)), now)
            for (p, h), pred in scored.items()
        ]
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO direction_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    # ---------------------------------------------------------------- alerts and outbox

    def record_alerts(self, job: str, alerts: Sequence[tuple[str, str]], sinks: Sequence[str]) -> list[str]:
        """Record (alert_id, payload) pairs not seen before, with an outbox row per sink, in one transaction.

        Returns the ids that were new, in input order; alerts already recorded are left as they were.
        """
        new: list[str] = []
        now = _now()
        with self.transaction() as db:
            for alert_id, payload in alerts:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO alerts (alert_id, job, payload, raised_at) VALUES (?, ?, ?, ?)",
                    (alert_id, job, payload, now),
                )
                if cursor.rowcount == 1:
                    new.append(alert_id)
                    db.executemany(
                        "INSERT INTO outbox (alert_id, sink, created_at) VALUES (?, ?, ?)",
                        [(alert_id, sink, now) for sink in sinks],
                    )
        return new

    def known_alerts(self, alert_ids: Iterable[str]) -> set[str]:
        """Which of these alert ids have been raised before."""
        ids = list(alert_ids)
        known: set[str] = set()
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT alert_id FROM alerts WHERE alert_id IN ({marks})"  # noqa: S608
            known.update(row[0] for row in self.db.execute(query, chunk))
        return known

    def pending(self, sink: str) -> list[OutboxEntry]:
        """Alerts not yet delivered to ``sink``, oldest first (including those left by earlier runs)."""
        rows = self.db.execute(
            "SELECT o.alert_id, o.sink, a.payload, o.attempts, o.last_error FROM outbox o "
            "JOIN alerts a USING (alert_id) WHERE o.sink = ? AND o.delivered_at IS NULL ORDER BY o.created_at, o.rowid",
            (sink,),
        )
        return [OutboxEntry(*row) for row in rows]

    def mark_delivered(self, sink: str, alert_ids: Sequence[str], attempts: int = 1) -> None:
        """Mark alerts delivered to ``sink`` (after the sink accepted them, in ``attempts`` tries)."""
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + ?, last_error = NULL "
                "WHERE alert_id = ? AND sink = ? AND delivered_at IS NULL",
                [(now, attempts, alert_id, sink) for alert_id in alert_ids],
            )

    def mark_failed(self, sink: str, alert_id: str, attempts: int, error: str) -> None:
        """Record failed attempts to deliver an alert; it stays pending."""
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + ?, last_error = ? WHERE alert_id = ? AND sink = ?",
                (attempts, error, alert_id, sink),
            )

    # ---------------------------------------------------------------- runs

    def start_run(self, job: str) -> int:
        """Record that a run of ``job`` started (earlier runs left 'running' become 'crashed'); returns its id."""
        with self.transaction() as db:  # the caller holds the job lock: a run still 'running' has died
            db.execute("UPDATE runs SET status = 'crashed' WHERE job = ? AND status = 'running'", (job,))
            cursor = db.execute("INSERT INTO runs (job, started_at, status) VALUES (?, ?, 'running')", (job, _now()))
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, counts: RunCounts | None, status: str = "ok") -> None:
        """Record how a run ended and what it did."""
        values = (counts.documents, counts.claims, counts.pairs, counts.directions_scored, counts.directions_cached,
                  counts.alerts_new) if counts else (None,) * 6
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, documents = ?, claims = ?, pairs = ?, "
                "directions_scored = ?, directions_cached = ?, alerts_new = ? WHERE id = ?",
                (_now(), status, *values, run_id),
            )

    def runs(self, job: str) -> list[tuple[str, RunCounts | None]]:
        """Every recorded run of ``job``, oldest first: its status and counts."""
        rows = self.db.execute(
            "SELECT status, documents, claims, pairs, directions_scored, directions_cached, alerts_new "
            "FROM runs WHERE job = ? ORDER BY id",
            (job,),
        )
        return [(row[0], RunCounts(*row[1:]) if row[1] is not None else None) for row in rows]
