"""Jobs: YAML-configured batch runs for schedules, with state, alerts and webhooks.

- :mod:`~contradict.jobs.config`: the strict job-file schema, ``${VAR}`` interpolation.
- :mod:`~contradict.jobs.runner`: one job end to end, reusing cached claims and scores.
- :mod:`~contradict.jobs.state`: the SQLite state (claim and score caches, outbox, lock).
- :mod:`~contradict.jobs.alerts`: alert selection and the JSON-lines alert file.
- :mod:`~contradict.jobs.webhooks`: delivery with retries.

Entry points: :func:`load_jobs`, then :func:`run_jobs`.
"""

from contradict.jobs.config import ConfigError, JobConfig, LoadedJobs, load_jobs
from contradict.jobs.runner import JobResult, run_job, run_jobs

__all__ = ["ConfigError", "JobConfig", "JobResult", "LoadedJobs", "load_jobs", "run_job", "run_jobs"]
