"""Command-line arguments arrive in NFC (chiso.cli.common.ComposedArgs)."""
from __future__ import annotations

import unicodedata

import typer
from typer.testing import CliRunner

from chiso.cli.app import app as chiso_app
from chiso.cli.common import ComposedArgs, composed

NAME = "Phường Kinh Bắc"
NFD = unicodedata.normalize("NFD", NAME)


def echo_app() -> typer.Typer:
    app = typer.Typer(cls=ComposedArgs)

    @app.command()
    def say(word: str, note: str = typer.Option("", "--note")) -> None:
        typer.echo(f"{word}|{note}")

    @app.command()
    def other() -> None:  # two commands: ``say`` is a subcommand, as in chiso
        pass

    return app


def test_arguments_and_option_values_are_composed() -> None:
    r = CliRunner().invoke(echo_app(), ["say", NFD, "--note", NFD])
    assert r.exit_code == 0 and r.output.strip() == f"{NAME}|{NAME}"
    r = CliRunner().invoke(echo_app(), ["say", NFD, f"--note={NFD}"])
    assert r.output.strip() == f"{NAME}|{NAME}"


def test_a_file_named_in_decomposed_form_still_opens(tmp_path) -> None:
    mac = tmp_path / f"{NFD}.csv"
    mac.write_text("x\n")
    assert composed(str(mac)) == str(mac)  # only this spelling exists on disk
    assert composed(f"--file={mac}") == f"--file={mac}"
    assert composed(str(tmp_path / f"{NFD}-missing.csv")) == str(tmp_path / f"{NAME}-missing.csv")


def test_chiso_itself_composes_its_arguments() -> None:
    assert isinstance(chiso_app, typer.Typer) and chiso_app.info.cls is ComposedArgs
