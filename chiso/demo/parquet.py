"""Writing generated records as Parquet parts whose columns match ``chiso.catalog.records``.

Types follow the record schema (str → string, int → int32, bool → bool, date → date32,
enum → string). Repetitive text columns are handed to Parquet as Arrow dictionaries,
which Parquet stores dictionary-encoded; the Arrow schema is not embedded in the file
(``store_schema=False``) so every reader sees plain ``string`` columns, as the schema
says, rather than categoricals.

Encoding and compression run in a background thread: pyarrow releases the GIL, so on a
two-core machine the next block is generated while the previous one is written.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from chiso.catalog.records import RecordKind

ARROW_TYPES = {"str": pa.string(), "int": pa.int32(), "bool": pa.bool_(), "date": pa.date32(),
               "enum": pa.string()}
COMPRESSION = "zstd"
MAX_PENDING = 2  # tables queued for the writer thread


def arrow_schema(kind: RecordKind) -> pa.Schema:
    """The Arrow schema a reader sees for ``kind``."""
    return pa.schema([pa.field(f.name, ARROW_TYPES[f.type]) for f in kind.fields])


def conform(table: pa.Table, kind: RecordKind) -> pa.Table:
    """``table`` with exactly ``kind``'s columns, in order, each of its type (dictionary
    columns keep their dictionary encoding over the declared value type)."""
    if set(table.column_names) != set(kind.columns):
        raise ValueError(f"{kind.name}: columns {sorted(table.column_names)} != {sorted(kind.columns)}")
    fields, columns = [], []
    for f in arrow_schema(kind):
        column = table.column(f.name)
        t = column.type
        want = pa.dictionary(t.index_type, f.type) if pa.types.is_dictionary(t) else f.type
        if t != want:
            column = column.cast(want)
        fields.append(pa.field(f.name, want))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def date_array(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """date32 from days since 1970-01-01 (int32), null where ``valid`` is False."""
    days = np.ascontiguousarray(days, dtype=np.int32)
    bitmap = None
    nulls = 0
    if valid is not None:
        nulls = int(len(valid) - np.count_nonzero(valid))
        if nulls:
            bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.date32(), len(days), [bitmap, pa.py_buffer(days)], null_count=nulls)


def fixed_width_ids(prefixes: np.ndarray, group: np.ndarray, numbers: np.ndarray, digits: int) -> pa.Array:
    """Strings ``prefix[group] + zero-padded number``, built as one Arrow buffer.

    ``prefixes`` is a (groups, width) uint8 array of ASCII prefixes of equal width;
    formatting 100 million ids through Python strings would take minutes. Unsigned
    32-bit arithmetic (when the numbers fit) is several times faster than int64 ``%``.
    """
    n = len(numbers)
    head = prefixes.shape[1]
    numbers = np.asarray(numbers)
    if n and (numbers.min() < 0 or numbers.max() >= 10**digits):
        raise ValueError(f"id numbers must fit in {digits} digits")
    rest = numbers.astype(np.uint32 if digits <= 9 else np.uint64)
    out = np.empty((n, head + digits), dtype=np.uint8)
    out[:, :head] = prefixes[group]
    for pos in range(head + digits - 1, head - 1, -1):
        quotient = rest // 10
        out[:, pos] = rest - quotient * 10 + 48
        rest = quotient
    offsets = np.arange(0, (n + 1) * out.shape[1], out.shape[1], dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.reshape(-1)))


def ascii_prefixes(texts: list[str]) -> np.ndarray:
    """(len(texts), width) uint8 array of equal-width ASCII prefixes."""
    encoded = [t.encode("ascii") for t in texts]
    if len({len(e) for e in encoded}) > 1:
        raise ValueError("id prefixes must have equal width")
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).reshape(len(encoded), -1)


class PartWriter:
    """Writes one record kind into ``folder/part-00000.parquet`` … of at most
    ``chunk_rows`` rows each; every ``write`` becomes one or more row groups."""

    def __init__(self, folder: Path, kind: RecordKind, chunk_rows: int, *, threaded: bool = True):
        if chunk_rows <= 0:
            raise ValueError("chunk_rows must be positive")
        self.folder = folder
        self.kind = kind
        self.chunk_rows = chunk_rows
        self.paths: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_part = 0
        self._pool = ThreadPoolExecutor(max_workers=1) if threaded else None
        self._pending: deque[Future] = deque()
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table) -> None:
        table = conform(table, self.kind)
        if self._pool is None:
            self._write(table)
            return
        while len(self._pending) >= MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write, table))

    def close(self) -> list[Path]:
        """Finish writing; with no rows at all, one empty part still records the schema."""
        try:
            while self._pending:
                self._pending.popleft().result()
            if not self.paths:
                self._open(arrow_schema(self.kind))
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        return list(self.paths)

    def _write(self, table: pa.Table) -> None:
        offset = 0
        while offset < table.num_rows:
            if self._writer is None or self._rows_in_part >= self.chunk_rows:
                self._open(table.schema)
            take = min(self.chunk_rows - self._rows_in_part, table.num_rows - offset)
            self._writer.write_table(table.slice(offset, take))
            self._rows_in_part += take
            offset += take

    def _open(self, schema: pa.Schema) -> None:
        if self._writer is not None:
            self._writer.close()
        path = self.folder / f"part-{len(self.paths):05d}.parquet"
        self._writer = pq.ParquetWriter(path, schema, **_options(self.kind))
        self.paths.append(path)
        self._rows_in_part = 0


def write_table(path: Path, table: pa.Table, kind: RecordKind) -> Path:
    """A small kind (procedures, publications) in one file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(conform(table, kind), path, **_options(kind))
    return path


def _options(kind: RecordKind) -> dict:
    # Ids are unique: a dictionary or min/max statistics for them would only cost time.
    keyed = [c for c in kind.columns if c != "id"]
    return {"compression": COMPRESSION, "store_schema": False, "use_dictionary": keyed,
            "write_statistics": keyed}
