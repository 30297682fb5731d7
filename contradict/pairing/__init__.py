"""Pairing: choose the cross-document claim pairs worth scoring.

Claims are embedded with a sentence encoder; each claim is paired with its most similar
claims in other documents above a similarity floor (exact search, or an HNSW index from
20,000 claims on: :mod:`contradict.pairing.index`), plus the pairs cheap cues pick
(:mod:`contradict.pairing.cues`).

Entry points: :func:`choose_pairs` with :class:`PairingOptions`; :func:`load_encoder`.
"""

from contradict.pairing.candidates import (
    DEFAULT_ENCODER,
    Encoder,
    PairingOptions,
    PairingResult,
    SentenceEncoder,
    choose_pairs,
    load_encoder,
)

__all__ = [
    "DEFAULT_ENCODER", "Encoder", "PairingOptions", "PairingResult", "SentenceEncoder", "choose_pairs",
    "load_encoder",
]
