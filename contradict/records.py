"""The typed records that flow between stages, one way: documents -> claims -> pairs -> scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from contradict.claims.normalize import Quantity

Label = Literal["contradiction", "entailment", "neutral"]
LABELS: tuple[Label, ...] = ("contradiction", "entailment", "neutral")


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded document: its source path, title, header date and visible text."""

    id: str
    path: str
    title: str
    date: dt.date | None
    text: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file under the input folder that was not loaded, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A named entity in a claim: its label, the text as written, its normalised value and span in the document.

    ``label`` is one of PERSON, ORG, GPE, LOC, DATE, CARDINAL, QUANTITY, MONEY, PERCENT. ``value``
    is the full name of a person as the document gives it (no title), a name without article or
    possessive, an ISO date, or a number in digits with its unit ("15000", "2000000 usd",
    "12 percent"). ``span`` is None for an entity that entered the claim by resolution (the
    person a "she" stands for).
    """

    label: str
    text: str
    value: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A checkable statement from one document, with its character span and speaker.

    ``statement`` is what was said, with references resolved where the document makes them
    clear; the fields after ``reporting_verb`` say how it was normalised (see
    ``contradict/claims/``): the entity a speaker refers to, the statement with digits and ISO
    dates, its modality and polarity and their cue words, its quantities and dates, the date it
    was said, its check-worthiness, flags for what stayed unresolved, and the spans of
    near-duplicates in the same document merged into it.

    A sentence that states several facts gives several atomic claims: ``spans`` are the exact
    pieces of the document each one was read from (``span`` covers them all), ``context`` is the
    whole sentence and ``context_span`` its span; ``entities`` are the named entities of the
    statement. A claim read from a whole sentence has ``spans == (span,)``.
    """

    id: str
    doc_id: str
    text: str
    span: tuple[int, int]
    statement: str
    speaker: str | None = None
    reporting_verb: str | None = None
    speaker_resolved: str | None = None
    normalized: str | None = None
    modality: str = "asserted"
    polarity: str = "positive"
    hedges: tuple[str, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[str, ...] = ()
    said_on: dt.date | None = None
    checkworthiness: float | None = None
    flags: tuple[str, ...] = ()
    merged_spans: tuple[tuple[int, int], ...] = ()
    entities: tuple[EntityMention, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    context: str | None = None
    context_span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two claims from different documents chosen for scoring, their similarity, and why they were chosen.

    ``sources`` says which candidate rules chose the pair: ``neighbour`` (embedding
    neighbours) and the cues of :mod:`contradict.pairing.cues` (``quantity``, ``date``,
    ``polarity``, ``truth``).
    """

    claim_a: str
    claim_b: str
    similarity: float
    sources: tuple[str, ...] = ("neighbour",)


@dataclass(frozen=True, slots=True)
class LabelScores:
    """Probabilities of the three NLI labels for one premise/hypothesis order."""

    contradiction: float
    entailment: float
    neutral: float

    def label(self) -> Label:
        """The label with the highest probability (ties go to neutral, then entailment)."""
        best = max(self.neutral, self.entailment, self.contradiction)
        if self.neutral == best:
            return "neutral"
        if self.entailment == best:
            return "entailment"
        return "contradiction"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The NLI verdict for one (premise, hypothesis) text pair."""

    label: Label
    scores: LabelScores
    raw: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class BatchStats:
    """Bookkeeping for one model batch: sizes and timings, kept apart from the pairs.

    ``tokenize_s`` is spent on the tokenizer thread (tokenizing, padding, preparing), overlapped
    with the model; ``queue_s`` is how long the scoring thread waited for this batch.
    """

    size: int
    tokens: int
    padded_tokens: int
    tokenize_s: float
    model_s: float
    queue_s: float = 0.0
    backend: str = ""


@dataclass(frozen=True, slots=True)
class DirectionScore:
    """One direction of a scored pair: the premise claim, the hypothesis claim, the verdict."""

    premise: str
    hypothesis: str
    prediction: Prediction


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a pair got its label: what was seen (``type``) and its detail, for a reader.

    ``type`` is ``model`` (the verdict in one direction), ``quantity`` or ``date`` (values that
    disagree), ``polarity`` (one claim negates or rules out what the other asserts) or
    ``truth`` (one claim says the story itself is false); ``dispute`` says how far the two
    documents are in dispute (:mod:`contradict.findings.disputes`).
    """

    type: str
    detail: str


EntailmentDirection = Literal["a->b", "b->a", "both"]
ContradictionKind = Literal["factual", "stance", "temporal", "other"]


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A candidate pair scored in both directions, with its pair-level label and scores.

    ``contradiction_score`` is the larger contradiction probability of the two directions;
    ``scores`` are the probabilities of the direction that decided ``label``; ``kind`` says
    what sort of disagreement a contradiction is, when known. ``confidence`` (set by
    :mod:`contradict.findings.decide`) is the calibrated probability that the label is right,
    and ``evidence`` says why it was given; ``sources`` are the candidate rules that chose it.
    ``rank_score`` (contradictions only, set by :mod:`contradict.findings.disputes`) is what the
    report orders contradictions by: the confidence times how far the two documents are in dispute.
    """

    id: str
    claim_a: str
    claim_b: str
    similarity: float
    label: Label
    contradiction_score: float
    scores: LabelScores
    entailment_direction: EntailmentDirection | None
    directions: tuple[DirectionScore, DirectionScore]
    kind: ContradictionKind | None = None
    confidence: float | None = None
    evidence: tuple[Evidence, ...] = ()
    sources: tuple[str, ...] = ("neighbour",)
    rank_score: float | None = None
