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
  (vi ``Tuần 34/2026``, en ``Week 34, 2026``), ``named`` (an object's ``name``, or its
  ``name_en`` in English when it has one), and ``reason`` / ``reason_code`` (a submission
  problem's reason in the language and its stable code, ``chiso.collect.values.reasons``).
"""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path

import yaml
from babel.dates import format_date, format_datetime
from jinja2 import pass_context

from chiso.collect.values.reasons import code_of, localise
from chiso.errors import DefinitionError
from chiso.periods.windows import parse_window
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


def format_day(value, lang: str) -> str:
    """``21/11/2026`` (vi) / ``21 Nov 2026`` (en); accepts a date, datetime or ISO text."""
    if _missing(value) or value == "":
        return EMPTY
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return _day_text(value, lang)


@lru_cache(maxsize=4096)
def _day_text(value: dt.date, lang: str) -> str:
    """A day as Babel writes it (kept: pages show the same days again and again)."""
    return format_date(value, DATE_FORMATS[lang], locale=LOCALES[lang])


def format_moment(value, lang: str) -> str:
    """A date and time: ``21/11/2026 14:05`` (vi) / ``21 Nov 2026, 14:05`` (en)."""
    if _missing(value) or value == "":
        return EMPTY
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return format_day(value, lang)
    return format_datetime(value, DATETIME_FORMATS[lang], locale=LOCALES[lang])


@lru_cache(maxsize=4096)
def format_period(label, lang: str) -> str:
    """A period label as people of the language write it: ``2026-W34`` → ``Tuần 34/2026`` /
    ``Week 34, 2026``; ``2026-08`` → ``08/2026`` / ``Aug 2026``; ``2026-Q3`` → ``Quý 3/2026`` /
    ``Q3 2026``; a day, a year to date and a range with ``day``'s format; a year as it is.
    Anything that is not a period is returned unchanged."""
    if label is None or label == "":
        return EMPTY
    try:
        w = parse_window(str(label))
    except Exception:  # noqa: BLE001 - not a period label: show it as given
        return str(label)
    vi = lang == "vi"
    if w.kind == "week":
        week, year = w.start.isocalendar()[1], w.start.isocalendar()[0]
        return f"Tuần {week}/{year}" if vi else f"Week {week}, {year}"
    if w.kind == "month":
        return f"{w.start.month:02d}/{w.start.year}" if vi else format_date(w.start, "MMM y", locale=LOCALES[lang])
    if w.kind == "quarter":
        quarter = (w.start.month - 1) // 3 + 1
        return f"Quý {quarter}/{w.start.year}" if vi else f"Q{quarter} {w.start.year}"
    if w.kind == "year":
        return str(w.start.year)
    if w.kind == "day":
        return format_day(w.start, lang)
    return f"{format_day(w.start, lang)}–{format_day(w.end, lang)}"


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
def _period(ctx, value):
    return format_period(value, _lang(ctx))


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
    ``moment``, ``period``, ``named``, ``reason``, ``reason_code`` to a Jinja environment; templates get the language from ``lang``."""
    env.globals["t"] = _t
    env.globals["LANGUAGES"] = LANGUAGES
    env.filters.update(num=_num, signed=_signed, pct=_pct, day=_day, moment=_moment, named=_named,
                       period=_period, reason=_reason, reason_code=_reason_code)
