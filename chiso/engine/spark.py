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
"""
from __future__ import annotations

import os
import re
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pyarrow as pa

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
    """

    dialect = "spark"
    READ_ONLY_REASON = "it reads Parquet files through Spark"

    def __init__(self, session: SparkSession, paths: Mapping[str, str | Sequence[str]]):
        self.session = session
        unknown = sorted(set(paths) - set(RECORD_KINDS))
        if unknown:
            raise StoreError(f"unknown record kind(s) {', '.join(unknown)}; known: {', '.join(RECORD_KINDS)}")
        tag = uuid.uuid4().hex[:10]
        self._views = {kind: f"chiso_{kind}_{tag}" for kind in RECORD_KINDS}
        self._raw: list[str] = []
        try:
            for kind in RECORD_KINDS.values():
                given = paths.get(kind.name)
                files = [given] if isinstance(given, str) else [str(p) for p in (given or [])]
                body = self._parquet_select(kind, files, tag) if files else self._empty_select(kind)
                session.sql(f"CREATE OR REPLACE TEMPORARY VIEW {self._views[kind.name]} AS {body}")
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_root(cls, session: SparkSession, root: str | Path) -> SparkRecords:
        """The records under ``root`` in the layout of :func:`record_paths` (a local folder,
        or a URI the cluster's Hadoop file system reads)."""
        root = str(root)
        probe = _hadoop_probe(session) if _has_scheme(root) else _local_probe
        return cls(session, record_paths(root, probe))

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
        """The view to select ``kind`` records FROM."""
        try:
            return self._views[kind]
        except KeyError:
            raise StoreError(f"unknown record kind {kind!r}; known: {', '.join(RECORD_KINDS)}") from None

    def query_arrow(self, sql: str, params: Sequence | None = None) -> pa.Table:
        """Run a query and return its rows as an Arrow table. Parameters are written
        ``$1, $2, …`` as for the other stores (Spark binds them positionally)."""
        args = None
        if _INFORMATION_TABLES.search(sql):
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

    def _information_tables(self) -> str:
        """``information_schema.tables``, which Spark lacks, as a relation listing the tables
        and views of the session's current database (temporary views included): chiso asks it
        whether derived tables such as kept counts exist (on Spark they never do)."""
        current = self.session.catalog.currentDatabase()
        rows = [(t.namespace[0] if t.namespace else current, t.name)
                for t in self.session.catalog.listTables()]
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
        catalog = self.session.catalog
        for name in [*self._views.values(), *self._raw]:
            try:
                catalog.dropTempView(name)
            except Exception:  # noqa: BLE001 - a stopped session has no views left to drop
                pass

    def __enter__(self) -> SparkRecords:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
