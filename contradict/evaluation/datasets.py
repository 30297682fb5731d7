"""Readers for labelled NLI files (SNLI, MNLI, ANLI, XNLI, SICK, RTE-3, FEVER-NLI, plain JSON lines).

Each format maps its own label encoding explicitly to contradict's labels; rows without a
gold label are dropped and counted. Two-way files yield ``entailment`` / ``not_entailment``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from contradict.errors import InputFormatError, UsageError

log = logging.getLogger(__name__)

Format = Literal["snli", "mnli", "anli", "xnli", "sick", "rte3", "fever-binary", "jsonl"]
FORMATS: tuple[str, ...] = ("snli", "mnli", "anli", "xnli", "sick", "rte3", "fever-binary", "jsonl")

_THREE_WAY = {
    "entailment": "entailment", "neutral": "neutral", "contradiction": "contradiction",
    "e": "entailment", "n": "neutral", "c": "contradiction",
    "entails": "entailment", "contradicts": "contradiction",
}
_NUMERIC = {"0": "entailment", "1": "neutral", "2": "contradiction"}  # ANLI, XNLI
_RTE3 = {"yes": "entailment", "unknown": "neutral", "no": "contradiction"}
_BINARY = {"entailment": "entailment", "not_entailment": "not_entailment", "non-entailment": "not_entailment"}


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled premise/hypothesis pair."""

    premise: str
    hypothesis: str
    label: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """The examples of one file, whether it is two-way, and how many rows had no usable label."""

    name: str
    examples: tuple[Example, ...]
    two_way: bool
    dropped: int


def _open_text(path: Path) -> io.TextIOBase:
    raw = path.open("rb")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8")  # type: ignore[return-value]
    return io.TextIOWrapper(raw, encoding="utf-8")


def _json_rows(path: Path) -> Iterator[dict]:
    with _open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputFormatError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc


def _table_rows(path: Path, delimiter: str) -> Iterator[dict]:
    with _open_text(path) as fh:
        yield from csv.DictReader(fh, delimiter=delimiter, quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)


def _rows(path: Path, fmt: str, split: str | None) -> Iterator[tuple[str, str, str]]:
    """(premise, hypothesis, raw label) triples of a file in the given format."""
    if fmt == "snli":
        for r in _json_rows(path):
            yield r["sentence1"], r["sentence2"], r["gold_label"]
    elif fmt == "mnli":
        delimiter = "," if path.suffix == ".csv" else "\t"
        with _open_text(path) as fh:
            header = fh.readline()
        if "premise" in header or "sentence1" in header:
            for r in _table_rows(path, delimiter):
                yield r.get("premise") or r["sentence1"], r.get("hypothesis") or r["sentence2"], r.get("gold_label") or r["label"]
        else:  # headerless: label, premise, hypothesis
            with _open_text(path) as fh:
                for row in csv.reader(fh, delimiter=delimiter, quoting=csv.QUOTE_NONE):
                    if len(row) >= 3:
                        yield row[1], row[2], row[0]
    elif fmt in ("anli", "jsonl"):
        for r in _json_rows(path):
            yield r["premise"], r["hypothesis"], str(r["label"])
    elif fmt == "xnli":
        for r in _table_rows(path, "\t"):
            yield r["premise"], r["hypothesis"], r["label"]
    elif fmt == "sick":
        for r in _table_rows(path, "\t"):
            if split is None or r["SemEval_set"].upper() in {s.strip().upper() for s in split.split(",")}:
                yield r["sentence_A"], r["sentence_B"], r["entailment_label"]
    elif fmt == "rte3":
        for r in _json_rows(path):
            yield r["premise"], r["hypothesis"], r.get("label_3way") or r["label"]
    elif fmt == "fever-binary":
        with _open_text(path) as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) >= 3:
                    yield row[1], row[2], row[0]
    else:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def _label(fmt: str, raw: str) -> str | None:
    value = raw.strip().lower()
    if fmt == "rte3":
        return _RTE3.get(value)
    if fmt == "fever-binary":
        return _BINARY.get(value)
    if fmt in ("anli", "xnli"):
        return _NUMERIC.get(value) or _THREE_WAY.get(value)
    return _THREE_WAY.get(value)


def read_dataset(path: Path | str, fmt: str, *, split: str | None = None, limit: int | None = None) -> Dataset:
    """Read a labelled NLI file; ``split`` filters SICK's SemEval_set (e.g. TEST or TRAIN,TRIAL)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    examples: list[Example] = []
    dropped = 0
    try:
        for premise, hypothesis, raw in _rows(path, fmt, split):
            label = _label(fmt, raw or "")
            if label is None or not premise or not hypothesis:
                dropped += 1
                continue
            examples.append(Example(premise.strip(), hypothesis.strip(), label))
            if limit is not None and len(examples) >= limit:
                break
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFormatError(f"{path}: does not look like --format {fmt} ({exc.__class__.__name__}: {exc})") from exc
    if dropped:
        log.info("%s: dropped %d rows without a usable gold label", path.name, dropped)
    if not examples:
        raise InputFormatError(f"{path}: no labelled examples found for --format {fmt}")
    return Dataset(name=path.name, examples=tuple(examples), two_way=fmt == "fever-binary", dropped=dropped)
