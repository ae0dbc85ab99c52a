"""Settings: a declared table, read from ``CHISO_*`` environment variables.

Every setting is listed in ``SETTINGS`` with its default and help; ``docs/settings.md``
must document each (a test checks). The definition files a setting may name (the index
definition, the holidays) are read through one helper, ``load_definition``: each file parsed
once, its YAML errors located (``yaml_mapping``).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml

from chiso.errors import DefinitionError, SettingsError

T = TypeVar("T")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("CHISO_DATA_DIR", "./data",
            "Folder of the embedded store: chiso.sqlite (units, definitions, results, audit) "
            "and records.duckdb (record-level data)."),
    Setting("CHISO_DATABASE_URL", None,
            "SQLAlchemy URL of the relational store (e.g. postgresql+psycopg://user@host/db). "
            "When unset, SQLite in CHISO_DATA_DIR is used."),
    Setting("CHISO_RECORDS_URL", None,
            "Where record-level data lives: unset = DuckDB in CHISO_DATA_DIR; a "
            "postgresql+psycopg:// URL keeps records (and computes counts) in PostgreSQL."),
    Setting("CHISO_PROVINCE", "24",
            "The province this installation serves (code from the official list; 24 = Bắc Ninh)."),
    Setting("CHISO_INDEX_DEFINITION", None,
            "Path of a province's own copy of the index definition YAML; unset = the shipped one."),
    Setting("CHISO_HOLIDAYS", None,
            "Path of a province's own copy of the public-holidays YAML (days off, make-up working "
            "days); unset = the shipped one."),
    Setting("CHISO_THREADS", None,
            "Threads DuckDB may use; unset = all cores."),
    # what a file sent to chiso (records, values, a catalogue) may hold: checked before and while
    # it is read, so that a hostile or broken file is refused cheaply (chiso.files)
    Setting("CHISO_FILE_MAX_BYTES", "2147483648",
            "Largest file chiso reads (bytes); 2 GiB."),
    Setting("CHISO_UPLOAD_MAX_BYTES", "52428800",
            "Largest file sent through the web pages or the API (bytes); 50 MiB."),
    Setting("CHISO_FILE_MAX_UNPACKED_BYTES", "536870912",
            "Largest size a compressed file (an Excel workbook, Parquet) may unpack to, checked "
            "from its directory before anything is unpacked (bytes); 512 MiB."),
    Setting("CHISO_FILE_MAX_RATIO", "200",
            "Largest compression ratio of any part of an Excel workbook (unpacked ÷ packed); "
            "a larger one is an archive bomb."),
    Setting("CHISO_FILE_MAX_ROWS", "10000000",
            "Most data rows a file may hold."),
    Setting("CHISO_VALUES_MAX_ROWS", "200000",
            "Most rows a file of indicator values may hold (one submission; split a larger backfill)."),
    Setting("CHISO_FILE_MAX_COLUMNS", "256",
            "Most columns a file may hold."),
    Setting("CHISO_FILE_MAX_CELL_CHARS", "32767",
            "Longest text a cell may hold (characters; Excel's own limit)."),
    Setting("CHISO_FILE_MAX_DEPTH", "32",
            "Deepest nesting of lists and objects in a JSON or YAML file."),
    Setting("CHISO_FILE_MAX_PROBLEMS", "200",
            "Problems after which checking a refused file stops: the report lists the first ones "
            "and says there are at least that many."),
    Setting("CHISO_TIMEZONE", "Asia/Ho_Chi_Minh",
            "Time zone (IANA name) in which pages and exports show times; chiso stores times in UTC."),
    # reminders by e-mail (chiso reminders send): unset CHISO_SMTP_HOST = in-app notifications only
    Setting("CHISO_SMTP_HOST", None,
            "SMTP server that sends reminder e-mails; unset = reminders are in-app notifications only."),
    Setting("CHISO_SMTP_PORT", "587",
            "Port of the SMTP server."),
    Setting("CHISO_SMTP_USER", None,
            "User name for SMTP authentication; unset = no authentication."),
    Setting("CHISO_SMTP_PASSWORD", None,
            "Password for SMTP authentication (with CHISO_SMTP_USER)."),
    Setting("CHISO_SMTP_FROM", "chiso@localhost",
            "Sender address of reminder e-mails (From:)."),
    Setting("CHISO_SMTP_STARTTLS", "true",
            "Whether to upgrade the SMTP connection with STARTTLS before signing in (true/false)."),
    Setting("CHISO_REMINDER_DAYS_BEFORE", "2",
            "How many days before a reporting deadline the first reminder is sent."),
    # assigned tasks (chiso.tasks, docs/tasks.md)
    Setting("CHISO_TASK_ON_TIME_AGAINST", "approved",
            "Which deadline judges a task on time or overdue: approved (as extended by the office's "
            "approved extensions) or original (the deadline of the source document)."),
    Setting("CHISO_TASK_DEADLINE_ROLL", "next_working_day",
            "A task deadline that falls on a weekend day or a day off: next_working_day (moves to the "
            "next working day, Bộ luật Dân sự 2015 Điều 148 khoản 5) or none (stays)."),
    Setting("CHISO_TASK_UPDATE_DAYS", "7",
            "An open task counts as updated when its lead unit reported progress within this many days."),
    Setting("CHISO_TASK_DUE_SOON_DAYS", "7",
            "An open task is 'due soon' when its deadline is at most this many days away."),
    Setting("CHISO_TASK_OFFICE_UNIT", None,
            "Unit code of the office that follows tasks up (approves extensions, accepts completions); "
            "unset = the province's People's Committee Office (<province>-VPUBND)."),
    # -- maps (issue 14, part 1)
    Setting("CHISO_MAP_MAX_BYTES", "209715200",
            "Largest boundary file (GeoJSON) `chiso units boundaries import` reads, in bytes (200 MB); "
            "checked before the file is parsed."),
    Setting("CHISO_MAP_MAX_FEATURES", "20000",
            "Most features a boundary file may hold (checked before any geometry is built)."),
    Setting("CHISO_MAP_MAX_VERTICES", "5000000",
            "Most coordinate pairs a boundary file may hold, all features together (checked before any "
            "geometry is built)."),
    Setting("CHISO_MAP_SIMPLIFY", "0.0001",
            "Tolerance (degrees of longitude/latitude; 0.0001 ≈ 11 m) by which imported commune boundaries "
            "are simplified (topology kept); 0 keeps every vertex."),
    # -- wall (issue 14, part 2)
    Setting("CHISO_WALL_ROTATE_SECONDS", "20",
            "The IOC wall's rotating area (the province's indicators, top and bottom units, tasks): seconds "
            "each panel shows; 0 shows them all, one under the other."),
    # -- bulletin letterhead (issue 14, part 4)
    Setting("CHISO_BULLETIN_AUTHORITY", None,
            "Bulletin (DOCX/PDF) letterhead: the governing body (cơ quan chủ quản), upper case; unset = "
            "\"UBND TỈNH <PROVINCE>\" / \"UBND THÀNH PHỐ <CITY>\" from the unit list."),
    Setting("CHISO_BULLETIN_ISSUER", "VĂN PHÒNG",
            "Bulletin letterhead: the issuing body (cơ quan ban hành), e.g. VĂN PHÒNG or TRUNG TÂM PHỤC VỤ "
            "HÀNH CHÍNH CÔNG."),
    Setting("CHISO_BULLETIN_SYMBOL", "BC-VP",
            "Bulletin letterhead: the document's symbol (ký hiệu) after the number, \"Số: …/BC-VP\"."),
    Setting("CHISO_BULLETIN_NUMBER", None,
            "Bulletin letterhead: the document's number; unset = left blank for the office's clerk to fill."),
    Setting("CHISO_BULLETIN_PLACE", None,
            "Bulletin: the place in the place-and-date line (\"Bắc Ninh, ngày … tháng … năm …\"); unset = the "
            "province's name."),
    Setting("CHISO_BULLETIN_SIGNER_AUTHORITY", "KT. CHÁNH VĂN PHÒNG",
            "Bulletin signature block: the signer's authority (quyền hạn: TL., KT., TM. …); \"-\" = none (the "
            "head signs in his or her own name)."),
    Setting("CHISO_BULLETIN_SIGNER_TITLE", "PHÓ CHÁNH VĂN PHÒNG",
            "Bulletin signature block: the signer's title (chức vụ)."),
    Setting("CHISO_BULLETIN_SIGNER_NAME", None,
            "Bulletin signature block: the signer's full name; unset = a blank line for the signer to write."),
    Setting("CHISO_BULLETIN_RECIPIENTS", None,
            "Bulletin \"Nơi nhận\": recipients separated by \";\" (the last is the archive line \"Lưu: VT, …\", "
            "added when missing); unset = the province's leaders, departments, communes and \"Lưu: VT, KSTT\"."),
    # -- comparisons (issue 14, part 5)
    # -- spark (issue 15, Q1)
    Setting("CHISO_SPARK_MASTER", "local[2]",
            "Spark master for `chiso score --engine spark`: local[N] (N cores in this process), "
            "spark://host:7077, yarn, k8s://…; under spark-submit the master spark-submit sets wins."),
    Setting("CHISO_SPARK_SHUFFLE_PARTITIONS", "8",
            "spark.sql.shuffle.partitions for chiso's Spark session (small: counts group to a few "
            "thousand rows; raise it on a cluster with many executors)."),
    # -- ingest (issue 15, Q2)
    Setting("CHISO_INGEST_MAX_BYTES", "67108864",
            "The largest body POST /api/v1/records/{kind} accepts (bytes; 64 MiB), refused with 413 before "
            "it is read whole; the rows, columns, cell length and JSON depth limits are CHISO_FILE_*'s."),
    Setting("CHISO_INGEST_WRITER", None,
            "Who may write records pushed through POST /api/v1/records/{kind} when the records are in DuckDB "
            "(the embedded store): \"web\" = chiso serve (one worker only) opens records.duckdb writable and "
            "writes the batches itself (chiso load cannot run beside it); unset = the web opens DuckDB read-only "
            "and the ingest API answers 503 naming this setting. With PostgreSQL records (CHISO_RECORDS_URL) "
            "batches are always written, on a connection of their own."),
    Setting("CHISO_DUCKDB_WAL_MB", "512",
            "How large (MB) the embedded record store's write-ahead log may grow before DuckDB folds it into "
            "the database file at the end of a write (its checkpoint). The web writer (CHISO_INGEST_WRITER=web) "
            "checkpoints in the background once pushes go quiet (CHISO_CHECKPOINT_QUIET_SECONDS), so a pushed "
            "batch does not wait for it; this is the ceiling when pushes never pause. DuckDB's own default is 16."),
    Setting("CHISO_CHECKPOINT_QUIET_SECONDS", "3",
            "Seconds without a pushed batch after which the web writer checkpoints the embedded record store "
            "(folds its write-ahead log into the file) in the background; 0 = right after each batch's answer."),
    # -- record connectors (issue 15, Q3)
    Setting("CHISO_CONNECTOR_MAX_WAIT", "300",
            "Longest wait, in seconds, a records connector makes before retrying a page (its jittered "
            "backoff is capped there); a source asking, with Retry-After, for a longer wait fails the run "
            "instead, and the next run resumes from the cursor."),
    # -- portal reconciliation (issue 15, part A)
    Setting("CHISO_PORTAL_TOLERANCE", "0.01",
            "How far, in points, chiso's own score may lie from the score the national portal publishes "
            "and still count as agreeing on the reconciliation page (/reconcile): the default absorbs "
            "rounding to 2 decimals."),
    # -- ingest race and stale records sources (issue 15, part B)
    # -- kept counts at day grain (issue 15)
    Setting("CHISO_PEER_PROVINCES", None,
            "Province codes (comma-separated) of a peer group of provinces of similar size: the group and "
            "CHISO_PROVINCE each compare with the others; unset = the CHISO_PEER_COUNT provinces nearest in "
            "population."),
    Setting("CHISO_PEER_COUNT", "5",
            "How many provinces nearest in population make a province's peer group (when CHISO_PEER_PROVINCES "
            "does not name its group)."),
    # ---- p3 ----
    Setting("CHISO_GROUP_VIEW", "six",
            "How the 766 score's groups are shown where no page, API call or bulletin asks otherwise: six "
            "(online services /12 and online payment /10, as the national portal shows them) or five (online "
            "service provision /22, as Decision 766 groups them); the total is the same (docs/definitions.md)."),
    Setting("CHISO_GROUP_PRESENTATIONS", None,
            "Path of a province's own copy of the group views YAML (which groups the five-group view merges); "
            "unset = the shipped one."),
    # ---- p4 ----
    Setting("CHISO_REGIMES_DIR", None,
            "Folder of the province's own reporting regime files (YAML, docs/regimes.md), read besides the "
            "shipped ones (chiso/catalog/definitions/regimes); unset = the shipped ones only."),
    # ---- p5 ----
    Setting("CHISO_SDMX_AGENCY", "CHISO",
            "The SDMX maintenance agency id of the data structure definitions and dataflows chiso publishes "
            "(DSD_CHISO_DM, DSD_CHISO_766; docs/interop.md): letters, digits and _ -, e.g. a province's own id."),
    # ---- p7 ----
    Setting("CHISO_COMPOSITES_DIR", None,
            "Folder of the province's own composite indicator definitions (YAML, docs/composite.md), read besides "
            "the shipped ones (chiso/catalog/definitions/composites); unset = the shipped ones only."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, env: dict[str, str] | None = None) -> str | None:
    """The value of one declared setting (environment first, then default)."""
    if name not in _BY_NAME:
        raise SettingsError(f"unknown setting {name!r}")
    env = os.environ if env is None else env
    value = env.get(name)
    if value is None or value == "":
        return _BY_NAME[name].default
    return value


def province(env: dict[str, str] | None = None) -> str:
    """The province this installation serves (``CHISO_PROVINCE``)."""
    return get("CHISO_PROVINCE", env) or _BY_NAME["CHISO_PROVINCE"].default


def data_dir(env: dict[str, str] | None = None) -> Path:
    return Path(get("CHISO_DATA_DIR", env) or "./data")


def database_url(env: dict[str, str] | None = None) -> str:
    url = get("CHISO_DATABASE_URL", env)
    if url:
        return url
    return f"sqlite:///{(data_dir(env) / 'chiso.sqlite').as_posix()}"


def records_url(env: dict[str, str] | None = None) -> str:
    url = get("CHISO_RECORDS_URL", env)
    if url:
        return url
    return f"duckdb:///{(data_dir(env) / 'records.duckdb').as_posix()}"


def threads(env: dict[str, str] | None = None) -> int | None:
    value = get("CHISO_THREADS", env)
    if value is None:
        return None
    try:
        n = int(value)
    except ValueError:
        raise SettingsError(f"CHISO_THREADS must be a whole number, not {value!r}") from None
    if n < 1:
        raise SettingsError("CHISO_THREADS must be at least 1")
    return n


def whole_number(name: str, env: dict[str, str] | None = None, minimum: int = 1) -> int:
    """A setting that is a whole number of at least ``minimum``."""
    value = get(name, env)
    try:
        n = int(str(value).replace("_", ""))
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None
    if n < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {n}")
    return n


def load_definition(name: str, default: Path, parse: Callable[[str, str], T],
                    path: str | Path | None = None) -> T:
    """A definition file read and parsed once: ``path``, else the file setting ``name`` names,
    else the shipped ``default``. ``parse(text, path)`` validates it (raising located errors).
    """
    chosen = path if path is not None else (get(name) or default)
    return _parsed(parse, str(Path(chosen)))


def yaml_mapping(text: str, path: str) -> dict:
    """A definition file's YAML text as a mapping, or a ``DefinitionError`` naming the line."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise DefinitionError(f"not valid YAML: {getattr(err, 'problem', err)}", path=path, where=where) from None
    if not isinstance(raw, dict):
        raise DefinitionError("expected a mapping at the top level", path=path)
    return raw


@cache
def _parsed(parse: Callable[[str, str], T], path: str) -> T:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise DefinitionError(f"cannot read: {err.strerror}", path=path) from None
    return parse(text, path)


@dataclass(frozen=True)
class SmtpSettings:
    """Where reminder e-mails go out (``CHISO_SMTP_*``); ``host`` None = no e-mail."""

    host: str | None
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool


def smtp(env: dict[str, str] | None = None) -> SmtpSettings:
    """The SMTP settings; a wrong port or STARTTLS flag is a ``SettingsError``."""
    flag = (get("CHISO_SMTP_STARTTLS", env) or "true").strip().lower()
    if flag not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"CHISO_SMTP_STARTTLS must be true or false, not {flag!r}")
    return SmtpSettings(host=(get("CHISO_SMTP_HOST", env) or None), port=whole_number("CHISO_SMTP_PORT", env),
                        user=get("CHISO_SMTP_USER", env) or None, password=get("CHISO_SMTP_PASSWORD", env) or None,
                        sender=get("CHISO_SMTP_FROM", env) or "chiso@localhost",
                        starttls=flag in ("true", "1", "yes"))


def timezone(env: dict[str, str] | None = None):
    """The zone pages and exports show times in (``CHISO_TIMEZONE``, an IANA name): a ``ZoneInfo``;
    an unknown name is a ``SettingsError``."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (get("CHISO_TIMEZONE", env) or "Asia/Ho_Chi_Minh").strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"CHISO_TIMEZONE must be a time zone name such as Asia/Ho_Chi_Minh, not {name!r}") \
            from None
