"""The audit trail: append-only events chained by SHA-256, signed checkpoints and receipts.

Domains write their own events through :func:`hub.audit.service.record`; this package never
reaches into them.
"""
