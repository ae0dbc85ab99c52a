"""The ``chiso`` command (``chiso.cli.app:app``): thin commands over the packages below.

Each command module imports what a command runs inside the command itself — the one place
in chiso where imports sit in functions — so that ``chiso --help`` and every command load
only what they use (measured, docs/decisions.md 44: ``import chiso.cli.app`` takes
1.6–2.1 s this way and 4.6–5.7 s with every import at the top). Shared helpers are public,
in ``common.py``; printing is ``output.py``.
"""
