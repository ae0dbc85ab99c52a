"""The ``chiso`` command. Thin: each command gathers options and calls one function."""
from __future__ import annotations

import typer

app = typer.Typer(help="chiso — chỉ số chỉ đạo, điều hành và chất lượng phục vụ (Decision 766).",
                  no_args_is_help=True)


@app.command()
def version() -> None:
    """Print the chiso version."""
    from chiso import __version__

    typer.echo(__version__)
