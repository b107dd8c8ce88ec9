"""khoibot's runtime wiring: configuration, clock, logging, rendering, the Application."""

__version__ = "0.1.0"
