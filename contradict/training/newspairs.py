"""Training pairs from real news: claims of one article that must not be called contradictory.

A generic NLI model calls two different facts of one story a contradiction ("Conner went to
another officer who helped her" vs "Conner was trying to drive around the officers"): its
training data (image captions above all) taught it that two descriptions of one scene that
differ are incompatible. On real news that is the commonest false alarm of the tool.

An article is, with few exceptions, consistent with itself. So pairs of claims from *one*
document that are about the same thing (cosine of their embeddings in a band: alike, but not
the same sentence twice) are examples of "not a contradiction": entailment or neutral, a
two-way label whose loss is ``-log(p(entailment) + p(neutral))``
(:func:`contradict.training.finetune.set_loss`). The exceptions are kept out: pairs where a cue
of disagreement holds (a quantity or date that differs, opposite polarity or modality, one
claim saying a report is false, :func:`contradict.pairing.cues.cue_details`), because an
article does report a rumour and then deny it, or revise a figure; and pairs whose claims have
different speakers, because an article reports people who disagree.

Only FNC-1 topics of the ``train`` role are read (``../shared/data/fnc1``, see its README and
``topics.jsonl``); the tune and measure topics stay out, so the real-news benchmark on tune
topics remains a fair check.

    python -m contradict.training newspairs --data-dir ../shared/data --out RUN/fnc1-same-doc.jsonl
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from contradict.claims.extract import ExtractOptions, extract_claims
from contradict.evaluation.fnc1 import read_topics
from contradict.pairing.candidates import Encoder
from contradict.pairing.cues import cue_details
from contradict.records import Claim, Document
from contradict.scoring.directions import model_text

log = logging.getLogger("contradict.newspairs")

LABEL = "not_contradiction"


@dataclass(frozen=True, slots=True)
class NewsPairOptions:
    """Which same-document claim pairs become training rows."""

    min_similarity: float = 0.45  # alike enough to be about the same thing
    max_similarity: float = 0.92  # but not one sentence told twice
    per_document: int = 30  # at most this many pairs from one article (the most similar first)
    seed: int = 13


@dataclass(frozen=True, slots=True)
class NewsPair:
    """One training row: two claims of one article (in a random order) and where they came from."""

    source: str
    premise: str
    hypothesis: str
    label: str
    document: str
    similarity: float


def _speaker(claim: Claim) -> str | None:
    return claim.speaker_resolved or claim.speaker


def same_document_pairs(
    claims: Sequence[Claim], embeddings: np.ndarray, document: str, options: NewsPairOptions, rng: random.Random
) -> list[NewsPair]:
    """The kept pairs among one article's claims (``embeddings`` normalised, one row per claim)."""
    if len(claims) < 2:
        return []
    sims = embeddings @ embeddings.T
    found: list[tuple[float, int, int]] = []
    for i in range(len(claims)):
        for j in range(i + 1, len(claims)):
            s = float(sims[i, j])
            if not options.min_similarity <= s <= options.max_similarity:
                continue
            a, b = claims[i], claims[j]
            if _speaker(a) != _speaker(b) or a.statement.lower() == b.statement.lower():
                continue
            if cue_details(a, b):
                continue
            found.append((s, i, j))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    out = []
    for s, i, j in found[: options.per_document]:
        a, b = model_text(claims[i]), model_text(claims[j])  # what the model reads when it scores them
        if rng.random() < 0.5:
            a, b = b, a
        out.append(NewsPair("fnc1_same_doc", a, b, LABEL, document, round(s, 4)))
    return out


def build(documents: Iterable[Document], encoder: Encoder, options: NewsPairOptions | None = None,
          extract: ExtractOptions | None = None) -> list[NewsPair]:
    """Same-document pairs of every document (claims extracted as a scan would, embedded by ``encoder``)."""
    options = options or NewsPairOptions()
    extract = extract or ExtractOptions()
    rng = random.Random(options.seed)
    out: list[NewsPair] = []
    for n, document in enumerate(documents, 1):
        claims = list(extract_claims(document, extract).claims)
        if len(claims) >= 2:
            embeddings = encoder.encode([c.statement for c in claims])
            out.extend(same_document_pairs(claims, embeddings, document.id, options, rng))
        if n % 50 == 0:
            log.info("%d documents, %d pairs", n, len(out))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write the same-document pairs of the FNC-1 train topics as JSON lines."""
    import argparse  # noqa: PLC0415

    from contradict.pairing.candidates import load_encoder  # noqa: PLC0415

    defaults = NewsPairOptions()
    parser = argparse.ArgumentParser(prog="python -m contradict.training newspairs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the shared data folder (its fnc1/ is read)")
    parser.add_argument("--out", type=Path, required=True, help="JSON lines to write (outside the repository)")
    parser.add_argument("--min-similarity", type=float, default=defaults.min_similarity)
    parser.add_argument("--max-similarity", type=float, default=defaults.max_similarity)
    parser.add_argument("--per-document", type=int, default=defaults.per_document)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    options = NewsPairOptions(args.min_similarity, args.max_similarity, args.per_document, args.seed)
    topics = read_topics(args.data_dir / "fnc1", roles=("train",), max_docs=10_000)
    documents = [d for t in topics for d in t.documents]
    log.info("%d train topics, %d documents", len(topics), len(documents))
    pairs = build(documents, load_encoder(), options)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for pair in pairs:
            fh.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    log.info("wrote %d pairs from %d documents to %s", len(pairs), len({p.document for p in pairs}), args.out)
