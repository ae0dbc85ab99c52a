"""The checks ``chiso.files`` makes before and while reading, one by one.

- an archive bomb (``corpus.bomb``: 6 MB that unpack to 2 GB) is refused from the zip
  directory by every reader of workbooks, with Python's memory staying small and nothing
  ever unpacking it;
- ``guards.json_too_deep`` agrees with the depth Python's json finds, on random documents
  full of brackets, quotes and backslashes inside strings, however the blocks fall;
- ``encoding.examine`` names what it reads and what it refuses; ``tables.sniff_delimiter``;
- ``documents.parse_yaml`` / ``parse_json``: aliases, depth, NUL, numbers a float loses;
- the rows of JSON lines keep their line numbers, blank lines and block boundaries whatever.
"""
from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import fastexcel
import pytest

from chiso.catalog.workbook import read_workbook
from chiso.collect.values.batch import read_batch
from chiso.errors import LoadError
from chiso.files import documents, encoding, guards, tables
from chiso.files.documents import parse_json, parse_yaml
from chiso.files.encoding import examine
from chiso.files.guards import check_workbook, json_too_deep
from chiso.files.limits import current_limits
from chiso.files.reasons import BY_CODE
from chiso.files.tables import read_table, sniff_delimiter
from tests.files.corpus import BOMB_UNPACKED, billion_laughs, bomb, cp1258, nested

MB = 1 << 20


def refused(call, *args, **kwargs):
    with pytest.raises(LoadError) as caught:
        call(*args, **kwargs)
    return caught.value.problems


def code_of(reason: str) -> str:
    """The ``chiso.files`` reason code of an English reason."""
    return next(r.code for r in BY_CODE.values() if r.pattern.fullmatch(reason))


# ------------------------------------------------------------------ the archive bomb
def test_the_bomb_is_what_it_claims(tmp_path: Path) -> None:
    """A real bomb: its directory, and its first megabytes, are a workbook's sheet of 2 GB."""
    data = bomb()
    assert len(data) < 8 * MB
    path = tmp_path / "bom.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size >= BOMB_UNPACKED - MB and sheet.file_size / sheet.compress_size > 200
        with archive.open(sheet) as fh:
            head = fh.read(4 * MB)
    assert head.startswith(b'<?xml version="1.0"?><worksheet') and head.count(b"<row>") > 70_000


UNPACKERS = {
    "check_workbook": lambda path: check_workbook(path, path.name, current_limits()),
    "read_table": lambda path: read_table(path, path.name),
    "read_batch": lambda path: read_batch(path, path.name),
    "read_workbook": lambda path: read_workbook(path),
}


@pytest.fixture
def nothing_unpacks(monkeypatch):
    """Trip wires on the two ways a workbook is unpacked: Python's zip reader and fastexcel."""
    def tripped(*args, **kwargs):
        raise AssertionError("the workbook was opened for reading after all")

    monkeypatch.setattr(zipfile.ZipFile, "open", tripped)
    monkeypatch.setattr(fastexcel, "read_excel", tripped)


@pytest.mark.parametrize("ratio, code", [(None, "file.ratio"), ("100000", "file.unpacked")])
@pytest.mark.parametrize("reader", list(UNPACKERS))
def test_a_bomb_is_refused_from_its_directory_before_anything_is_unpacked(
        reader: str, ratio: str | None, code: str, tmp_path: Path, monkeypatch, nothing_unpacks) -> None:
    if ratio is not None:  # a bomb compressed no more than allowed is still too big unpacked
        monkeypatch.setenv("CHISO_FILE_MAX_RATIO", ratio)
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(bomb())
    tracemalloc.start()
    try:
        problems = refused(UNPACKERS[reader], path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB, f"{peak / MB:.1f} MB"
    [p] = problems
    assert (p.file, p.row) == (str(path) if reader == "read_workbook" else path.name, None)
    assert code_of(p.reason) == code and "refused before unpacking" in p.reason


def test_a_workbook_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nhieu.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(current_limits().max_parts):
            archive.writestr(f"xl/media/{i}.txt", "")
    [p] = refused(check_workbook, path, path.name, current_limits())
    assert code_of(p.reason) == "file.parts"


# ------------------------------------------------------------------ JSON depth
def depth(value) -> int:
    """The nesting of lists and objects, as Python's json parsed it."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def first_line_deeper(text: str, limit: int) -> int | None:
    """The reference scanner, a character at a time: the line where nesting first passes ``limit``."""
    level, line, inside, escaped = 0, 1, False, False
    for ch in text:
        if inside:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                inside = False
        elif ch == '"':
            inside = True
        elif ch in "[{":
            level += 1
            if level > limit:
                return line
        elif ch in "]}":
            level -= 1
        if ch == "\n":
            line += 1
    return None


#: What strings are made of: brackets, quotes, backslashes, escapes, Vietnamese, line ends.
PIECES = ["[", "]", "{", "}", '"', "\\", '\\"', "\\\\", "\\]", "\n", "a", "ệ", "\u2028", "\\u005c", ":", ","]


def random_value(rng: random.Random, budget: int):
    roll = rng.random()
    if budget <= 0 or roll < 0.25:
        return rng.choice([1, -2.5, True, None, "".join(rng.choices(PIECES, k=rng.randint(0, 12)))])
    if roll < 0.6:
        return [random_value(rng, budget - 1) for _ in range(rng.randint(0, 3))]
    return {"".join(rng.choices(PIECES, k=rng.randint(0, 6))): random_value(rng, budget - 1)
            for _ in range(rng.randint(0, 3))}


def documents_to_scan(seed: int) -> list[tuple[str, int]]:
    """(JSON text, its depth as Python's json parses it): documents, indented or not, and JSON lines."""
    rng = random.Random(seed)
    out = []
    for i in range(40):
        if i % 5 == 0:  # JSON lines: the deepest line
            values = [random_value(rng, rng.randint(0, 8)) for _ in range(4)]
            text = "\n".join(json.dumps(v, ensure_ascii=False) for v in values)
            out.append((text, max(depth(json.loads(line)) for line in text.split("\n"))))
        else:
            text = json.dumps(random_value(rng, rng.randint(0, 12)), ensure_ascii=False,
                              indent=rng.choice([None, 1, 2]))
            out.append((text, depth(json.loads(text))))
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 1 << 22])
def test_json_depth_agrees_with_python_json_wherever_the_blocks_fall(chunk: int, tmp_path: Path,
                                                                     monkeypatch) -> None:
    monkeypatch.setattr(guards, "_CHUNK", chunk)
    for n, (text, expected) in enumerate(documents_to_scan(seed=chunk)):
        raw = text.encode()
        path = tmp_path / f"{n}.json"
        path.write_bytes(raw)
        for source in (raw, path):
            assert json_too_deep(source, expected) is None, text
            if expected:
                assert json_too_deep(source, expected - 1) == first_line_deeper(text, expected - 1), text
            assert json_too_deep(source, 0) == first_line_deeper(text, 0)


def test_json_depth_is_scanned_without_recursion_however_deep(monkeypatch) -> None:
    monkeypatch.setattr(guards, "_CHUNK", 4096)
    deep = ("[\n" * 3 + nested(1_000_000) + "\n]" * 3).encode()
    assert json_too_deep(deep, 32) == 4
    assert json_too_deep(deep, 1_000_003) is None
    escaped = ('["' + "\\\\" * 5000 + '\\"[[[[", [[1]]]').encode()  # brackets inside a string count nothing
    assert json_too_deep(escaped, 2) == 1 and json_too_deep(escaped, 3) is None


# ------------------------------------------------------------------ encodings
def test_cp1258_is_named_with_the_line_of_its_first_letter(tmp_path: Path) -> None:
    path = tmp_path / "thu.csv"
    text = "indicator,unit,period,value,note\n" + "".join(
        f"NS.CHI_NSDP,24,2026-0{m},{60 * m},Sở Tài chính đối chiếu số liệu tháng {m} với Kho bạc\n" for m in range(1, 7))
    data = cp1258(text)
    assert data.decode("cp1258") != text  # tone marks combining: a real Windows-1258 file
    path.write_bytes(data)
    [p] = refused(examine, path, "thu.csv")
    assert (p.file, p.row, p.column) == ("thu.csv", None, None)
    assert code_of(p.reason) == "file.encoding" and "Windows-1258 (cp1258)" in p.reason and "line 2" in p.reason


@pytest.mark.parametrize("bom, codec, found", [
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"), (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (b"", "utf-8", "utf-8")])
def test_what_is_read_and_how(bom: bytes, codec: str, found: str, tmp_path: Path) -> None:
    text = "mã chỉ số;kỳ;giá trị\nNS.CHI_NSDP;2026-07;430,5\n"
    path = tmp_path / "a.csv"
    path.write_bytes(bom + text.encode(codec))
    got = examine(path, "a.csv")
    assert got.encoding == found
    assert (got.utf8 is None) == (found.startswith("utf-8"))
    assert encoding.read_text(path, "a.csv") == text


def test_utf16_without_a_mark_and_bytes_that_are_no_text_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("indicator,unit,period,value\nNS.CHI_NSDP,24,2026-07,430\n".encode("utf-16-le"))
    assert code_of(refused(examine, path, "a.csv")[0].reason) == "file.utf16_no_bom"
    path.write_bytes(b"indicator\n" * 4 + b"NS.CHI_NSDP\xff\xfe\n")
    [p] = refused(examine, path, "a.csv")
    assert code_of(p.reason) in ("file.not_utf8", "file.encoding") and "line 5" in p.reason
    path.write_bytes(b"indicator\nkh\xe1\xbb")  # a letter cut short at the end of the file
    assert "line 2" in refused(examine, path, "a.csv")[0].reason


def test_a_letter_across_the_block_boundary_is_read_whole(tmp_path: Path) -> None:
    block = encoding._BLOCK
    text = "a" * (block - 1) + "ệ" + "\nkết thúc\n"  # ệ is 3 bytes: the block ends inside it
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode())
    assert examine(path, "a.csv").encoding == "utf-8"


# ------------------------------------------------------------------ delimiters
@pytest.mark.parametrize("header, delimiter", [
    ("indicator,unit,period,value", ","),
    ("indicator;unit;period;value", ";"),
    ("mã chỉ số;mã đơn vị;kỳ;giá trị\r", ";"),
    ("indicator\tunit\tperiod\tvalue", "\t"),
    ("indicator|unit|period|value", "|"),
    ('"a;b",c', ","),                 # a delimiter inside quotes does not count
    ('"giá trị, tỷ đồng";kỳ;ghi chú', ";"),
    ("a,b;c", ","),                   # a tie goes to the comma
    ("indicator", ","),               # one column: nothing to tell
    ("", ","),
])
def test_the_delimiter_is_the_one_that_splits_the_header_most(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header + "\nx,y;z\tw|v\n") == delimiter


# ------------------------------------------------------------------ YAML and JSON documents
def test_yaml_anchors_and_aliases_are_refused_before_anything_is_built() -> None:
    tracemalloc.start()
    try:
        [p] = refused(parse_yaml, billion_laughs(), "danh-muc.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB
    assert (p.file, p.row, code_of(p.reason)) == ("danh-muc.yaml", 2, "file.alias")
    [p] = refused(parse_yaml, "a: &x 1\nb: 2\n", "a.yaml")  # an anchor alone, too
    assert (p.row, code_of(p.reason)) == (1, "file.alias")


@pytest.mark.parametrize("style", ["block", "flow"])
def test_yaml_depth_is_refused_at_its_line(style: str, monkeypatch) -> None:
    monkeypatch.setenv("CHISO_FILE_MAX_DEPTH", "5")

    def doc(levels: int) -> str:
        """A document nested ``levels`` deep (its own mapping the first)."""
        if style == "flow":
            return "a: 1\ntop: " + nested(levels - 1) + "\n"
        return ("a: 1\ntop:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels - 2))
                + "  " * (levels - 1) + "v: 1\n")

    assert parse_yaml(doc(5), "a.yaml")["top"] is not None
    [p] = refused(parse_yaml, doc(6), "a.yaml")
    assert code_of(p.reason) == "file.depth" and p.row == (2 if style == "flow" else 7)


def test_yaml_deeper_than_libyaml_itself_is_a_depth_refusal() -> None:
    [p] = refused(parse_yaml, "a: 1\nb: " + nested(200_000) + "\n", "a.yaml")
    assert (p.row, code_of(p.reason)) == (2, "file.depth")


def test_json_refusals_name_the_line() -> None:
    [p] = refused(parse_json, '{"a": 1,\n "b": ' + nested(40) + "}", "a.json")
    assert (p.row, code_of(p.reason)) == (2, "file.depth")
    [p] = refused(parse_json, '{"a": 1}\n\n{"b": 2}', "a.json")
    assert code_of(p.reason) == "file.bad_json" and "Extra data at line 3, column 1" in p.reason
    [p] = refused(parse_json, '{"a": "x",\n "b": ["y", "nul\\u0000"]}', "a.json")
    assert (p.row, code_of(p.reason)) == (2, "file.nul")
    [p] = refused(parse_yaml, 'a: x\nb: "nul\\0"\n', "a.yaml")
    assert (p.row, code_of(p.reason)) == (2, "file.nul")


def test_json_numbers_a_float_would_lose_are_kept_as_written() -> None:
    doc = parse_json('[1e-400, 0.0, 0e5, 1e400, -1E+309, 2.5e-300, 0.' + "0" * 400 + "1, 12.5, 7]", "a.json")
    assert doc == ["1e-400", 0.0, 0.0, "1e400", "-1E+309", 2.5e-300, "0." + "0" * 400 + "1", 12.5, 7]
    assert documents.json_number("1e-400") == "1e-400" and documents.json_number("3.25") == 3.25


# ------------------------------------------------------------------ rows of JSON lines
@pytest.mark.parametrize("block", [1, 2, 7, 1 << 22])
def test_rows_of_json_lines_keep_their_line_numbers(block: int, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tables, "_LINES_BLOCK", block)
    rng = random.Random(block)
    for trial in range(20):
        lines, expected = [], []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.35:
                lines.append(rng.choice(["", "  ", "\t", "\r", " \r"]))
            else:
                lines.append(json.dumps({"id": f"D{len(lines) + 1}", "n": rng.randint(0, 9)}))
                expected.append(len(lines))
        if not expected:
            continue
        ending = rng.choice(["\n", "\r\n", ""])
        path = tmp_path / f"{trial}.jsonl"
        path.write_text("\n".join(lines).replace("\n", ending or "\n") + ending, encoding="utf-8")
        frame = read_table(path, "a.jsonl").frame
        assert frame[tables.ROW].to_list() == expected, lines
        assert frame["id"].to_list() == [f"D{n}" for n in expected]


def test_a_number_a_float_loses_in_json_lines_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text('{"value": 0}\n\n{"value": 1e-400}\n{"value": 2.5}\n{"value": 3}\n', encoding="utf-8")
    frame = read_table(path, "v.jsonl").frame
    assert frame[tables.ROW].to_list() == [1, 3, 4, 5]
    assert frame["value"].to_list() == ["0", "1e-400", "2.5", "3"]
    path.write_text('{"value": 0}\n{"value": 2.5}\n', encoding="utf-8")  # nothing lost: numbers stay numbers
    assert read_table(path, "v.jsonl").frame["value"].to_list() == [0.0, 2.5]


@pytest.mark.slow
def test_a_real_chiso_process_refuses_the_bomb_without_unpacking_it(sqlite_template: Path, tmp_path: Path) -> None:
    """``chiso values submit`` in its own process: refused, and the process never held the 2 GB
    (its peak resident memory, which counts what fastexcel's Rust code would allocate too)."""
    data = tmp_path / "data"
    shutil.copytree(sqlite_template, data)
    (tmp_path / "chi.xlsx").write_bytes(bomb())
    run = ("import sys\n"
           "from chiso.cli.app import app\n"
           "try:\n"
           "    app(sys.argv[1:])\n"
           "except SystemExit as exit:\n"
           "    code = exit.code\n"
           # VmHWM: this program's own peak (ru_maxrss would carry over the forking worker's)
           "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
           "print('peak', int(hwm) * 1024, file=sys.stderr)\n"
           "sys.exit(code)\n")
    env = {**os.environ, "CHISO_DATA_DIR": str(data),
           "CHISO_DATABASE_URL": f"sqlite:///{(data / 'chiso.sqlite').as_posix()}",
           "CHISO_RECORDS_URL": f"duckdb:///{(data / 'records.duckdb').as_posix()}"}
    done = subprocess.run([sys.executable, "-c", run, "values", "submit", "chi.xlsx", "--as", "24-STC"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.split())
    assert "chi.xlsx: part xl/worksheets/sheet1.xml of the workbook is compressed" in said
    assert "refused before unpacking" in said
    peak = int(said.rsplit("peak ", 1)[1].split()[0])
    assert peak < 1 << 30, f"{peak / MB:.0f} MB"  # the bomb unpacks to 2 GB; chiso itself takes a few hundred
