"""Jobs end to end on tiny models: caching by counting model calls, alerts, outbox, webhooks, locking, CLI."""

from __future__ import annotations

import json
import sqlite3
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from contradict import report as report_io
from contradict.cli import app
from contradict.jobs import alerts as alerts_io
from contradict.jobs.config import ConfigError, LoadedJobs, load_jobs
from contradict.jobs.runner import BandedModel, JobResult, glob_regex, read_inputs, run_job, run_jobs
from contradict.jobs.state import State, StateLockedError
from contradict.records import Prediction
from contradict.scoring.cards import Bands, band_scores
from tests.conftest import FLOOD_CORPUS as CORPUS
from tests.conftest import REPO

from .test_state import HOLD_LOCK
from .test_webhooks import SECRET_PATH, SECRET_TOKEN, Receiver

runner = CliRunner()

NEW_DOCUMENT = (
    "d.txt",
    "The state will not pay for rebuilding private homes in the valley.\n\n"
    "Army engineers arrived in the flooded valley on Saturday morning.\n",
)


class Counting:
    """The real tiny NLI model, recording every (premise, hypothesis) it is asked to score."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        with self.lock:
            self.calls.extend(pairs)
        return self.model.predict(pairs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


@pytest.fixture(scope="module")
def tiny_encoder(tiny_encoder_dir: Path):
    from contradict.pairing.candidates import load_encoder

    return load_encoder(str(tiny_encoder_dir))


TINY_BAND_CARD = """\
id: tiny-bands
id2label: {0: entailment, 1: neutral, 2: contradiction}
max_length: 128
kind: contradiction_score
contradiction_label: contradiction
bands: {contradiction: 0.6, entailment: 0.3, softness: 0.5}
"""


@pytest.fixture(scope="module")
def band_card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A contradiction_score card for the tiny model: its contradiction output read through bands."""
    path = tmp_path_factory.mktemp("card") / "tiny-bands.yaml"
    path.write_text(TINY_BAND_CARD)
    return path


@pytest.fixture(scope="module")
def tiny_banded(tiny_nli_dir: Path, band_card: Path):
    """The tiny model loaded with the band card, so that low bands give contradictions."""
    from contradict.scoring.nli import load_model

    return load_model(str(tiny_nli_dir), device="cpu", card_path=band_card)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def corpus(folder: Path, documents: dict[str, str] = CORPUS) -> Path:
    for name, text in documents.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def job_file(folder: Path, docs: Sequence[Path], tiny_nli_dir: Path, tiny_encoder_dir: Path, **sections: Any) -> Path:
    """A job file 'news' over ``docs`` with the tiny models: every pair scored and alerted."""
    job = {
        "inputs": {"folders": [str(d) for d in docs]},
        "pairing": {"min_similarity": -1.0, "top_k": 3, "encoder": str(tiny_encoder_dir)},
        "model": {"id": str(tiny_nli_dir), "device": "cpu"},
        "alerts": {"labels": ["contradiction", "entailment", "neutral"], "min_score": 0.0},
        "outputs": {"report": "out/report.json", "alerts": "out/alerts.jsonl"},
        "state": {"path": "state/news.sqlite", "lock_timeout_s": 30},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jobs.yaml"
    path.write_text(yaml.safe_dump({"jobs": {"news": merge(job, sections)}}), encoding="utf-8")
    return path


def run(jobs: LoadedJobs, model: Counting, encoder: Any) -> JobResult:
    return run_job(jobs, "news", model=model, encoder=encoder)


def statements_of(result: JobResult, doc_id: str) -> set[str]:
    return {c.statement for c in result.report.claims if c.doc_id == doc_id}


def directions(result: JobResult, pair_ids: set[str] | None = None) -> set[tuple[str, str]]:
    """The (premise, hypothesis) texts of a run's pairs (or of the pairs named)."""
    claims = {c.id: c.statement for c in result.report.claims}
    out = set()
    for pair in result.report.pairs:
        if pair_ids is None or pair.id in pair_ids:
            out |= {(claims[pair.claim_a], claims[pair.claim_b]), (claims[pair.claim_b], claims[pair.claim_a])}
    return out


def alert_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_rerun_on_an_unchanged_folder_scores_nothing_and_alerts_nothing(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir))
    model = Counting(tiny_nli)

    first = run(jobs, model, tiny_encoder)
    scored_once = len(model.calls)
    assert first.report.pairs and scored_once == len(directions(first)) == first.directions_scored
    assert first.directions_cached == 0 and first.documents_extracted == len(CORPUS)
    assert len(first.alerts) == len(first.report.pairs)  # every label alerts; all pairs cross files
    lines = alert_lines(tmp_path / "out" / "alerts.jsonl")
    assert [line["alert_id"] for line in lines] == [a.alert_id for a in first.alerts]
    assert len({line["alert_id"] for line in lines}) == len(lines)
    for line in lines:
        alerts_io.validate(line)
        assert line["job"] == "news" and line["model"]["id"] == str(tiny_nli_dir)
    report_io.validate(json.loads((tmp_path / "out" / "report.json").read_text()))

    second = run(jobs, model, tiny_encoder)
    assert len(model.calls) == scored_once, "a rerun on an unchanged folder must not call the model"
    assert second.alerts == () and second.directions_scored == 0 and second.documents_extracted == 0
    assert second.directions_cached == scored_once
    assert [(p.id, p.label, p.contradiction_score) for p in second.report.pairs] == [
        (p.id, p.label, p.contradiction_score) for p in first.report.pairs]
    assert alert_lines(tmp_path / "out" / "alerts.jsonl") == lines
    with State(jobs.state_path("news")) as state:
        runs = state.runs("news")
        assert [status for status, _ in runs] == ["ok", "ok"]
        assert [counts.directions_scored for _, counts in runs if counts] == [scored_once, 0]
        assert [counts.alerts_new for _, counts in runs if counts] == [len(first.alerts), 0]


def test_pairing_method_ann_runs_the_index_and_keeps_the_state(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    exact = run(load_jobs(job_file(tmp_path / "exact", [docs], tiny_nli_dir, tiny_encoder_dir)), Counting(tiny_nli), tiny_encoder)
    jobs = load_jobs(job_file(tmp_path / "ann", [docs], tiny_nli_dir, tiny_encoder_dir, pairing={"method": "ann"}))
    model = Counting(tiny_nli)
    first = run(jobs, model, tiny_encoder)
    assert (exact.report.pair_counts.search, first.report.pair_counts.search) == ("exact", "ann")
    assert {p.id for p in first.report.pairs} == {p.id for p in exact.report.pairs}  # seven claims: every neighbour found
    scored = len(model.calls)
    second = run(jobs, model, tiny_encoder)
    assert len(model.calls) == scored and second.directions_cached == scored and second.alerts == ()


def test_adding_one_document_scores_only_the_pairs_that_involve_it(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir))
    model = Counting(tiny_nli)
    first = run(jobs, model, tiny_encoder)
    before = len(model.calls)

    (docs / NEW_DOCUMENT[0]).write_text(NEW_DOCUMENT[1], encoding="utf-8")
    second = run(jobs, model, tiny_encoder)
    new_calls = model.calls[before:]
    new_statements = statements_of(second, NEW_DOCUMENT[0])
    assert new_statements and new_calls
    involving = {p.id for p in second.report.pairs
                 if NEW_DOCUMENT[0] in (p.claim_a.rsplit(":", 1)[0], p.claim_b.rsplit(":", 1)[0])}
    assert involving
    assert sorted(new_calls) == sorted(directions(second, involving)), "exactly the new document's pairs, each once"
    assert all(premise in new_statements or hypothesis in new_statements for premise, hypothesis in new_calls)
    assert second.documents_extracted == 1
    assert {a.pair.id for a in second.alerts} == involving
    assert not {a.alert_id for a in second.alerts} & {a.alert_id for a in first.alerts}

    # cached scores are the scores a fresh state gives
    fresh_jobs = load_jobs(job_file(tmp_path / "fresh", [docs], tiny_nli_dir, tiny_encoder_dir))
    fresh = run(fresh_jobs, Counting(tiny_nli), tiny_encoder)
    cached = {p.id: p for p in second.report.pairs}
    assert sorted(cached) == sorted(p.id for p in fresh.report.pairs)
    for pair in fresh.report.pairs:  # equal up to float noise between batch shapes
        assert pair.label == cached[pair.id].label
        assert pair.contradiction_score == pytest.approx(cached[pair.id].contradiction_score, abs=1e-5)
    # same ids for the same claims; pairs that fell out of an old claim's top-k keep their first-run alert
    assert {a.alert_id for a in fresh.alerts} <= {a.alert_id for a in first.alerts} | {a.alert_id for a in second.alerts}
    assert {a.alert_id for a in second.alerts} <= {a.alert_id for a in fresh.alerts}


def test_alerts_carry_the_kind_of_contradiction_and_filter_on_it(
    tmp_path, tiny_banded, band_card, tiny_nli_dir, tiny_encoder, tiny_encoder_dir
):
    docs = corpus(tmp_path / "docs", {**CORPUS, NEW_DOCUMENT[0]: NEW_DOCUMENT[1]})
    kinds = ["factual", "temporal", "stance"]
    rules = {"labels": ["contradiction"], "kinds": kinds, "unknown_kind": False}
    model = {"card": str(band_card), "bands": {"contradiction": 0.2, "entailment": 0.1}}
    jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, alerts=rules, model=model))
    result = run(jobs, Counting(tiny_banded), tiny_encoder)
    contradictions = [p for p in result.report.pairs if p.label == "contradiction"]
    assert contradictions and all(p.kind is not None for p in contradictions), "kinds are classified"
    assert {a.pair.id for a in result.alerts} == {p.id for p in contradictions if p.kind in kinds}
    assert result.alerts and len(result.alerts) < len(contradictions), [p.kind for p in contradictions]
    for line in alert_lines(tmp_path / "out" / "alerts.jsonl"):
        assert line["kind"] in kinds and line["label"] == "contradiction"


def test_an_edited_document_is_extracted_again_and_only_new_statements_are_scored(
    tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir
):
    docs = corpus(tmp_path / "docs")
    jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir))
    model = Counting(tiny_nli)
    first = run(jobs, model, tiny_encoder)
    before = len(model.calls)
    old_statements = {c.statement for c in first.report.claims}

    (docs / "c.txt").write_text(CORPUS["c.txt"] + "\nThe governor resigned on Tuesday after the flood inquiry.\n")
    second = run(jobs, model, tiny_encoder)
    assert second.documents_extracted == 1
    assert all(p not in old_statements or h not in old_statements for p, h in model.calls[before:])


def test_a_webhook_gets_each_alert_exactly_once_through_failures(
    tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HOOK_TOKEN", SECRET_TOKEN)
    docs = corpus(tmp_path / "docs")
    with Receiver([500, "timeout"], slow_s=1.5) as receiver:
        monkeypatch.setenv("HOOK_URL", receiver.url)
        webhook = {"url": "${HOOK_URL}", "headers": {"Authorization": "Bearer ${HOOK_TOKEN}"},
                   "timeout_s": 0.3, "retries": 3, "backoff_s": 0.01}
        jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, outputs={"webhook": webhook}))
        model = Counting(tiny_nli)
        first = run(jobs, model, tiny_encoder)
        ids = [a.alert_id for a in first.alerts]
        assert ids and first.delivered == {"alerts_file": len(ids), "webhook": len(ids)} and not first.undelivered
        assert receiver.keys() == [ids[0]] * 3 + ids[1:]  # the first alert failed twice, then went through
        assert list(receiver.accepted) == ids
        for key, body in receiver.accepted.items():
            data = json.loads(body)
            alerts_io.validate(data)
            assert data["alert_id"] == key
        requests = len(receiver.requests)

        second = run(jobs, model, tiny_encoder)
        assert second.alerts == () and len(receiver.requests) == requests
        for _, headers in [(0, h) for h, _, _ in receiver.requests]:
            assert headers["authorization"] == f"Bearer {SECRET_TOKEN}"

    written = [caplog.text, (tmp_path / "out" / "report.json").read_text(), (tmp_path / "out" / "alerts.jsonl").read_text()]
    written += [p.read_bytes().decode("latin-1") for p in (tmp_path / "state").iterdir()]
    for text in written:
        assert SECRET_TOKEN not in text and SECRET_PATH not in text


def test_a_crash_between_send_and_record_is_resent_and_deduped(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    with Receiver(["ok", "kill"]) as receiver:
        webhook = {"url": receiver.url, "timeout_s": 30, "retries": 0}
        path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, outputs={"webhook": webhook, "alerts": None})
        env = {**os.environ, "no_proxy": "127.0.0.1,localhost", "PYTHONPATH": str(REPO)}
        with subprocess.Popen([sys.executable, "-m", "contradict.cli", "run", str(path)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as crashing:
            receiver.on_kill = lambda: crashing.send_signal(signal.SIGKILL)
            _, stderr = crashing.communicate(timeout=300)
        assert crashing.returncode == -signal.SIGKILL, stderr.decode()[-2000:]
        first_two = receiver.keys()
        assert len(first_two) == 2 and len(receiver.accepted) == 2

        jobs = load_jobs(path)
        with State(jobs.state_path("news")) as state:
            assert [status for status, _ in state.runs("news")] == ["running"]
            pending = [e.alert_id for e in state.pending("webhook")]
        assert pending[0] == first_two[1], "the alert sent just before the crash is still pending"

        again = run(jobs, Counting(tiny_nli), tiny_encoder)
        assert again.alerts == ()  # raised by the crashed run, delivered by this one
        assert again.delivered == {"webhook": len(pending)}
        keys = receiver.keys()
        assert keys[2:] == pending
        assert len(keys) == len(set(keys)) + 1 and keys.count(first_two[1]) == 2
        bodies = [body for headers, body, _ in receiver.requests if headers["idempotency-key"] == first_two[1]]
        assert bodies[0] == bodies[1], "a resend carries the same alert JSON"
        assert len(receiver.accepted) == len(set(keys))
    with State(jobs.state_path("news")) as state:
        assert [status for status, _ in state.runs("news")] == ["crashed", "ok"]
        assert state.pending("webhook") == []


def test_undelivered_alerts_wait_in_the_outbox_and_exit_1(tmp_path, tiny_nli_dir, tiny_encoder_dir, monkeypatch):
    docs = corpus(tmp_path / "docs")
    monkeypatch.setenv("HOOK_TOKEN", SECRET_TOKEN)
    with Receiver([], default=503) as receiver:
        webhook = {"url": receiver.url, "headers": {"Authorization": "${HOOK_TOKEN}"}, "retries": 1, "backoff_s": 0.01}
        path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, outputs={"webhook": webhook})
        down = runner.invoke(app, ["run", str(path)])
        assert down.exit_code == 1
        assert "not delivered" in down.stderr and "outbox" in down.stderr and "HTTP 503" in down.stderr
        assert SECRET_TOKEN not in down.stderr and SECRET_PATH not in down.stderr
        assert len(receiver.requests) == 2 and not receiver.accepted  # stopped after the first alert's retries

        receiver.default = "ok"
        up = runner.invoke(app, ["run", str(path), "--fail-on-alerts"])
        assert up.exit_code == 0, up.stderr  # nothing new was raised; old alerts were delivered
        written = [line["alert_id"] for line in alert_lines(tmp_path / "out" / "alerts.jsonl")]
        assert sorted(receiver.accepted) == sorted(written) and len(written) == len(set(written))


def test_two_runs_of_one_job_at_once_do_not_corrupt_its_state(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir))
    model = Counting(tiny_nli)
    results: list[JobResult] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def one() -> None:
        try:
            start.wait()
            results.append(run(jobs, model, tiny_encoder))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors and len(results) == 2
    first, second = results
    assert len(model.calls) == first.directions_scored == len(directions(first)) and second.directions_scored == 0
    assert len(first.alerts) == len(first.report.pairs) and second.alerts == ()
    assert len(alert_lines(tmp_path / "out" / "alerts.jsonl")) == len(first.alerts)
    with State(jobs.state_path("news")) as state:
        assert [status for status, _ in state.runs("news")] == ["ok", "ok"]
        assert state.pending("alerts_file") == []


def test_a_second_run_stops_with_a_clear_message_while_the_first_holds_the_lock(tmp_path, tiny_nli_dir, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, state={"lock_timeout_s": 0.3})
    state_path = load_jobs(path).state_path("news")
    with subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(state_path)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = runner.invoke(app, ["run", str(path)])
        assert result.exit_code == 1
        assert "job 'news' is already running" in result.stderr and "lock_timeout_s" in result.stderr
        with pytest.raises(StateLockedError):
            run_jobs(load_jobs(path))
    assert not (tmp_path / "out").exists()


def test_cli_run_fails_on_alerts_only_when_new_ones_are_raised(tmp_path, tiny_nli_dir, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, outputs={"stdout": True})
    first = runner.invoke(app, ["run", str(path), "--fail-on-alerts"])
    assert first.exit_code == 1, first.stderr
    printed = [json.loads(line) for line in first.stdout.splitlines()]
    assert printed and printed == alert_lines(tmp_path / "out" / "alerts.jsonl")
    for line in printed:
        alerts_io.validate(line)
    second = runner.invoke(app, ["run", str(path), "--fail-on-alerts", "--job", "news"])
    assert second.exit_code == 0 and second.stdout == ""




def test_bands_need_a_contradiction_score_card(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, model={"bands": {"contradiction": 0.9, "entailment": 0.5}})
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "[jobs.news.model.bands]" in result.stderr and "contradiction_score" in result.stderr
    with pytest.raises(ConfigError, match="contradiction_score"):
        BandedModel(tiny_nli, Bands(contradiction=0.9, entailment=0.5))  # a loaded three-way model, too


def test_job_bands_relabel_and_rescore(tmp_path, tiny_banded, band_card, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    card = band_card
    docs = corpus(tmp_path / "docs")
    model = Counting(tiny_banded)
    state = {"path": str(tmp_path / "state.sqlite")}
    results = []
    for name, (high, low) in {"wide": (0.6, 0.3), "low": (0.3, 0.1)}.items():
        bands = {"contradiction": high, "entailment": low}
        path = job_file(tmp_path / name, [docs], tiny_nli_dir, tiny_encoder_dir, state=state,
                        model={"card": str(card), "bands": bands})
        before = len(model.calls)
        result = run(load_jobs(path), model, tiny_encoder)
        assert len(model.calls) - before == len(directions(result)), "new bands: every direction is scored again"
        for pair in result.report.pairs:
            for direction in pair.directions:
                expected = band_scores(direction.prediction.raw[2], Bands(contradiction=high, entailment=low))
                assert (direction.prediction.label, direction.prediction.scores) == (expected.label(), expected)
        results.append(result)
    wide, low = results
    assert [p.label for p in low.report.pairs] != [p.label for p in wide.report.pairs]
    # same claims and model: an alert raised under the first bands is not raised again
    assert not {a.alert_id for a in low.alerts} & {a.alert_id for a in wide.alerts}


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**", "a.txt", True),
        ("**", "x/y/a.txt", True),
        ("*.md", "a.md", True),
        ("*.md", "deep/er/a.md", True),
        ("*.md", "a.txt", False),
        ("drafts/**", "drafts/a.md", True),
        ("drafts/**", "x/drafts/a.md", False),
        ("2026/**/*.md", "2026/a.md", True),
        ("2026/**/*.md", "2026/03/05/a.md", True),
        ("2026/*.md", "2026/03/a.md", False),
        ("a?.txt", "ab.txt", True),
        ("a?.txt", "a/.txt", False),
        ("[x].txt", "[x].txt", True),
        ("[x].txt", "x.txt", False),
    ],
)
def test_glob_patterns(pattern: str, path: str, matches: bool):
    assert bool(glob_regex(pattern).match(path)) is matches


def test_inputs_select_files_and_prefix_several_folders(tmp_path: Path, tiny_nli_dir, tiny_encoder_dir):
    first = corpus(tmp_path / "wire", {"a.txt": CORPUS["a.txt"], "drafts/x.txt": CORPUS["b.md"], "notes.odt": "odt"})
    second = corpus(tmp_path / "gazette", {"b.md": CORPUS["b.md"], "c.txt": CORPUS["c.txt"]})
    path = job_file(tmp_path, [first, second], tiny_nli_dir, tiny_encoder_dir,
                    inputs={"exclude": ["drafts/**"], "file_types": ["txt"]})
    documents, skipped = read_inputs(load_jobs(path).jobs["news"].inputs)
    assert [d.id for d in documents] == ["wire/a.txt", "gazette/c.txt"]
    assert [d.path for d in documents] == ["wire/a.txt", "gazette/c.txt"]
    assert [s.path for s in skipped] == ["wire/notes.odt"]  # a type contradict cannot read at all


def test_claim_ids_follow_documents_when_a_file_is_copied(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    jobs = load_jobs(job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir))
    model = Counting(tiny_nli)
    run(jobs, model, tiny_encoder)
    shutil.copy(docs / "a.txt", docs / "copy-of-a.txt")
    second = run(jobs, model, tiny_encoder)
    assert second.documents_extracted == 0  # same content: claims come from the cache
    copied = [c for c in second.report.claims if c.doc_id == "copy-of-a.txt"]
    assert copied and all(re.fullmatch(r"copy-of-a\.txt:c\d+", c.id) for c in copied)
    assert [c.statement for c in copied] == [c.statement for c in second.report.claims if c.doc_id == "a.txt"]


@pytest.mark.integration
def test_the_example_job_runs_as_shipped_and_a_second_run_scores_nothing(tmp_path: Path, real_nli, real_encoder):
    """configs/example.yaml on examples/news with the default offline model, in a copy of the checkout layout."""
    (tmp_path / "configs").mkdir()
    shutil.copy(REPO / "configs" / "example.yaml", tmp_path / "configs" / "example.yaml")
    (tmp_path / "examples").symlink_to(REPO / "examples")
    config = tmp_path / "configs" / "example.yaml"

    model = Counting(real_nli)
    [first] = run_jobs(load_jobs(config), model=model, encoder=real_encoder)
    assert model.calls and first.alerts
    assert all(a.pair.label == "contradiction" for a in first.alerts)
    lines = alert_lines(tmp_path / "out" / "news" / "alerts.jsonl")
    assert len(lines) == len(first.alerts)
    for line in lines:
        alerts_io.validate(line)
    report_io.validate(json.loads((tmp_path / "out" / "news" / "report.json").read_text()))
    assert (tmp_path / "out" / "news" / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    again = runner.invoke(app, ["run", str(config), "--fail-on-alerts"])  # the real CLI, loading the models itself
    assert again.exit_code == 0, again.stderr
    assert len(alert_lines(tmp_path / "out" / "news" / "alerts.jsonl")) == len(first.alerts)
    with State(tmp_path / "out" / "news" / "state.sqlite") as state:
        [(_, one), (_, two)] = state.runs("news")
    assert one is not None and two is not None
    assert (one.directions_scored, two.directions_scored, two.directions_cached, two.alerts_new) == (
        len(model.calls), 0, len(model.calls), 0)


def test_an_emptied_state_file_stops_the_run_instead_of_resending_every_alert(tmp_path, tiny_nli_dir, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir)
    first = runner.invoke(app, ["run", str(path)])
    assert first.exit_code == 0, first.output
    alerts_file = tmp_path / "out" / "alerts.jsonl"
    sent = alert_lines(alerts_file)
    assert sent
    state_path = tmp_path / "state" / "news.sqlite"
    for side in ("-wal", "-shm"):
        state_path.with_name(state_path.name + side).unlink(missing_ok=True)
    state_path.write_bytes(b"")  # truncated, e.g. by a full disk or a careless copy
    stopped = runner.invoke(app, ["run", str(path)])
    assert stopped.exit_code == 1 and "state file is empty" in stopped.output and "--fresh-state" in stopped.output
    assert alert_lines(alerts_file) == sent, "nothing raised or sent again"
    fresh = runner.invoke(app, ["run", str(path), "--fresh-state"])
    assert fresh.exit_code == 0, fresh.output
    with sqlite3.connect(state_path) as db:
        assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == len(sent), "raised again in the new state"
    assert alert_lines(alerts_file) == sent, "the alerts file still holds each alert once (it skips ids it has)"
    assert list((tmp_path / "state").glob("news.sqlite.*.bak")), "the emptied file is kept aside"


def test_an_alerts_file_that_cannot_be_written_keeps_the_alerts_in_the_outbox(tmp_path, tiny_nli_dir, tiny_encoder_dir):
    docs = corpus(tmp_path / "docs")
    path = job_file(tmp_path, [docs], tiny_nli_dir, tiny_encoder_dir, outputs={"report": None})
    alerts_path = tmp_path / "out" / "alerts.jsonl"
    (tmp_path / "out").write_text("a file where the alerts folder should be")
    blocked = runner.invoke(app, ["run", str(path)])
    assert blocked.exit_code == 1 and "alerts file" in blocked.stderr and "outbox" in blocked.stderr
    assert "Traceback" not in blocked.output
    (tmp_path / "out").unlink()
    freed = runner.invoke(app, ["run", str(path)])
    assert freed.exit_code == 0, freed.output
    lines = alert_lines(alerts_path)
    assert lines and len({line["alert_id"] for line in lines}) == len(lines)
