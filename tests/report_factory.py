"""Hand-built reports for the HTML and triage tests: real records, serialised and validated by contradict.report."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from contradict.records import (
    Claim,
    DirectionScore,
    Document,
    Evidence,
    LabelScores,
    Prediction,
    ScoredPair,
)
from contradict.report import PairCounts, Report
from contradict.scoring.nli import ModelInfo

MODEL = ModelInfo(id="tiny", revision="r1", device="cpu", dtype="float32", card="tiny")


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """A claim to plant: its document, the sentence it is read from, the part that is the claim, who said it."""

    doc: str
    sentence: str
    part: str | None = None
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class PairSpec:
    """A pair to plant between claims (by index), with its label, kind and confidence."""

    a: int
    b: int
    label: str
    kind: str | None = None
    confidence: float = 0.9
    evidence: tuple[tuple[str, str], ...] = ()


def make_report(
    documents: dict[str, tuple[str, str]], claims: Sequence[ClaimSpec], pairs: Sequence[PairSpec]
) -> tuple[Report, dict[str, str]]:
    """A report over ``documents`` (id -> (title, text)) with the claims and pairs given; and the texts by id."""
    docs = tuple(
        Document(id=doc_id, path=doc_id, title=title, date=dt.date(2026, 3, 1) + dt.timedelta(days=i), text=text,
                 content_hash="sha256:" + hashlib.sha256(text.encode()).hexdigest())
        for i, (doc_id, (title, text)) in enumerate(documents.items())
    )
    texts = {d.id: d.text for d in docs}
    records = []
    for index, spec in enumerate(claims):
        text = texts[spec.doc]
        start = text.index(spec.sentence)
        sentence = (start, start + len(spec.sentence))
        part = spec.part or spec.sentence
        offset = start + spec.sentence.index(part)
        span = (offset, offset + len(part))
        records.append(Claim(
            id=f"{spec.doc}:c{index + 1}", doc_id=spec.doc, text=part, span=span, statement=part,
            speaker=spec.speaker, reporting_verb="said" if spec.speaker else None, spans=(span,),
            context=spec.sentence, context_span=sentence,
        ))
    scored = []
    for index, spec in enumerate(pairs):
        a, b = records[spec.a], records[spec.b]
        c = spec.confidence if spec.label == "contradiction" else 1 - spec.confidence
        e = spec.confidence if spec.label == "entailment" else 0.05
        scores = LabelScores(contradiction=round(c, 4), entailment=round(e, 4), neutral=round(max(0.0, 1 - c - e), 4))
        prediction = Prediction(label=spec.label, scores=scores, raw=(0.1, 0.2, 0.7))  # type: ignore[arg-type]
        evidence = tuple(Evidence(t, d) for t, d in spec.evidence) or (Evidence("model", f"a->b: {spec.label}"),)
        scored.append(ScoredPair(
            id=f"p{index:04d}", claim_a=a.id, claim_b=b.id, similarity=0.7, label=spec.label,  # type: ignore[arg-type]
            contradiction_score=scores.contradiction, scores=scores, entailment_direction=None,
            directions=(DirectionScore(a.id, b.id, prediction), DirectionScore(b.id, a.id, prediction)),
            kind=spec.kind, confidence=spec.confidence, evidence=evidence,  # type: ignore[arg-type]
            sources=("neighbour",),
        ))
    report = Report(
        input="(test)", model=MODEL, encoder="tiny", documents=docs, languages={d.id: "en" for d in docs}, skipped=(),
        claims=tuple(records), dropped={}, pairs=tuple(scored),
        pair_counts=PairCounts(possible=len(scored), considered=len(scored), scored=len(scored)),
        batches=(), timings_s={},
    )
    return report, texts


PAYLOAD_SCRIPT = "<script>window.__pwned = 'script'; console.log('PWNED script')</script>"
PAYLOAD_IMG = "<img src=x onerror=\"window.__pwned = 'onerror'; console.log('PWNED onerror')\">"
PAYLOAD_CLOSE = "</script><script>window.__pwned = 'close'; console.log('PWNED close')</script>"
PAYLOAD_ATTR = "\"' onmouseover=\"window.__pwned='attr'\" x=\""


def news_report() -> tuple[Report, dict[str, str]]:
    """Four documents about one flood and one in no pair: contradictions of each kind, corroborations, a neutral pair, and hostile text.

    The third document's title and text hold script, onerror and </script> payloads; the
    fourth document's id holds an attribute-breaking quote.
    """
    documents = {
        "wire.txt": ("Wire: dam fails", "Wire: dam fails\n\nThe dam failed on Tuesday night. About 15,000 residents were "
                     "evacuated overnight, the agency said.\n\nThe minister said troops would not be sent to the valley. "
                     "Rain is expected to ease."),
        "herald.html": ("Herald: floods spread", "Herald: floods spread\nMore than 40,000 residents were evacuated, the agency said.\n"
                        "Troops remain an option, the minister said on Friday.\nThe dam failed on Tuesday night."),
        "evil.md": (f"Evil {PAYLOAD_SCRIPT}", f"# Evil {PAYLOAD_SCRIPT}\n\nThe dam {PAYLOAD_IMG} had been inspected last year, "
                    f"officials said. {PAYLOAD_CLOSE} It was safe.\n\nNobody knows when the dam was built."),
        f"quote{PAYLOAD_ATTR}.txt": ("Quote doc", "Engineers said the dam had not been inspected for ten years."),
        "lonely.txt": ("Lonely", "A claim that no other document speaks to was made here."),
    }
    claims = [
        ClaimSpec("wire.txt", "About 15,000 residents were evacuated overnight, the agency said.", "About 15,000 residents were evacuated overnight", "the agency"),
        ClaimSpec("herald.html", "More than 40,000 residents were evacuated, the agency said.", "More than 40,000 residents were evacuated", "the agency"),
        ClaimSpec("wire.txt", "The minister said troops would not be sent to the valley.", speaker="the minister"),
        ClaimSpec("herald.html", "Troops remain an option, the minister said on Friday.", "Troops remain an option", "the minister"),
        ClaimSpec("evil.md", f"The dam {PAYLOAD_IMG} had been inspected last year, officials said.", speaker="officials"),
        ClaimSpec(f"quote{PAYLOAD_ATTR}.txt", "Engineers said the dam had not been inspected for ten years.", speaker=f"Engineers {PAYLOAD_SCRIPT}"),
        ClaimSpec("wire.txt", "The dam failed on Tuesday night."),
        ClaimSpec("herald.html", "The dam failed on Tuesday night."),
        ClaimSpec("evil.md", "Nobody knows when the dam was built."),
        ClaimSpec("lonely.txt", "A claim that no other document speaks to was made here."),
    ]
    pairs = [
        PairSpec(0, 1, "contradiction", "factual", 0.81, (("model", "a->b: contradiction"), ("quantity", "40,000 vs 15,000 (resident)"))),
        PairSpec(2, 3, "contradiction", "temporal", 0.74, (("polarity", "ruled_out/negative vs possible/positive"),)),
        PairSpec(4, 5, "contradiction", "stance", 0.55, (("model", f"b->a: contradiction {PAYLOAD_CLOSE}"),)),
        PairSpec(6, 7, "entailment", None, 0.93),
        PairSpec(6, 4, "entailment", None, 0.41),
        PairSpec(8, 7, "neutral", None, 0.30),
    ]
    return make_report(documents, claims, pairs)
