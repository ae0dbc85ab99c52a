"""The public-holidays file: its content, its checks, the estimate rule and working-day arithmetic."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from chiso import settings
from chiso.errors import DefinitionError
from chiso.periods.holidays import DEFAULT_HOLIDAYS, WorkingDays, estimate_year, load_holidays, parse_holidays

TEXT = DEFAULT_HOLIDAYS.read_text(encoding="utf-8")
CAL = parse_holidays(TEXT, path="holidays.yaml")


def _d(s: str) -> np.ndarray:
    return np.array([s], dtype="datetime64[D]")


def test_the_shipped_years_and_their_status():
    assert (CAL.first_year, CAL.last_year) == (2024, 2027)
    assert {y: CAL.year(y).status for y in CAL.years} == {2024: "announced", 2025: "announced",
                                                          2026: "announced", 2027: "computed"}
    assert load_holidays() is load_holidays(DEFAULT_HOLIDAYS)


def test_2026_as_announced():
    y = CAL.year(2026)
    assert y.tet_break() == (date(2026, 2, 14), date(2026, 2, 22))  # 27 tháng Chạp .. mùng 6
    assert y.weekdays_off() == [date(2026, 1, 1), date(2026, 1, 2), *[date(2026, 2, d) for d in range(16, 21)],
                                date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31),
                                date(2026, 9, 1), date(2026, 9, 2)]
    # Friday 2 January swapped with Saturday 10 January; Monday 31 August with Saturday 22 August
    assert {(m.day, m.replaces) for m in y.make_up_days} == {(date(2026, 1, 10), date(2026, 1, 2)),
                                                            (date(2026, 8, 22), date(2026, 8, 31))}
    labels = {d.day: d.label for d in y.days_off}
    assert labels[date(2026, 4, 27)] == "Nghỉ bù" and labels[date(2026, 9, 2)] == "Quốc khánh 2/9"


def test_every_listed_year_has_each_statutory_holiday():
    for y in CAL.years.values():
        kinds = [d.holiday for d in y.days_off]
        assert {"new_year", "tet", "hung_kings", "reunification", "labour_day"} <= set(kinds), y.year
        assert kinds.count("national_day") == 2, y.year
        assert sum(d.weekday() < 5 for d in {d.day for d in y.days_off if d.holiday == "tet"}) == 5, y.year
        assert CAL.lunar_new_year(y.year) in {d.day for d in y.days_off if d.holiday == "tet"}


def test_the_estimate_rule_reproduces_every_listed_year_but_its_swaps():
    for y in CAL.years.values():
        swaps = {d.day for d in y.days_off if d.holiday == "swap"}
        assert estimate_year(CAL, y.year).weekdays_off() == [d for d in y.weekdays_off() if d not in swaps], y.year
    # and the computed year is exactly the rule
    assert {(d.day, d.holiday) for d in estimate_year(CAL, 2027).days_off if d.day.weekday() < 5} == {
        (d.day, d.holiday) for d in CAL.year(2027).days_off if d.day.weekday() < 5}


@pytest.mark.parametrize("year, expected", [
    # announced before the file's years: 2023 (Giỗ Tổ Saturday 29/4, 30/4 Sunday → 2 and 3 May)
    (2023, ["2023-01-02", "2023-01-20", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26", "2023-05-01",
            "2023-05-02", "2023-05-03", "2023-09-01", "2023-09-04"]),
    # 2022: Tết break 29/1–6/2, 1/1 Saturday → Monday 3/1, Giỗ Tổ Sunday 10/4 → Monday 11/4
    (2022, ["2022-01-03", "2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03", "2022-02-04", "2022-04-11",
            "2022-05-02", "2022-05-03", "2022-09-01", "2022-09-02"]),
])
def test_the_estimate_rule_on_earlier_years(year, expected):
    assert [str(d) for d in estimate_year(CAL, year).weekdays_off()] == expected


def test_years_outside_the_list():
    with pytest.raises(DefinitionError, match="no days off for 2028: the file lists 2024–2027") as err:
        CAL.year(2028)
    assert err.value.path == "holidays.yaml" and err.value.where == "years"
    assert CAL.year(2028, estimate=True).status == "estimated"
    with pytest.raises(DefinitionError, match="no Lunar New Year date for 2050"):
        CAL.year(2050, estimate=True)


def test_working_days_arithmetic():
    days = CAL.working_days()
    # Friday 13 Feb 2026 + 1 working day: the Tết break → Monday 23 Feb
    ends, ok = days.add(_d("2026-02-13"), 1)
    assert str(ends[0]) == "2026-02-23" and ok[0]
    # a make-up Saturday is a working day: Friday 21 Aug 2026 + 1 → Saturday 22 Aug
    assert str(days.add(_d("2026-08-21"), 1)[0][0]) == "2026-08-22"
    # received on a day off: counted from the next working day
    assert str(days.add(_d("2026-09-02"), 0)[0][0]) == "2026-09-03"
    assert days.is_working_day(np.array(["2026-08-22", "2026-08-23", "2026-09-01", "2026-09-03"],
                                        dtype="datetime64[D]")).tolist() == [True, False, False, True]
    # WORKDAYS(a, b): working days after a up to and including b
    assert days.count(_d("2026-08-28"), _d("2026-09-07")).tolist() == [3]  # 3, 4, 7 September
    assert days.count(_d("2026-09-07"), _d("2026-08-28")).tolist() == [-3]
    # results beyond the last listed year are flagged, not guessed
    _, ok = days.add(np.array(["2027-12-30", "2023-12-29"], dtype="datetime64[D]"), np.array([5, 1]))
    assert ok.tolist() == [False, False]


def test_adjustments_correct_the_weekday_count():
    days = CAL.working_days()
    a, b = date(2024, 1, 1), date(2027, 12, 31)
    weekdays = int(np.busday_count(a + timedelta(days=1), b + timedelta(days=1)))
    correction = sum(delta for d, delta in CAL.adjustments() if a < d <= b)
    assert int(days.count(_d(str(a)), _d(str(b)))[0]) == weekdays + correction


def test_correction_steps_are_the_running_total_of_the_adjustments():
    steps = CAL.correction_steps()
    assert [d for d, _ in steps] == [d for d, _ in CAL.adjustments()]
    assert steps[:3] == [(date(2024, 1, 1), -1), (date(2024, 2, 8), -2), (date(2024, 2, 9), -3)]
    # Saturday 4 May 2024 (worked for Monday 29 April) raises the running total by one
    i = [d for d, _ in steps].index(date(2024, 5, 4))
    assert steps[i][1] == steps[i - 1][1] + 1
    assert steps[-1] == (date(2027, 9, 3), sum(delta for _, delta in CAL.adjustments()))


def test_workdays_is_the_working_day_count_inside_and_monday_to_friday_outside():
    days = CAL.working_days()
    a = np.arange(np.datetime64("2023-10-01"), np.datetime64("2028-03-31")).repeat(61)
    b = a + np.tile(np.arange(-30, 31), len(a) // 61)
    got = CAL.workdays(a, b)
    inside = (np.minimum(a, b) >= np.datetime64("2024-01-01")) & (np.maximum(a, b) <= np.datetime64("2027-12-31"))
    assert (got[inside] == days.count(a[inside], b[inside])).all()
    assert (got == -CAL.workdays(b, a)).all()
    # wholly in years the file does not list: Monday–Friday
    outside = (np.maximum(a, b) < np.datetime64("2024-01-01")) | (np.minimum(a, b) > np.datetime64("2027-12-31"))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    assert outside.sum() > 10_000
    assert (got[outside] == (np.where(b >= a, 1, -1) * np.busday_count(lo + 1, hi + 1))[outside]).all()
    # into the file from a year it does not list: Friday 29/12/2023 → Tuesday 2/1/2024, 1/1 off
    assert CAL.workdays(date(2023, 12, 29), date(2024, 1, 2)).tolist() == [1]
    assert CAL.workdays(date(2026, 2, 13), date(2026, 2, 24)).tolist() == [2]  # Tết Bính Ngọ


def test_working_days_span_is_checked():
    with pytest.raises(ValueError, match="ends"):
        CAL.working_days(date(2026, 2, 1), date(2026, 1, 1))
    span = WorkingDays.build(date(2026, 8, 17), date(2026, 8, 23), [date(2026, 8, 19)], [date(2026, 8, 22)])
    assert [str(d) for d in span.days] == ["2026-08-17", "2026-08-18", "2026-08-20", "2026-08-21", "2026-08-22"]


# ---------------------------------------------------------------- refusals, each naming the place
def _replace(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


@pytest.mark.parametrize("old, new, where, reason", [
    ("{date: 2024-04-30, holiday: reunification", "{date: 2024-04-30, holiday: victory",
     "years.2024.days_off[4].holiday", "Input should be"),
    ("{date: 2025-04-07, holiday: hung_kings, basis: statutory",
     "{date: 2025-04-07, holiday: hung_kings, basis: guessed", "years.2025.days_off[2].basis", "Input should be"),
    ("{date: 2027-09-02, holiday: national_day, basis: statutory}",
     "{date: 2027-09-02, holiday: national_day, basis: statutory, colour: red}", "years.2027.days_off[6].colour",
     "Extra inputs"),
    ("{from: 2025-01-25, to: 2025-02-02", "{from: 2025-02-02, to: 2025-01-25", "years.2025.days_off[1]",
     "ends (2025-01-25) before it starts"),
    ("{from: 2025-01-25, to: 2025-02-02", "{from: 2025-01-05, to: 2025-02-02", "years.2025.days_off[1]",
     "at most 14 days"),
    ("{date: 2024-09-03, holiday: national_day", "{date: 2025-09-03, holiday: national_day",
     "years.2024.days_off[7]", "2025-09-03 is not in 2024"),
    ("{date: 2024-09-03, holiday: national_day", "{date: 2024-09-02, holiday: national_day",
     "years.2024.days_off[7]", "listed twice"),
    ("{date: 2026-04-27, holiday: compensatory", "{date: 2026-04-25, holiday: compensatory",
     "years.2026.days_off[4]", "falls on Monday–Friday"),
    ("{from: 2027-02-04, to: 2027-02-10", "{from: 2027-02-08, to: 2027-02-12", "years.2027.days_off[1]",
     "do not include mùng 1 Tết (2027-02-06)"),
    ("{date: 2024-05-04, replaces: 2024-04-29", "{date: 2024-05-03, replaces: 2024-04-29",
     "years.2024.make_up_days[0]", "2024-05-03 is a weekday"),
    ("{date: 2024-05-04, replaces: 2024-04-29", "{date: 2024-05-04, replaces: 2024-04-30",
     "years.2024.make_up_days[0]", "not a swap day off"),
    ("      - {date: 2025-04-26, replaces: 2025-05-02, basis: announced}\n", "",
     "years.2025.make_up_days", "without a make-up day: 2025-05-02"),
    ("2026: {tet: 2026-02-17", "2026: {tet: 2026-03-17", "estimate.lunar.2026.tet", "not between"),
    ("2031: {tet: 2031-01-23, hung_kings: 2031-04-01}", "2031: {tet: 2031-01-23, hung_kings: 2031-01-30}",
     "estimate.lunar.2031.hung_kings", "lunar months"),
    ("thursday: 3, friday", "thursday: 6, friday", "estimate", "between 0 and 4"),
    ("tuesday: before, wednesday", "wednesday", "estimate", "lacks tuesday"),
])
def test_mistakes_are_refused_with_their_place(old, new, where, reason):
    with pytest.raises(DefinitionError) as err:
        parse_holidays(_replace(old, new), path="mine.yaml")
    assert err.value.path == "mine.yaml"
    assert (err.value.where or "").startswith(where), err.value
    assert reason in err.value.reason, err.value


def test_a_gap_between_years_is_refused():
    start, end = TEXT.index("  2025:\n    days_off"), TEXT.index("  2026:\n    days_off")
    with pytest.raises(DefinitionError, match="missing 2025") as err:
        parse_holidays(TEXT[:start] + TEXT[end:], path="mine.yaml")
    assert err.value.where == "years"


def test_not_yaml_and_not_a_mapping():
    with pytest.raises(DefinitionError, match="not valid YAML") as err:
        parse_holidays("years: [", path="bad.yaml")
    assert err.value.where.startswith("line ")
    with pytest.raises(DefinitionError, match="mapping"):
        parse_holidays("- 1", path="bad.yaml")


def test_a_province_copy_through_the_setting(tmp_path, monkeypatch):
    own = tmp_path / "holidays.yaml"
    # the province adds a day off of its own
    own.write_text(_replace("      - {date: 2026-04-30, holiday: reunification, basis: statutory}\n",
                            "      - {date: 2026-04-29, holiday: other, name: Ngày nghỉ của tỉnh, basis: announced}\n"
                            "      - {date: 2026-04-30, holiday: reunification, basis: statutory}\n"),
                   encoding="utf-8")
    monkeypatch.setenv("CHISO_HOLIDAYS", str(own))
    assert settings.get("CHISO_HOLIDAYS") == str(own)
    cal = load_holidays()
    assert cal.path == str(own) and date(2026, 4, 29) in cal.year(2026).off()
    assert {d.day: d.label for d in cal.year(2026).days_off}[date(2026, 4, 29)] == "Ngày nghỉ của tỉnh"
    monkeypatch.setenv("CHISO_HOLIDAYS", str(tmp_path / "missing.yaml"))
    with pytest.raises(DefinitionError, match="cannot read"):
        load_holidays()
