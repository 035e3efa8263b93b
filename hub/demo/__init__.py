"""``cae-hub demo``: a demonstration federation that runs end to end."""

from hub.demo.command import demo

__all__ = ["demo"]
