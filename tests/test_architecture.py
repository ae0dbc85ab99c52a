"""The layer contract (docs/architecture.md): imports point down only, inside functions too.

The contract itself is import-linter's, configured in ``pyproject.toml``; these tests run
it, prove once that it catches a forbidden import hidden inside a function, and check the
two rules import-linter does not express: no ``_private`` name is imported from another
module, and an import inside a function carries a ``# lazy:`` reason.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "chiso"
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--config", str(cwd / "pyproject.toml"), "--no-cache"], cwd=cwd,
                          capture_output=True, text=True, env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"})


def test_the_layer_contract_is_kept() -> None:
    run = lint_imports(ROOT, ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


@pytest.mark.slow
def test_the_contract_catches_an_upward_import_hidden_in_a_function(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "chiso", ignore=shutil.ignore_patterns("static", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "chiso" / "units" / "probe.py").write_text(
        "def sneaky():\n    from chiso.cli.app import app  # the bottom reaching for the top\n\n    return app\n")
    run = lint_imports(tmp_path, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "chiso.units.probe -> chiso.cli.app" in run.stdout
    assert "BROKEN" in run.stdout


def modules() -> list[tuple[str, Path, ast.Module]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        out.append((name, path, ast.parse(path.read_text(), str(path))))
    return out


def test_no_private_name_is_imported_from_another_module() -> None:
    found = []
    for name, path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("chiso"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__") and node.module != name:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}")
    assert found == []


def _reason_above(lines: list[str], lineno: int) -> bool:
    """Whether the import on ``lineno`` (1-based), or the block of imports it ends, has a
    ``# lazy:`` reason on its own line or on the comment line just above the block."""
    i = lineno - 1
    if "# lazy:" in lines[i]:
        return True
    while i > 0 and lines[i - 1].lstrip().startswith(("from ", "import ")):
        i -= 1
    return i > 0 and lines[i - 1].lstrip().startswith("# lazy:")


def test_imports_inside_functions_have_a_reason() -> None:
    """An import of chiso inside a function needs a ``# lazy:`` reason (the command modules of
    ``chiso.cli`` import on call, measured: docs/decisions.md 44); everywhere else imports sit at
    the top."""
    found = []
    for name, path, tree in modules():
        lines = path.read_text().splitlines()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    target = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    if (target or "").startswith("chiso") and not _reason_above(lines, node.lineno):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {target}")
    assert sorted(set(found)) == []


def test_the_reason_rule_catches_an_import_without_one() -> None:
    lines = ["def f():", "    from chiso.cli.app import app", "    return app"]
    assert not _reason_above(lines, 2)
    assert _reason_above(["def f():", "    # lazy: why", "    from chiso.a import b", "    import chiso.c"], 4)
