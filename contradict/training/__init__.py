"""Training: fit models on train-role data (``python -m contradict.training``).

- :mod:`~contradict.training.heads`: the three-way head on the offline backbone's frozen features.
- :mod:`~contradict.training.features`: a content-keyed cache of extracted features.
"""
