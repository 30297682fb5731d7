"""contradict: find where a pile of documents disagrees.

One package per stage, in the order the records flow (see ARCHITECTURE.md):

- :mod:`contradict.ingest`     read a folder into :class:`~contradict.records.Document` records
- :mod:`contradict.claims`     extract :class:`~contradict.records.Claim` records from documents
- :mod:`contradict.pairing`    choose cross-document claim pairs worth scoring
- :mod:`contradict.scoring`    the NLI model, its backends and the batching core; score pairs
- :mod:`contradict.findings`   kinds of contradiction and corroboration groups
- :mod:`contradict.jobs`       YAML batch jobs: state, alerts, webhooks
- :mod:`contradict.evaluation` measure a model on labelled files
- :mod:`contradict.training`   fit models on train-role data

At the top: :mod:`contradict.records` (the records), :mod:`contradict.pipeline` (``scan()``,
the stages end to end), :mod:`contradict.report` (the JSON report), :mod:`contradict.htmlreport`
(the report as one HTML page), :mod:`contradict.triage` (readers' decisions on pairs), :mod:`contradict.errors`
and :mod:`contradict.cli` (a thin command line over the library). :mod:`contradict.privacy`
turns the runtimes' telemetry off when the package is imported.
"""

from contradict.privacy import disable_telemetry

disable_telemetry()

__version__ = "0.1.0"
