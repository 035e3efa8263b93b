"""Connectors: read a CAE's own system and turn it into hub documents, and the sync client."""
