"""Training: fit models on train-role data (``python -m contradict.training``).

- :mod:`~contradict.training.heads`: the three-way head on the offline backbone's frozen features.
- :mod:`~contradict.training.features`: a content-keyed cache of extracted features.
- :mod:`~contradict.training.finetune`: LoRA fine-tuning of the offline backbone into a
  three-way model (``python -m contradict.training finetune train|export``); the adapter it
  exports ships in ``models/`` and is merged into the weights at first use.
- :mod:`~contradict.training.newspairs`: "not a contradiction" pairs from real news (two claims
  of one FNC-1 train-topic article about the same thing; ``python -m contradict.training newspairs``).
"""
