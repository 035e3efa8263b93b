"""What the hub and the CAE-side client must agree on, and nothing else.

- ``registry``: the published JSON Schemas (shipped in ``schemas/``, the top-level folder of
  the source tree), loaded read-only and validated with French messages (``messages``) and
  JSON paths; ``refs`` resolves their references.
- ``catalogue`` and ``dimensions``: the indicators a report may carry and their breakdowns.
- ``consistency`` (with ``consistency.toml``) and ``continuity``: the rules a report must
  keep, checked the same way before sending and on arrival.
- ``periods``: semesters and years, in Paris time.
- ``problems``: the refusal item type (path and French message).
- ``format``: numbers, dates and periods written the French way.
- ``cli``, ``cli_french``: what every ``cae-hub`` command shares (``CliError``, ``fail``, the
  French help and usage errors, subcommands found through the ``cae_hub.commands`` entry
  points).

It imports neither FastAPI nor SQLAlchemy: a CAE installs it with the client alone.
"""
