"""Score candidate claim pairs with an NLI model in both directions and decide each pair's label."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Protocol

from contradict.claims.normalize import denying_verb
from contradict.progress import ProgressFn, takes_progress
from contradict.records import CandidatePair, Claim, DirectionScore, EntailmentDirection, Prediction, ScoredPair


class PairScorer(Protocol):
    """Anything that scores (premise, hypothesis) text pairs in input order."""

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[Prediction]:
        """One prediction per pair, in input order."""
        ...


# a statement's first word that is not a name: lower-cased when the denial is put in front of it
_LOWER_FIRST = frozenset(
    "the a an it its there this that these those they he she we i you our their his her my your any all some no "
    "none every each both either neither one many most several few more less much such".split()
)


def model_text(claim: Claim) -> str:
    """The text the NLI model reads for a claim: its statement, with a denial put back in front.

    A claim reported with a denying verb ("Acme denied that it had fired its publicist") has the
    reported content as its statement ("Acme had fired its publicist.") and the denial in its
    ``reporting_verb``, ``modality`` and ``polarity``; the model must read what the speaker says,
    so it gets "Acme denied that Acme had fired its publicist." Every other claim is read as its
    statement.
    """
    if not denying_verb(claim.reporting_verb):
        return claim.statement
    speaker = claim.speaker_resolved or claim.speaker or "It"
    content = claim.statement.strip()
    first, _, rest = content.partition(" ")
    if first.lower() in _LOWER_FIRST and first.lower() != "i":
        content = f"{first.lower()} {rest}" if rest else first.lower()
    return f"{speaker[:1].upper()}{speaker[1:]} denied that {content}"


def pair_id(claim_a: str, claim_b: str) -> str:
    """A stable id for an unordered pair of claims."""
    first, second = sorted((claim_a, claim_b))
    return "p" + hashlib.sha256(f"{first}\x00{second}".encode()).hexdigest()[:12]


def combine(candidate: CandidatePair, forward: DirectionScore, backward: DirectionScore) -> ScoredPair:
    """Put a pair's two directions together, with the model's own provisional label.

    The provisional label is contradiction if either direction says so, else entailment if
    either entails (the direction is kept), else neutral. It is what the model alone says; the
    label a report gives is decided from both directions and the cues by
    :func:`contradict.findings.decide.decide`.
    """
    directions = (forward, backward)
    by_contradiction = max(directions, key=lambda d: d.prediction.scores.contradiction)
    by_entailment = max(directions, key=lambda d: d.prediction.scores.entailment)
    entails = [d.prediction.label == "entailment" for d in directions]
    direction: EntailmentDirection | None = None
    if all(entails):
        direction = "both"
    elif entails[0]:
        direction = "a->b"
    elif entails[1]:
        direction = "b->a"
    if any(d.prediction.label == "contradiction" for d in directions):
        label, decider = "contradiction", by_contradiction
    elif direction is not None:
        label, decider = "entailment", by_entailment
    else:
        label, decider = "neutral", by_contradiction
    return ScoredPair(
        id=pair_id(candidate.claim_a, candidate.claim_b),
        claim_a=candidate.claim_a,
        claim_b=candidate.claim_b,
        similarity=candidate.similarity,
        label=label,  # type: ignore[arg-type]
        contradiction_score=by_contradiction.prediction.scores.contradiction,
        scores=decider.prediction.scores,
        entailment_direction=direction,
        directions=directions,
        sources=candidate.sources,
    )


def score_pairs(
    candidates: Sequence[CandidatePair], claims: Mapping[str, Claim], model: PairScorer,
    progress: ProgressFn | None = None,
) -> list[ScoredPair]:
    """Score each candidate a->b and b->a on the claims' texts (:func:`model_text`); strongest contradiction first.

    ``progress`` (see :mod:`contradict.progress`) hears of stage ``score`` in pair directions,
    after each model batch when the model takes a ``progress`` callback, else at the end.
    """
    texts: list[tuple[str, str]] = []
    for pair in candidates:
        a, b = model_text(claims[pair.claim_a]), model_text(claims[pair.claim_b])
        texts += [(a, b), (b, a)]
    if progress is None:
        predictions = model.predict(texts)
    else:
        progress("score", 0, len(texts))
        if takes_progress(model.predict):
            predictions = model.predict(texts, progress=lambda done: progress("score", done, len(texts)))  # type: ignore[call-arg]
        else:
            predictions = model.predict(texts)
        progress("score", len(texts), len(texts))
    scored = [
        combine(
            pair,
            DirectionScore(premise=pair.claim_a, hypothesis=pair.claim_b, prediction=predictions[2 * i]),
            DirectionScore(premise=pair.claim_b, hypothesis=pair.claim_a, prediction=predictions[2 * i + 1]),
        )
        for i, pair in enumerate(candidates)
    ]
    scored.sort(key=lambda p: (-p.contradiction_score, p.id))
    return scored
