"""The demo's direction & management side: Bắc Ninh's catalogue, its history, its warnings.

Everything goes through the real paths a province uses: the sample catalogue is imported
by the catalogue store; each owner agency submits its own history through collection, in
monthly batches dated the day before each batch's reporting deadline (so values are on
time, as an agency that reports regularly would be) — except the latest batch of one
owner, submitted a few days late, so the "late data" warning has something real to show;
the warning rules then run as of the demo's last day. These are three steps of ``chiso init
--demo`` (``chiso.demo.setup``): ``import_demo_catalogue``, ``submit_demo_history``,
``refresh_demo_warnings``; each gives, run again after a kill, what one run gives.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import polars as pl

from chiso.catalog.indicator import LIVE_STATES
from chiso.collect.values import Submitter, ValidationConfig, batch_from_records, submit_batch
from chiso.collect.values.states import Actor, approve
from chiso.demo.calendar import tet_break
from chiso.demo.indicators import CATALOGUE_PATH, indicator_history
from chiso.errors import LoadError
from chiso.evaluate.dm.service import refresh_warnings
from chiso.evaluate.dm.warnings import WarningSettings
from chiso.periods.holidays import load_holidays
from chiso.store.repo_catalogue import import_catalogue, live_indicators
from chiso.store.repo_setup import accepted_files
from chiso.units import load_units

DEMO_ACTOR = "demo"
LATE_OWNER = "24-SVHTTDL"   # the owner whose latest batch arrives late in the demo
LATE_BY_DAYS = 4
#: The demo province judges outliers at mean ± 4·sd: its series are seasonal (year-end and
#: Tết peaks), and k is the province's setting (collection's default is 3) — when values are
#: submitted and when the warning rules run alike.
DEMO_OUTLIER_K = 4.0
#: The heads approve what their agency sent, the day after; what was sent in the last two
#: weeks before the demo's end still waits in their inboxes.
WAITING_DAYS = 14
DEMO_WARNINGS = WarningSettings(outlier_k=DEMO_OUTLIER_K)


def _deadlines(frame: pl.DataFrame, deadline_days: dict[str, int]) -> pl.DataFrame:
    """The frame with each row's reporting deadline (period end + the indicator's days)."""
    days = pl.DataFrame({"indicator": list(deadline_days), "deadline_days": list(deadline_days.values())})
    return (frame.join(days, on="indicator", how="left")
            .with_columns((pl.col("period_end") + pl.duration(days=pl.col("deadline_days"))).alias("deadline")))


TET_NOTE = "Mùa Tết Nguyên đán (trước, trong và sau kỳ nghỉ Tết)"
HOLIDAY_NOTE = "Tuần có ngày nghỉ lễ"
CHECKED_NOTE = "Đã kiểm tra: biến động theo mùa vụ, số liệu đúng"
TET_SEASON = dt.timedelta(days=21)  # the weeks before and after the break move too


def _tet_notes(frame: pl.DataFrame) -> pl.DataFrame:
    """Agencies annotate the periods of the Tết season: their values dip (or peak)
    for a known reason, and collection's outlier rule asks for exactly that explanation."""
    years = range(frame["period_start"].min().year, frame["period_end"].max().year + 1)
    breaks = [(first - TET_SEASON, last + TET_SEASON) for first, last in map(tet_break, years)]
    overlaps = pl.lit(False)
    for first, last in breaks:
        overlaps = overlaps | ((pl.col("period_start") <= last) & (pl.col("period_end") >= first))
    short = pl.col("period_kind").is_in(["day", "week", "month"])
    empty = pl.col("note").is_null() | (pl.col("note") == "")
    frame = frame.with_columns(pl.when(overlaps & short & empty).then(pl.lit(TET_NOTE))
                               .otherwise(pl.col("note")).alias("note"))
    # weeks and days with another public holiday (30/4, 1/5, 2/9, New Year) dip as well
    calendar = load_holidays()
    days_off = [d.day for y in years for d in calendar.year(y, estimate=True).days_off]
    holiday = pl.lit(False)
    for d in days_off:
        holiday = holiday | ((pl.col("period_start") <= d) & (pl.col("period_end") >= d))
    empty = pl.col("note").is_null() | (pl.col("note") == "")
    weekly = pl.col("period_kind").is_in(["day", "week"])
    return frame.with_columns(pl.when(holiday & weekly & empty).then(pl.lit(HOLIDAY_NOTE))
                              .otherwise(pl.col("note")).alias("note"))


def import_demo_catalogue(session, *, start: dt.date, province: str = "24"):
    """Import the sample catalogue (what an unchanged file changes: nothing)."""
    return import_catalogue(session, CATALOGUE_PATH, by=DEMO_ACTOR, province=province,
                            today=min(start, dt.date.today()))


def submit_demo_history(db, *, start: dt.date, end: dt.date, seed: int, province: str = "24",
                        tree=None, say: Callable[[str], None] = print) -> dict:
    """Each owner agency submits its history, batch by batch, through collection.

    Every batch is one transaction, so a build killed half-way leaves the batches before the
    kill accepted and nothing of the one it was in. Run again, the batches an agency has
    already had accepted (its file name, by the demo) are skipped and the others submitted
    in the same order: the store ends as one uninterrupted run leaves it. The agency's head
    approves each batch's periods the day after it came, except those of the last
    ``WAITING_DAYS`` (approving is idempotent, so a re-run approves what a kill left).
    """
    t0 = time.perf_counter()
    tree = tree or load_units()
    with db.session() as s:
        live = live_indicators(s, province)
        done = accepted_files(s, f"{DEMO_ACTOR}:")
    history = indicator_history(start=start, end=end, seed=seed)
    frame = _deadlines(_tet_notes(history.frame), {code: ind.deadline_days for code, ind in live.items()
                                       if ind.status in LIVE_STATES})
    frame = frame.with_columns(pl.col("deadline").dt.strftime("%Y-%m-%d").alias("batch_day"))
    batches = accepted = late = explained = skipped = 0
    latest_day = frame.filter(pl.col("owner") == LATE_OWNER)["batch_day"].max()
    waiting_from = end - dt.timedelta(days=WAITING_DAYS)
    to_approve: dict[str, dict[tuple[str, str], dt.datetime]] = {}
    for (owner, day), rows in sorted(frame.partition_by("owner", "batch_day", as_dict=True).items()):
        name = f"{owner}-{day}.csv"
        batches += 1
        when = dt.datetime.combine(rows["deadline"].min() - dt.timedelta(days=1), dt.time(9, 0), dt.UTC)
        if owner == LATE_OWNER and day == latest_day:
            when = dt.datetime.combine(rows["deadline"].max() + dt.timedelta(days=LATE_BY_DAYS),
                                       dt.time(9, 0), dt.UTC)
        periods = sorted(set(zip(rows["indicator"].to_list(), rows["period"].to_list())))
        if when.date() < waiting_from:
            to_approve.setdefault(owner, {}).update({p: when + dt.timedelta(days=1) for p in periods})
        if (owner, name) in done:
            skipped += 1
            continue
        records = rows.select("indicator", "unit_code", "period", "value", "breakdown", "note") \
                      .rename({"unit_code": "unit"}).to_dicts()
        for r in records:
            r["value"] = None if r["value"] is None else repr(float(r["value"]))
        who = Submitter(as_unit=owner, by=f"{DEMO_ACTOR}:{owner}")
        now, config = min(when, dt.datetime.now(dt.UTC)), ValidationConfig(outlier_k=DEMO_OUTLIER_K)
        try:
            result = submit_batch(db, batch_from_records(name, records), who, live, tree,
                                  now=now, config=config)
        except LoadError as refused:
            # what an officer does with "check it, or explain it in the note column": the
            # demo's agencies have checked their seasonal peaks and say so, then resubmit
            flagged = {p.row for p in refused.problems if p.column == "value" and "far from the history" in p.reason}
            if not flagged or len(flagged) < len(refused.problems):
                raise
            for row in flagged:
                records[row - 1]["note"] = CHECKED_NOTE
            explained += len(flagged)
            result = submit_batch(db, batch_from_records(name, records), who, live, tree,
                                  now=now, config=config)
        accepted += result.inserted + result.corrected
        late += result.late
    approved = sum(_approve(db, live, tree, owner, periods) for owner, periods in sorted(to_approve.items()))
    again = f", {skipped} accepted before and skipped" if skipped else ""
    say(f"indicator set: {len(live)} live indicators; {accepted:,} values in {batches - skipped} batches "
        f"({late} late, {explained} checked and explained{again}); {approved:,} periods approved by their "
        f"heads; {time.perf_counter() - t0:.1f} s")
    return {"indicators": len(live), "values": accepted, "batches": batches, "skipped": skipped, "late": late,
            "explained": explained, "approved": approved}


def _approve(db, live, tree, owner: str, periods: dict[tuple[str, str], dt.datetime]) -> int:
    """The owner agency's head approves its periods, each the day after its last batch came (one
    transaction; a period approved already stays so)."""
    head = Actor(by=f"{DEMO_ACTOR}:{owner}:thu-truong", role="head", as_unit=owner)
    now = dt.datetime.now(dt.UTC)
    with db.session() as s:
        for (code, period), at in sorted(periods.items()):
            approve(s, live, tree, indicator=code, period=period, actor=head, now=min(at, now))
    return len(periods)


def refresh_demo_warnings(session, *, end: dt.date, province: str = "24", tree=None) -> int:
    """Run the warning rules as of the demo's last day; the number of open warnings."""
    refreshed = refresh_warnings(session, province, today=end, actor=DEMO_ACTOR, units=tree or load_units(),
                                 settings=DEMO_WARNINGS)
    return len(refreshed.evaluation.warnings)
