"""Cách trình bày nhóm (group views): the same 766 score shown in six groups or in five.

The score is computed in the index definition's own groups (six: online services /12 and
online payment /10, as the national portal and Bắc Ninh show it). Decision 766 itself, and
provinces such as Sơn La and Thái Nguyên, report five groups, online service provision being
one group of 22 points. A **view** says which of the definition's groups are shown as one:

- ``six`` — the definition's groups, as they are (always there, written nowhere);
- the views of ``definitions/presentations-766.yaml`` (``five``), or of the copy the setting
  ``CHISO_GROUP_PRESENTATIONS`` names; each lists every group of the definition exactly once,
  alone or merged into a shown group.

A view never changes a score: a shown group's points are the sum of its members' points, its
maximum the sum of their maxima, its ratio and percent recomputed from those two (never an
average of the members' ratios), so the total is the same in every view (:func:`present`,
:func:`present_frame`). The view shown is the setting ``CHISO_GROUP_VIEW`` (``six`` by default),
or what a page (``?nhom=5|6``), the API (``view=five|six``) or a bulletin asks
(:func:`view_name`). Format and rules: ``docs/definitions.md`` ("Group views").
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chiso import settings
from chiso.catalog.index_definition import DEFINITIONS_DIR, IndexDefinition
from chiso.errors import DefinitionError, SettingsError
from chiso.text import rounded

DEFAULT_PRESENTATIONS = DEFINITIONS_DIR / "presentations-766.yaml"

SIX, FIVE = "six", "five"
#: The views a deployment, a page, the API or a bulletin may choose.
VIEWS: tuple[str, ...] = (SIX, FIVE)
#: What may be asked for a view: the view's name, or its number of groups (``?nhom=5``).
ASKED: dict[str, str] = {"6": SIX, "5": FIVE, SIX: SIX, FIVE: FIVE}
#: The page's query parameter choosing the view (nhóm = group).
PAGE_PARAMETER = "nhom"

SIX_NAME, SIX_NAME_EN = "6 nhóm (Cổng DVCQG)", "6 groups (national portal)"


# ---------------------------------------------------------------- the file's shape
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShownGroupSpec(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str | None = Field(default=None, min_length=1)
    name_en: str | None = Field(default=None, min_length=1)
    merge: list[str] | None = Field(default=None, min_length=2)
    max: float | None = Field(default=None, gt=0)


class ViewSpec(_Strict):
    name: str = Field(min_length=1)
    name_en: str | None = Field(default=None, min_length=1)
    groups: list[ShownGroupSpec] = Field(min_length=1)


class ShortNameSpec(_Strict):
    vi: str = Field(min_length=1, max_length=24)
    en: str | None = Field(default=None, min_length=1, max_length=24)


class PresentationsSpec(_Strict):
    definition: str
    # short names for narrow places (a ranking's column heads), by group code (the definition's
    # groups and the views' shown groups); a group without one is headed by its name
    short_names: dict[str, ShortNameSpec] = Field(default_factory=dict)
    views: dict[str, ViewSpec] = Field(min_length=1)


# ---------------------------------------------------------------- compiled objects
@dataclass(frozen=True)
class ShownGroup:
    """A group as a view shows it: its own code and name, its maximum (the sum of its
    members'), and the definition's groups it is made of (one, or several merged)."""

    code: str
    name: str
    name_en: str | None
    max: float
    members: tuple[str, ...]
    short: str = ""  # a short name for narrow places (the name when none is given)
    short_en: str | None = None

    @property
    def merged(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class GroupView:
    """One way to show the definition's groups (``six``, ``five``)."""

    code: str
    name: str
    name_en: str | None
    groups: tuple[ShownGroup, ...]
    definition: str  # the index definition's code
    version: str  # … and version it was checked against
    digits: int  # the definition's rounding of points

    @property
    def count(self) -> int:
        return len(self.groups)

    @property
    def merges(self) -> bool:
        """Whether the view shows any group other than as the definition has it."""
        return any(g.merged for g in self.groups)

    def shown(self, code: str) -> ShownGroup:
        """The shown group a definition group (or a shown group's own code) belongs to."""
        for g in self.groups:
            if g.code == code or code in g.members:
                return g
        raise KeyError(f"{code!r} is not a group of the view {self.code!r}")


@dataclass(frozen=True)
class GroupRow:
    """One shown group's figures (:func:`present`): points and maximum added up from the
    members; ``ratio`` = points / max and ``percent`` = 100 × ratio (rounded to 2 decimals)
    recomputed from them; ``None`` points when no member has any."""

    code: str
    name: str
    name_en: str | None
    points: float | None
    max: float
    ratio: float | None
    percent: float | None
    members: tuple[str, ...]

    @property
    def merged(self) -> bool:
        return len(self.members) > 1

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "name_en": self.name_en, "points": self.points,
                "max": self.max, "ratio": self.ratio, "percent": self.percent, "members": list(self.members)}


# ---------------------------------------------------------------- figures
def _round(value: float, digits: int) -> float:
    return float(rounded(value, digits))


def present(scores_by_group: Mapping[str, float | None], view: GroupView, *,
            maxima: Mapping[str, float] | None = None) -> list[GroupRow]:
    """A unit's group scores (definition group code → points) as ``view`` shows them, one row per
    shown group, in the view's order.

    Points add (members without points are left out; none at all → ``None``), maxima add
    (``maxima`` may give a member's maximum other than the definition's, e.g. the determined
    part of a group), ratio and percent are recomputed from the added points and maximum. A
    group of the definition missing from ``scores_by_group`` is an error (a view must show
    every group).

    >>> from chiso.catalog.index_definition import load_index_definition
    >>> d = load_index_definition()
    >>> six = {"TRANSPARENCY": 15.82, "PROGRESS": 19.2, "ONLINE_SERVICE": 8.48, "PAYMENT": 9.91,
    ...        "DIGITIZATION": 21.01, "SATISFACTION": 17.86}
    >>> row = present(six, group_view(d, "five"))[2]
    >>> row.code, row.points, row.max, row.percent
    ('ONLINE_SERVICE_PAYMENT', 18.39, 22.0, 83.59)
    """
    missing = [m for g in view.groups for m in g.members if m not in scores_by_group]
    if missing:
        raise KeyError(f"no score for the group(s) {', '.join(missing)} (view {view.code!r})")
    out = []
    for g in view.groups:
        found = [float(scores_by_group[m]) for m in g.members if scores_by_group[m] is not None]
        points = _round(sum(found), view.digits) if found else None
        top = _round(sum(float(maxima[m]) for m in g.members), view.digits) \
            if maxima is not None and all(m in maxima for m in g.members) else g.max
        ratio = None if points is None or not top else points / top
        percent = None if ratio is None else _round(100 * ratio, 2)
        out.append(GroupRow(g.code, g.name, g.name_en, points, top, ratio, percent, g.members))
    return out


def present_changes(now: Mapping[str, float | None], before: Mapping[str, float | None] | None,
                    view: GroupView) -> dict[str, float | None]:
    """Each shown group's change between two scorings (shown code → now − before, rounded like
    points; ``None`` when either side has no points)."""
    rows_now = {r.code: r.points for r in present(now, view)}
    if before is None:
        return {code: None for code in rows_now}
    rows_before = {r.code: r.points for r in present(before, view)}
    return {code: (None if rows_now[code] is None or rows_before[code] is None
                   else _round(rows_now[code] - rows_before[code], view.digits)) for code in rows_now}


def present_frame(frame: pl.DataFrame, view: GroupView) -> pl.DataFrame:
    """A frame with one column per definition group (a ``ScoreTable``'s units, a weekly series)
    with the merged members' columns replaced by their shown group's column (the sum; null
    when every member is null), placed where the first member was. Other columns are kept;
    the six view returns the frame as it is."""
    if not view.merges:
        return frame
    present_cols = set(frame.columns)
    exprs, done = [], set()
    for col in frame.columns:
        try:
            g = view.shown(col)
        except KeyError:
            exprs.append(pl.col(col))
            continue
        if not g.merged:
            exprs.append(pl.col(col))
        elif g.code not in done:
            members = [m for m in g.members if m in present_cols]
            if len(members) != len(g.members):
                raise KeyError(f"the frame lacks the group column(s) {', '.join(sorted(set(g.members) - present_cols))}")
            total = pl.sum_horizontal(*[pl.col(m) for m in members])
            exprs.append(pl.when(pl.any_horizontal(*[pl.col(m).is_not_null() for m in members]))
                         .then(total.round(view.digits)).otherwise(None).cast(pl.Float64).alias(g.code))
            done.add(g.code)
    return frame.select(exprs)


# ---------------------------------------------------------------- loading
def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def six_view(definition: IndexDefinition, short_names: Mapping[str, ShortNameSpec] | None = None) -> GroupView:
    """The definition's own groups, as they are."""
    short_names = short_names or {}

    def shown(g) -> ShownGroup:
        s = short_names.get(g.code)
        return ShownGroup(g.code, g.name, g.name_en, float(g.max), (g.code,), s.vi if s else g.name,
                          (s.en if s else None) or g.name_en)

    return GroupView(SIX, SIX_NAME, SIX_NAME_EN, tuple(shown(g) for g in definition.groups),
                     definition.code, definition.version, definition.digits)


def parse_presentations(text: str, definition: IndexDefinition, path: str = "<text>") -> dict[str, GroupView]:
    """Every view of a presentations file, checked against ``definition``: each view shows every
    group of the definition exactly once (an unknown group code, a group shown twice or not at
    all is a ``DefinitionError`` naming the file and the field), a shown group's stated ``max``
    equals the sum of its members', a new code is not a code of the definition's groups."""
    raw = settings.yaml_mapping(text, path)
    try:
        spec = PresentationsSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        more = len(err.errors()) - 1
        raise DefinitionError(first["msg"] + (f" (and {more} more problems)" if more else ""),
                              path=path, where=_where(first["loc"])) from None
    if spec.definition != definition.code:
        raise DefinitionError(f"views of {spec.definition!r}, but the index definition is {definition.code!r} / "
                              f"cách trình bày này dành cho {spec.definition!r}, không phải {definition.code!r}",
                              path=path, where="definition")
    known = {g.code: g for g in definition.groups}
    views = {SIX: six_view(definition, spec.short_names)}
    for name, v in spec.views.items():
        where = f"views.{name}"
        if name == SIX:
            raise DefinitionError("the view 'six' is the definition's own groups and is not written here / "
                                  "cách trình bày 'six' là 6 nhóm của phương pháp tính, không khai báo lại",
                                  path=path, where=where)
        if name not in VIEWS:
            raise DefinitionError(f"unknown view {name!r}: views are {', '.join(VIEWS)} / "
                                  f"không có cách trình bày {name!r}", path=path, where=where)
        seen: dict[str, str] = {}
        shown_codes: set[str] = set()
        groups = []
        for i, s in enumerate(v.groups):
            at = f"{where}.groups[{i}]"
            if s.code in shown_codes:
                raise DefinitionError(f"the shown group {s.code!r} is listed twice / nhóm {s.code!r} được liệt kê "
                                      f"hai lần", path=path, where=f"{at}.code")
            shown_codes.add(s.code)
            if s.merge is None:
                if s.code not in known:
                    raise DefinitionError(f"{s.code!r} is not a group of {definition.code} "
                                          f"({', '.join(known)}) / {s.code!r} không phải nhóm của phương pháp tính",
                                          path=path, where=f"{at}.code")
                if s.max is not None and abs(s.max - known[s.code].max) > 1e-9:
                    raise DefinitionError(f"max {s.max:g} is not the group's maximum {known[s.code].max:g} / "
                                          f"điểm tối đa {s.max:g} khác điểm tối đa của nhóm", path=path,
                                          where=f"{at}.max")
                members = (s.code,)
            else:
                if s.code in known:
                    raise DefinitionError(f"a merged group needs its own code, not the group {s.code!r} of "
                                          f"{definition.code} / nhóm gộp cần mã riêng", path=path, where=f"{at}.code")
                if s.name is None:
                    raise DefinitionError("a merged group needs a name / nhóm gộp cần tên", path=path,
                                          where=f"{at}.name")
                for j, m in enumerate(s.merge):
                    if m not in known:
                        raise DefinitionError(f"{m!r} is not a group of {definition.code} ({', '.join(known)}) / "
                                              f"{m!r} không phải nhóm của phương pháp tính", path=path,
                                              where=f"{at}.merge[{j}]")
                members = tuple(s.merge)
            for j, m in enumerate(members):
                field = f"{at}.merge[{j}]" if s.merge is not None else f"{at}.code"
                if m in seen:
                    raise DefinitionError(f"the group {m!r} is shown twice (also in {seen[m]}) / nhóm {m!r} được "
                                          f"trình bày hai lần", path=path, where=field)
                seen[m] = at
            total = sum(known[m].max for m in members)
            if s.merge is not None and s.max is not None and abs(s.max - total) > 1e-9:
                raise DefinitionError(f"max {s.max:g} is not the sum of its groups' maxima ({total:g}) / điểm tối "
                                      f"đa {s.max:g} khác tổng điểm tối đa các nhóm gộp ({total:g})", path=path,
                                      where=f"{at}.max")
            shown_name = s.name if s.name is not None else known[s.code].name
            shown_en = s.name_en if s.name_en is not None else (known[s.code].name_en if s.merge is None else None)
            short = spec.short_names.get(s.code)
            groups.append(ShownGroup(s.code, shown_name, shown_en, float(total), members,
                                     short.vi if short else shown_name, (short.en if short else None) or shown_en))
        unshown = [g for g in known if g not in seen]
        if unshown:
            raise DefinitionError(f"the group(s) {', '.join(unshown)} of {definition.code} are not shown / "
                                  f"nhóm {', '.join(unshown)} không được trình bày", path=path, where=f"{where}.groups")
        unknown_short = sorted(set(spec.short_names) - set(known) - {g.code for sv in spec.views.values()
                                                                      for g in sv.groups})
        if unknown_short:
            raise DefinitionError(f"short names of unknown group(s) {', '.join(unknown_short)} / tên ngắn của nhóm "
                                  f"không có: {', '.join(unknown_short)}", path=path,
                                  where=f"short_names.{unknown_short[0]}")
        views[name] = GroupView(name, v.name, v.name_en, tuple(groups), definition.code, definition.version,
                                definition.digits)
    return views


_LOADED: dict[tuple, dict[str, GroupView]] = {}


def _loaded(path: str, definition: IndexDefinition) -> dict[str, GroupView]:
    # a definition is not hashable (its dicts): keyed by what a view depends on, its groups
    key = (path, definition.code, definition.version, definition.digits,
           tuple((g.code, g.name, g.name_en, float(g.max)) for g in definition.groups))
    found = _LOADED.get(key)
    if found is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise DefinitionError(f"cannot read: {err.strerror}", path=path) from None
        found = _LOADED[key] = parse_presentations(text, definition, path)
    return found


def group_views(definition: IndexDefinition, path: str | Path | None = None) -> dict[str, GroupView]:
    """The views of ``definition``: ``six`` and those of the presentations file (``path``, else
    the file ``CHISO_GROUP_PRESENTATIONS`` names, else the shipped one), read and checked once per
    file and definition."""
    chosen = path if path is not None else (settings.get("CHISO_GROUP_PRESENTATIONS") or DEFAULT_PRESENTATIONS)
    return _loaded(str(Path(chosen)), definition)


def view_name(asked: str | None = None, env: dict[str, str] | None = None) -> str:
    """The view to show: ``asked`` (``5``/``6``/``five``/``six``) when given, else the setting
    ``CHISO_GROUP_VIEW``. Anything else is a ``SettingsError`` (the web answers 400)."""
    if asked is not None and str(asked).strip():
        key = str(asked).strip().lower()
        if key not in ASKED:
            raise SettingsError(f"cách trình bày nhóm {asked!r} không hợp lệ: 5, 6, five hoặc six / "
                                f"group view {asked!r} must be 5, 6, five or six")
        return ASKED[key]
    setting = (settings.get("CHISO_GROUP_VIEW", env) or SIX).strip().lower()
    if setting not in ASKED:
        raise SettingsError(f"CHISO_GROUP_VIEW phải là six hoặc five, không phải {setting!r} / "
                            f"CHISO_GROUP_VIEW must be six or five, not {setting!r}")
    return ASKED[setting]


def group_view(definition: IndexDefinition, asked: str | None = None, *, path: str | Path | None = None) -> GroupView:
    """The view ``asked`` (or the deployment's, :func:`view_name`) of ``definition``."""
    return group_views(definition, path)[view_name(asked)]
