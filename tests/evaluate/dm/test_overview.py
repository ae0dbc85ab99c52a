"""The overview's rows: missing data (no value for the latest period due) apart from no target."""
from __future__ import annotations

import datetime as dt

from chiso.catalog.indicator import Target
from chiso.evaluate.dm.overview import latest_due, overview
from chiso.evaluate.dm.targets import TargetBook, catalogue_targets
from tests.evaluate.dm.conftest import make_indicator, make_values

TODAY = dt.date(2026, 10, 20)
WITH_TARGET = make_indicator("NS.CHI", deadline_days=5, targets=(Target(period="2026", value=100.0),))
NO_TARGET = make_indicator("NS.THU", deadline_days=5)
LATE = make_indicator("NS.VAY", deadline_days=5, targets=(Target(period="2026", value=100.0),))


def rows(today=TODAY, **kw):
    inds = {i.code: i for i in (WITH_TARGET, NO_TARGET, LATE)}
    values = make_values([("NS.CHI", "24", "2026-09", 99.0), ("NS.THU", "24", "2026-09", 50.0),
                          ("NS.VAY", "24", "2026-08", 99.0)])
    book = TargetBook(inds, catalogue_targets(inds, "24"), province="24")
    return {r["indicator"]: r for r in overview(inds, values, book, "24", today=today, **kw)}


def test_latest_due_period_follows_the_deadline():
    assert latest_due(WITH_TARGET, TODAY).label == "2026-09"            # due 5 October
    assert latest_due(WITH_TARGET, dt.date(2026, 10, 5)).label == "2026-08"   # September due that day
    assert latest_due(WITH_TARGET, TODAY, since=dt.date(2026, 10, 1)) is None


def test_missing_data_and_no_target_are_told_apart():
    got = rows()
    assert (got["NS.CHI"]["status"], got["NS.CHI"]["missing_period"]) == ("on_track", None)
    assert (got["NS.THU"]["status"], got["NS.THU"]["missing_period"]) == ("no_target", None)
    # August is in, September (due 5 October) is not: missing data, the August value still shown
    late = got["NS.VAY"]
    assert (late["status"], late["missing_period"], late["period"], late["value"]) == \
        ("no_data", "2026-09", "2026-08", 99.0)
    # at a given period, or without a day to judge by, the latest value's own status
    assert rows(at="2026-08")["NS.VAY"]["status"] == "on_track"
    assert rows(today=None)["NS.VAY"]["status"] == "on_track"
    # not expected before it went live
    assert rows(live_since={"NS.VAY": dt.date(2026, 10, 1)})["NS.VAY"]["status"] == "on_track"
