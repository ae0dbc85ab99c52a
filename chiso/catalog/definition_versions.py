"""Versions of an index definition over time (phiên bản phương pháp tính): which version
scores a window, what a window spanning a change says, and what changed between two versions.

The versions come from the definition files themselves (``extends`` / ``follows``,
docs/definitions.md "Versions"); :func:`parse_index_definition
<chiso.catalog.index_definition.parse_index_definition>` checks their dates. Here:

- :func:`version_for`: the version in force on a window's last day scores the window; the
  changes of method inside the window come with it (:class:`MethodChange`), so that pages,
  the API and the CLI can say "Kỳ này có thay đổi phương pháp tính từ ngày 01/07/2026
  (phiên bản 2026.2)";
- :func:`diff`: criteria, groups, measures, settings, rounding and bands added, removed or
  changed between two versions, each as a plain Vietnamese line (``chiso definitions diff``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from chiso.catalog.index_definition import Criterion, IndexDefinition, Measure, load_index_definition
from chiso.errors import ChisoError, NotFoundError
from chiso.periods.spoken import day_text
from chiso.periods.windows import Window, parse_window
from chiso.text import format_number

# ---------------------------------------------------------------- the version of a window


@dataclass(frozen=True)
class MethodChange:
    """A version of the method that starts inside a window (after its first day, on or before its last).

    ``previous`` is the version in force before ``day`` (None: the method did not exist
    before ``day`` — a window reaching back before the first version).
    """

    window: str
    day: dt.date
    version: str
    previous: str | None

    def message(self, lang: str = "vi") -> str:
        """The sentence pages, bulletins, the API and the CLI show."""
        if self.previous is None:
            if lang == "en":
                return (f"The method applies only from {day_text(self.day, 'en')} (version {self.version}); "
                        "the days of this period before it are scored by it as well")
            return (f"Phương pháp tính chỉ áp dụng từ ngày {day_text(self.day, 'vi')} (phiên bản {self.version}); "
                    "các ngày của kỳ trước ngày đó cũng được tính theo phiên bản này")
        if lang == "en":
            return f"The method changed during this period, from {day_text(self.day, 'en')} (version {self.version})"
        return f"Kỳ này có thay đổi phương pháp tính từ ngày {day_text(self.day, 'vi')} (phiên bản {self.version})"

    def as_dict(self) -> dict:
        return {"window": self.window, "from": self.day.isoformat(), "version": self.version,
                "previous_version": self.previous, "message": self.message("vi"), "message_en": self.message("en")}


@dataclass(frozen=True)
class VersionChoice:
    """The version that scores a window and the changes of method inside the window."""

    definition: IndexDefinition
    changes: tuple[MethodChange, ...] = ()

    @property
    def spans_change(self) -> bool:
        return bool(self.changes)

    def message(self, lang: str = "vi") -> str | None:
        """Every change inside the window in one sentence, and which version scored it; None without one."""
        if not self.changes:
            return None
        said = "; ".join(c.message(lang) for c in self.changes)
        if lang == "en":
            return f"{said}. The whole period is scored by version {self.definition.version}, in force on its last day."
        return (f"{said}. Điểm cả kỳ tính theo phiên bản {self.definition.version}, "
                "phiên bản có hiệu lực vào ngày cuối kỳ.")

    def as_dict(self) -> dict:
        return {"version": self.definition.version, "valid_from": self.definition.valid_from.isoformat(),
                "valid_to": self.definition.valid_to.isoformat() if self.definition.valid_to else None,
                "changes": [c.as_dict() for c in self.changes], "message": self.message("vi"),
                "message_en": self.message("en")}


def _window(window: Window | str) -> Window:
    return parse_window(window) if isinstance(window, str) else window


def version_for(definition: IndexDefinition, window: Window | str) -> VersionChoice:
    """The version of ``definition``'s set that scores ``window``: the one in force on the
    window's last day (decision 221), with every change of method after its first day.

    >>> d = load_index_definition()
    >>> choice = version_for(d, "2026-W27")
    >>> choice.definition.version, choice.spans_change
    ('2026.1', False)
    """
    w = _window(window)
    used = definition.in_force(w.end)
    if used is None:
        first, last = definition.versions[0], definition.versions[-1]
        if w.end < first.valid_from:
            raise ChisoError(f"kỳ {w.label} kết thúc trước ngày áp dụng phương pháp tính {definition.code} "
                             f"({day_text(first.valid_from, 'vi')}, phiên bản {first.version}): chưa có phương pháp "
                             f"tính cho kỳ này / the period ends before the method's first version")
        raise ChisoError(f"kỳ {w.label} kết thúc sau ngày phương pháp tính {definition.code} hết hiệu lực "
                         f"({day_text(last.valid_to, 'vi')}, phiên bản {last.version}) / the period ends after "
                         "the method's last version")
    changes = []
    versions = used.versions
    for i, v in enumerate(versions):
        if w.start < v.valid_from <= w.end:
            changes.append(MethodChange(w.label, v.valid_from, v.version, versions[i - 1].version if i else None))
    return VersionChoice(used, tuple(changes))


def method_change(definition: IndexDefinition, window: Window | str, lang: str = "vi") -> str | None:
    """What a page, the API or the CLI says about the method of ``window``: None when one
    version covers it, else e.g. "Kỳ này có thay đổi phương pháp tính từ ngày 01/07/2026
    (phiên bản 2026.2). Điểm cả kỳ tính theo phiên bản 2026.2, …"."""
    return version_for(definition, window).message(lang)


def resolve(definition: IndexDefinition, ref: str) -> IndexDefinition:
    """A version named by its label in ``definition``'s set (``2026.1``), or by a file (its
    newest version; ``FILE@LABEL`` for an earlier one of that file's set)."""
    label, text = ref, None
    if Path(ref).is_file() or ref.endswith((".yaml", ".yml")):
        label, text = None, ref
    elif "@" in ref:
        text, label = ref.rsplit("@", 1)
    if text is not None:
        definition = load_index_definition(Path(text))
        if label is None:
            return definition
    try:
        return definition.version_labelled(label)
    except KeyError:
        raise NotFoundError(f"không có phiên bản {label!r} của {definition.code}; có: "
                            + ", ".join(v.version for v in definition.versions)
                            + f" / no version {label!r}") from None


# ---------------------------------------------------------------- what changed
KIND_VI = {"dossiers": "hồ sơ", "petitions": "phản ánh, kiến nghị", "procedures": "thủ tục hành chính",
           "publications": "công bố thủ tục hành chính"}
WHEN_EMPTY_VI = {"zero": "0 điểm", "full": "đủ điểm", "null": "không tính điểm"}
STATUS_VI = {"determined": "đã xác định", "undetermined": "chưa xác định"}
CRITERION_FIELDS = (  # field, how a line names it
    ("group", "nhóm"), ("name", "tên"), ("max", "điểm tối đa"), ("status", "trạng thái"),
    ("numerator", "tử số"), ("denominator", "mẫu số"), ("full_at", "tỷ lệ đạt điểm tối đa"),
    ("when_empty", "khi mẫu số bằng 0"), ("inherit", "lấy số liệu của tỉnh"), ("attested", "tỷ lệ tỉnh xác nhận"),
    ("scope", "phạm vi"),
)
MEASURE_FIELDS = (("records", "loại bản ghi"), ("where", "điều kiện"), ("distinct", "đếm không trùng theo"))


@dataclass(frozen=True)
class Difference:
    """One thing that differs between two versions."""

    subject: str   # criterion | group | measure | setting | rounding | bands
    change: str    # added | removed | changed
    code: str
    field: str | None
    before: object
    after: object
    text: str      # the plain Vietnamese line

    def as_dict(self) -> dict:
        return {"subject": self.subject, "change": self.change, "code": self.code, "field": self.field,
                "before": self.before, "after": self.after, "text": self.text}


def _num(v) -> str:
    return format_number(v, 6, "vi", trim=True)


def _terms(terms: tuple[tuple[int, str], ...]) -> str | None:
    if not terms:
        return None
    parts = []
    for i, (sign, m) in enumerate(terms):
        parts.append((m if sign > 0 else f"-{m}") if i == 0 else f"{'+' if sign > 0 else '-'} {m}")
    return " ".join(parts)


def _criterion_value(c: Criterion, f: str):
    if f == "numerator":
        return _terms(c.numerator)
    if f == "denominator":
        return _terms(c.denominator)
    return getattr(c, f)


def _said(f: str, v) -> str:
    if v is None:
        return "không có"
    if f == "when_empty":
        return WHEN_EMPTY_VI.get(v, v)
    if f == "status":
        return STATUS_VI.get(v, v)
    if f == "inherit":
        return "có" if v else "không"
    if f == "records":
        return KIND_VI.get(v, v)
    if isinstance(v, bool):
        return "có" if v else "không"
    if isinstance(v, (int, float)):
        return _num(v)
    return str(v)


def _measure_value(m: Measure, f: str):
    if f == "where":
        return m.where_text
    return getattr(m, f)


def _criterion_line(c: Criterion) -> str:
    how = ("tỷ lệ tỉnh xác nhận " + _num(c.attested) if c.attested is not None
           else f"{_terms(c.numerator)} / {_terms(c.denominator)}" if c.numerator else "chưa có công thức")
    status = "" if c.determined else ", chưa xác định"
    return f"tiêu chí {c.code} «{c.name}» (nhóm {c.group}, tối đa {_num(c.max)} điểm, {how}{status})"


def diff(a: IndexDefinition, b: IndexDefinition) -> list[Difference]:
    """What changes from version ``a`` to version ``b``, in the definition's order."""
    out: list[Difference] = []

    def add(subject, change, code, f, before, after, text):
        out.append(Difference(subject, change, code, f, before, after, text))

    ga, gb = {g.code: g for g in a.groups}, {g.code: g for g in b.groups}
    for code, g in gb.items():
        if code not in ga:
            add("group", "added", code, None, None, _num(g.max),
                f"Thêm nhóm {code} «{g.name}», tối đa {_num(g.max)} điểm")
        else:
            old = ga[code]
            for f, word in (("name", "tên"), ("max", "điểm tối đa")):
                if getattr(old, f) != getattr(g, f):
                    add("group", "changed", code, f, getattr(old, f), getattr(g, f),
                        f"Nhóm {code}: {word} {_said(f, getattr(old, f))} → {_said(f, getattr(g, f))}")
    for code, g in ga.items():
        if code not in gb:
            add("group", "removed", code, None, _num(g.max), None, f"Bỏ nhóm {code} «{g.name}» ({_num(g.max)} điểm)")

    ca, cb = {c.code: c for c in a.criteria}, {c.code: c for c in b.criteria}
    for code, c in cb.items():
        if code not in ca:
            add("criterion", "added", code, None, None, c.max, "Thêm " + _criterion_line(c))
            continue
        old = ca[code]
        for f, word in CRITERION_FIELDS:
            before, after = _criterion_value(old, f), _criterion_value(c, f)
            if before != after:
                add("criterion", "changed", code, f, before, after,
                    f"Tiêu chí {code}: {word} {_said(f, before)} → {_said(f, after)}")
    for code, c in ca.items():
        if code not in cb:
            add("criterion", "removed", code, None, c.max, None, "Bỏ " + _criterion_line(c))

    for name, m in b.measures.items():
        if name not in a.measures:
            cond = f", điều kiện: {m.where_text}" if m.where_text is not None else ""
            add("measure", "added", name, None, None, _measure_value(m, "where"),
                f"Thêm phép đếm {name} ({KIND_VI.get(m.records, m.records)}{cond})")
            continue
        old = a.measures[name]
        for f, word in MEASURE_FIELDS:
            before, after = _measure_value(old, f), _measure_value(m, f)
            if before != after:
                add("measure", "changed", name, f, before, after,
                    f"Phép đếm {name}: {word} {_said(f, before)} → {_said(f, after)}")
        if old.reasons_text != m.reasons_text:
            add("measure", "changed", name, "reasons", len(old.reasons), len(m.reasons),
                f"Phép đếm {name}: lý do mất điểm thay đổi ({len(old.reasons)} → {len(m.reasons)} lý do)")
    for name, m in a.measures.items():
        if name not in b.measures:
            add("measure", "removed", name, None, _measure_value(m, "where"), None,
                f"Bỏ phép đếm {name} ({KIND_VI.get(m.records, m.records)})")

    for k, v in b.settings.items():
        if k not in a.settings:
            add("setting", "added", k, None, None, v, f"Thêm thiết lập {k} = {_num(v)}")
        elif a.settings[k] != v:
            add("setting", "changed", k, "value", a.settings[k], v,
                f"Thiết lập {k}: {_num(a.settings[k])} → {_num(v)}")
    for k, v in a.settings.items():
        if k not in b.settings:
            add("setting", "removed", k, None, v, None, f"Bỏ thiết lập {k} ({_num(v)})")

    if a.digits != b.digits:
        add("rounding", "changed", "digits", "digits", a.digits, b.digits,
            f"Làm tròn: {a.digits} → {b.digits} chữ số thập phân")
    bands_a = {None: a.national_bands, **a.province_bands}
    bands_b = {None: b.national_bands, **b.province_bands}
    for key in dict.fromkeys([*bands_a, *bands_b]):
        if bands_a.get(key) != bands_b.get(key):
            where = "toàn quốc" if key is None else f"của tỉnh {key}"
            change = "added" if key not in bands_a else "removed" if key not in bands_b else "changed"
            word = {"added": "Thêm", "removed": "Bỏ", "changed": "Đổi"}[change]
            add("bands", change, key or "national", None, None, None, f"{word} cách xếp loại {where}")
    return out


def diff_document(a: IndexDefinition, b: IndexDefinition) -> dict:
    """What ``chiso definitions diff --format json`` prints."""
    def side(d: IndexDefinition) -> dict:
        return {"code": d.code, "version": d.version, "valid_from": d.valid_from.isoformat(),
                "valid_to": d.valid_to.isoformat() if d.valid_to else None, "path": d.path, "note": d.note or None}
    items = diff(a, b)
    return {"from": side(a), "to": side(b), "title": diff_title(a, b), "same": not items,
            "differences": [d.as_dict() for d in items]}


def diff_title(a: IndexDefinition, b: IndexDefinition) -> str:
    def said(d: IndexDefinition) -> str:
        return f"{d.version} (từ {day_text(d.valid_from, 'vi')})"
    return f"Phương pháp tính {a.code}: phiên bản {said(a)} → {said(b)}"


def diff_lines(a: IndexDefinition, b: IndexDefinition) -> list[str]:
    """The differences as plain Vietnamese lines, the title first."""
    items = diff(a, b)
    if not items:
        return [diff_title(a, b), "Hai phiên bản giống nhau về tiêu chí, phép đếm, điểm tối đa và thiết lập."]
    return [diff_title(a, b), *(d.text for d in items)]
