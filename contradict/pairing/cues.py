"""Cheap cues that two claims may disagree, and the candidate pairs they add to embedding neighbours.

Sentence embeddings put "the rescued climber, 41, ..." and "the forty-two-year-old climber"
close together, but not "the story is a hoax" and the story told as fact, nor always two
claims about the same subject whose numbers differ. These rules look at what extraction
already normalised (quantities, dates, modality, polarity, content words) and say, for a pair
of claims, which cues hold (:func:`pair_cues`):

- ``quantity``: the same kind of quantity (same unit) about the same subject, with values
  that cannot both be true ("about 15,000" vs "more than 40,000");
- ``date``: the same event dated to periods that do not meet;
- ``polarity``: the same predicate with opposite polarity or modality ("ruled out" vs "on the
  table", "was inspected" vs "was not inspected");
- ``truth``: one claim says a story is false ("hoax", "fake", "not true", "debunked",
  "denied") and the other states it without doubt.

:func:`cue_pairs` adds, for each claim, up to ``PairingOptions.cue_top_k`` partners in other
documents for which a cue holds, most similar first; ``truth`` claims are paired with the
claims most similar to them in each other document even below the similarity floor, since
"it is a hoax" shares few words with the story it denies. Everything here is a pure function
of the claims and their embeddings.

:func:`indexed_cue_pairs` finds the same pairs through an inverted index of what the cue rules
compare (a unit, a date, a polarity, each with the subject words), with capped posting lists,
and takes truth claims' partners from their nearest neighbours: the pair stage uses it with
the ANN index, where the all-words index of :func:`cue_pairs` would grow quadratically.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from contradict.claims.normalize import Quantity, content_words, date_range, quantity_interval
from contradict.records import Claim

__all__ = [
    "CUES",
    "CueOptions",
    "TRUTH_PATTERN",
    "cue_details",
    "cue_pairs",
    "indexed_cue_pairs",
    "pair_cues",
    "subject_overlap",
    "truth_word",
]

CUES = ("quantity", "date", "polarity", "truth")

#: A claim about the truth of a story itself.
TRUTH_PATTERN = re.compile(
    r"\b(?:hoax(?:es)?|fake|fakes|faked|fabricat\w*|made[- ]up|not\s+true|untrue|false(?:ly)?|debunk\w*|"
    r"satir\w*|bogus|myth|no\s+evidence|baseless|unfounded|den(?:y|ies|ied|ying)|rumou?rs?|prank\w*|"
    r"spoof\w*|photoshop\w*|doctored|misleading|never\s+happened|not\s+real)\b",
    re.IGNORECASE,
)
_NEGATIVE_MODALITIES = frozenset(("ruled_out", "denied"))
_POSITIVE_MODALITIES = frozenset(("asserted", "possible", "expected"))


@dataclass(frozen=True, slots=True)
class CueOptions:
    """How cue candidates are chosen: partners per claim, subject overlap, and the truth-claim floor."""

    top_k: int = 3
    min_subject_overlap: float = 0.5
    truth_per_document: int = 2
    truth_min_similarity: float = 0.2
    max_posting: int = 1024
    truth_neighbours: int = 32


@lru_cache(maxsize=65536)
def _text_words(text: str) -> frozenset[str]:
    return content_words(text)


def _words(claim: Claim) -> frozenset[str]:
    return _text_words(claim.normalized or claim.statement)


def subject_overlap(a: Claim, b: Claim) -> float:
    """Shared content words (numbers and dates aside) over the shorter claim's; 0 below two shared."""
    words_a, words_b = _words(a), _words(b)
    shared = len(words_a & words_b)
    if shared < 2:
        return 0.0
    return shared / min(len(words_a), len(words_b))



def _quantity_clash(a: Claim, b: Claim) -> tuple[Quantity, Quantity] | None:
    """Two quantities of the same unit whose allowed values do not meet, and none that agree."""
    clash = None
    for qa in a.quantities:
        for qb in b.quantities:
            if qa.unit != qb.unit or qa.unit is None:
                continue
            low_a, high_a = quantity_interval(qa)
            low_b, high_b = quantity_interval(qb)
            if high_a < low_b or high_b < low_a:
                clash = clash or (qa, qb)
            else:
                return None  # the same quantity given alike: the other number is about something else
    return clash


def _day_level(iso: str) -> bool:
    return "/" in iso or len(iso) >= 7


def _date_clash(a: Claim, b: Claim) -> tuple[str, str] | None:
    dates_a = [d for d in a.dates if _day_level(d)]
    dates_b = [d for d in b.dates if _day_level(d)]
    if not dates_a or not dates_b:
        return None
    for da in dates_a:
        start_a, end_a = date_range(da)
        for db in dates_b:
            start_b, end_b = date_range(db)
            if start_a <= end_b and start_b <= end_a:
                return None
    return dates_a[0], dates_b[0]


def _negative(claim: Claim) -> bool:
    return claim.modality in _NEGATIVE_MODALITIES or claim.polarity == "negative"


def _opposed(a: Claim, b: Claim) -> bool:
    if _negative(a) == _negative(b):
        return False
    positive = b if _negative(a) else a
    return positive.modality in _POSITIVE_MODALITIES


def truth_word(claim: Claim) -> str | None:
    """The word by which a claim says a story is false ("hoax", "denied", ...), lower-cased; None if it does not."""
    return _truth_word(claim.statement)


@lru_cache(maxsize=65536)
def _truth_word(text: str) -> str | None:
    match = TRUTH_PATTERN.search(text)
    return match.group(0).lower() if match else None


def cue_details(a: Claim, b: Claim, options: CueOptions | None = None) -> dict[str, str]:
    """The cues that hold for a pair (see the module docstring), each with a detail for a reader."""
    options = options or CueOptions()
    out: dict[str, str] = {}
    overlap = subject_overlap(a, b)
    same_subject = overlap >= options.min_subject_overlap
    if same_subject:
        clash = _quantity_clash(a, b)
        if clash:
            qa, qb = clash
            out["quantity"] = f"{qa.text} vs {qb.text}" + (f" ({qa.unit})" if qa.unit else "")
        dates = _date_clash(a, b)
        if dates:
            out["date"] = f"{dates[0]} vs {dates[1]}"
        if _opposed(a, b):
            out["polarity"] = f"{a.modality}/{a.polarity} vs {b.modality}/{b.polarity}"
    truth_a, truth_b = truth_word(a), truth_word(b)
    if bool(truth_a) != bool(truth_b):
        denier, word = ("a", truth_a) if truth_a else ("b", truth_b)
        out["truth"] = f"claim {denier} says {word!r}"
    return out


def pair_cues(a: Claim, b: Claim, options: CueOptions | None = None) -> tuple[str, ...]:
    """The names of the cues that hold for a pair, in ``CUES`` order."""
    found = cue_details(a, b, options)
    return tuple(c for c in CUES if c in found)


def _top_cue_pairs(
    candidates: Iterable[tuple[int, int]], claims: Sequence[Claim], emb: np.ndarray, options: CueOptions
) -> dict[tuple[int, int], tuple[float, tuple[str, ...]]]:
    """Of the candidate (i, j) pairs, those a cue other than truth holds for, each claim keeping
    its ``options.top_k`` most similar: (i, j) -> (similarity, cues)."""
    found: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    partners: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    for i, j in candidates:
        cues = tuple(c for c in pair_cues(claims[i], claims[j], options) if c != "truth")
        if cues:
            sim = float(emb[i] @ emb[j])
            found[(i, j)] = (sim, cues)
            partners[i].append((sim, i, j))
            partners[j].append((sim, i, j))
    keep: set[tuple[int, int]] = set()
    for items in partners.values():
        keep.update((i, j) for _, i, j in sorted(items, reverse=True)[: options.top_k])
    return {k: v for k, v in found.items() if k in keep}


def cue_pairs(
    claims: Sequence[Claim], embeddings: np.ndarray, options: CueOptions | None = None
) -> dict[tuple[int, int], tuple[float, tuple[str, ...]]]:
    """Cross-document pairs (i < j, indices into ``claims``) for which a cue holds, with similarity and cues.

    Pairs are looked for among claims that share a content word (an inverted index, so a big
    folder is not compared all against all), plus each truth claim's nearest claims per document.
    """
    options = options or CueOptions()
    n = len(claims)
    if n < 2:
        return {}
    emb = np.asarray(embeddings, dtype=np.float32)
    words = [_words(c) for c in claims]
    index: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(words):
        for w in ws:
            index[w].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    limit = max(50, n // 4)  # words in a quarter of all claims say nothing about the subject
    for members in index.values():
        if len(members) > limit:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if claims[i].doc_id != claims[j].doc_id:
                    shared[(i, j)] += 1
    found = _top_cue_pairs(((i, j) for (i, j), count in shared.items() if count >= 2), claims, emb, options)
    _add_truth_pairs(found, claims, _all_truth_partners(claims, emb), options)
    return found


def _all_truth_partners(claims: Sequence[Claim], emb: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Every truth claim's partners among all claims, most similar first (ties by position), with their similarities."""
    out = {}
    for i in (i for i, c in enumerate(claims) if truth_word(c)):
        sims = emb @ emb[i]
        order = np.lexsort((np.arange(len(claims)), -sims))
        out[i] = (order, sims[order])
    return out


def _add_truth_pairs(
    found: dict[tuple[int, int], tuple[float, tuple[str, ...]]],
    claims: Sequence[Claim],
    partners_of: Mapping[int, tuple[np.ndarray, np.ndarray]],
    options: CueOptions,
) -> None:
    """Pair each truth claim with its most similar claims of each other document.

    ``partners_of`` gives, per truth claim, candidate partners most similar first and their similarities.
    """
    for i, (candidates, similarities) in partners_of.items():
        taken: dict[str, int] = defaultdict(int)
        stopped: set[str] = set()
        for j, sim in zip(candidates.tolist(), similarities.tolist(), strict=True):
            if j < 0:
                continue
            doc = claims[j].doc_id
            if doc in stopped or doc == claims[i].doc_id:
                continue
            if taken[doc] >= options.truth_per_document or sim < options.truth_min_similarity:
                stopped.add(doc)
                continue
            if truth_word(claims[j]):
                continue
            key = (min(i, j), max(i, j))
            before, cues = found.get(key, (sim, ()))
            found[key] = (before, tuple(c for c in CUES if c in {*cues, "truth"}))
            taken[doc] += 1


def _cue_keys(claim: Claim, words: frozenset[str]) -> list[tuple[str, ...]]:
    """The inverted-index keys of a claim: what a cue partner must share with it (see indexed_cue_pairs)."""
    keys: list[tuple[str, ...]] = []
    for unit in sorted({q.unit for q in claim.quantities if q.unit is not None}):
        keys.extend(("q", unit, w) for w in words)
    if any(_day_level(d) for d in claim.dates):
        keys.extend(("d", w) for w in words)
    if _negative(claim):
        keys.extend(("n", w) for w in words)
    elif claim.modality in _POSITIVE_MODALITIES:
        keys.extend(("p", w) for w in words)
    return keys


def _shared_key_pairs(
    keyed: Sequence[list[tuple[int, np.ndarray, int]]], doc_index: np.ndarray, block: int = 2048
) -> Iterator[tuple[int, int]]:
    """The cross-document pairs (i, j), i < j, in order, that share at least two keys of one family.

    ``block`` claims at a time, so memory stays with those claims' posting lists (all the
    candidate pairs of a corpus at once took 1.9 GB at 100,000 claims). Posting lists are in
    claim order, so each claim's later partners are a slice, from the position ``keyed`` holds.
    """
    n = len(keyed)
    for start in range(0, n, block):
        rows: list[int] = []
        families: list[int] = []
        tails: list[np.ndarray] = []
        for i in range(start, min(start + block, n)):
            if len(keyed[i]) < 2:
                continue
            for family, partners, first in keyed[i]:
                rows.append(i)
                families.append(family)
                tails.append(partners[first:])
        if not tails:
            continue
        lengths = [len(t) for t in tails]
        a = np.repeat(np.asarray(rows, dtype=np.int64), lengths)
        b = np.concatenate(tails).astype(np.int64)
        f = np.repeat(np.asarray(families, dtype=np.int64), lengths)
        cross = doc_index[a] != doc_index[b]
        codes, counts = np.unique((a[cross] * n + b[cross]) * 3 + f[cross], return_counts=True)
        for code in np.unique(codes[counts >= 2] // 3).tolist():
            yield divmod(code, n)


def indexed_cue_pairs(
    claims: Sequence[Claim],
    embeddings: np.ndarray,
    options: CueOptions | None = None,
    truth_partners: Mapping[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[tuple[int, int], tuple[float, tuple[str, ...]]]:
    """The pairs of :func:`cue_pairs`, found through an inverted index whose work grows about linearly.

    A quantity, date or polarity cue needs two claims about the same subject (at least two
    shared content words) that both carry what the cue compares. So each claim is indexed
    under (unit, word) for each unit of its quantities, (date, word) when it has a day-level
    date, and (negative, word) or (positive, word) for its polarity; candidates are the
    cross-document pairs that share two keys of one kind (a negative claim with a positive
    one for polarity), checked with :func:`pair_cues`. A key held by more than
    ``max(50, n // 4)`` claims, capped at ``options.max_posting``, says nothing about the
    subject and is skipped, so the candidates grow with the claims times that cap, not with
    their square. Truth claims are paired as in :func:`cue_pairs` from ``truth_partners``
    (each truth claim's candidate partners, most similar first, with their similarities: its
    ANN neighbours), or,
    without it, from every claim of every other document, as :func:`cue_pairs` does.
    """
    options = options or CueOptions()
    n = len(claims)
    if n < 2:
        return {}
    emb = np.asarray(embeddings, dtype=np.float32)
    doc_ids = [c.doc_id for c in claims]
    _, doc_index = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, c in enumerate(claims):
        for key in _cue_keys(c, _words(c)):
            index[key].append(i)
    limit = min(max(50, n // 4), options.max_posting)
    # each claim's usable keys: (family, the claims it may pair with under that key, where its later ones start)
    keyed: list[list[tuple[int, np.ndarray, int]]] = [[] for _ in range(n)]
    for key, members in index.items():
        if key[0] in ("n", "p"):  # polarity: a negative claim with a positive one about the same words
            other = index.get(("p" if key[0] == "n" else "n", *key[1:]), [])
            if len(members) > limit or len(other) > limit or not other:
                continue
            family, partners = 2, np.asarray(other)
            starts = np.searchsorted(partners, members, side="right").tolist()
        elif len(members) < 2 or len(members) > limit:
            continue
        else:
            family, partners = (0 if key[0] == "q" else 1), np.asarray(members)
            starts = range(1, len(members) + 1)
        for i, first in zip(members, starts, strict=True):
            if first < len(partners):
                keyed[i].append((family, partners, first))
    found = _top_cue_pairs(_shared_key_pairs(keyed, doc_index), claims, emb, options) if any(keyed) else {}
    _add_truth_pairs(found, claims, _all_truth_partners(claims, emb) if truth_partners is None else truth_partners, options)
    return found
