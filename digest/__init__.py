"""digest: turn Chinese regional news round-ups into a browsable static site."""

__version__ = "0.1.0"
