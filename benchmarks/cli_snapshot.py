"""Snapshot every read-only ``chiso`` command's output on a demo store, and compare two snapshots.

A refactor that must not change behaviour is checked by taking a snapshot before it and
one after it on the same store, then comparing them byte for byte:

    .venv/bin/python benchmarks/cli_snapshot.py take  --data ./data --out /tmp/before
    ... change the code ...
    .venv/bin/python benchmarks/cli_snapshot.py take  --data ./data --out /tmp/after
    .venv/bin/python benchmarks/cli_snapshot.py diff  /tmp/before /tmp/after

Each command's standard output, standard error and exit code are kept in one file per
command. ``--help`` of every command and group is included, so the command tree and its
help texts are compared too. Commands that write (load, submit, approve, …) are left out:
they are covered by the test suite; this script runs on the store as it is.
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

# (name, arguments). Read-only commands, run against the demo store (``chiso init --demo``).
COMMANDS: list[tuple[str, list[str]]] = [
    ("version", ["version"]),
    ("units-24-commune-json", ["units", "--province", "24", "--level", "commune", "--format", "json"]),
    ("units-provinces-table", ["units", "--level", "province"]),
    ("score-24-json", ["score", "--province", "24", "--format", "json"]),
    ("score-24-csv", ["score", "--province", "24", "--format", "csv"]),
    ("score-24-department-table", ["score", "--province", "24", "--level", "department"]),
    ("score-month-csv", ["score", "--province", "24", "--window", "2026-08", "--format", "csv"]),
    ("rank-province-table", ["rank", "--level", "province"]),
    ("rank-commune-json", ["rank", "--province", "24", "--level", "commune", "--format", "json"]),
    ("rank-department-csv", ["rank", "--province", "24", "--level", "department", "--format", "csv"]),
    ("whatif-json", ["whatif", "--unit", "24", "--set", "ONLINE_SERVICE=0.9", "--set", "ON_TIME=95%",
                     "--format", "json"]),
    ("whatif-bad", ["whatif", "--unit", "24", "--set", "ONLINE_SERVICE"]),
    ("levers-table", ["levers", "--unit", "24"]),
    ("levers-json", ["levers", "--unit", "24", "--share", "0.8", "--format", "json"]),
    ("explain-json", ["explain", "--unit", "24", "--criterion", "ON_TIME", "--limit", "20", "--format", "json"]),
    ("explain-table", ["explain", "--unit", "24", "--criterion", "PROCEDURE_PAID_ONLINE", "--limit", "10"]),
    ("explain-bad-unit", ["explain", "--unit", "99999", "--criterion", "ON_TIME"]),
    ("score-bad-window", ["score", "--window", "2026-13"]),
    ("catalog-list-json", ["catalog", "list", "--format", "json"]),
    ("catalog-export-yaml", ["catalog", "export", "--format", "yaml"]),
    ("catalog-export-json", ["catalog", "export", "--format", "json"]),
    ("catalog-show", ["catalog", "show", "KT.LAO_DONG_KCN"]),
    ("catalog-show-json", ["catalog", "show", "KT.LAO_DONG_KCN", "--format", "json"]),
    ("catalog-show-missing", ["catalog", "show", "KHONG.CO"]),
    ("catalog-history", ["catalog", "history", "KT.LAO_DONG_KCN"]),
    ("formula-check", ["formula", "check", "ytd(NS.THU) / annual(NS.DU_TOAN) * 100"]),
    ("formula-check-json", ["formula", "check", "min(NS.THU, 3) + previous(NS.THU)", "--format", "json"]),
    ("formula-check-sql", ["formula", "check", "NS.THU / 2", "--sql", "postgres"]),
    ("formula-check-bad", ["formula", "check", "NS.THU / / 2"]),
    ("values-list-json", ["values", "list", "--indicator", "KT.LAO_DONG_KCN", "--format", "json"]),
    ("values-list-csv", ["values", "list", "--unit", "24", "--format", "csv"]),
    ("values-history", ["values", "history", "--indicator", "KT.LAO_DONG_KCN", "--unit", "24"]),
    ("values-states-json", ["values", "states", "--format", "json"]),
    ("connectors-list", ["connectors", "list"]),
    ("connectors-status-json", ["connectors", "status", "--format", "json"]),
    ("targets-list-json", ["targets", "list", "--format", "json"]),
    ("targets-statistical-list", ["targets", "statistical", "list"]),
    ("status-json", ["status", "--province", "24", "--format", "json"]),
    ("status-table", ["status", "--province", "24"]),
    ("warnings-json", ["warnings", "--province", "24", "--format", "json"]),
    ("warnings-table", ["warnings", "--province", "24"]),
    ("warnings-history", ["warnings", "history", "1"]),
    ("counts-list", ["counts", "list"]),
    ("bulletins-schedule-list", ["bulletins", "schedule", "list"]),
    ("bulletins-archive", ["bulletins", "archive"]),
    ("report-html", ["report", "--province", "24", "--format", "html", "--out", "{tmp}/bulletin.html"]),
    ("users-list-json", ["users", "list", "--format", "json"]),
    ("users-token-list", ["users", "token", "list"]),
]


def help_commands(chiso: str, env: dict) -> list[tuple[str, list[str]]]:
    """``--help`` of the root and of every command and group, found by walking the help texts."""
    out: list[tuple[str, list[str]]] = []
    todo: list[list[str]] = [[]]
    while todo:
        path = todo.pop(0)
        out.append(("help-" + ("-".join(path) or "root"), [*path, "--help"]))
        text = subprocess.run([chiso, *path, "--help"], capture_output=True, text=True, env=env).stdout
        in_commands = False
        for line in text.splitlines():
            if "Commands" in line and line.lstrip().startswith(("╭", "Commands")):
                in_commands = True
                continue
            if in_commands:
                if line.lstrip().startswith("╰"):
                    in_commands = False
                    continue
                words = line.strip("│ ").split()
                if words and words[0].replace("-", "").isalnum() and line.startswith("│ " + words[0]):
                    todo.append([*path, words[0]])
    return out


def take(data: Path, out: Path, chiso: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "_files"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "CHISO_DATA_DIR": str(data), "COLUMNS": "160", "LINES": "50", "TERM": "dumb",
           "NO_COLOR": "1", "TZ": "Asia/Ho_Chi_Minh", "PYTHONHASHSEED": "0"}
    commands = help_commands(chiso, env) + COMMANDS
    for name, args in commands:
        args = [a.replace("{tmp}", str(tmp)) for a in args]
        p = subprocess.run([chiso, *args], capture_output=True, text=True, env=env)
        body = (f"$ chiso {' '.join(args).replace(str(tmp), '{tmp}')}\n# exit {p.returncode}\n"
                f"# stdout\n{p.stdout.replace(str(tmp), '{tmp}')}# stderr\n{p.stderr.replace(str(tmp), '{tmp}')}")
        (out / f"{name}.txt").write_text(body)
        print(f"{p.returncode:>3} {name}", file=sys.stderr)
    rehash(out)


#: The moment a bulletin was made, printed in its footer: the one part of a file that differs by run.
MADE_AT = re.compile(rb"(T\xe1\xba\xa1o l\xc3\xbac|Generated|Made) (at )?\d\d/\d\d/\d{4} \d\d:\d\d")


def rehash(out: Path) -> None:
    """A digest of every file the commands wrote, with the moment of making blanked."""
    for f in sorted((out / "_files").iterdir()):
        data = MADE_AT.sub(rb"\1 <time>", f.read_bytes())
        (out / f"file-{f.name}.sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")


def diff(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.glob("*.txt")} | {p.name for p in a.glob("*.sha256")}
                   | {p.name for p in b.glob("*.txt")} | {p.name for p in b.glob("*.sha256")})
    bad = 0
    for n in names:
        x = (a / n).read_text() if (a / n).exists() else "(missing)\n"
        y = (b / n).read_text() if (b / n).exists() else "(missing)\n"
        if x != y:
            bad += 1
            sys.stdout.writelines(difflib.unified_diff(x.splitlines(True), y.splitlines(True), f"a/{n}", f"b/{n}"))
    print(f"{len(names) - bad} of {len(names)} outputs identical", file=sys.stderr)
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="verb", required=True)
    t = sub.add_parser("take")
    t.add_argument("--data", type=Path, default=Path("data"))
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--chiso", default=str(Path(sys.executable).with_name("chiso")))
    r = sub.add_parser("rehash", help="recompute the files' digests of a snapshot")
    r.add_argument("out", type=Path)
    d = sub.add_parser("diff")
    d.add_argument("a", type=Path)
    d.add_argument("b", type=Path)
    ns = ap.parse_args()
    if ns.verb == "take":
        take(ns.data.resolve(), ns.out, ns.chiso)
        return 0
    if ns.verb == "rehash":
        rehash(ns.out)
        return 0
    return diff(ns.a, ns.b)


if __name__ == "__main__":
    sys.exit(main())
