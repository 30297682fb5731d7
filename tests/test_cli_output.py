"""What the commands write: --format for scan's pairs, -o - for stdout, failing before a model loads, one-line summaries."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contradict import report as report_io
from contradict.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()
MISSING_MODEL = "/no/such/model/folder"  # loading it fails: an error about something else proves no model loaded first


@pytest.fixture(scope="module")
def scan_args(tiny_nli_dir: Path, tiny_encoder_dir: Path) -> list[str]:
    return ["scan", str(EXAMPLES), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir), "--device", "cpu",
            "--top-k", "1", "--spacy-model", "none"]


@pytest.fixture(scope="module")
def outputs(scan_args: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One scan's output in every format, on stdout (-o -), plus the JSON report written to a file."""
    found = {}
    for fmt in report_io.FORMATS:
        result = runner.invoke(app, [*scan_args, "--format", fmt, "-o", "-"])
        assert result.exit_code == 0, result.output
        found[fmt] = result.stdout
    path = tmp_path_factory.mktemp("out") / "pairs.csv"
    result = runner.invoke(app, [*scan_args, "--format", "csv", "--out", str(path)])
    assert result.exit_code == 0 and result.stdout == "", result.output
    found["csv file"] = path.read_text(encoding="utf-8")
    return found


def test_json_on_stdout_is_the_valid_report(outputs: dict[str, str]):
    data = json.loads(outputs["json"])
    report_io.validate(data)
    assert data["pairs"] and all(p["a"]["text"] and p["b"]["document"] for p in data["pairs"])


def test_jsonl_is_the_reports_pairs_one_a_line(outputs: dict[str, str]):
    pairs = json.loads(outputs["json"])["pairs"]
    lines = outputs["jsonl"].splitlines()
    assert len(lines) == len(pairs)
    for line, pair in zip(lines, pairs, strict=True):
        row = json.loads(line)
        report_io.validate(row, "pair")
        assert row["id"] == pair["id"] and row["a"] == pair["a"] and row["b"] == pair["b"]


def test_csv_parses_back_and_matches_the_report(outputs: dict[str, str]):
    pairs = json.loads(outputs["json"])["pairs"]
    for key in ("csv", "csv file"):
        rows = list(csv.DictReader(io.StringIO(outputs[key], newline="")))
        assert [r["id"] for r in rows] == [p["id"] for p in pairs]
        assert [r["a_statement"] for r in rows] == [p["a"]["statement"] for p in pairs]
        assert [r["b_document"] for r in rows] == [p["b"]["document"] for p in pairs]
        assert [r["label"] for r in rows] == [p["label"] for p in pairs]


def test_markdown_has_a_row_per_pair(outputs: dict[str, str]):
    lines = outputs["markdown"].splitlines()
    pairs = json.loads(outputs["json"])["pairs"]
    assert lines[0].startswith("| # | label | kind |") and set(lines[1]) <= set("|-")
    assert len(lines) == 2 + len(pairs)
    assert all(line.startswith(f"| {i} | ") for i, line in enumerate(lines[2:], start=1))


def test_table_is_plain_text_with_every_pair(outputs: dict[str, str]):
    text = outputs["table"]
    assert "label / kind" in text and "claim A" in text and "evidence" in text and "\x1b[" not in text
    assert f"│ {len(json.loads(outputs['json'])['pairs'])} │" in text  # numbered to the last pair


def test_no_out_and_not_a_terminal_stays_json_for_pipelines(scan_args: list[str]):
    result = runner.invoke(app, scan_args)
    assert result.exit_code == 0, result.output
    report_io.validate(json.loads(result.stdout))
    assert "strongest" not in result.stderr and "reading files" not in result.stderr  # no summary, no progress


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format 'xml': use one of json, jsonl, csv, markdown, table"),
        (["--backend", "fastest"], "unknown backend 'fastest'"),
        (["--device", "gpu"], "unknown device 'gpu'"),
    ],
)
def test_scan_usage_errors_come_before_any_model_loads(args: list[str], message: str):
    result = runner.invoke(app, ["scan", str(EXAMPLES), "--model", MISSING_MODEL, *args])
    assert result.exit_code == 2 and message in result.stderr and "cannot load" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_folder_without_documents_fails_before_the_model_loads(tmp_path: Path):
    (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(tmp_path), "--model", MISSING_MODEL])
    assert result.exit_code == 2 and "no document could be read" in result.stderr and "unsupported file type" in result.stderr
    assert "cannot load" not in result.stderr


def test_a_missing_model_is_exit_1_with_what_to_do(tmp_path: Path):
    result = runner.invoke(app, ["scan", str(EXAMPLES), "--model", MISSING_MODEL, "--spacy-model", "none"])
    assert result.exit_code == 1 and "cannot load NLI model" in result.stderr and "Check the path given to --model" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _pairs(path: Path, first: str) -> Path:
    path.write_text(first + '\n{"premise": "A.", "hypothesis": "B."}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("first", "message"),
    [
        ("premise,hypothesis", "line 1: not valid JSON"),
        ('{"sentence1": "A.", "sentence2": "B."}', "line 1: 'premise' must be a non-empty string"),
        ("", "line 2: 'hypothesis' must be a non-empty string"),  # blank lines first: the first pair is checked
    ],
)
def test_score_pairs_checks_its_first_pair_before_the_model_loads(tmp_path: Path, first: str, message: str):
    source = tmp_path / "in.jsonl"
    source.write_text(first + '\n{"premise": "A."}\n' if first == "" else first + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score-pairs", str(source), "--model", MISSING_MODEL])
    assert result.exit_code == 2 and message in result.stderr and "cannot load" not in result.stderr, result.stderr


def test_score_pairs_a_good_first_line_then_loads_the_model(tmp_path: Path):
    result = runner.invoke(app, ["score-pairs", str(_pairs(tmp_path / "in.jsonl", '{"premise": "A.", "hypothesis": "B."}')),
                                 "--model", MISSING_MODEL])
    assert result.exit_code == 1 and "cannot load NLI model" in result.stderr


@pytest.mark.parametrize(("args", "message"), [(["--backend", "fastest"], "unknown backend"), (["--device", "tpu"], "unknown device")])
def test_score_pairs_checks_backend_and_device_first(tmp_path: Path, args: list[str], message: str):
    result = runner.invoke(app, ["score-pairs", str(_pairs(tmp_path / "in.jsonl", "{oops")), "--model", MISSING_MODEL, *args])
    assert result.exit_code == 2 and message in result.stderr


def test_score_pairs_dash_out_is_stdout_and_ends_with_a_summary_line(tiny_nli_dir: Path, tmp_path: Path):
    source = _pairs(tmp_path / "in.jsonl", '{"premise": "The dam held.", "hypothesis": "The dam broke.", "id": "x"}')
    result = runner.invoke(app, ["-v", "score-pairs", str(source), "-o", "-", "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["x", 2]
    summary = [line for line in result.stderr.splitlines() if "score-pairs:" in line]
    assert len(summary) == 1 and "2 pairs in" in summary[0] and "pairs/s" in summary[0] and "written to stdout" in summary[0]
    quiet = runner.invoke(app, ["-q", "score-pairs", str(source), "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_eval_checks_its_json_output_first_and_ends_with_a_summary_line(tiny_nli_dir: Path, tmp_path: Path):
    data = tmp_path / "labelled.jsonl"
    rows = [("The dam held.", "The dam broke.", "contradiction"), ("The dam held.", "The dam stood.", "entailment"),
            ("The dam held.", "It rained.", "neutral")]
    data.write_text("".join(json.dumps({"premise": p, "hypothesis": h, "label": y}) + "\n" for p, h, y in rows), encoding="utf-8")
    bad = runner.invoke(app, ["eval", str(data), "--json", str(tmp_path), "--model", MISSING_MODEL])
    assert bad.exit_code == 2 and "--json" in bad.stderr and "is a folder" in bad.stderr and "cannot load" not in bad.stderr
    out = tmp_path / "metrics.json"
    result = runner.invoke(app, ["-v", "eval", str(data), "--json", str(out), "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["examples"] == 3
    summary = [line for line in result.stderr.splitlines() if "eval:" in line]
    assert len(summary) == 1 and "3 examples of labelled.jsonl" in summary[0] and "accuracy" in summary[0]


@pytest.mark.parametrize("option", ["--model-card", "--decision"])
def test_a_missing_card_or_decision_file_is_refused_while_parsing(option: str):
    result = runner.invoke(app, ["scan", str(EXAMPLES), "--model", MISSING_MODEL, option, "/no/such/file.yaml"])
    assert result.exit_code == 2 and "does not exist" in result.stderr and "cannot load" not in result.stderr
