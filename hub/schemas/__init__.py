"""The schema registry: published JSON Schemas, their validators and their code lists."""
