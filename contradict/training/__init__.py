"""Training: fit models on train-role data (``python -m contradict.training``).

- :mod:`~contradict.training.heads`: the three-way head on the offline backbone's frozen features.
- :mod:`~contradict.training.features`: a content-keyed cache of extracted features.
- :mod:`~contradict.training.finetune`: LoRA fine-tuning of the offline backbone into a
  three-way model (``python -m contradict.training finetune train|export``); the adapter it
  exports ships in ``models/`` and is merged into the weights at first use.
"""
