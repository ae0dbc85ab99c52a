"""Spark: the same compiled count and drill-down SQL, run over Parquet by Spark SQL.

A national deployment keeps its records as Parquet on storage a cluster can read (HDFS,
S3, a shared file system). :func:`spark_session` starts (or joins) a Spark session —
``CHISO_SPARK_MASTER`` (default ``local[2]``) unless ``spark-submit`` already chose the
master, few shuffle partitions (counts group to a few thousand rows), UTC session time
zone, quiet logging — and :class:`SparkRecords` registers each record kind as a temporary
view over its Parquet files, with the kind's columns and types (a missing optional column
takes its default, a missing kind is an empty view), exactly as the DuckDB store's views
over Parquet do (``chiso.store.records_duckdb``).

A ``SparkRecords`` offers what scoring and drill-downs read from a record store —
``dialect``, ``relation(kind)`` and ``query_arrow(sql)`` — so ``chiso.evaluate`` runs on it
unchanged: the SQL is compiled by ``chiso.engine.counts``/``records`` and rendered for the
``spark`` dialect (``chiso.engine.dialects``). Working days need no table: ``WORKDAYS``
compiles to integer arithmetic over the holiday calendar (``chiso.engine.predicates``).

The Parquet layout under a root (``record_paths``): ``<root>/<kind>/`` — a folder of
Parquet files (what ``chiso generate`` writes) — or ``<root>/<kind>.parquet``, for the
kinds ``dossiers``, ``petitions``, ``procedures`` and ``publications``; other entries are
ignored. The root may be a local folder or any URI the cluster's Hadoop file system reads
(``hdfs://…``, ``s3a://…``, ``file:///…``).

Counts kept by day (``chiso.engine.daily``) live beside the records as Parquet: under
``<root>/_kept/`` (or another folder), one folder per kept relation, named as
``chiso.evaluate.kept`` names it (a hash of its SQL), and ``manifest.json``, which says what
each relation holds and which record files (names, sizes, modification times) it was built
from. :meth:`SparkRecords.build_kept` writes such a build (into a temporary folder renamed
into place); a ``SparkRecords`` opened with ``kept=`` registers the relations as views and
answers the kept-counts manifest (``_kept_counts``) from the JSON — only while the record
files are those of the build: Parquet has no change log, so a changed file means the build
is simply not used and the records are scanned.
"""
from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import sqlglot
from sqlglot import exp

try:  # the `spark` extra: without it the Parquet layout still resolves (DuckDB reads it)
    from pyspark.sql import SparkSession
    from pyspark.sql.utils import AnalysisException
except ImportError:  # pragma: no cover - the test extra installs pyspark
    SparkSession = None  # type: ignore[assignment,misc]
    AnalysisException = Exception  # type: ignore[assignment,misc]

from chiso import settings
from chiso.catalog.records import RECORD_KINDS, Field, RecordKind
from chiso.errors import StoreError

_TYPES = {"str": "STRING", "enum": "STRING", "int": "INT", "bool": "BOOLEAN", "date": "DATE"}
_INTEGER_TYPES = {"ByteType", "ShortType", "IntegerType", "LongType"}
BATCH_COLUMN = "_batch"  # as chiso.store.records_base (the store layer sits above this one)
#: The kept-counts manifest's table name, as chiso.evaluate.kept (the evaluate layer sits above).
MANIFEST = "_kept_counts"
#: Where a build of counts kept by day goes under the records root, and its manifest's file.
KEPT_FOLDER, KEPT_MANIFEST = "_kept", "manifest.json"
KEPT_FORMAT = 1
#: The names chiso.evaluate.kept gives relations kept by day (`_k` and 3 letters, `_`, 20 hex digits).
_KEPT_NAME = re.compile(r"^_k[a-z]{3}_[0-9a-f]{20}$")
_KEPT_NAMES = re.compile(r"\b_k[a-z]{3}_[0-9a-f]{20}\b")
_MANIFEST_NAME = re.compile(r"\b" + MANIFEST + r"\b")
_LOGICAL = re.compile(r"\bchiso_(" + "|".join(RECORD_KINDS) + r")\b")
_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def submitted() -> bool:
    """True inside a driver that ``spark-submit`` (or a notebook's gateway) launched: the
    master and the JVM options are then spark-submit's, not chiso's."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _log_config() -> str:
    path = Path(tempfile.gettempdir()) / "chiso-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        path.write_text(_LOG4J)
    return str(path)


def spark_session(master: str | None = None, *, app_name: str = "chiso") -> SparkSession:
    """The process's Spark session, started when there is none.

    ``master`` (else ``CHISO_SPARK_MASTER``) applies when chiso starts Spark itself; under
    ``spark-submit`` the master it was given is kept. Shuffle partitions come from
    ``CHISO_SPARK_SHUFFLE_PARTITIONS``; times are UTC (record dates carry no time).
    """
    if SparkSession is None:
        raise StoreError("Spark is not installed: pip install 'chiso[spark]' (pyspark), with Java 17")
    builder = (SparkSession.builder.appName(app_name)
               .config("spark.sql.shuffle.partitions",
                       str(settings.whole_number("CHISO_SPARK_SHUFFLE_PARTITIONS")))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.parquet.mergeSchema", "true")
               .config("spark.ui.showConsoleProgress", "false"))
    if not submitted():
        chosen = master or settings.get("CHISO_SPARK_MASTER") or "local[2]"
        builder = builder.master(chosen)
        if chosen.startswith("local"):
            builder = (builder.config("spark.ui.enabled", "false")
                       .config("spark.driver.host", "127.0.0.1")
                       .config("spark.driver.bindAddress", "127.0.0.1"))
        # quiet: errors only, from the JVM's first line (setLogLevel comes too late for the start)
        builder = builder.config("spark.driver.extraJavaOptions",
                                 f"-Dlog4j2.configurationFile=file:{_log_config()}")
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - no Java, a master that cannot be reached, …
        raise StoreError(f"cannot start Spark ({master or settings.get('CHISO_SPARK_MASTER')}): {exc}. "
                         "Spark needs Java 17 (openjdk-17-jre-headless) and pyspark "
                         "(pip install 'chiso[spark]')") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def spark(master: str | None = None) -> Iterator[SparkSession]:
    """A Spark session for one command: stopped afterwards when this call started it."""
    session = SparkSession.getActiveSession() if SparkSession is not None else None
    ours = session is None
    session = spark_session(master)
    try:
        yield session
    finally:
        if ours:
            session.stop()


def _has_scheme(root: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", root) is not None


def _local_probe(path: str) -> str | None:
    p = Path(path)
    return "dir" if p.is_dir() else "file" if p.is_file() else None


def _hadoop_probe(session: SparkSession) -> Callable[[str], str | None]:
    """What a path is on the cluster's file system (HDFS, S3, …), through the JVM."""
    jvm = session.sparkContext._jvm  # type: ignore[attr-defined]
    conf = session.sparkContext._jsc.hadoopConfiguration()  # type: ignore[attr-defined]

    def probe(path: str) -> str | None:
        p = jvm.org.apache.hadoop.fs.Path(path)
        fs = p.getFileSystem(conf)
        if not fs.exists(p):
            return None
        return "dir" if fs.getFileStatus(p).isDirectory() else "file"
    return probe


class LocalFiles:
    """Files on this machine's file system (a path without a scheme)."""

    def exists(self, path: str) -> bool:
        return Path(path).exists()

    def files(self, path: str) -> list[tuple[str, int, int]]:
        """Every file a path, folder or glob holds — (name, bytes, modified in ms), the name
        relative to the folder (a file's own name) — sorted by name."""
        matches = sorted(glob.glob(path)) if any(c in path for c in "*?[") else [path]
        out = []
        for m in matches:
            p = Path(m)
            if p.is_dir():
                base = p if m == path else p.parent
                for f in sorted(p.rglob("*")):
                    if f.is_file():
                        st = f.stat()
                        out.append((f.relative_to(base).as_posix(), st.st_size, st.st_mtime_ns // 1_000_000))
            elif p.is_file():
                st = p.stat()
                out.append((p.name, st.st_size, st.st_mtime_ns // 1_000_000))
        return sorted(out)

    def read_text(self, path: str) -> str:
        return Path(path).read_text(encoding="utf-8")

    def write_text(self, path: str, text: str) -> None:
        Path(path).write_text(text, encoding="utf-8")

    def rename(self, source: str, target: str) -> None:
        os.rename(source, target)

    def delete(self, path: str) -> None:
        p = Path(path)
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif p.exists():
            p.unlink()


class HadoopFiles:
    """Files on the cluster's file system (HDFS, S3, ``file://``), through the JVM."""

    def __init__(self, session: SparkSession):
        self._jvm = session.sparkContext._jvm  # type: ignore[attr-defined]
        self._conf = session.sparkContext._jsc.hadoopConfiguration()  # type: ignore[attr-defined]

    def _fs(self, path: str):
        p = self._jvm.org.apache.hadoop.fs.Path(path)
        return p, p.getFileSystem(self._conf)

    def exists(self, path: str) -> bool:
        p, fs = self._fs(path)
        return bool(fs.exists(p))

    def files(self, path: str) -> list[tuple[str, int, int]]:
        p, fs = self._fs(path)
        out = []
        for st in fs.globStatus(p) or []:
            if st.isDirectory():
                base = st.getPath().toUri().getPath().rstrip("/")
                if not any(c in path for c in "*?["):
                    prefix = len(base) + 1
                else:
                    prefix = len(base.rsplit("/", 1)[0]) + 1
                found = fs.listFiles(st.getPath(), True)
                while found.hasNext():
                    f = found.next()
                    out.append((f.getPath().toUri().getPath()[prefix:], int(f.getLen()),
                                int(f.getModificationTime())))
            else:
                out.append((st.getPath().getName(), int(st.getLen()), int(st.getModificationTime())))
        return sorted(out)

    def read_text(self, path: str) -> str:
        p, fs = self._fs(path)
        stream = fs.open(p)
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def write_text(self, path: str, text: str) -> None:
        p, fs = self._fs(path)
        stream = fs.create(p, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def rename(self, source: str, target: str) -> None:
        s, fs = self._fs(source)
        t, _ = self._fs(target)
        if not fs.rename(s, t):
            raise StoreError(f"không đổi tên được {source} thành {target} / cannot rename {source} to {target}")

    def delete(self, path: str) -> None:
        p, fs = self._fs(path)
        fs.delete(p, True)


def files_at(session: SparkSession, path: str) -> LocalFiles | HadoopFiles:
    """The file system ``path`` is on: the cluster's for a URI, this machine's otherwise
    (as :meth:`SparkRecords.from_root` tells them apart)."""
    return HadoopFiles(session) if _has_scheme(path) else LocalFiles()


def record_paths(root: str | Path, probe: Callable[[str], str | None] | None = None) -> dict[str, str]:
    """Each record kind's Parquet under ``root``: the folder ``<root>/<kind>`` or the file
    ``<root>/<kind>.parquet`` (both: an error — which one is meant?). Kinds with neither are
    left out (their views are empty). ``probe`` tells a folder from a file (local by default).
    """
    root = str(root).rstrip("/")
    probe = probe or _local_probe
    if probe(root) != "dir":
        raise StoreError(f"no records folder at {root}: give a folder holding <kind>/ folders or "
                         "<kind>.parquet files (dossiers, petitions, procedures, publications)")
    found: dict[str, str] = {}
    for kind in RECORD_KINDS:
        folder, single = f"{root}/{kind}", f"{root}/{kind}.parquet"
        is_folder, is_file = probe(folder) == "dir", probe(single) == "file"
        if is_folder and is_file:
            raise StoreError(f"{root} holds both {kind}/ and {kind}.parquet: keep one")
        if is_folder or is_file:
            found[kind] = folder if is_folder else single
    if not found:
        raise StoreError(f"{root} holds no record Parquet (<kind>/ or <kind>.parquet for "
                         f"{', '.join(RECORD_KINDS)})")
    return found


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _column(f: Field, present: Mapping[str, str], kind: RecordKind) -> str:
    want = _TYPES[f.type]
    have = present.get(f.name)
    if have is None:
        if f.required:
            raise StoreError(f"Parquet for {kind.name} lacks the required column {f.name!r}")
        return f"CAST({_literal(f.default)} AS {want}) AS `{f.name}`"
    if have == want or (f.type == "int" and have in _INTEGER_TYPES):
        return f"`{f.name}`"  # no cast: Parquet statistics stay usable for pruning
    return f"CAST(`{f.name}` AS {want}) AS `{f.name}`"


_INFORMATION_TABLES = re.compile(r"\binformation_schema\.tables\b", re.IGNORECASE)
_SPARK_TYPE_NAMES = {"StringType": "STRING", "IntegerType": "INT", "BooleanType": "BOOLEAN",
                     "DateType": "DATE"}


class SparkRecords:
    """Record kinds as Spark temporary views over Parquet, read like a record store.

    ``paths`` maps a kind to a Parquet file, a folder of them, a glob or a list; kinds not
    given are empty views. Views get fresh names (several sets may share one session);
    :meth:`close` drops them. Read-only: records are loaded elsewhere (Parquet is written
    by the province's pipeline or ``chiso generate``).

    SQL names a kind by its logical relation (``chiso_<kind>``, :meth:`relation`), the same
    for every set of views, and :meth:`query_arrow` puts this set's views in its place: the
    kept relations' names, hashed from their SQL, then do not change with the session.

    ``kept`` names a folder of counts kept by day (:meth:`build_kept`): when its manifest's
    record files are still these records' files, its relations are registered as views and
    the manifest is answered as the table ``_kept_counts`` (``chiso.evaluate.kept`` reads
    them as from any record store); otherwise :attr:`kept_note` says why they are not used.
    """

    dialect = "spark"
    READ_ONLY_REASON = "it reads Parquet files through Spark"

    def __init__(self, session: SparkSession, paths: Mapping[str, str | Sequence[str]], *,
                 kept: str | None = None, kept_expected: bool = True):
        self.session = session
        unknown = sorted(set(paths) - set(RECORD_KINDS))
        if unknown:
            raise StoreError(f"unknown record kind(s) {', '.join(unknown)}; known: {', '.join(RECORD_KINDS)}")
        tag = uuid.uuid4().hex[:10]
        self._tag = tag
        self._views = {kind: f"chiso_{kind}_{tag}" for kind in RECORD_KINDS}
        self._raw: list[str] = []
        self._paths: dict[str, list[str]] = {}
        self._kept: dict[str, str] = {}  # kept relation's name → this set's view of it
        self._manifest: str | None = None  # the view answering _kept_counts
        self._manifest_rows: pa.Table | None = None  # … and its rows, for questions answered here
        self._local: duckdb.DuckDBPyConnection | None = None
        self.kept_path: str | None = None  # the kept build in use
        self.kept_note: str | None = None  # why a kept build found is not used
        try:
            for kind in RECORD_KINDS.values():
                given = paths.get(kind.name)
                files = [given] if isinstance(given, str) else [str(p) for p in (given or [])]
                self._paths[kind.name] = files
                body = self._parquet_select(kind, files, tag) if files else self._empty_select(kind)
                session.sql(f"CREATE OR REPLACE TEMPORARY VIEW {self._views[kind.name]} AS {body}")
            if kept is not None:
                self._open_kept(str(kept).rstrip("/"), kept_expected)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_root(cls, session: SparkSession, root: str | Path, *, kept: str | bool | None = None
                  ) -> SparkRecords:
        """The records under ``root`` in the layout of :func:`record_paths` (a local folder,
        or a URI the cluster's Hadoop file system reads), with the counts kept by day under
        ``kept`` — by default ``<root>/_kept``, used when present and current; ``False``: none."""
        root = str(root).rstrip("/")
        probe = _hadoop_probe(session) if _has_scheme(root) else _local_probe
        paths = record_paths(root, probe)
        if kept is False:
            return cls(session, paths)
        if kept is None or kept is True:
            return cls(session, paths, kept=f"{root}/{KEPT_FOLDER}", kept_expected=False)
        return cls(session, paths, kept=str(kept))

    # -- counts kept by day ----------------------------------------------------------------
    def record_files(self) -> dict[str, list[list]]:
        """Each kind's Parquet files now: [name, bytes, modified (ms)], what a kept build is
        checked against (Parquet has no change log)."""
        out: dict[str, list[list]] = {}
        for kind, given in self._paths.items():
            found: list[list] = []
            for path in given:
                found += [[n, size, mtime] for n, size, mtime in files_at(self.session, path).files(path)]
            out[kind] = found
        return out

    def _open_kept(self, path: str, expected: bool) -> None:
        fs = files_at(self.session, path)
        manifest_path = f"{path}/{KEPT_MANIFEST}"
        if not fs.exists(manifest_path):
            if expected:
                self.kept_note = (f"không có số đếm lưu sẵn tại {path} ({KEPT_MANIFEST}): đếm từ hồ sơ / no counts "
                                  f"kept at {path} ({KEPT_MANIFEST}): counting from the records")
            return
        try:
            manifest = json.loads(fs.read_text(manifest_path))
            relations = manifest["relations"]
            built_from = manifest["records"]
            if manifest.get("format") != KEPT_FORMAT or not all(_KEPT_NAME.match(r["name"]) for r in relations):
                raise ValueError("unknown format")
        except (ValueError, KeyError, TypeError) as exc:
            self.kept_note = (f"số đếm lưu sẵn tại {path} không đọc được ({exc}): đếm từ hồ sơ / the counts kept "
                              f"at {path} cannot be read ({exc}): counting from the records")
            return
        now = self.record_files()
        if now != built_from:
            changed = sorted(k for k in set(now) | set(built_from) if now.get(k, []) != built_from.get(k, []))
            self.kept_note = (f"hồ sơ ({', '.join(changed)}) đã thay đổi sau khi lưu số đếm tại {path}: đếm từ hồ "
                              f"sơ / the records ({', '.join(changed)}) changed since the counts kept at {path} "
                              "were built: counting from the records")
            return
        for r in relations:
            view = f"{r['name']}_{self._tag}"
            self.session.read.parquet(f"{path}/{r['name']}").createOrReplaceTempView(view)
            self._kept[r["name"]] = view
        self._manifest_rows = pa.table({
            "kept_table": pa.array([r["name"] for r in relations], pa.string()),
            "kind": pa.array([r["kind"] for r in relations], pa.string()),
            "is_distinct": pa.array([bool(r["distinct"]) for r in relations], pa.bool_()),
            "plan_start": pa.array([dt.date.fromisoformat(r["start"]) for r in relations], pa.date32()),
            "plan_end": pa.array([dt.date.fromisoformat(r["end"]) for r in relations], pa.date32()),
            "grain": pa.array([r["part"] for r in relations], pa.string()),
            "judged_at_end": pa.array([False] * len(relations), pa.bool_()),
            "stamp": pa.array([0] * len(relations), pa.int64()),
            "row_count": pa.array([int(r["rows"]) for r in relations], pa.int64()),
            "refreshed_at": pa.array([dt.datetime.fromisoformat(r["built_at"]) for r in relations],
                                     pa.timestamp("us"))})
        self._manifest = f"chiso_kept_counts_{self._tag}"
        self.session.createDataFrame(
            [tuple(r.values()) for r in self._manifest_rows.to_pylist()],
            "kept_table STRING, kind STRING, is_distinct BOOLEAN, plan_start DATE, plan_end DATE, grain STRING, "
            "judged_at_end BOOLEAN, stamp BIGINT, row_count BIGINT, refreshed_at TIMESTAMP_NTZ"
        ).createOrReplaceTempView(self._manifest)
        self.kept_path = path

    def build_kept(self, relations: Sequence[Mapping], out: str) -> dict:
        """Write counts kept by day under ``out``: each relation (``name``, ``kind``,
        ``part``, ``distinct``, ``start``, ``end``, ``sql``) as Parquet in ``out/<name>/``,
        and the manifest, with the record files they were computed from. Written into a
        temporary folder beside ``out`` and renamed into place: a reader sees the previous
        build or this one, never part of it. Returns the manifest."""
        out = out.rstrip("/")
        fs = files_at(self.session, out)
        before = self.record_files()
        tmp, old = f"{out}.tmp-{uuid.uuid4().hex[:10]}", f"{out}.old-{uuid.uuid4().hex[:10]}"
        try:
            made = []
            for r in relations:
                if not _KEPT_NAME.match(r["name"]):
                    raise StoreError(f"not a name of counts kept by day: {r['name']!r}")
                target = f"{tmp}/{r['name']}"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    try:
                        frame = self.session.sql(self._physical(r["sql"]))
                        if "received_day" in frame.columns:  # a window reads a run of row groups
                            frame = frame.orderBy("received_day")
                        frame.write.parquet(target)
                    except Exception as exc:  # noqa: BLE001 - Spark's analysis/runtime errors
                        raise StoreError(f"Spark query failed: {str(exc).splitlines()[0]}") from exc
                    rows = self.session.read.parquet(target).count()
                made.append({"name": r["name"], "kind": r["kind"], "part": r["part"], "distinct": bool(r["distinct"]),
                             "start": r["start"].isoformat(), "end": r["end"].isoformat(), "rows": int(rows),
                             "built_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(
                                 timespec="seconds")})
            if self.record_files() != before:
                raise StoreError("hồ sơ thay đổi trong khi lưu số đếm: hãy chạy lại / the records changed while "
                                 "the counts were being kept: run it again")
            manifest = {"format": KEPT_FORMAT, "built_at": made[-1]["built_at"] if made else None,
                        "relations": made, "records": before}
            fs.write_text(f"{tmp}/{KEPT_MANIFEST}", json.dumps(manifest, ensure_ascii=False, indent=1))
            if fs.exists(out):
                fs.rename(out, old)
            fs.rename(tmp, out)
        except BaseException:
            fs.delete(tmp)
            raise
        fs.delete(old)
        return manifest

    # -- what kept.py reads of a record store ----------------------------------------------
    def stamp(self) -> int:
        """Parquet has no change log: always 0 (a kept build is checked by its files)."""
        return 0

    @property
    def derived_read_only_reason(self) -> str | None:
        """Kept counts are built by :meth:`build_kept`, never written through SQL here."""
        return self.READ_ONLY_REASON

    def _empty_select(self, kind: RecordKind) -> str:
        cols = [f"CAST(NULL AS {_TYPES[f.type]}) AS `{f.name}`" for f in kind.fields]
        cols.append(f"CAST(NULL AS STRING) AS `{BATCH_COLUMN}`")
        return f"SELECT {', '.join(cols)} WHERE FALSE"

    def _parquet_select(self, kind: RecordKind, files: list[str], tag: str) -> str:
        try:
            frame = self.session.read.parquet(*files)
        except AnalysisException as exc:
            raise StoreError(f"cannot read Parquet for {kind.name} ({', '.join(files)}): "
                             f"{str(exc).splitlines()[0]}") from None
        raw = f"chiso_{kind.name}_raw_{tag}"
        frame.createOrReplaceTempView(raw)
        self._raw.append(raw)
        present = {f.name: _SPARK_TYPE_NAMES.get(type(f.dataType).__name__, type(f.dataType).__name__)
                   for f in frame.schema.fields}
        cols = [_column(f, present, kind) for f in kind.fields]
        cols.append(f"`{BATCH_COLUMN}`" if BATCH_COLUMN in present else f"CAST(NULL AS STRING) AS `{BATCH_COLUMN}`")
        return f"SELECT {', '.join(cols)} FROM {raw}"

    # -- what evaluate reads ---------------------------------------------------------------
    def relation(self, kind: str) -> str:
        """The relation to select ``kind`` records FROM in SQL given to :meth:`query_arrow`
        (a logical name it replaces with this set's view)."""
        if kind not in self._views:
            raise StoreError(f"unknown record kind {kind!r}; known: {', '.join(RECORD_KINDS)}")
        return f"chiso_{kind}"

    def _physical(self, sql: str) -> str:
        """``sql`` with this set's views for the logical relations, kept relations and manifest."""
        sql = _LOGICAL.sub(lambda m: self._views[m.group(1)], sql)
        if self._kept:
            sql = _KEPT_NAMES.sub(lambda m: self._kept.get(m.group(0), m.group(0)), sql)
        if self._manifest is not None:
            sql = _MANIFEST_NAME.sub(self._manifest, sql)
        return sql

    def query_arrow(self, sql: str, params: Sequence | None = None) -> pa.Table:
        """Run a query and return its rows as an Arrow table. Parameters are written
        ``$1, $2, …`` as for the other stores (Spark binds them positionally)."""
        local = self._answer_here(sql, params)
        if local is not None:
            return local
        args = None
        sql = self._physical(sql)
        if _INFORMATION_TABLES.search(sql):  # after: its table names are names, not relations
            sql = _INFORMATION_TABLES.sub(self._information_tables(), sql)
        if params:
            order = [int(n) for n in re.findall(r"\$(\d+)", sql)]
            sql = re.sub(r"\$\d+", "?", sql)
            args = [params[n - 1] for n in order]
        try:
            with warnings.catch_warnings():
                # pyspark reads Arrow batches from a local socket it never closes itself
                # (freed, with a ResourceWarning, as the collect returns)
                warnings.simplefilter("ignore", ResourceWarning)
                return self.session.sql(sql, args=args).toArrow()
        except Exception as exc:  # noqa: BLE001 - Spark raises its own analysis/runtime errors
            raise StoreError(f"Spark query failed: {str(exc).splitlines()[0]}") from exc

    def _answer_here(self, sql: str, params: Sequence | None) -> pa.Table | None:
        """The answer to a question about the catalog or the kept-counts manifest alone
        (``information_schema.tables``, ``_kept_counts``), computed in process: a Spark job
        for each of the few such questions a score asks would cost more than the counts."""
        if not (_INFORMATION_TABLES.search(sql) or _MANIFEST_NAME.search(sql)):
            return None
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
        except sqlglot.errors.ParseError:
            return None
        tables = {(t.db.lower(), t.name.lower()) for t in tree.find_all(exp.Table)}
        if not tables <= {("information_schema", "tables"), ("", MANIFEST)}:
            return None
        if ("", MANIFEST) in tables and self._manifest_rows is None:
            return None  # no kept build: let Spark say the table does not exist
        if self._local is None:
            self._local = duckdb.connect(":memory:")
        current, rows = self._catalog_rows()
        if self._manifest_rows is not None:
            rows.append((current, MANIFEST))
            self._local.register(MANIFEST, self._manifest_rows)
        catalog = pa.table({"table_schema": pa.array([a for a, _ in rows], pa.string()),
                            "table_name": pa.array([b for _, b in rows], pa.string())})
        self._local.register("_chiso_spark_tables", catalog)
        local = _INFORMATION_TABLES.sub("_chiso_spark_tables", sql)
        schema = "'" + current.replace("'", "''") + "'"
        local = re.sub(r"\bcurrent_(?:schema|database)\(\)", lambda _: schema, local,
                       flags=re.IGNORECASE)
        return self._local.sql(local, params=list(params) if params else None).to_arrow_table()

    def _catalog_rows(self) -> tuple[str, list[tuple[str, str]]]:
        """The current database and its (database, table) rows, temporary views included
        (``SHOW TABLES``: a fifth of ``catalog.listTables()``'s time)."""
        current = self.session.catalog.currentDatabase()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # the collect's local socket (see query_arrow)
            found = self.session.sql("SHOW TABLES").collect()
        return current, [(r["namespace"] or current, r["tableName"]) for r in found]

    def _information_tables(self) -> str:
        """``information_schema.tables``, which Spark lacks, as a relation listing the tables
        and views of the session's current database (temporary views included): chiso asks it
        whether derived tables such as kept counts exist: the manifest ``_kept_counts`` does
        while a current kept build is open (:meth:`_open_kept`)."""
        current, rows = self._catalog_rows()
        if self._manifest is not None:
            rows.append((current, MANIFEST))
        if not rows:
            return ("(SELECT CAST(NULL AS STRING) AS table_schema, CAST(NULL AS STRING) AS table_name "
                    "WHERE FALSE)")
        values = ", ".join(f"({_literal(a)}, {_literal(b)})" for a, b in rows)
        return f"(SELECT * FROM VALUES {values} AS t(table_schema, table_name))"

    def query(self, sql: str) -> pl.DataFrame:
        return pl.DataFrame(pl.from_arrow(self.query_arrow(sql)))

    def count(self, kind: str) -> int:
        """How many records of ``kind`` the views hold."""
        return int(self.query_arrow(f"SELECT count(*) AS n FROM {self.relation(kind)}").column("n")[0].as_py())

    def close(self) -> None:
        if self._local is not None:
            self._local.close()
            self._local = None
        catalog = self.session.catalog
        kept = [*self._kept.values(), *([self._manifest] if self._manifest else [])]
        for name in [*self._views.values(), *self._raw, *kept]:
            try:
                catalog.dropTempView(name)
            except Exception:  # noqa: BLE001 - a stopped session has no views left to drop
                pass

    def __enter__(self) -> SparkRecords:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
