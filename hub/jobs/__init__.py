"""Hub jobs: scheduled work declared by each domain in its own ``tasks.py``.

A domain registers a job with :func:`hub.jobs.registry.job`; :mod:`hub.jobs.scheduler` fires
them in every hub process and :mod:`hub.jobs.service` makes sure each slot runs once across
all of them.
"""
