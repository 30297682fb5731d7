"""Findings: what the scored pairs mean to a reader.

- :mod:`~contradict.findings.kinds`: each contradiction's kind (factual, stance, temporal,
  other) from an ordered rule table.
- :mod:`~contradict.findings.corroboration`: claims that several documents state alike.

Entry points: :func:`classify_pairs`; :func:`group_claims`.
"""

from contradict.findings.corroboration import ClaimGroup, group_claims
from contradict.findings.kinds import classify_pairs

__all__ = ["ClaimGroup", "classify_pairs", "group_claims"]
