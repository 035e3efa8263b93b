"""Indicator reports: what each member CAE says about a period, revision after revision."""
