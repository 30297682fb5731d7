"""Rank contradictions by how strongly their two documents are in dispute, not by the pair alone.

A single pair's confidence says how sure the model is that two sentences conflict. A reader
wants the conflicts between documents that disagree, and two signals of that come from the
documents rather than the pair (both measured on FNC-1 real-news topics, ``benchmarks/realnews.py``):

- **contradiction share**: of the pairs scored between the two documents, the share decided
  contradiction. Two articles that clash wherever they meet are in dispute; one contradiction
  among many pairs the model finds compatible is more often a false alarm;
- **truth gap**: the difference between the two documents' rates of words that call a story
  false (``hoax``, ``fake``, ``not true``, ``denied``, ... : :data:`contradict.pairing.cues.TRUTH_PATTERN`),
  per 100 words. A debunking article beside one that tells the story as fact.

A contradiction's ``rank_score`` is its confidence times the documents' weight,
``(1 + TRUTH_WEIGHT * truth_gap) * (1 + SHARE_WEIGHT * contradiction_share)``, and the report
lists contradictions by it (:func:`contradict.findings.decide.rank_key`). The weight only
reorders: which pairs are contradictions, and their confidence, are unchanged. Where no
document uses truth words and every pair of documents clashes alike, the order is by confidence.
The weights were chosen on FNC-1 train topics (ties broken on tune topics); README, "Decisions
and quality on real news", has the numbers. A pure function of the pairs, claims and documents:
nothing depends on the folder's size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from contradict.findings.decide import DEFAULT, Calibration, decide_pairs, rank_key
from contradict.findings.kinds import classify_pairs
from contradict.pairing.cues import TRUTH_PATTERN
from contradict.records import Claim, Document, Evidence, ScoredPair

__all__ = ["SHARE_WEIGHT", "TRUTH_WEIGHT", "Dispute", "decide_and_rank", "disputes", "rank_pairs", "truth_rate"]

#: Weight of the truth gap (difference in truth words per 100 words between the two documents).
TRUTH_WEIGHT = 10.0
#: Weight of the share of the documents' scored pairs that are contradictions.
SHARE_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Dispute:
    """What two documents' pairs say about how far they are in dispute."""

    scored: int
    contradictions: int
    truth_gap: float

    @property
    def share(self) -> float:
        return self.contradictions / self.scored if self.scored else 0.0

    def weight(self, truth_weight: float = TRUTH_WEIGHT, share_weight: float = SHARE_WEIGHT) -> float:
        """``(1 + truth_weight * truth_gap) * (1 + share_weight * share)``."""
        return (1.0 + truth_weight * self.truth_gap) * (1.0 + share_weight * self.share)


@dataclass(frozen=True, slots=True)
class _Truth:
    """A document's words calling a story false: their rate per 100 words, and the commonest, for a reader."""

    rate: float
    words: str


def _truth(text: str) -> _Truth:
    counts = Counter(m.group(0).lower() for m in TRUTH_PATTERN.finditer(text))
    words = len(text.split())
    rate = 100.0 * sum(counts.values()) / words if words else 0.0
    return _Truth(rate, ", ".join(f"{word!r} x{n}" for word, n in counts.most_common(3)))


def truth_rate(text: str) -> float:
    """Words calling a story false (:data:`TRUTH_PATTERN`) per 100 words of text."""
    return _truth(text).rate


def _doc_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def disputes(
    pairs: Iterable[ScoredPair],
    claims: Mapping[str, Claim],
    documents: Sequence[Document],
    dismissed: Collection[str] = frozenset(),
) -> dict[tuple[str, str], Dispute]:
    """Each pair of documents that has a scored pair: its counts and truth gap (keys sorted).

    ``dismissed``: ids of pairs a reader dismissed (triage): scored, but not counted as contradictions.
    """
    return _disputes(pairs, claims, {d.id: _truth(d.text).rate for d in documents}, dismissed)


def _disputes(
    pairs: Iterable[ScoredPair], claims: Mapping[str, Claim], rates: Mapping[str, float], dismissed: Collection[str]
) -> dict[tuple[str, str], Dispute]:
    scored: Counter[tuple[str, str]] = Counter()
    contradictions: Counter[tuple[str, str]] = Counter()
    for p in pairs:
        key = _doc_key(claims[p.claim_a].doc_id, claims[p.claim_b].doc_id)
        scored[key] += 1
        contradictions[key] += p.label == "contradiction" and p.id not in dismissed
    return {
        key: Dispute(n, contradictions[key], abs(rates.get(key[0], 0.0) - rates.get(key[1], 0.0)))
        for key, n in scored.items()
    }


def _evidence(dispute: Dispute, a: _Truth, b: _Truth) -> Evidence:
    """The dispute line of a contradiction, given what its two documents say is false."""
    detail = f"documents in dispute: {dispute.contradictions} of {dispute.scored} scored pairs between them are contradictions"
    if dispute.truth_gap:
        side, more, less = ("a", a, b) if a.rate > b.rate else ("b", b, a)
        detail += (f"; claim {side}'s document calls a story false more often ({more.words}: "
                   f"{more.rate:.2f} per 100 words, against {less.rate:.2f})")  # fmt: skip
    return Evidence("dispute", detail)


def rank_pairs(
    pairs: Sequence[ScoredPair],
    claims: Mapping[str, Claim],
    documents: Sequence[Document],
    truth_weight: float = TRUTH_WEIGHT,
    share_weight: float = SHARE_WEIGHT,
    dismissed: Collection[str] = frozenset(),
) -> list[ScoredPair]:
    """The decided pairs, each contradiction with its ``rank_score`` and dispute evidence, in report order.

    Ranking pairs again replaces what an earlier ranking set. The weights are parameters for
    ``benchmarks/ranking.py``, which chose the defaults. ``dismissed``: ids of pairs a reader
    dismissed (triage); they do not count towards their documents' contradiction share, so a
    false alarm no longer lifts the other contradictions between the same two documents.
    """
    truth = {d.id: _truth(d.text) for d in documents}
    found = _disputes(pairs, claims, {doc: t.rate for doc, t in truth.items()}, dismissed)
    none = _Truth(0.0, "")
    out = []
    for p in pairs:
        evidence = tuple(e for e in p.evidence if e.type != "dispute")
        if p.label == "contradiction":
            dispute = found[_doc_key(claims[p.claim_a].doc_id, claims[p.claim_b].doc_id)]
            score = round((p.confidence or 0.0) * dispute.weight(truth_weight, share_weight), 6)
            sides = (truth.get(claims[p.claim_a].doc_id, none), truth.get(claims[p.claim_b].doc_id, none))
            p = replace(p, rank_score=score, evidence=(*evidence, _evidence(dispute, *sides)))
        elif p.rank_score is not None or evidence != p.evidence:
            p = replace(p, rank_score=None, evidence=evidence)
        out.append(p)
    out.sort(key=rank_key)
    return out


def decide_and_rank(
    pairs: Iterable[ScoredPair],
    claims: Mapping[str, Claim],
    documents: Sequence[Document],
    calibration: Calibration = DEFAULT,
    dismissed: Collection[str] = frozenset(),
) -> list[ScoredPair]:
    """Scored pairs as the report gives them: decided (labels, confidence, evidence), their kinds, in rank order.

    ``dismissed``: ids of pairs a reader dismissed (see :func:`rank_pairs`).
    """
    decided = decide_pairs(pairs, claims, calibration)
    kinds = classify_pairs(decided, claims, {d.id: d.date for d in documents})
    return rank_pairs(kinds, claims, documents, dismissed=dismissed)
