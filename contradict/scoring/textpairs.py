"""Score premise/hypothesis pairs read from JSON lines: the model-level interface of ``score-pairs``.

Input lines are ``{"premise": str, "hypothesis": str, "id": optional, ...}``; output lines are
``{"id", "label", "scores": {"contradiction", "entailment", "neutral"}}`` in input order, with the
input's other fields passed through (a field named like an output field, ``label`` or ``scores``,
is kept as ``input_label`` / ``input_scores``), so a labelled file scores as it is.
Pairs are read and scored in bounded windows so memory stays flat however long the input.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Protocol

from contradict.errors import InputFormatError
from contradict.progress import takes_progress
from contradict.records import Prediction

_TEXT_KEYS = {"id", "premise", "hypothesis"}
_OUTPUT_KEYS = ("id", "label", "scores")


class TextScorer(Protocol):
    """Anything that scores (premise, hypothesis) text pairs in input order."""

    def predict(self, pairs: list[tuple[str, str]]) -> list[Prediction]:
        """One prediction per pair, in input order."""
        ...


@dataclass(frozen=True, slots=True)
class TextPair:
    """One premise/hypothesis pair from the input, with its id and line number."""

    id: str | int
    premise: str
    hypothesis: str
    line: int
    extra: tuple[tuple[str, object], ...] = ()  # the input's other fields, passed through to the output


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_line(text: str | bytes, number: int) -> TextPair | None:
    """Parse one input line (None for a blank line); a malformed line raises InputFormatError naming it.

    ``bytes`` are decoded as UTF-8 here, so that a line that is not UTF-8 is named by its number.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"line {number}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at byte {exc.start + 1})"
            ) from None
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, or nesting too deep
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise InputFormatError(f"line {number}: not usable JSON ({reason})") from None
    if not isinstance(obj, dict):
        raise InputFormatError(f"line {number}: expected a JSON object, got {type(obj).__name__}")
    for key in ("premise", "hypothesis"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise InputFormatError(f"line {number}: {key!r} must be a non-empty string")
        if not _utf8(obj[key]):
            raise InputFormatError(f"line {number}: {key!r} holds a lone surrogate escape (such as \\ud800), which is not text")
    pair_id = obj.get("id", number)
    if not isinstance(pair_id, (str, int)) or isinstance(pair_id, bool):
        raise InputFormatError(f"line {number}: 'id' must be a string or an integer")
    if isinstance(pair_id, str) and not _utf8(pair_id):
        raise InputFormatError(f"line {number}: 'id' holds a lone surrogate escape (such as \\ud800), which is not text")
    if isinstance(pair_id, int) and abs(pair_id) >= 2**63:
        raise InputFormatError(f"line {number}: 'id' must fit in 64 bits")
    extra = tuple((key, value) for key, value in obj.items() if key not in _TEXT_KEYS)
    return TextPair(id=pair_id, premise=obj["premise"], hypothesis=obj["hypothesis"], line=number, extra=extra)


def read_pairs(lines: Iterable[str | bytes]) -> Iterator[TextPair]:
    """Parse input lines (text, or bytes decoded as UTF-8) lazily, skipping blank lines; numbered from 1."""
    for number, text in enumerate(lines, start=1):
        pair = parse_line(text, number)
        if pair is not None:
            yield pair


def check_first_pair(lines: Iterable[str | bytes]) -> Iterator[str | bytes]:
    """Read and check the input up to its first pair, before any model loads; return the whole input again.

    A first line that is not a pair (a CSV file, an eval file in another format, a field
    misnamed) raises its InputFormatError at once, not after the model has loaded. Blank lines
    before it are read too; nothing after it is read.
    """
    iterator = iter(lines)
    head: list[str | bytes] = []
    for number, text in enumerate(iterator, start=1):
        head.append(text)
        if parse_line(text, number) is not None:
            break
    return chain(head, iterator)


class _Stopped:
    """Remembers the error that ended an input stream, so the pairs read before it are still scored."""

    def __init__(self, pairs: Iterable[TextPair]) -> None:
        self.pairs = pairs
        self.error: InputFormatError | None = None

    def __iter__(self) -> Iterator[TextPair]:
        try:
            yield from self.pairs
        except InputFormatError as exc:
            self.error = exc


def score_stream(
    pairs: Iterable[TextPair], model: TextScorer, window: int | None = None, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[TextPair, Prediction]]:
    """Score pairs as they stream (premise -> hypothesis only), yielding results in input order.

    With a model that streams (``predict_stream``, as :class:`contradict.scoring.nli.NLIModel` does),
    pairs are read, tokenized and batched a window at a time on a background thread while the
    model runs, so memory stays flat however long the input. A malformed line ends the input
    there: every pair before it is still scored and yielded, then its InputFormatError is
    raised, so nothing read before it is lost. ``window`` overrides the model's window size.
    ``progress`` is called with the number of pairs scored so far (after each batch when the
    model streams, else after each window).
    """
    if window is not None and window < 1:
        raise ValueError("window must be >= 1")
    source = _Stopped(pairs)
    stream = getattr(model, "predict_stream", None)
    if stream is None:
        iterator = iter(source)
        done = 0
        while chunk := list(islice(iterator, window or 2048)):
            predictions = model.predict([(p.premise, p.hypothesis) for p in chunk])
            done += len(chunk)
            if progress is not None:
                progress(done)
            yield from zip(chunk, predictions, strict=True)
    else:
        pending: deque[TextPair] = deque()  # pairs read (on the tokenizer thread) and not yet yielded

        def texts() -> Iterator[tuple[str, str]]:
            for pair in source:
                pending.append(pair)
                yield pair.premise, pair.hypothesis

        options: dict[str, object] = {} if window is None else {"window": window}
        if progress is not None and takes_progress(stream):
            options["progress"] = progress
        predictions = stream(texts(), **options)
        for prediction in predictions:
            yield pending.popleft(), prediction
    if source.error is not None:
        raise source.error


def to_json_line(pair: TextPair, prediction: Prediction) -> str:
    """The output line for one scored pair."""
    scores = prediction.scores
    line: dict[str, object] = {
        "id": pair.id,
        "label": prediction.label,
        "scores": {
            "contradiction": round(scores.contradiction, 6),
            "entailment": round(scores.entailment, 6),
            "neutral": round(scores.neutral, 6),
        },
    }
    for key, value in pair.extra:
        line[f"input_{key}" if key in _OUTPUT_KEYS else key] = value
    return json.dumps(line, ensure_ascii=False)
