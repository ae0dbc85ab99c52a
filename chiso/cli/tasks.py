"""PLACEHOLDER (issue 13): filled by its owner before commit."""
import typer

app = typer.Typer(no_args_is_help=True)
