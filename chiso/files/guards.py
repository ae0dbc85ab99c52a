"""Cheap checks made before a file is read: its size, what a workbook or Parquet file would
unpack to (from its directory, before anything is unpacked), and how deep JSON nests.

Each raises a ``LoadError`` naming the file and the reason; none reads more than it must.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from chiso.errors import LoadError, Problem
from chiso.files.limits import Limits
from chiso.files.reasons import size_text, text


def refuse(name: str, reason: str, row: int | None = None, column: str | None = None) -> LoadError:
    """A LoadError for one problem with a whole file (or one place in it)."""
    return LoadError([Problem(name, row, column, reason)], total=1)


def check_size(path: Path, name: str, max_bytes: int) -> int:
    size = path.stat().st_size
    if size > max_bytes:
        raise refuse(name, text("file.too_big", size=size_text(size), limit=size_text(max_bytes)))
    return size


def check_workbook(path: Path, name: str, limits: Limits) -> None:
    """Refuse a workbook whose parts would unpack past the limits — read from the zip
    directory alone, so an archive bomb costs a few kilobytes of reading."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refuse(name, text("file.not_workbook", detail=str(exc) or type(exc).__name__)) from None
    if len(parts) > limits.max_parts:
        raise refuse(name, text("file.parts", parts=len(parts), limit=limits.max_parts))
    total = 0
    for part in parts:
        total += part.file_size
        packed = max(part.compress_size, 1)
        # small parts compress well and harmlessly: the ratio counts from a megabyte up
        if part.file_size > 1 << 20 and part.file_size / packed > limits.max_ratio:
            raise refuse(name, text("file.ratio", part=part.filename, ratio=f"{part.file_size / packed:,.0f}",
                                    limit=limits.max_ratio))
    if total > limits.max_unpacked_bytes:
        raise refuse(name, text("file.unpacked", size=size_text(total), limit=size_text(limits.max_unpacked_bytes)))
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise refuse(name, text("file.not_workbook", detail="it has no xl/workbook.xml"))


def check_parquet(path: Path, name: str, limits: Limits) -> None:
    """Refuse a Parquet file whose rows, columns or unpacked size pass the limits (its footer)."""
    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a broken footer
        raise refuse(name, text("file.unreadable", format="parquet", detail=str(exc).splitlines()[0])) from None
    if meta.num_rows > limits.max_rows:
        raise refuse(name, text("file.rows", limit=f"{limits.max_rows:,}"))
    if meta.num_columns > limits.max_columns:
        raise refuse(name, text("file.columns", columns=meta.num_columns, limit=limits.max_columns))
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.max_unpacked_bytes:
        raise refuse(name, text("file.unpacked", size=size_text(unpacked),
                                limit=size_text(limits.max_unpacked_bytes)).replace("workbook", "file"))


_CHUNK = 1 << 22  # JSON is scanned 4 MB at a time: memory stays flat whatever the file's size
_QUOTE, _OPEN_LIST, _CLOSE_LIST, _OPEN_OBJECT, _CLOSE_OBJECT = 34, 91, 93, 123, 125


def _blocks(source: bytes | Path) -> Iterator[bytes]:
    """The source in blocks that never end inside a backslash escape."""
    if isinstance(source, bytes):
        data = source
        read = None
    else:
        fh = source.open("rb")
        read = fh.read
    try:
        pos = 0
        while True:
            if read is None:
                block, pos = data[pos:pos + _CHUNK], pos + _CHUNK
            else:
                block = read(_CHUNK)
            if not block:
                return
            run = len(block) - len(block.rstrip(b"\\"))
            if run % 2:  # an escape cut in two: take its second character along
                if read is None:
                    block, pos = block + data[pos:pos + 1], pos + 1
                else:
                    block += read(1)
            yield block
    finally:
        if read is not None:
            fh.close()


def json_too_deep(source: bytes | Path, max_depth: int) -> int | None:
    """The line where JSON (or JSON lines) first nests deeper than ``max_depth``, or ``None``.

    A vectorised scan, not a parse, a few megabytes at a time: escapes are blanked, quotes
    toggle "inside a string", and brackets outside strings move the depth. The parser (which
    recurses) then only ever sees a file of bounded depth."""
    inside, depth, lines = 0, 0, 0
    for raw in _blocks(source):
        block = raw.replace(b"\\\\", b"  ").replace(b'\\"', b"  ")  # same length: offsets stay true
        a = np.frombuffer(block, dtype=np.uint8)
        # only quotes and brackets matter: the running sums go over those (a tenth of the bytes)
        at = np.flatnonzero((a == _QUOTE) | (a == _OPEN_LIST) | (a == _OPEN_OBJECT)
                            | (a == _CLOSE_LIST) | (a == _CLOSE_OBJECT))
        if at.size:
            c = a[at]
            quotes = np.cumsum(c == _QUOTE, dtype=np.int64) + inside
            outside = (quotes & 1) == 0
            step = (((c == _OPEN_LIST) | (c == _OPEN_OBJECT)) & outside).astype(np.int8) \
                - (((c == _CLOSE_LIST) | (c == _CLOSE_OBJECT)) & outside).astype(np.int8)
            levels = np.cumsum(step, dtype=np.int64) + depth
            over = np.flatnonzero(levels > max_depth)
            if over.size:
                return lines + block.count(b"\n", 0, int(at[over[0]])) + 1
            inside, depth = int(quotes[-1]) & 1, int(levels[-1])
        lines += block.count(b"\n")
    return None
