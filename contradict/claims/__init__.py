"""Claims: turn documents into checkable :class:`~contradict.records.Claim` records.

- :mod:`~contradict.claims.extract`: sentences with exact spans, noise and other-language
  paragraphs dropped, attribution (speaker, reporting verb), check-worthiness, in-document
  duplicates merged.
- :mod:`~contradict.claims.parse`: the spaCy pipeline (loaded once, checked): atomic clauses of
  compound sentences, speakers the patterns miss, named entities per claim.
- :mod:`~contradict.claims.context`: who is who in a document, so pronouns and short
  references resolve to one named person or body, or get a flag.
- :mod:`~contradict.claims.normalize`: numbers, dates, modality and polarity beside each statement.

Entry points: :func:`extract_claims` with :class:`ExtractOptions` (:func:`extract_many` for many documents); :func:`split_sentences`;
:func:`normalize`.
"""

from contradict.claims.extract import (
    DocumentClaims, Dropped, ExtractOptions, extract_claims, extract_many, split_sentences,
)
from contradict.claims.normalize import Normalized, Quantity, normalize

__all__ = [
    "DocumentClaims", "Dropped", "ExtractOptions", "Normalized", "Quantity", "extract_claims", "extract_many", "normalize",
    "split_sentences",
]
