"""The same period a year earlier (cùng kỳ năm trước): ISO weeks (week 1, week 53), months,
quarters, years, years to date, days and ranges."""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.periods.windows import parse_window, same_window_last_year

D = dt.date


@pytest.mark.parametrize("window, earlier, start, end", [
    ("2026-W48", "2025-W48", D(2025, 11, 24), D(2025, 11, 30)),
    # week 1 of 2026 starts on 29/12/2025; week 1 of 2025 on 30/12/2024
    ("2026-W01", "2025-W01", D(2024, 12, 30), D(2025, 1, 5)),
    # 2026 has 53 ISO weeks, 2025 has 52: week 53 is compared with 2025's last week
    ("2026-W53", "2025-W52", D(2025, 12, 22), D(2025, 12, 28)),
    # 2020 has 53 weeks: 2021's week 52 still goes to 2020's week 52 (not its last, 53)
    ("2021-W52", "2020-W52", D(2020, 12, 21), D(2020, 12, 27)),
    ("2021-W01", "2020-W01", D(2019, 12, 30), D(2020, 1, 5)),
    ("2026-11", "2025-11", D(2025, 11, 1), D(2025, 11, 30)),
    ("2024-02", "2023-02", D(2023, 2, 1), D(2023, 2, 28)),
    ("2026-01", "2025-01", D(2025, 1, 1), D(2025, 1, 31)),
    ("2026-Q1", "2025-Q1", D(2025, 1, 1), D(2025, 3, 31)),
    ("2026-Q4", "2025-Q4", D(2025, 10, 1), D(2025, 12, 31)),
    ("2026", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("ytd:2026-08-17", "ytd:2025-08-17", D(2025, 1, 1), D(2025, 8, 17)),
    ("2024-02-29", "2023-02-28", D(2023, 2, 28), D(2023, 2, 28)),
    ("2026-08-01..2026-08-17", "2025-08-01..2025-08-17", D(2025, 8, 1), D(2025, 8, 17)),
])
def test_same_window_last_year(window, earlier, start, end):
    w = same_window_last_year(window)
    assert (w.label, w.start, w.end) == (earlier, start, end)
    assert w.kind == parse_window(window).kind
    assert same_window_last_year(parse_window(window)) == w


def test_week_53_of_a_year_after_a_53_week_year():
    # years of 53 ISO weeks (2020, 2032) follow years of 52 (2019, 2031)
    assert same_window_last_year("2020-W53").label == "2019-W52"
    assert same_window_last_year("2032-W53").label == "2031-W52"
    # the week is a whole ISO week (Monday to Sunday) with the same number
    for label in ("2026-W10", "2026-W30", "2026-W52"):
        w = same_window_last_year(label)
        assert w.start.weekday() == 0 and w.days == 7
        assert w.start.isocalendar()[1] == int(label[-2:])
