"""Synthetic history of Bắc Ninh's DM indicators (số liệu mô phỏng bộ chỉ số chỉ đạo, điều
hành), for the demo: what each owner agency would have submitted.

Every live collected indicator of the sample catalogue (no formula, not fed by the index
engine, status approved or in operation) gets a value for each of its periods between
``start`` and ``end`` — for the province and for each department or commune when its
levels say so — from its profile in ``indicator_profiles``. Formula indicators are not
generated: they are computed from these values. Deterministic: the same catalogue, units,
dates and seed give the same values.

Realism the warnings can find (``Scenario``): Tết dips and year-end peaks, trends that
leave some indicators off track (public-investment disbursement, GRDP growth, final
accounts on time, social-insurance coverage) or deteriorating (dissolved enterprises,
three communes' on-time dossier rates), two outliers (a large FDI project; a commune's
building permits typed with an extra zero), and data that did not arrive: business
registration figures missing for the last three weeks (the synchronisation problem with
the national business registration system of seed 003), tourism figures for the latest
month not yet submitted.

Output: submission files in the collection format (``indicator,unit,period,value,
breakdown,note``), one CSV per owner agency — the owner submits its own data — and the
values relation (``indicator_values``).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from chiso.catalog.indicator import LIVE_STATES, CatalogueSpec, Indicator
from chiso.demo.indicator_calendar import Span
from chiso.demo.indicator_profiles import PROFILES, Part, Profile
from chiso.demo.indicator_series import Context, Series, build, digits
from chiso.demo.rng import stream
from chiso.units import load_units
from chiso.units.registry import UnitTree

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "catalog" / "definitions" / "catalogue-24.yaml"
SUBMISSION_COLUMNS = ("indicator", "unit", "period", "value", "breakdown", "note")
VALUES_SCHEMA = {"indicator": pl.String, "unit_code": pl.String, "period": pl.String, "period_kind": pl.String,
                 "period_start": pl.Date, "period_end": pl.Date, "value": pl.Float64,
                 "indicator_version": pl.Int64}
HISTORY_SCHEMA = {**VALUES_SCHEMA, "owner": pl.String, "breakdown": pl.String, "note": pl.String}


@dataclass(frozen=True)
class Anomaly:
    """A planted irregularity: an outlier value, or periods with no submission."""

    kind: str                  # "outlier" | "missing"
    indicator: str
    unit: str | None           # None: every unit of the indicator
    periods: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Scenario:
    """What the synthetic history plants for warnings to find."""

    deteriorating: tuple[str, ...]   # communes whose on-time rate slides at the end
    anomalies: tuple[Anomaly, ...]


@dataclass(frozen=True)
class History:
    frame: pl.DataFrame              # HISTORY_SCHEMA: the values relation + owner, breakdown, note
    scenario: Scenario
    start: date
    end: date

    def values(self) -> pl.DataFrame:
        """The values relation (breakdown rows excluded; there are none here)."""
        return self.frame.filter(pl.col("breakdown") == "").select(list(VALUES_SCHEMA))


# ------------------------------------------------------------------------ catalogue

@cache
def sample_catalogue(path: Path = CATALOGUE_PATH) -> CatalogueSpec:
    """Bắc Ninh's sample catalogue (``chiso/catalog/definitions/catalogue-24.yaml``)."""
    with open(path, encoding="utf-8") as f:
        return CatalogueSpec.model_validate(yaml.safe_load(f))


def generated_indicators(catalogue: CatalogueSpec) -> list[Indicator]:
    """The indicators that get a history: live and collected, in catalogue order."""
    return [i for i in catalogue.indicators if i.collected and i.status in LIVE_STATES]


def default_period(today: date) -> tuple[date, date]:
    """From 1 January two years back to the last Sunday before ``today``: two whole years
    of history for same-period comparisons, and the current year to date."""
    end = today - timedelta(days=today.isoweekday())
    return date(end.year - 2, 1, 1), end


# ------------------------------------------------------------------------ generation

def indicator_history(*, start: date, end: date, seed: int = 0, catalogue: CatalogueSpec | None = None,
                      units: UnitTree | None = None) -> History:
    """Generate the history of every live collected indicator of ``catalogue`` (default:
    the Bắc Ninh sample) for its province's units (default: the official list)."""
    catalogue = catalogue or sample_catalogue()
    if units is None:
        units = load_units([catalogue.province])
    province = units.get(catalogue.province)
    communes = sorted(units.units(province=province.code, level="commune"), key=lambda u: u.code)
    scenario_rng = stream(seed, "dm-scenario", "deteriorating")
    picked = scenario_rng.choice(len(communes), size=min(3, len(communes)), replace=False) if communes else []
    ctx = Context(province=province, departments=units.units(province=province.code, level="department"),
                  communes=communes, start=start, end=end, span=Span.covering(start, end),
                  deteriorating=frozenset(communes[i].code for i in sorted(picked)))
    chosen = generated_indicators(catalogue)
    made: dict[str, Series] = {}
    for ind in _parents_first(chosen):
        made[ind.code] = build(ind, _profile(ind), ctx, stream(seed, "dm-indicator", ind.code), made)
    notes: dict[tuple[str, str, str], str] = {}
    anomalies = _plant(made, seed, notes, {i.code: i for i in chosen})
    frame = _frame(chosen, made, notes)
    return History(frame, Scenario(tuple(sorted(ctx.deteriorating)), tuple(anomalies)), start, end)


def indicator_values(*, start: date, end: date, seed: int = 0, catalogue: CatalogueSpec | None = None,
                     units: UnitTree | None = None) -> pl.DataFrame:
    """The values relation of the synthetic history (see ``indicator_history``)."""
    return indicator_history(start=start, end=end, seed=seed, catalogue=catalogue, units=units).values()


def _profile(ind: Indicator) -> Profile:
    try:
        return PROFILES[ind.code]
    except KeyError:
        raise ValueError(f"{ind.code}: no synthetic profile for this collected indicator; add one to "
                         "chiso/demo/indicator_profiles.py") from None


def _parents_first(chosen: list[Indicator]) -> list[Indicator]:
    by_code = {i.code: i for i in chosen}
    order: list[Indicator] = []
    seen: set[str] = set()

    def visit(ind: Indicator, trail: tuple[str, ...]) -> None:
        if ind.code in seen:
            return
        if ind.code in trail:
            raise ValueError(f"profiles refer to each other in a circle: {' → '.join(trail + (ind.code,))}")
        profile = _profile(ind)
        if isinstance(profile, Part):
            if profile.of not in by_code:
                raise ValueError(f"{ind.code}: its profile is a part of {profile.of}, which is not generated")
            visit(by_code[profile.of], trail + (ind.code,))
        seen.add(ind.code)
        order.append(ind)

    for ind in chosen:
        visit(ind, ())
    return order


# ------------------------------------------------------------------------ scenario

def _plant(made: dict[str, Series], seed: int, notes: dict,
           chosen: dict[str, Indicator]) -> list[Anomaly]:
    """Outliers, missing periods and notes; changes ``made`` in place."""
    rng = stream(seed, "dm-scenario", "anomalies")
    out: list[Anomaly] = []
    fdi = made.get("DT.FDI")
    if fdi is not None and len(fdi.windows) >= 4:
        j = len(fdi.windows) - 4
        fdi.values[0, j] = round(fdi.values[0, j] + 1_500.0, digits(chosen["DT.FDI"]))
        notes[("DT.FDI", fdi.units[0], fdi.windows[j].label)] = "Gồm một dự án FDI quy mô lớn cấp mới trong tháng"
        out.append(Anomaly("outlier", "DT.FDI", fdi.units[0], (fdi.windows[j].label,),
                           "a large FDI project registered in one month (+1,500 million USD)"))
    permits = made.get("DT.GPXD")
    if permits is not None and len(permits.units) > 1 and len(permits.windows) >= 5:
        i = 1 + int(rng.integers(len(permits.units) - 1))
        j = len(permits.windows) - 5
        permits.values[i, j] = max(permits.values[i, j], 3.0) * 10
        permits.values[0, j] = permits.values[1:, j].sum()
        out.append(Anomaly("outlier", "DT.GPXD", permits.units[i], (permits.windows[j].label,),
                           "a commune's monthly permits typed with an extra zero"))
    no_sync = "no data from the national business registration system (synchronisation problem)"
    for code, n, reason in (("DN.HS_DKDN", 3, no_sync), ("DN.HS_DKDN_DUNG_HAN", 3, no_sync),
                            ("KT.KHACH_DU_LICH", 1, "the latest month not yet submitted, past its deadline")):
        s = made.get(code)
        if s is not None and len(s.windows) > n:
            out.append(Anomaly("missing", code, None, tuple(w.label for w in s.windows[-n:]), reason))
            made[code] = Series(code, s.windows[:-n], s.units, s.values[:, :-n])
    for code in ("KT.GRDP_HH", "KT.GRDP_SS"):
        s = made.get(code)
        if s is not None and s.windows:
            notes[(code, s.units[0], s.windows[-1].label)] = "Số ước tính"
    return out


# ------------------------------------------------------------------------ output

def _frame(chosen: list[Indicator], made: dict[str, Series], notes: dict) -> pl.DataFrame:
    cols: dict[str, list] = {k: [] for k in HISTORY_SCHEMA}
    for ind in chosen:
        s = made[ind.code]
        for u, code in enumerate(s.units):
            for j, w in enumerate(s.windows):
                v = s.values[u, j]
                if np.isnan(v):
                    continue
                cols["indicator"].append(ind.code)
                cols["unit_code"].append(code)
                cols["period"].append(w.label)
                cols["period_kind"].append(w.kind)
                cols["period_start"].append(w.start)
                cols["period_end"].append(w.end)
                cols["value"].append(float(v))
                cols["indicator_version"].append(ind.version)
                cols["owner"].append(ind.owner)
                cols["breakdown"].append("")
                cols["note"].append(notes.get((ind.code, code, w.label), ""))
    return pl.DataFrame(cols, schema=HISTORY_SCHEMA)


def write_submissions(out_dir: str | Path, *, history: History | None = None, start: date | None = None,
                      end: date | None = None, seed: int = 0, catalogue: CatalogueSpec | None = None,
                      units: UnitTree | None = None) -> list[Path]:
    """Write one submission CSV per owner agency (``<owner code>.csv``, e.g. ``24-STC.csv``)
    into ``out_dir``; returns the files, sorted. Give a ``history`` or ``start``/``end``.
    Submission files left there by an earlier run for other owners are removed."""
    if history is None:
        if start is None or end is None:
            raise ValueError("write_submissions needs a history or start and end dates")
        history = indicator_history(start=start, end=end, seed=seed, catalogue=catalogue, units=units)
    catalogue = catalogue or sample_catalogue()
    dec = {i.code: digits(i) for i in catalogue.indicators}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for owner, rows in sorted(history.frame.partition_by("owner", as_dict=True, maintain_order=True).items()):
        path = out / f"{owner[0]}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(SUBMISSION_COLUMNS)
            for r in rows.iter_rows(named=True):
                w.writerow((r["indicator"], r["unit_code"], r["period"], _number(r["value"], dec[r["indicator"]]),
                            r["breakdown"], r["note"]))
        written.append(path)
    keep = set(written)
    for old in out.glob("*.csv"):
        if old not in keep and _looks_like_submission(old):
            old.unlink()
    return sorted(written)


def _number(value: float, decimals: int) -> str:
    if decimals == 0:
        return str(int(round(value)))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _looks_like_submission(path: Path) -> bool:
    with open(path, encoding="utf-8") as f:
        return f.readline().strip() == ",".join(SUBMISSION_COLUMNS)
