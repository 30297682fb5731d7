"""The job state file: caches, alerts with their outbox, atomicity, and the lock between runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from contradict.jobs.state import (
    SCHEMA_VERSION,
    CachedClaims,
    RunCounts,
    ScoreModel,
    State,
    StateError,
    StateLockedError,
    decode,
    encode,
    job_lock,
    move_aside,
)
from contradict.records import Claim, LabelScores, Prediction

HOLD_LOCK = (
    "import sys; from pathlib import Path; from contradict.jobs.state import job_lock\n"
    "with job_lock(Path(sys.argv[1]), 0, 'news'):\n"
    "    print('locked', flush=True)\n"
    "    sys.stdin.readline()\n"
)


@pytest.fixture()
def state(tmp_path: Path):
    with State(tmp_path / "state.sqlite") as opened:
        yield opened


def claim(doc: str, n: int, statement: str, speaker: str | None = None) -> Claim:
    return Claim(id=f"{doc}:c{n}", doc_id=doc, text=f"Text of {statement}", span=(10 * n, 10 * n + 9),
                 statement=statement, speaker=speaker, reporting_verb="said" if speaker else None)


def test_a_new_file_gets_the_schema_and_reopens(tmp_path: Path):
    path = tmp_path / "deep" / "state.sqlite"
    with State(path):
        pass
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"claim_cache", "direction_scores", "alerts", "outbox", "runs"} <= tables
    with State(path) as again:
        assert again.pending("webhook") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database, just text" * 100, "not a usable contradict state file"),
        (None, "written by a newer contradict"),
    ],
)
def test_unusable_files_are_refused(tmp_path: Path, content: bytes | None, message: str):
    path = tmp_path / "state.sqlite"
    if content is None:
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    else:
        path.write_bytes(content)
    with pytest.raises(StateError) as caught:
        State(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    "claims",
    [
        (),
        (claim("a.txt", 1, "The dam held."),),
        (claim("a.txt", 1, "The dam held.", speaker="Mayor Lind"), claim("a.txt", 2, "Ünïcode “quotes” — fine.")),
    ],
)
def test_claims_round_trip_under_another_document_id(state: State, claims: tuple[Claim, ...]):
    cached = CachedClaims(language="en", claims=claims, dropped={"heading": 2})
    state.put_claims("k1", "sha256:abc", "a.txt", cached)
    same = state.get_claims("k1", "a.txt")
    assert same == cached
    moved = state.get_claims("k1", "copy/b.txt")
    assert moved is not None
    assert [c.id for c in moved.claims] == [c.id.replace("a.txt", "copy/b.txt") for c in claims]
    assert all(c.doc_id == "copy/b.txt" for c in moved.claims)
    assert [(c.statement, c.span, c.speaker) for c in moved.claims] == [(c.statement, c.span, c.speaker) for c in claims]
    assert state.get_claims("other-key", "a.txt") is None


@pytest.mark.parametrize(
    "value",
    [
        claim("a", 1, "x"),
        LabelScores(0.1, 0.2, 0.7),
        Prediction(label="neutral", scores=LabelScores(0.1, 0.2, 0.7), raw=(0.25, 0.75)),
        {"nested": (1, 2, [3, (dt.date(2026, 3, 4),)]), "when": dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.timezone.utc)},
        (),
        None,
    ],
)
def test_encode_decode_round_trip(value):
    assert decode(json.loads(json.dumps(encode(value)))) == value


def test_decode_rebuilds_only_contradict_records():
    with pytest.raises(ValueError, match="not a contradict record"):
        decode({"__record__": "subprocess:Popen", "fields": {"args": ["true"]}})
    with pytest.raises(TypeError):
        encode(object())


def test_a_claim_cache_entry_written_by_other_code_is_a_miss(state: State):
    state.put_claims("k", "h", "a.txt", CachedClaims("en", (claim("a.txt", 1, "The dam held."),), {}))
    with state.transaction() as db:
        broken = [{"suffix": ":c1", "claim": {"__record__": "contradict.records:Claim", "fields": {"gone": 1}}}]
        db.execute("UPDATE claim_cache SET claims = ?", (json.dumps(broken),))
    assert state.get_claims("k", "a.txt") is None


def test_scores_round_trip_exactly_and_depend_on_the_model(state: State):
    model = ScoreModel("m", "rev1", "card:abc")
    predictions = {
        ("A is so.", "A is not so."): Prediction("contradiction", LabelScores(0.9123456789012345, 0.05, 0.0376543210987655), (0.1, 0.9)),
        ("A is not so.", "A is so."): Prediction("neutral", LabelScores(0.2, 0.1, 0.7), (1e-12, 1 - 1e-12)),
    }
    state.put_scores(model, predictions)
    assert state.get_scores(model, list(predictions) + [("new", "pair")]) == predictions
    others = (ScoreModel("m", "rev2", "card:abc"), ScoreModel("m", "rev1", "card:xyz"), ScoreModel("n", "rev1", "card:abc"),
              ScoreModel("m", "rev1", "card:abc", "onnx-int8/int8"))
    for other in others:
        assert state.get_scores(other, list(predictions)) == {}


def test_many_scores_are_looked_up_in_chunks(state: State):
    model = ScoreModel("m", "r", "c")
    pairs = {(f"premise {i}", f"hypothesis {i}"): Prediction("neutral", LabelScores(0.0, 0.0, 1.0), (float(i),)) for i in range(1500)}
    state.put_scores(model, pairs)
    assert state.get_scores(model, pairs) == pairs


def test_alerts_are_recorded_once_with_an_outbox_row_per_sink(state: State):
    first = state.record_alerts("news", [("a1", '{"alert_id": "a1"}'), ("a2", '{"alert_id": "a2"}')], ["alerts_file", "webhook"])
    assert first == ["a1", "a2"]
    again = state.record_alerts("news", [("a2", '{"changed": true}'), ("a3", '{"alert_id": "a3"}')], ["alerts_file", "webhook"])
    assert again == ["a3"]
    pending = state.pending("webhook")
    assert [(e.alert_id, e.payload) for e in pending] == [("a1", '{"alert_id": "a1"}'), ("a2", '{"alert_id": "a2"}'), ("a3", '{"alert_id": "a3"}')]
    state.mark_delivered("webhook", ["a1", "a3"], attempts=3)
    state.mark_failed("webhook", "a2", 4, "HTTP 503")
    [left] = state.pending("webhook")
    assert (left.alert_id, left.attempts, left.last_error) == ("a2", 4, "HTTP 503")
    assert [e.alert_id for e in state.pending("alerts_file")] == ["a1", "a2", "a3"]
    assert state.known_alerts(["a1", "zz", "a3"]) == {"a1", "a3"}


def test_an_alert_and_its_outbox_rows_commit_together(state: State):
    with pytest.raises(sqlite3.IntegrityError):
        state.record_alerts("news", [("ok", "{}"), ("dup", "{}")], ["webhook", "webhook"])  # second outbox row collides
    assert state.known_alerts(["ok", "dup"]) == set()
    assert state.pending("webhook") == []


def test_runs_are_recorded(state: State):
    run = state.start_run("news")
    assert state.runs("news") == [("running", None)]
    counts = RunCounts(documents=3, claims=9, pairs=4, directions_scored=8, directions_cached=0, alerts_new=2)
    state.finish_run(run, counts)
    state.finish_run(state.start_run("news"), None, "failed")
    assert state.runs("news") == [("ok", counts), ("failed", None)]
    assert state.runs("other") == []


def _hold_lock(state_path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(state_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_process_waits_then_stops_with_a_clear_message(tmp_path: Path):
    state_path = tmp_path / "state.sqlite"
    with _hold_lock(state_path) as holder:
        started = time.monotonic()
        with pytest.raises(StateLockedError) as caught, job_lock(state_path, 0.5, "news"):
            pass
        assert time.monotonic() - started >= 0.45
        message = str(caught.value)
        assert "job 'news' is already running" in message and "lock_timeout_s" in message and str(state_path) in message
        assert caught.value.exit_code == 1
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    with job_lock(state_path, 0, "news") as held:  # free again
        assert held.path == state_path and not held.created
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.sqlite"], "the lock is on the state file: no side file"


def test_a_state_file_moved_away_while_a_run_waits_is_locked_again_at_its_path(tmp_path: Path):
    """The waiter locks what the path names once it gets the lock, not the file that was moved."""
    state_path = tmp_path / "state.sqlite"
    with State(state_path):
        pass
    with _hold_lock(state_path) as holder:
        moved = move_aside(state_path)  # e.g. a user starting afresh by hand while a run holds the old file
        assert moved is not None and not state_path.exists()
        with job_lock(state_path, 5, "news") as held:
            assert held.created and state_path.exists()
            with pytest.raises(StateLockedError):  # and a second waiter cannot take it now
                with job_lock(state_path, 0, "news"):
                    pass
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def test_an_empty_state_file_is_an_error_unless_the_run_created_it(tmp_path: Path):
    state_path = tmp_path / "state.sqlite"
    state_path.write_bytes(b"")
    with pytest.raises(StateError, match="empty.*--fresh-state"):
        State(state_path, new=False)
    with job_lock(tmp_path / "new.sqlite", 0, "news") as held:
        assert held.created
        with State(held.path, new=held.created):
            pass


def test_a_foreign_sqlite_file_is_not_taken_over(tmp_path: Path):
    state_path = tmp_path / "state.sqlite"
    with sqlite3.connect(state_path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    with pytest.raises(StateError, match="another program"):
        State(state_path, new=False)
    with sqlite3.connect(state_path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)], "left untouched"
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("PRAGMA application_id=1234")
        db.execute("PRAGMA user_version=1")
    with pytest.raises(StateError, match="application id"):
        State(other, new=False)


def test_move_aside_keeps_the_old_state_and_its_wal(tmp_path: Path):
    state_path = tmp_path / "state.sqlite"
    with State(state_path) as state:
        state.start_run("news")
        moved = move_aside(state_path)  # while open: the WAL moves with it
    assert moved is not None and moved.name.startswith("state.sqlite.") and moved.name.endswith(".bak")
    assert not state_path.exists()
    with State(moved, new=False) as old:
        assert old.db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    assert move_aside(state_path) is None


def test_the_lock_is_released_when_its_holder_dies(tmp_path: Path):
    state_path = tmp_path / "state.sqlite"
    with _hold_lock(state_path) as holder:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with job_lock(state_path, 5, "news"):
        pass


def test_a_waiting_run_gets_the_lock_when_the_first_finishes(tmp_path: Path):
    state_path = tmp_path / "state.sqlite"
    order: list[str] = []
    first_has_it = threading.Event()

    def first() -> None:
        with job_lock(state_path, 5, "news"):
            order.append("first in")
            first_has_it.set()
            time.sleep(0.4)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    assert first_has_it.wait(10)
    with job_lock(state_path, 10, "news"):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]


def test_a_state_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path):
    (tmp_path / "taken").write_text("a file where the state folder should be")
    state_path = tmp_path / "taken" / "state.sqlite"
    with pytest.raises(StateError, match="cannot create the state folder"):
        with job_lock(state_path, 0, "news"):
            pass
    with pytest.raises(StateError, match="cannot create the state folder"):
        State(state_path)
