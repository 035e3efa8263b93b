"""The CAE's side of payroll delegation: its keys (made and kept here, never sent), and the
encrypted, signed payloads it sends and receives through the hub (``cae-hub cles …``,
``cae-hub paie …``)."""
