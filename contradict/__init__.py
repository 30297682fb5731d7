"""contradict: find where a pile of documents disagrees.

The library is organised one module per stage:

- :mod:`contradict.loading`  read a folder into :class:`~contradict.records.Document` records
- :mod:`contradict.claims`   extract :class:`~contradict.records.Claim` records from documents
- :mod:`contradict.pairing`  choose cross-document claim pairs worth scoring
- :mod:`contradict.batching` plan token-budget batches (pure, no torch)
- :mod:`contradict.nli`      load an NLI checkpoint and its model card; score text pairs
- :mod:`contradict.scoring`  score candidate pairs in both directions
- :mod:`contradict.report`   assemble and serialise the JSON report
- :mod:`contradict.pipeline` ``scan()``: the stages above, end to end
"""

__version__ = "0.1.0"
