"""The built-in ``lheo`` connector: a LHÉO 2.3 (or 2.2) file, the training catalogue a CAE
already exports for its Carif-Oref, sent to the hub as a ``training-catalogue`` document."""

from connectors.lheo.connector import LheoConnector

__all__ = ["LheoConnector"]
