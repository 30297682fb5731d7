"""Say what kind of disagreement a contradiction is: factual, stance, temporal, or other.

A pure function of the scored pair, its two claims and their documents' dates, decided by an
ordered rule table (``KIND_RULES``; the first rule that holds names the kind):

- ``factual``: one claim says the story is false ("hoax", "fake", "denied": the ``truth`` cue)
  and the other tells it, whatever words they share (a debunking says little of the story's
  details), unless one speaker said both (then the rules below decide, as for any pair); the
  claims give different numbers, dates or names for the same thing; or at least one of them is
  a document's own account of events (no speaker) that the other denies;
- ``temporal``: the same speaker or source said both, on different dates (a change of position),
  or a position someone stated is contradicted by a later account of what happened;
- ``stance``: different speakers hold opposite positions;
- ``other``: anything else, chiefly claims that share too little to be about the same thing
  (a likely false alarm of the model), the same speaker on the same day, or a speaker that
  could not be resolved ("he").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from contradict.claims.context import speaker_key
from contradict.claims.normalize import content_words, date_range, quantity_interval
from contradict.pairing.cues import truth_word
from contradict.records import Claim, ContradictionKind, ScoredPair

__all__ = [
    "KIND_RULES",
    "MIN_SHARED_WORDS",
    "MIN_TOPIC_OVERLAP",
    "PairFacts",
    "classify",
    "classify_pairs",
    "dates_disagree",
    "explain",
    "names_disagree",
    "numbers_disagree",
    "topic_overlap",
]

#: Two claims are about the same thing when they share at least this many content words ...
MIN_SHARED_WORDS = 2
#: ... making up at least this share of the shorter claim's content words.
MIN_TOPIC_OVERLAP = 0.3
_SAME_EVENT_OVERLAP = 0.5
_PRONOUN_SPEAKERS = frozenset("he she they it we i".split())


@dataclass(frozen=True, slots=True)
class PairFacts:
    """What the kind rules look at: both claims, the dates each was said, and their overlap."""

    a: Claim
    b: Claim
    said_a: dt.date | None
    said_b: dt.date | None
    overlap: float


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    return content_words(text)


def topic_overlap(a: Claim, b: Claim) -> float:
    """Shared content words over the shorter claim's (0 when fewer than MIN_SHARED_WORDS are shared)."""
    words_a = _words(a.normalized or a.statement)
    words_b = _words(b.normalized or b.statement)
    shared = len(words_a & words_b)
    if shared < MIN_SHARED_WORDS:
        return 0.0
    return shared / min(len(words_a), len(words_b))



def numbers_disagree(a: Claim, b: Claim) -> bool:
    """Whether the claims give incompatible values for a quantity of the same unit ('3' vs 'five')."""
    for qa in a.quantities:
        for qb in b.quantities:
            if qa.unit != qb.unit:
                continue
            low_a, high_a = quantity_interval(qa)
            low_b, high_b = quantity_interval(qb)
            if high_a < low_b or high_b < low_a:
                return True
    return False


def _day_level(iso: str) -> bool:
    """Whether an ISO date or period is finer than a year (comparable as an event's date)."""
    return "/" in iso or len(iso) >= 7


def dates_disagree(a: Claim, b: Claim) -> bool:
    """Whether the claims date the same event to periods that do not meet."""
    dates_a = [d for d in a.dates if _day_level(d)]
    dates_b = [d for d in b.dates if _day_level(d)]
    if not dates_a or not dates_b or topic_overlap(a, b) < _SAME_EVENT_OVERLAP:
        return False
    for da in dates_a:
        start_a, end_a = date_range(da)
        for db in dates_b:
            start_b, end_b = date_range(db)
            if start_a <= end_b and start_b <= end_a:
                return False
    return True


_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+)*")
_NOT_NAMES = re.compile(
    r"^(?:I|We|The|A|An|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April"
    r"|May|June|July|August|September|October|November|December)$"
)


def _names(claim: Claim) -> frozenset[str]:
    """The capitalised names in a claim's statement, except its first word."""
    return frozenset(n.lower() for n in _NAME.findall(claim.statement) if not _NOT_NAMES.match(n))


def names_disagree(a: Claim, b: Claim) -> bool:
    """Whether the claims say the same thing of different named people, places or bodies."""
    names_a, names_b = _names(a), _names(b)
    if not names_a or not names_b or not (names_a - names_b) or not (names_b - names_a):
        return False
    name_words = {w for n in names_a | names_b for w in content_words(n)}
    rest_a = content_words(a.statement) - name_words
    rest_b = content_words(b.statement) - name_words
    if len(rest_a & rest_b) < MIN_SHARED_WORDS:
        return False
    return len(rest_a & rest_b) / min(len(rest_a), len(rest_b)) >= 0.6


def _speaker(claim: Claim) -> str | None:
    """The key of a claim's speaker (resolved where possible), or None."""
    return speaker_key(claim.speaker_resolved or claim.speaker)


def _unresolved_speaker(claim: Claim) -> bool:
    """Whether a claim has a speaker that is only a pronoun nobody could be found for."""
    speaker = (claim.speaker or "").lower()
    return speaker in _PRONOUN_SPEAKERS and not claim.speaker_resolved and speaker not in ("i", "we")


def _same_speaker(facts: PairFacts) -> bool:
    key_a, key_b = _speaker(facts.a), _speaker(facts.b)
    return key_a is not None and key_a == key_b


_POSITIONS = frozenset(("ruled_out", "expected", "possible", "denied"))


def _position_then_events(facts: PairFacts) -> bool:
    """One claim is someone's stated position; the other, unattributed, reports a later event."""
    for position, said, event, other_said in (
        (facts.a, facts.said_a, facts.b, facts.said_b),
        (facts.b, facts.said_b, facts.a, facts.said_a),
    ):
        if _speaker(position) is None or event.speaker or position.modality not in _POSITIONS or said is None:
            continue
        event_days = [date_range(d)[0] for d in event.dates if _day_level(d)]
        when = max(event_days) if event_days else other_said
        if when is not None and when > said:
            return True
    return False


KindRule = tuple[ContradictionKind, str, Callable[[PairFacts], bool]]

#: Tried in order; the first rule whose test holds gives the kind (and the reason, for explain()).
KIND_RULES: tuple[KindRule, ...] = (
    ("factual", "one claim says the story is false (a hoax, fake, denied), the other tells it",
     lambda f: (truth_word(f.a) is None) != (truth_word(f.b) is None) and not _same_speaker(f)),
    ("other", "the claims share too little to be about the same thing",
     lambda f: f.overlap < MIN_TOPIC_OVERLAP and not _same_speaker(f)),
    ("factual", "they give different numbers for the same quantity", lambda f: numbers_disagree(f.a, f.b)),
    ("factual", "they date the same event differently", lambda f: dates_disagree(f.a, f.b)),
    ("factual", "they name different people, places or bodies in the same statement",
     lambda f: names_disagree(f.a, f.b)),
    ("temporal", "the same speaker said both, on different dates",
     lambda f: _same_speaker(f) and f.said_a is not None and f.said_b is not None and f.said_a != f.said_b),
    ("other", "the same speaker said both on the same day, or on days not known", _same_speaker),
    ("temporal", "a position stated on one date is contradicted by a later account of what happened",
     _position_then_events),
    ("other", "a speaker is a pronoun that could not be resolved",
     lambda f: _unresolved_speaker(f.a) or _unresolved_speaker(f.b)),
    ("stance", "different speakers hold opposite positions",
     lambda f: _speaker(f.a) is not None and _speaker(f.b) is not None),
    ("factual", "at least one claim is the document's own account of events", lambda f: True),
)  # fmt: skip


def explain(
    pair: ScoredPair, a: Claim, b: Claim, date_a: dt.date | None = None, date_b: dt.date | None = None
) -> tuple[ContradictionKind, str] | None:
    """(kind, reason) for a contradiction, None for any other label.

    ``date_a``/``date_b`` are the claims' documents' dates, used when a claim does not say when
    it was said.
    """
    if pair.label != "contradiction":
        return None
    facts = PairFacts(a, b, a.said_on or date_a, b.said_on or date_b, topic_overlap(a, b))
    return next((kind, reason) for kind, reason, test in KIND_RULES if test(facts))


def classify(
    pair: ScoredPair, a: Claim, b: Claim, date_a: dt.date | None = None, date_b: dt.date | None = None
) -> ContradictionKind | None:
    """The kind of a contradiction (factual, stance, temporal, other); None for any other label."""
    found = explain(pair, a, b, date_a, date_b)
    return found[0] if found else None


def classify_pairs(
    pairs: Iterable[ScoredPair], claims: Mapping[str, Claim], dates: Mapping[str, dt.date | None]
) -> list[ScoredPair]:
    """The pairs with ``kind`` set on each contradiction; ``dates`` maps document ids to their dates."""
    out: list[ScoredPair] = []
    for pair in pairs:
        a, b = claims[pair.claim_a], claims[pair.claim_b]
        kind = classify(pair, a, b, dates.get(a.doc_id), dates.get(b.doc_id))
        out.append(replace(pair, kind=kind) if kind != pair.kind else pair)
    return out
