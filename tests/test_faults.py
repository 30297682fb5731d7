"""Faults and hostile input at the command line: a clear one-line error, the documented exit code,
nothing already written lost, and no traceback."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contradict.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()
MISSING_MODEL = "/no/such/model/folder"  # loading it would fail: an error about --out proves nothing loaded first


def pairs_file(path: Path, n: int, bad_at: int | None = None) -> Path:
    lines = [json.dumps({"premise": f"Claim {i} holds.", "hypothesis": "It does not.", "id": i}) for i in range(n)]
    if bad_at is not None:
        lines.insert(bad_at, "{oops")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def no_traceback(result) -> None:
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit), result.output


def test_results_before_a_bad_line_are_written_and_the_error_names_the_line(tiny_nli_dir: Path, tmp_path: Path):
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score-pairs", str(pairs_file(tmp_path / "in.jsonl", 8, bad_at=5)), "--out", str(out),
                                 "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 2
    assert "line 6" in result.stderr and "5 result(s) before it were written" in result.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [0, 1, 2, 3, 4]
    no_traceback(result)


def test_an_input_error_before_any_result_leaves_an_earlier_output_file_alone(tiny_nli_dir: Path, tmp_path: Path):
    out = tmp_path / "scores.jsonl"
    out.write_text("earlier results\n", encoding="utf-8")
    result = runner.invoke(app, ["score-pairs", str(pairs_file(tmp_path / "in.jsonl", 3, bad_at=0)), "--out", str(out),
                                 "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 2 and "line 1" in result.stderr
    assert out.read_text() == "earlier results\n"


def test_a_pairs_line_that_is_not_utf8_is_named(tiny_nli_dir: Path, tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"premise": "A.", "hypothesis": "B."}\n{"premise": "caf\xe9", "hypothesis": "B."}\n')
    result = runner.invoke(app, ["score-pairs", str(source), "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 2 and "line 2: not UTF-8 text" in result.stderr
    assert len(result.stdout.splitlines()) == 1
    no_traceback(result)


@pytest.mark.parametrize("command", ["scan", "score-pairs"])
def test_an_out_that_is_a_folder_fails_before_any_model_loads(tmp_path: Path, command: str):
    source = str(EXAMPLES) if command == "scan" else str(pairs_file(tmp_path / "in.jsonl", 2))
    result = runner.invoke(app, [command, source, "--out", str(tmp_path), "--model", MISSING_MODEL])
    assert result.exit_code == 2 and "is a folder" in result.stderr and "cannot load" not in result.stderr
    no_traceback(result)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere: permissions cannot be tested as root")
def test_an_unwritable_out_folder_fails_before_any_model_loads(tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    result = runner.invoke(app, ["scan", str(EXAMPLES), "--out", str(locked / "r.json"), "--model", MISSING_MODEL])
    assert result.exit_code == 2 and "not writable" in result.stderr


def test_a_full_disk_while_writing_scores_is_a_clear_error(tiny_nli_dir: Path, tmp_path: Path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    result = runner.invoke(app, ["score-pairs", str(pairs_file(tmp_path / "in.jsonl", 3)), "--out", "/dev/full",
                                 "--model", str(tiny_nli_dir), "--device", "cpu"])
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    no_traceback(result)


def test_a_full_disk_while_writing_a_report_keeps_the_old_one(tiny_nli_dir: Path, tiny_encoder_dir: Path, tmp_path: Path):
    """A 64 KB tmpfs in a private mount namespace: the report does not fit; the old report stays."""
    if not shutil.which("unshare") or os.geteuid() != 0:
        pytest.skip("needs root and unshare for a private tmpfs")
    small = tmp_path / "small"
    small.mkdir()
    script = (
        f"mount -t tmpfs -o size=64k tmpfs {small} || exit 77; echo old > {small}/report.json; "
        f"{sys.executable} -m contradict.cli -q scan {EXAMPLES} --out {small}/report.json --model {tiny_nli_dir} "
        f"--encoder {tiny_encoder_dir} --device cpu --min-similarity -1; echo exit=$?; cat {small}/report.json; ls -a {small}"
    )
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=600)
    if done.returncode == 77 or "exit=" not in done.stdout:
        pytest.skip(f"could not mount a tmpfs here: {done.stderr[-200:]}")
    assert "exit=1" in done.stdout, done.stdout + done.stderr
    assert "No space left on device" in done.stderr and "previous file, if any, is unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    after = done.stdout.split("exit=1", 1)[1].split()
    assert after[0] == "old" and not [name for name in after if name.endswith(".tmp")], done.stdout


def test_reports_get_the_users_normal_permissions(tiny_nli_dir: Path, tiny_encoder_dir: Path, tmp_path: Path):
    out = tmp_path / "report.json"
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["scan", str(EXAMPLES), "--out", str(out), "--model", str(tiny_nli_dir),
                                     "--encoder", str(tiny_encoder_dir), "--device", "cpu", "--top-k", "1"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_folder_from_which_no_document_loads_names_the_reasons_and_the_option(tiny_nli_dir: Path, tiny_encoder_dir: Path, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.jsonl").write_text('{"body": "The dam was inspected."}\n{"body": "It was not."}\n', encoding="utf-8")
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", str(docs), "--out", str(out), "--model", str(tiny_nli_dir),
                                 "--encoder", str(tiny_encoder_dir), "--device", "cpu"])
    assert result.exit_code == 2
    assert "no document could be read" in result.stderr and "has no 'text' field" in result.stderr
    assert "--json-text-field" in result.stderr and not out.exists()
    no_traceback(result)
