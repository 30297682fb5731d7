"""Human output at a terminal: when progress and the summary show, what they show, and third-party chatter kept out."""

from __future__ import annotations

import io
import logging
import os
import pty
import select
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from rich.console import Console
from rich.logging import RichHandler

from contradict.report import Report
from contradict.terminal import StageProgress, configure_logging, print_summary, wants_progress
from tests.conftest import EXAMPLES, REPO
from tests.test_report import small_report  # noqa: F401 - the fixture


def terminal(width: int = 200) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=width), buffer


@pytest.mark.parametrize(
    ("is_terminal", "quiet", "shown"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_progress_shows_only_at_a_terminal_without_quiet(is_terminal: bool, quiet: bool, shown: bool):
    console = Console(file=io.StringIO(), force_terminal=is_terminal)
    assert wants_progress(console, quiet) is shown


def test_a_pipe_is_not_a_terminal():
    read, write = os.pipe()
    try:
        with os.fdopen(write, "w") as stream:
            assert wants_progress(Console(file=stream), quiet=False) is False
    finally:
        os.close(read)


def test_stage_progress_draws_counts_rate_and_time_left():
    console, buffer = terminal()
    with StageProgress(console) as progress:
        progress("load", 0, 4)
        progress("load", 4, 4)
        progress("score", 0, 10)
        progress("score", 6, 10)
        progress("score", 10, 10)
    text = buffer.getvalue()
    assert "reading files" in text and "4/4" in text
    assert "scoring pair directions" in text and "10/10" in text
    assert "/s" in text and "left" in text and "elapsed" in text


def test_summary_shows_the_strongest_pairs_counts_and_where_the_report_went(small_report: Report):  # noqa: F811
    console, buffer = terminal(width=300)
    print_summary(small_report, console, written_to="/tmp/r.json")
    text = buffer.getvalue()
    assert "Contradictions: the strongest 1 of 1" in text and "Corroborations: the strongest 1 of 1" in text
    for expected in ("factual", "0.91", "About 40,000 left.", "Mayor Ana Osei", "2026-03-04", "a.txt", "the agency",
                     "quantity: 15,000 vs 40,000", "model: a->b: contradiction"):
        assert expected in text, expected
    assert "2 documents (0 skipped), 3 claims, 2 pairs scored: 1 contradictions, 1 corroborations, 0 neutral" in text
    assert "report written to /tmp/r.json" in text
    console, buffer = terminal()
    print_summary(small_report, console, written_to=None, top=0)
    assert "no report written: give --out FILE" in buffer.getvalue()


@pytest.fixture()
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {name: logging.getLogger(name).level for name in ("transformers", "sentence_transformers", "huggingface_hub")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in loggers.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.usefixtures("restore_logging")
def test_logging_at_a_terminal_goes_through_the_console_and_third_parties_are_quiet():
    console, buffer = terminal()
    configure_logging(0, False, console)
    root = logging.getLogger()
    assert root.level == logging.INFO and isinstance(root.handlers[0], RichHandler)
    logging.getLogger("contradict.test").info("read 5 documents")
    logging.getLogger("sentence_transformers.base.model").info("Loading SentenceTransformer model from ...")
    assert "read 5 documents" in buffer.getvalue() and "SentenceTransformer" not in buffer.getvalue()
    configure_logging(0, True, console)
    assert logging.getLogger().level == logging.ERROR
    configure_logging(0, False, Console(file=io.StringIO()))  # not a terminal: plain lines, warnings only
    assert logging.getLogger().level == logging.WARNING and not isinstance(logging.getLogger().handlers[0], RichHandler)
    configure_logging(2, False, Console(file=io.StringIO()))  # -vv: everything, third parties too
    assert logging.getLogger().level == logging.DEBUG


@pytest.mark.usefixtures("restore_logging")
def test_third_party_warnings_show_once_and_deprecations_not_at_all():
    from contradict.quiet import quiet_third_party

    def load_weights() -> None:
        warnings.warn("TypedStorage is deprecated", UserWarning, stacklevel=1)
        warnings.warn("`resume_download` is deprecated", FutureWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_third_party()
        for _ in range(3):
            load_weights()
    assert [str(w.message) for w in seen] == ["TypedStorage is deprecated"]
    import transformers.utils.logging as hf_logging

    assert not hf_logging.is_progress_bar_enabled()  # the "Loading weights" bar
    assert logging.getLogger("transformers").level == logging.ERROR


def _run_in_pty(args: list[str], stdout_tty: bool, timeout: float = 300) -> tuple[int, str, str]:
    """Run contradict with stderr (and stdout, if asked) on a pseudo-terminal; returns (code, stdout, terminal text)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "OMP_NUM_THREADS": "1"}
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)  # as at a user's terminal: contradict must turn the bars off itself
    process = subprocess.Popen([sys.executable, "-m", "contradict.cli", *args], stdin=subprocess.DEVNULL,
                               stdout=follower if stdout_tty else subprocess.PIPE, stderr=follower, env=env, cwd=REPO)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], timeout)
        if not ready:
            process.kill()
            raise AssertionError("timed out")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout)
    os.close(leader)
    return code, stdout, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def tiny_scan(tiny_nli_dir: Path, tiny_encoder_dir: Path) -> list[str]:
    return ["scan", str(EXAMPLES), "--model", str(tiny_nli_dir), "--encoder", str(tiny_encoder_dir), "--device", "cpu",
            "--top-k", "1", "--spacy-model", "none", "--min-similarity", "-1"]


def test_at_a_terminal_a_scan_shows_progress_and_a_summary_and_no_third_party_chatter(tiny_scan: list[str]):
    code, _, text = _run_in_pty(tiny_scan, stdout_tty=True)
    assert code == 0, text
    for expected in ("reading files", "extracting claims", "embedding claims", "scoring pair directions", "left",
                     "Contradictions: the strongest", "claim A", "pairs scored", "no report written"):
        assert expected in text, (expected, text[-3000:])
    assert '"schema_version"' not in text  # the summary instead of 1,700 lines of JSON
    for chatter in ("Loading weights", "sentence_transformers", "No modules.json", "Warning", "warn("):
        assert chatter not in text, (chatter, text[-3000:])


def test_with_quiet_a_terminal_gets_no_progress_and_no_summary(tiny_scan: list[str], tmp_path: Path):
    out = tmp_path / "report.json"
    code, stdout, text = _run_in_pty(["-q", *tiny_scan, "--out", str(out)], stdout_tty=False)
    assert code == 0 and out.exists() and stdout == ""
    assert text.strip() == "", text[-2000:]


def test_score_pairs_at_a_terminal_shows_its_progress_and_summary_line(tiny_nli_dir: Path, tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(f'{{"premise": "Claim {i} holds.", "hypothesis": "It does not."}}\n' for i in range(9)), encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    code, _, text = _run_in_pty(["score-pairs", str(source), "--out", str(out), "--model", str(tiny_nli_dir), "--device", "cpu"],
                                stdout_tty=False)
    assert code == 0 and len(out.read_text().splitlines()) == 9
    assert "scoring pairs" in text and "9/9" in text and "score-pairs: 9 pairs in" in text, text[-2000:]


def test_summary_says_how_many_pairs_triage_dismissed(small_report: Report):  # noqa: F811
    from dataclasses import replace

    from contradict.triage import ClaimContent, Triaged, TriageEntry

    dismissed = small_report.pairs[1]
    entry = TriageEntry(key="k", decision="dismissed", note="same event", decided_at="2026-03-08T10:00:00+00:00",
                        pair_id=dismissed.id, claims=(ClaimContent("The dam held.", None), ClaimContent("About 40,000 left.", "the agency")))
    report = replace(small_report, pairs=small_report.pairs[:1], triage=Triaged(file="contradict-triage.json", dismissed=((dismissed, entry),)))
    console, buffer = terminal(width=300)
    print_summary(report, console, written_to=None)
    text = buffer.getvalue()
    assert "Corroborations" not in text  # the dismissed corroboration is left out of the tables
    assert "1 pairs dismissed in contradict-triage.json are left out" in text


def test_a_denied_claim_says_so_beside_its_speaker(small_report: Report):  # noqa: F811
    from dataclasses import replace

    claims = [replace(c, reporting_verb="denied", modality="denied", polarity="negative") if c.id == "b.txt:c1" else c
              for c in small_report.claims]  # fmt: skip
    console, buffer = terminal(width=300)
    print_summary(replace(small_report, claims=claims), console, written_to=None)
    assert "the agency · denied" in buffer.getvalue()
