"""Windows (kỳ đánh giá): every written form, the previous window, weekly series."""
from __future__ import annotations

import datetime as dt
import doctest

import pytest

from chiso.errors import WindowError
from chiso.periods import windows as windows_module
from chiso.periods.windows import Window, parse_window, weeks_between

D = dt.date


def test_doctests():
    assert doctest.testmod(windows_module).failed == 0


@pytest.mark.parametrize("text, start, end, kind, label", [
    ("2026-W34", D(2026, 8, 17), D(2026, 8, 23), "week", "2026-W34"),
    ("2026-w1", D(2025, 12, 29), D(2026, 1, 4), "week", "2026-W01"),
    ("2026-W53", D(2026, 12, 28), D(2027, 1, 3), "week", "2026-W53"),
    ("2026-08", D(2026, 8, 1), D(2026, 8, 31), "month", "2026-08"),
    ("2024-2", D(2024, 2, 1), D(2024, 2, 29), "month", "2024-02"),
    ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30), "quarter", "2026-Q3"),
    ("2026-q1", D(2026, 1, 1), D(2026, 3, 31), "quarter", "2026-Q1"),
    ("2026", D(2026, 1, 1), D(2026, 12, 31), "year", "2026"),
    ("ytd:2026-08-17", D(2026, 1, 1), D(2026, 8, 17), "ytd", "ytd:2026-08-17"),
    ("2026-08-17", D(2026, 8, 17), D(2026, 8, 17), "day", "2026-08-17"),
    ("2026-08-01..2026-08-17", D(2026, 8, 1), D(2026, 8, 17), "range", "2026-08-01..2026-08-17"),
    ("  2026-W34 ", D(2026, 8, 17), D(2026, 8, 23), "week", "2026-W34"),
])
def test_written_forms(text, start, end, kind, label):
    w = parse_window(text)
    assert (w.start, w.end, w.kind, w.label) == (start, end, kind, label)
    assert str(w) == label
    assert w.days == (end - start).days + 1
    assert w.contains(start) and w.contains(end)
    assert not w.contains(start - dt.timedelta(days=1)) and not w.contains(end + dt.timedelta(days=1))


@pytest.mark.parametrize("text", ["2025-W53", "2026-W00", "2026-13", "2026-00", "2026-Q5", "W34", "2026/08",
                                  "ytd:2026-02-30", "2026-08-17..2026-08-01", "2026-08-32", "", "last week"])
def test_unreadable_windows(text):
    with pytest.raises(WindowError):
        parse_window(text)


@pytest.mark.parametrize("text, previous", [
    ("2026-W34", "2026-W33"),
    ("2026-W01", "2025-W52"),
    ("2027-W01", "2026-W53"),
    ("2026-08", "2026-07"),
    ("2026-01", "2025-12"),
    ("2026-Q3", "2026-Q2"),
    ("2026-Q1", "2025-Q4"),
    ("2026", "2025"),
    ("ytd:2026-08-17", "ytd:2026-08-10"),
    ("2026-08-17", "2026-08-16"),
    ("2026-03-01", "2026-02-28"),
    ("2026-08-11..2026-08-17", "2026-08-04..2026-08-10"),
])
def test_previous(text, previous):
    w = parse_window(text)
    p = w.previous()
    assert p.label == previous
    assert p == parse_window(previous)
    if w.kind not in ("ytd",):
        assert p.end == w.start - dt.timedelta(days=1)  # adjacent, no gap, no overlap


def test_windows_order_and_compare():
    a, b = parse_window("2026-W33"), parse_window("2026-W34")
    assert a < b and sorted([b, a]) == [a, b]
    assert parse_window("2026-W34") == parse_window("2026-08-17..2026-08-23").__class__(
        D(2026, 8, 17), D(2026, 8, 23), "week", "2026-W34")
    with pytest.raises(WindowError):
        Window(D(2026, 8, 2), D(2026, 8, 1), "range", "backwards")


def test_weeks_between_whole_weeks_in_the_range():
    weeks = weeks_between(D(2026, 8, 3), D(2026, 8, 30))
    assert [w.label for w in weeks] == ["2026-W32", "2026-W33", "2026-W34", "2026-W35"]
    # a week not yet over at the end is not a snapshot
    assert [w.label for w in weeks_between(D(2026, 8, 3), D(2026, 8, 29))] == ["2026-W32", "2026-W33",
                                                                               "2026-W34"]
    assert weeks_between(D(2026, 8, 18), D(2026, 8, 22)) == []


def test_weeks_between_takes_the_weeks_that_end_within_the_range():
    """The docstring: "The ISO weeks that end within [start, end] — one snapshot per week end".
    2026-W31 (27 Jul – 2 Aug) ends on 2 August, inside August."""
    weeks = weeks_between(D(2026, 8, 1), D(2026, 8, 31))
    assert [w.label for w in weeks] == ["2026-W31", "2026-W32", "2026-W33", "2026-W34", "2026-W35"]
