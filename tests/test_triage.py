"""Triage: decisions keyed by claim content, read by scans and jobs; dismissed pairs listed apart and never alerted."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from contradict import report as report_io
from contradict import triage as triage_io
from contradict.cli import app
from contradict.jobs.config import load_jobs
from contradict.jobs.runner import run_job
from contradict.triage import ClaimContent, Triage, TriageError, load_triage, pair_key
from tests.conftest import EXAMPLES
from tests.report_factory import news_report

runner = CliRunner()


def write_report(tmp_path: Path) -> tuple[Path, dict]:
    report, _ = news_report()
    path = tmp_path / "report.json"
    report_io.write(report, path)
    return path, report_io.to_dict(report)


# ---------------------------------------------------------------- keys and the file


def test_the_key_ignores_order_case_quotes_spacing_and_end_punctuation():
    a = ClaimContent("The dam failed on Tuesday.", "the agency", "wire.txt")
    b = ClaimContent("Troops remain an option", None, "herald.html")
    same_a = ClaimContent("  the DAM failed  on\ntuesday ", "The Agency", "elsewhere.txt")
    assert pair_key(a, b) == pair_key(b, a) == pair_key(same_a, b)
    curly = ClaimContent("\u201cTroops remain an option\u201d", None)
    assert pair_key(a, curly) == pair_key(a, b)
    assert pair_key(a, ClaimContent(b.statement, "the minister")) != pair_key(a, b)  # the speaker counts
    assert pair_key(a, ClaimContent("Troops remain no option", None)) != pair_key(a, b)


def test_a_missing_file_holds_no_decisions_and_a_written_one_reads_back(tmp_path: Path):
    path = tmp_path / "t.json"
    assert load_triage(path).entries == {}
    _, data = write_report(tmp_path)
    triage, entry = triage_io.record(data, "p0001", "dismissed", load_triage(path), note="said on different days")
    assert entry is not None and entry.decision == "dismissed" and entry.note == "said on different days"
    triage_io.write_triage(triage)
    again = load_triage(path)
    assert again.entries == triage.entries
    assert json.loads(path.read_text())["version"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid"),
        ('{"version": 2, "decisions": {}}', "version 1"),
        ('{"version": 1, "decisions": {"k": {"decision": "maybe", "claims": [{}, {}]}}}', "dismissed or confirmed"),
        ('{"version": 1, "decisions": {"k": {"decision": "dismissed", "claims": [{}]}}}', "two claims"),
        ("[]", "version 1"),
    ],
)
def test_a_corrupt_triage_file_is_one_clear_error(tmp_path: Path, text: str, message: str):
    path = tmp_path / "t.json"
    path.write_text(text)
    with pytest.raises(TriageError, match=message) as caught:
        load_triage(path)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_applying_a_triage_moves_dismissed_pairs_apart_and_notes_confirmed_ones(tmp_path: Path):
    report, _ = news_report()
    _, data = write_report(tmp_path)
    triage = Triage(None, {})
    triage, dismissed = triage_io.record(data, "p0000", "dismissed", triage, note="different floods")
    triage, confirmed = triage_io.record(data, "p0002", "confirmed", triage)
    out = triage_io.apply(report, triage)
    assert [p.id for p in out.pairs] == [p.id for p in report.pairs if p.id != "p0000"]
    serial = report_io.to_dict(out)
    report_io.validate(serial)
    assert [d["pair"]["id"] for d in serial["triage"]["dismissed"]] == ["p0000"]
    assert serial["triage"]["dismissed"][0]["note"] == "different floods"
    assert serial["triage"]["dismissed"][0]["pair"] == data["pairs"][0]  # in full, as in pairs
    assert [c["pair_id"] for c in serial["triage"]["confirmed"]] == ["p0002"]
    assert serial["stats"]["labels"]["contradiction"] == data["stats"]["labels"]["contradiction"] - 1
    # the same claims under new ids (a re-run after an edit) are still recognised
    renamed = replace(report, claims=tuple(replace(c, id=c.id + "x") for c in report.claims),
                      pairs=tuple(replace(p, id=p.id + "x", claim_a=p.claim_a + "x", claim_b=p.claim_b + "x") for p in report.pairs))
    assert [p.id for p, _ in triage_io.apply(renamed, triage).triage.dismissed] == ["p0000x"]
    assert dismissed is not None and confirmed is not None


def test_dismissed_ids_are_the_pairs_a_triage_dismisses(tmp_path: Path):
    report, _ = news_report()
    _, data = write_report(tmp_path)
    triage, _ = triage_io.record(data, "p0000", "dismissed", Triage(None, {}))
    triage, _ = triage_io.record(data, "p0002", "confirmed", triage)
    claims = {c.id: c for c in report.claims}
    assert triage_io.dismissed_ids(report.pairs, claims, triage) == {"p0000"}
    assert triage_io.dismissed_ids(report.pairs, claims, None) == frozenset()


def test_a_report_without_a_triage_file_has_no_triage_section(tmp_path: Path):
    _, data = write_report(tmp_path)
    assert "triage" not in data


# ---------------------------------------------------------------- the command


def test_cli_triage_records_lists_and_resets(tmp_path: Path):
    report_path, _ = write_report(tmp_path)
    result = runner.invoke(app, ["triage", str(report_path), "--dismiss", "p0000", "--confirm", "p0001", "--note", "checked"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "contradict-triage.json"
    entries = load_triage(path).entries
    assert sorted(e.decision for e in entries.values()) == ["confirmed", "dismissed"]
    listed = runner.invoke(app, ["triage", str(report_path)])
    assert listed.exit_code == 0
    assert "dismissed\tp0000" in listed.stdout and "confirmed\tp0001" in listed.stdout and "checked" in listed.stdout
    reset = runner.invoke(app, ["triage", str(report_path), "--reset", "p0000"])
    assert reset.exit_code == 0
    assert [e.pair_id for e in load_triage(path).entries.values()] == ["p0001"]


@pytest.mark.parametrize(
    ("args", "setup", "message"),
    [
        (["--dismiss", "p9999"], None, "holds no pair 'p9999'"),
        (["--dismiss", "p0000", "--confirm", "p0000"], None, "named twice"),
        (["--dismiss", "p0000"], "{broken", "is not valid"),
        (["--dismiss", "p0000"], "folder", "is a folder"),
    ],
)
def test_cli_triage_bad_input_is_one_line_and_exit_2(tmp_path: Path, args, setup, message):
    report_path, _ = write_report(tmp_path)
    triage = tmp_path / "contradict-triage.json"
    if setup == "folder":
        triage.mkdir()
    elif setup is not None:
        triage.write_text(setup)
    result = runner.invoke(app, ["triage", str(report_path), *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    if setup == "{broken":
        assert triage.read_text() == "{broken"  # nothing overwritten


def test_cli_triage_on_a_file_that_is_not_a_report(tmp_path: Path):
    bad = tmp_path / "r.json"
    bad.write_text('{"hello": 1}')
    result = runner.invoke(app, ["triage", str(bad), "--dismiss", "p1"])
    assert result.exit_code == 2 and "not a contradict report" in result.stderr


# ---------------------------------------------------------------- scans and jobs read it


def scan_args(folder: Path, out: Path, tiny_nli_dir: Path, tiny_encoder_dir: Path) -> list[str]:
    return ["scan", str(folder), "--out", str(out), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir),
            "--device", "cpu", "--min-similarity", "-1", "--top-k", "2", "--spacy-model", "none"]


def test_a_dismissed_pair_is_listed_apart_on_the_next_scan_and_a_confirmed_one_stays(tmp_path, tiny_nli_dir, tiny_encoder_dir):
    out = tmp_path / "out" / "report.json"
    args = scan_args(EXAMPLES, out, tiny_nli_dir, tiny_encoder_dir)
    assert runner.invoke(app, args).exit_code == 0
    first = json.loads(out.read_text())
    assert "triage" not in first and len(first["pairs"]) >= 2
    dismissed, confirmed = first["pairs"][0], first["pairs"][1]
    result = runner.invoke(app, ["triage", str(out), "--dismiss", dismissed["id"], "--note", "not the same event"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["triage", str(out), "--confirm", confirmed["id"]]).exit_code == 0

    rerun = runner.invoke(app, args)  # the triage file beside --out is read
    assert rerun.exit_code == 0, rerun.output
    second = json.loads(out.read_text())
    report_io.validate(second)
    assert dismissed["id"] not in {p["id"] for p in second["pairs"]}
    assert confirmed["id"] in {p["id"] for p in second["pairs"]}
    assert [d["pair"]["id"] for d in second["triage"]["dismissed"]] == [dismissed["id"]]
    assert second["triage"]["dismissed"][0]["note"] == "not the same event"
    assert [c["pair_id"] for c in second["triage"]["confirmed"]] == [confirmed["id"]]
    assert second["stats"]["pairs"]["reported"] == len(first["pairs"]) - 1
    label = dismissed["label"]
    assert second["stats"]["labels"][label] == first["stats"]["labels"][label] - 1

    elsewhere = tmp_path / "elsewhere.json"  # --triage names the file for a report written elsewhere
    named = runner.invoke(app, scan_args(EXAMPLES, elsewhere, tiny_nli_dir, tiny_encoder_dir) + ["--triage", str(out.parent / "contradict-triage.json")])
    assert named.exit_code == 0
    assert [d["pair"]["id"] for d in json.loads(elsewhere.read_text())["triage"]["dismissed"]] == [dismissed["id"]]


def test_scan_with_a_corrupt_triage_file_fails_before_any_model_loads(tmp_path, tiny_encoder_dir):
    bad = tmp_path / "t.json"
    bad.write_text("{nope")
    result = runner.invoke(app, ["scan", str(EXAMPLES), "--model", str(tmp_path / "no-such-model"), "--triage", str(bad)])
    assert result.exit_code == 2
    assert "is not valid" in result.stderr and "model" not in result.stderr.split("valid")[0]


def test_a_job_raises_no_alert_for_a_dismissed_pair_and_lists_it_apart(tmp_path, tiny_nli, tiny_nli_dir, tiny_encoder_dir):
    from contradict.pairing.candidates import load_encoder

    encoder = load_encoder(str(tiny_encoder_dir))
    job = {
        "inputs": {"folders": [str(EXAMPLES)]},
        "extraction": {"spacy_model": "none"},
        "pairing": {"min_similarity": -1.0, "top_k": 2, "encoder": str(tiny_encoder_dir)},
        "model": {"id": str(tiny_nli_dir), "device": "cpu"},
        "alerts": {"labels": ["contradiction", "entailment", "neutral"], "min_score": 0.0},
        "outputs": {"report": "out/report.json", "alerts": "out/alerts.jsonl", "html": "out/report.html"},
        "state": {"path": "state/news.sqlite"},
    }
    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump({"jobs": {"news": job}}))
    jobs = load_jobs(path)
    first = run_job(jobs, "news", model=tiny_nli, encoder=encoder)
    assert first.report.triage is None and len(first.alerts) == len(first.report.pairs) > 1
    target = first.report.pairs[0]
    result = runner.invoke(app, ["triage", str(tmp_path / "out" / "report.json"), "--dismiss", target.id])
    assert result.exit_code == 0, result.output

    again = run_job(jobs, "news", model=tiny_nli, encoder=encoder, fresh_state=True)  # every alert raised again...
    assert target.id not in {p.id for p in again.report.pairs}
    assert [p.id for p, _ in again.report.triage.dismissed] == [target.id]
    assert len(again.alerts) == len(first.alerts) - 1  # ...but the dismissed pair's
    assert target.id not in {a.pair.id for a in again.alerts}
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Dismissed in triage" in html and target.id in html

    corrupt = tmp_path / "out" / "contradict-triage.json"
    corrupt.write_text("[1, 2")
    with pytest.raises(TriageError, match="is not valid"):
        run_job(jobs, "news", model=tiny_nli, encoder=encoder)


def test_a_job_key_names_the_triage_file(tmp_path: Path, tiny_nli_dir: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump({"jobs": {"news": {"inputs": {"folders": ["docs"]}, "triage": "decisions.json"}}}))
    assert load_jobs(path).jobs["news"].triage_path() == tmp_path / "decisions.json"
    path.write_text(yaml.safe_dump({"jobs": {"news": {"inputs": {"folders": ["docs"]}, "outputs": {"report": "out/r.json"}}}}))
    assert load_jobs(path).jobs["news"].triage_path() is None  # nothing beside the report yet
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "contradict-triage.json").write_text('{"version": 1, "decisions": {}}')
    assert load_jobs(path).jobs["news"].triage_path() == tmp_path / "out" / "contradict-triage.json"
