"""Statistics published by the hub: disclosure control of the federation's tables."""
