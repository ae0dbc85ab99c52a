"""Ngôn ngữ giao diện (interface language): Vietnamese first, English on request.

- The language of a request: ``?lang=en|vi`` (which also sets the cookie ``chiso_lang``),
  else the cookie, else Vietnamese (``vi``).
- Messages come from ``chiso/web/messages/``: every ``vi.yaml`` / ``*.vi.yaml`` file
  holds the Vietnamese texts, ``en.yaml`` / ``*.en.yaml`` the English ones. Files are
  nested mappings flattened to dotted keys (``nav.overview``); a key defined twice for
  one language is an error naming both files. A key missing in English falls back to
  Vietnamese; a key missing in both is an error naming the key.
- Jinja filters write in the page's language: ``num`` (vi ``92,28``, en ``92.28``), ``pct``
  for a ratio (vi ``70,7%``, en ``70.7%``), ``signed`` (``+1,25``) — numbers are
  ``chiso.text``'s, rounded half up on the decimal value (92.285 → ``92,29``) — and, with
  Babel, ``day`` (vi ``21/11/2026``, en ``21 Nov 2026``), ``moment`` (date and time), ``period``
  (vi ``Tuần 34/2026``, ``Tháng 11/2026``, ``Quý III/2026``, ``Năm 2026``; en ``Week 34, 2026``,
  ``November 2026``, ``Q3 2026``, ``2026``: ``chiso.periods.spoken``, the one period formatter;
  ``period(dates=True)`` adds a week's days, ``Tuần 48/2026 (23–29/11)``), ``named`` (an object's ``name``, or its
  ``name_en`` in English when it has one), and ``reason`` / ``reason_code`` (a submission
  problem's reason in the language and its stable code, ``chiso.collect.values.reasons``).
- Times are stored in UTC (a time without a zone is UTC); ``moment`` and ``day`` show them in the
  zone of the setting ``CHISO_TIMEZONE`` (Asia/Ho_Chi_Minh by default): ``local_time``;
  ``iso_local`` writes one for an export (``2026-11-23T14:05:00+07:00``).
- Codes in the language: ``term(kind, code)`` (the Jinja global ``term``) names a role, a
  period or warning state, an aggregation rule, a target method, a status… through the
  messages ``term.<kind>.<code>`` (``term('role', 'officer')`` → ``cán bộ`` / ``officer``).
"""
from __future__ import annotations

import datetime as dt
import math
import os
from functools import lru_cache
from pathlib import Path

import yaml
from babel.dates import format_date, format_datetime
from jinja2 import pass_context

from chiso import settings
from chiso.collect.values.reasons import code_of, localise
from chiso.errors import DefinitionError
from chiso.periods.spoken import spoken_period
from chiso.text import EMPTY, format_number, format_percent, rounded

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE_NAME = "chiso_lang"
LOCALES = {"vi": "vi_VN", "en": "en_GB"}
DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM y"}
DATETIME_FORMATS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM y, HH:mm"}
MESSAGES_DIR = Path(__file__).parent / "messages"


def _flatten(prefix: str, node, out: dict[str, str], where: dict[str, Path], path: Path) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out, where, path)
        return
    if not isinstance(node, (str, int, float)):
        raise DefinitionError(f"{path}: message {prefix!r} must be text, not {type(node).__name__}",
                              path=str(path), where=prefix)
    if prefix in out:
        raise DefinitionError(f"{path}: message {prefix!r} is already defined in {where[prefix].name}",
                              path=str(path), where=prefix)
    out[prefix] = str(node)
    where[prefix] = path


def message_files(lang: str, folder: Path = MESSAGES_DIR) -> list[Path]:
    """The files holding one language's messages: ``{lang}.yaml`` then ``*.{lang}.yaml``."""
    main = folder / f"{lang}.yaml"
    extra = sorted(folder.glob(f"*.{lang}.yaml"))
    return ([main] if main.exists() else []) + extra


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, dotted key → text (loaded once)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; languages are {', '.join(LANGUAGES)}")
    out: dict[str, str] = {}
    where: dict[str, Path] = {}
    for path in message_files(lang):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise DefinitionError(f"{path}: not valid YAML: {e}", path=str(path), where="") from None
        if not isinstance(data, dict):
            raise DefinitionError(f"{path}: messages must be a mapping of keys to texts",
                                  path=str(path), where="")
        _flatten("", data, out, where, path)
    return out


def translate(lang: str, key: str, **values) -> str:
    """The text of ``key`` in ``lang`` (English falls back to Vietnamese), ``{name}`` filled in.

    >>> translate("vi", "nav.overview")
    'Tổng quan'
    >>> translate("en", "nav.overview")
    'Overview'
    """
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in chiso/web/messages (language {lang!r})")
    return text.format(**values) if values else text


def request_language(request) -> str:
    """The language of a request: ``?lang=``, else the ``chiso_lang`` cookie, else Vietnamese."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(COOKIE_NAME)
    return kept if kept in LANGUAGES else DEFAULT_LANGUAGE


def remember_language(request, response) -> None:
    """Keep the language chosen with ``?lang=`` in the ``chiso_lang`` cookie (one year)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE_NAME) != asked:
        response.set_cookie(COOKIE_NAME, asked, max_age=365 * 24 * 3600, samesite="lax", httponly=False)


# ---------------------------------------------------------------- formatting
def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_signed(value, lang: str, digits: int = 2) -> str:
    """A change with its sign: ``+1,25`` / ``−0,50`` (a true minus sign), ``±0,00`` when it
    rounds to zero; ``—`` for no value. The number is ``chiso.text``'s (rounded half up)."""
    change = rounded(value, digits)
    if change is None:
        return EMPTY
    text = format_number(abs(change), digits, lang)
    if change == 0:
        return "±" + text
    return ("+" if change > 0 else "−") + text


@lru_cache(maxsize=8)
def _zone_named(name: str | None):
    return settings.timezone({"CHISO_TIMEZONE": name} if name else {})


def zone():
    """The zone times are shown in (the setting ``CHISO_TIMEZONE``, read on every call so a test
    or an operator may change it; the ``ZoneInfo`` is kept per name)."""
    return _zone_named(os.environ.get("CHISO_TIMEZONE") or None)


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored time (UTC; a time without a zone is UTC) in the zone of ``CHISO_TIMEZONE``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone())


def iso_local(value) -> str:
    """A time for an export: ISO 8601 in the local zone with its offset
    (``2026-11-23T14:05:00+07:00``); ``""`` for none. Text is parsed as ISO first."""
    if _missing(value) or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    return local_time(value).isoformat(timespec="seconds")


def zone_label(lang: str) -> str:
    """The zone as a column heading may name it: ``giờ Việt Nam, UTC+7`` / ``Viet Nam time, UTC+7``
    (another zone: its name and offset now)."""
    now = dt.datetime.now(zone())
    offset = now.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    name = getattr(zone(), "key", str(zone()))
    if name in ("Asia/Ho_Chi_Minh", "Asia/Saigon"):
        return f"giờ Việt Nam, {utc}" if lang == "vi" else f"Viet Nam time, {utc}"
    return f"{name}, {utc}"


def format_day(value, lang: str) -> str:
    """``21/11/2026`` (vi) / ``21 Nov 2026`` (en); accepts a date, datetime or ISO text. A
    datetime (stored in UTC) is the day it is in the local zone (``CHISO_TIMEZONE``)."""
    if _missing(value) or value == "":
        return EMPTY
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    return _day_text(value, lang)


@lru_cache(maxsize=4096)
def _day_text(value: dt.date, lang: str) -> str:
    """A day as Babel writes it (kept: pages show the same days again and again)."""
    return format_date(value, DATE_FORMATS[lang], locale=LOCALES[lang])


def format_moment(value, lang: str) -> str:
    """A date and time in the local zone (``CHISO_TIMEZONE``; stored times are UTC):
    ``21/11/2026 14:05`` (vi) / ``21 Nov 2026, 14:05`` (en)."""
    if _missing(value) or value == "":
        return EMPTY
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return format_day(value, lang)
    return format_datetime(local_time(value), DATETIME_FORMATS[lang], locale=LOCALES[lang])


def format_period(label, lang: str, dates: bool = False) -> str:
    """A period label as people of the language say it (``chiso.periods.spoken``, the one period
    formatter): ``2026-W34`` → ``Tuần 34/2026`` / ``Week 34, 2026`` (``dates=True``:
    ``Tuần 34/2026 (17–23/08)``); ``2026-11`` → ``Tháng 11/2026`` / ``November 2026``; ``2026-Q3``
    → ``Quý III/2026`` / ``Q3 2026``; ``2026`` → ``Năm 2026`` / ``2026``; a day and a range with
    ``day``'s format. Anything that is not a period is returned unchanged."""
    if label is None or label == "":
        return EMPTY
    return spoken_period(str(label), lang if lang in LANGUAGES else DEFAULT_LANGUAGE, dates)


def term(lang: str, kind: str, code) -> str:
    """A code in the language (``term.<kind>.<code>`` in the messages); an unknown code as it is."""
    if code is None or code == "":
        return EMPTY
    key = f"term.{kind}.{code}"
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    return text if text is not None else str(code)


def bilingual(text, lang: str) -> str:
    """One side of a text chiso wrote in both languages, ``"Vietnamese / English"`` or
    ``"Vietnamese — English"`` (a catalogue import's comment, a warning event's note, an error): the Vietnamese side on Vietnamese pages, the English on English
    ones. Only a text whose left side has Vietnamese letters and whose right side is plain ASCII
    is split — anything else (a person's own comment with a slash) is shown whole."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    mark = " / " if " / " in text else " — " if " — " in text else None
    if mark is None:
        return text
    left, right = text.split(mark, 1)
    if not left.strip() or not right.strip() or not right.isascii() or left.isascii():
        return text
    return right.strip() if lang == "en" else left.strip()


def _lang(ctx) -> str:
    lang = ctx.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@pass_context
def _num(ctx, value, digits: int = 2):
    return format_number(value, digits, _lang(ctx))


@pass_context
def _signed(ctx, value, digits: int = 2):
    return format_signed(value, _lang(ctx), digits)


@pass_context
def _pct(ctx, value, digits: int = 1):
    return format_percent(value, digits, _lang(ctx))


@pass_context
def _day(ctx, value):
    return format_day(value, _lang(ctx))


@pass_context
def _moment(ctx, value):
    return format_moment(value, _lang(ctx))


def localized_name(obj, lang: str, field: str = "name") -> str:
    """An object's or mapping's ``name`` — or ``name_en`` in English when it has one."""
    def get(key):
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    if lang == "en":
        english = get(f"{field}_en")
        if english:
            return english
    return get(field) or ""


@pass_context
def _period(ctx, value, dates: bool = False):
    return format_period(value, _lang(ctx), dates)


@pass_context
def _bilingual(ctx, text):
    return bilingual(text, _lang(ctx))


@pass_context
def _term(ctx, kind: str, code):
    return term(_lang(ctx), kind, code)


def _problem_parts(problem) -> tuple[str, str | None]:
    get = problem.get if isinstance(problem, dict) else lambda k: getattr(problem, k, None)
    return get("reason") or "", get("column")


@pass_context
def _reason(ctx, problem):
    """A submission problem's reason in the page's language (``chiso.collect.values.reasons``)."""
    reason, column = _problem_parts(problem)
    return localise(reason, _lang(ctx), column)


def _reason_code(problem):
    """A submission problem's stable code (``value.range`` …), or ``""``."""
    reason, column = _problem_parts(problem)
    return code_of(reason, column) or ""


@pass_context
def _named(ctx, obj, field: str = "name"):
    return localized_name(obj, _lang(ctx), field)


@pass_context
def _t(ctx, key: str, **values):
    return translate(_lang(ctx), key, **values)


def install(env) -> None:
    """Add ``t(key, **values)`` and the filters ``num``, ``signed``, ``pct``, ``day``,
    ``moment``, ``period``, ``named``, ``reason``, ``reason_code``, ``bilingual`` and the global ``term(kind, code)``
    to a Jinja environment; templates get the language from ``lang``."""
    env.globals["t"] = _t
    env.globals["term"] = _term
    env.globals["LANGUAGES"] = LANGUAGES
    env.filters.update(num=_num, signed=_signed, pct=_pct, day=_day, moment=_moment, named=_named,
                       period=_period, reason=_reason, reason_code=_reason_code, bilingual=_bilingual)
