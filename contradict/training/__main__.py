"""``python -m contradict.training``: train the offline model's three-way head."""

from contradict.training.heads import main

main()
