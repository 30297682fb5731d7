"""Group claims that several documents make alike: corroboration, reported as groups of claim ids.

Two claims from different documents join the same group when they state the same thing
(the same content words, numbers included, after normalisation: ``same_statement``), or when
the model found entailment between them and they agree on topic, numbers, dates, polarity and
speaker (``entailment``). Groups are the connected components that span two or more documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contradict.claims.context import speaker_key
from contradict.claims.normalize import content_words
from contradict.findings.kinds import dates_disagree, numbers_disagree, topic_overlap
from contradict.records import Claim, ScoredPair

__all__ = ["ENTAILMENT_OVERLAP", "SAME_STATEMENT_JACCARD", "ClaimGroup", "group_claims"]

#: Entailing claims must share at least this share of the shorter claim's content words.
ENTAILMENT_OVERLAP = 0.5
#: Claims whose content words (numbers included) overlap this much state the same thing.
SAME_STATEMENT_JACCARD = 0.8


@dataclass(frozen=True, slots=True)
class ClaimGroup:
    """Claims from several documents that state the same thing, and on what basis they were grouped."""

    id: str
    claims: tuple[str, ...]
    documents: tuple[str, ...]
    statement: str
    basis: tuple[str, ...]


def _compatible(a: Claim, b: Claim) -> bool:
    """Same polarity, no conflicting numbers or dates, and no two different speakers."""
    key_a = speaker_key(a.speaker_resolved or a.speaker)
    key_b = speaker_key(b.speaker_resolved or b.speaker)
    if key_a and key_b and key_a != key_b:
        return False
    return a.polarity == b.polarity and not numbers_disagree(a, b) and not dates_disagree(a, b)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def group_claims(claims: Sequence[Claim], pairs: Sequence[ScoredPair]) -> tuple[ClaimGroup, ...]:
    """Corroboration groups over the claims, from equal statements and from entailing pairs."""
    index = {claim.id: i for i, claim in enumerate(claims)}
    words = [content_words(c.normalized or c.statement, numbers=True) for c in claims]
    parent = list(range(len(claims)))
    basis: dict[int, set[str]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int, why: str) -> None:
        root_i, root_j = find(i), find(j)
        reasons = basis.pop(root_i, set()) | basis.pop(root_j, set()) | {why}
        root = min(root_i, root_j)
        parent[max(root_i, root_j)] = root
        basis[root] = reasons

    by_key: dict[frozenset[str], int] = {}
    for i, claim in enumerate(claims):
        if len(words[i]) < 3:
            continue
        j = by_key.setdefault(words[i], i)
        if j != i and claims[j].doc_id != claim.doc_id and _compatible(claims[j], claim):
            union(j, i, "same_statement")
    for pair in pairs:
        if pair.label == "contradiction" or pair.claim_a not in index or pair.claim_b not in index:
            continue
        i, j = index[pair.claim_a], index[pair.claim_b]
        a, b = claims[i], claims[j]
        if a.doc_id == b.doc_id or not _compatible(a, b):
            continue
        if _jaccard(words[i], words[j]) >= SAME_STATEMENT_JACCARD:
            union(i, j, "same_statement")
        elif pair.label == "entailment" and topic_overlap(a, b) >= ENTAILMENT_OVERLAP:
            union(i, j, "entailment")

    members: dict[int, list[int]] = {}
    for i in range(len(claims)):
        members.setdefault(find(i), []).append(i)
    groups: list[ClaimGroup] = []
    for root, items in sorted(members.items(), key=lambda kv: kv[1][0]):
        documents = tuple(dict.fromkeys(claims[i].doc_id for i in items))
        if len(documents) < 2:
            continue
        groups.append(
            ClaimGroup(
                id=f"g{len(groups) + 1}",
                claims=tuple(claims[i].id for i in items),
                documents=documents,
                statement=claims[items[0]].statement,
                basis=tuple(sorted(basis.get(root, ()))),
            )
        )
    return tuple(groups)
