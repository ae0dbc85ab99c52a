"""Assigned tasks evaluated: states of the register at any dates, the indicators fed by them,
scoreboards and panels (docs/tasks.md)."""
