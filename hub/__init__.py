"""cae-hub: the data-exchange hub of the federation of building-sector CAEs."""

__version__ = "0.1.0"
