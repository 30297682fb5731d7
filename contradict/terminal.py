"""Human output at a terminal (rich): the summary after a scan, the pairs as a table, and progress bars.

Nothing here decides anything; it shows a :class:`~contradict.report.Report` and the progress
callbacks of :mod:`contradict.progress`. Machine output (JSON, JSON lines, CSV) is in
:mod:`contradict.report`.
"""

from __future__ import annotations

import io
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.highlighter import NullHighlighter
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from contradict.progress import STAGES

if TYPE_CHECKING:  # the report pulls in numpy: kept out of `contradict --help`
    from contradict.records import ScoredPair
    from contradict.report import PairSide, Report

SUMMARY_TOP = 5
"""How many contradictions, and how many corroborations, the summary after a scan shows."""

STDERR = Console(stderr=True, highlight=False)
"""The console for everything human on stderr: log lines, progress bars, the summary (one, so they do not overlap)."""


def wants_progress(console: Console, quiet: bool) -> bool:
    """Progress bars and the summary go to ``console`` only when it is a terminal and ``--quiet`` was not given."""
    return not quiet and console.is_terminal


def configure_logging(verbose: int, quiet: bool, console: Console = STDERR) -> None:
    """Log to stderr: progress (INFO) when it is a terminal or with ``-v``, errors only with ``--quiet``.

    At a terminal the lines go through ``console``, so they print above the progress bars;
    otherwise as plain ``LEVEL logger: message`` lines. Third-party chatter is turned down
    (:func:`contradict.quiet.quiet_third_party`) unless ``-vv``.
    """
    from contradict.quiet import quiet_third_party  # noqa: PLC0415

    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1 or console.is_terminal:
        level = logging.INFO
    else:
        level = logging.WARNING
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_time=False, show_path=False, markup=False, highlighter=NullHighlighter(),
                              rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    if verbose < 2:
        quiet_third_party()


# ----------------------------------------------------------------------------- progress


class _Rate(ProgressColumn):
    """Items per second of a task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


class StageProgress:
    """A :data:`contradict.progress.ProgressFn` that shows one bar per stage (count, rate, time left) on a console.

    Use it as a context manager around the work; the bars are drawn only while inside it.
    """

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            _Rate(),
            TextColumn("left"),
            TimeRemainingColumn(),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            console=console,
            redirect_stdout=False,  # machine output on stdout must never pass through the bars
            redirect_stderr=False,
            transient=False,
        )
        self._tasks: dict[str, object] = {}

    def __enter__(self) -> StageProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        task = self._tasks.get(stage)
        if task is None:
            task = self._progress.add_task(STAGES.get(stage, stage), total=total)
            self._tasks[stage] = task
        self._progress.update(task, completed=done, total=total)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- tables


def _claim_cell(side: PairSide) -> Text:
    text = Text(side.statement)
    said_on = side.said_on.isoformat() if side.said_on else None
    modality = side.modality if side.modality != "asserted" else None  # as the HTML report shows it
    meta = " · ".join(x for x in (side.speaker, modality, said_on, side.document) if x)
    text.append("\n" + meta, style="dim")
    return text


def _evidence_cell(pair: ScoredPair) -> Text:
    lines = []
    for e in pair.evidence:
        detail = e.detail.split(" (", 1)[0] if e.type == "model" else e.detail  # the verdict, not its numbers
        lines.append(f"{e.type}: {detail}")
    return Text("\n".join(lines))


def pairs_table(items: Sequence[tuple[ScoredPair, PairSide, PairSide]], title: str | None = None) -> Table:
    """A table of pairs: label and kind, confidence, both claims (with speaker, date, document), evidence."""
    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("label / kind", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("claim A", ratio=3)
    table.add_column("claim B", ratio=3)
    table.add_column("evidence", ratio=2)
    for number, (pair, a, b) in enumerate(items, start=1):
        label = pair.label if pair.kind is None else f"{pair.label}\n{pair.kind}"
        score = "" if pair.confidence is None else f"{pair.confidence:.2f}"
        table.add_row(str(number), label, score, _claim_cell(a), _claim_cell(b), _evidence_cell(pair))
    return table


def table_text(report: Report, width: int = 160) -> str:
    """Every reported pair as a plain-text table (``--format table``), ``width`` columns wide."""
    from contradict.report import pair_sides  # noqa: PLC0415

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, highlight=False)
    console.print(pairs_table(pair_sides(report)))
    return buffer.getvalue()


def counts_line(report: Report) -> str:
    """Documents, claims, pairs scored and what they were found to be, in one line."""
    labels = Counter(p.label for p in report.pairs)
    return (
        f"{len(report.documents)} documents ({len(report.skipped)} skipped), {len(report.claims)} claims, "
        f"{report.pair_counts.scored} pairs scored: {labels['contradiction']} contradictions, "
        f"{labels['entailment']} corroborations, {labels['neutral']} neutral reported"
    )


def print_summary(report: Report, console: Console, written_to: str | None, top: int = SUMMARY_TOP) -> None:
    """The strongest contradictions and corroborations as tables, then the counts and where the report went."""
    from contradict.report import pair_sides  # noqa: PLC0415

    items = pair_sides(report)  # already strongest first (findings.decide.rank_key)
    for label, name in (("contradiction", "Contradictions"), ("entailment", "Corroborations")):
        chosen = [item for item in items if item[0].label == label]
        if chosen:
            shown = chosen[:top]
            console.print(pairs_table(shown, title=f"{name}: the strongest {len(shown)} of {len(chosen)}"))
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(counts_line(report), highlight=False)
    if report.triage is not None and report.triage.dismissed:
        console.print(f"{len(report.triage.dismissed)} pairs dismissed in {report.triage.file or 'triage'} are left out "
                      "(listed in the report's triage section)", highlight=False)
    if written_to:
        console.print(f"report written to {written_to}", highlight=False)
    else:
        console.print("no report written: give --out FILE (or -o - for JSON on stdout)", highlight=False)
