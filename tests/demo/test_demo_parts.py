"""The building blocks: calendar, latent model, cell plan, ids, procedure catalogue."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from chiso.demo.calendar import WorkCalendar, day_weights, from_day, public_holidays, tet_break, to_day
from chiso.demo.latent import LEVER, LEVERS, province_positions, unit_positions
from chiso.demo.layout import UnitLayout
from chiso.demo.parquet import ascii_prefixes, fixed_width_ids
from chiso.demo.plan import CellPlan
from chiso.demo.procedures import SLOTS, _slot_table, national_catalogue
from chiso.demo.sectors import expand, sector_of_department
from chiso.errors import ChisoError
from chiso.periods.holidays import load_holidays


def test_public_holidays_2026():
    days = set(public_holidays(2026))
    assert date(2026, 1, 1) in days
    assert {date(2026, 2, d) for d in range(16, 21)} <= days  # Tết break, weekdays
    assert {date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)} <= days
    assert date(2026, 4, 27) in days  # Giỗ Tổ (Sunday 26 April) moves to Monday
    assert all(d.weekday() < 5 for d in days)
    assert tet_break(2026) == (date(2026, 2, 14), date(2026, 2, 22))


def test_unknown_lunar_year_is_refused():
    with pytest.raises(ChisoError, match="Lunar New Year"):
        tet_break(2050)


def test_the_calendar_is_the_holidays_file():
    # the file's days off and make-up days, and its estimate beyond its years
    cal = WorkCalendar.spanning(date(2025, 12, 1), date(2028, 3, 31))
    listed = load_holidays().working_days(date(2025, 12, 1), date(2027, 12, 31))
    span = np.arange(to_day(date(2025, 12, 1)), to_day(date(2027, 12, 31)) + 1)
    assert (cal.is_workday[: len(span)] == listed.is_working_day(span.astype("datetime64[D]"))).all()
    assert cal.is_workday[to_day(date(2026, 8, 22)) - cal.first]  # make-up Saturday
    assert not cal.is_workday[to_day(date(2026, 8, 31)) - cal.first]  # swapped Monday
    assert tet_break(2024) == (date(2024, 2, 8), date(2024, 2, 14))
    assert tet_break(2025) == (date(2025, 1, 25), date(2025, 2, 2))
    assert tet_break(2027) == (date(2027, 2, 4), date(2027, 2, 10))  # computed
    assert tet_break(2028) == (date(2028, 1, 22), date(2028, 1, 30))  # estimated: mùng 1 on Wednesday 26/1
    assert set(public_holidays(2028)) == set(load_holidays().year(2028, estimate=True).weekdays_off())


def test_working_day_arithmetic():
    cal = WorkCalendar.spanning(date(2025, 12, 1), date(2027, 3, 31))
    friday = to_day(date(2026, 2, 13))
    assert from_day(cal.add(np.array([friday]), 1)[0]) == date(2026, 2, 23)  # across Tết
    saturday = to_day(date(2026, 3, 7))
    assert from_day(cal.add(np.array([saturday]), 0)[0]) == date(2026, 3, 9)  # rolls forward
    assert from_day(cal.add(np.array([to_day(date(2026, 3, 9))]), 5)[0]) == date(2026, 3, 16)


def test_day_weights():
    cal = WorkCalendar.spanning(date(2025, 12, 1), date(2027, 3, 31))
    days = np.arange(to_day(date(2026, 3, 9)), to_day(date(2026, 3, 16)))  # Monday … Sunday
    w = day_weights(days, cal, "commune")
    assert w[6] < 0.05 * w[2] and w[5] < 0.3 * w[2]
    assert day_weights(np.array([to_day(date(2026, 2, 17))]), cal, "department")[0] < 0.05


def _layout():
    from .sample_units import build_units
    return UnitLayout.from_units(build_units())


def test_layout_order_does_not_depend_on_input_order():
    from .sample_units import build_units
    units = build_units()
    a, b = UnitLayout.from_units(units), UnitLayout.from_units(list(reversed(units)))
    assert a.codes == b.codes and a.provinces == ("24", "31")
    assert list(a.province) == sorted(a.province)


def test_latent_positions_drift_but_probabilities_stay_in_bounds():
    layout = _layout()
    standing = province_positions(layout.provinces, seed=0)
    latent = unit_positions(layout, standing, n_weeks=52, seed=0)
    p = latent.probabilities()
    assert p.shape == (layout.size, 52, len(LEVERS))
    assert (p > 0).all() and (p < 1).all()
    on_time = p[:, :, LEVER["on_time"]]
    assert (on_time.std(axis=1) > 0.001).all()  # every unit moves week to week
    assert np.abs(np.diff(on_time, axis=1)).max() < 0.2  # but not wildly
    thresholds = latent.thresholds()
    assert thresholds.dtype == np.uint16


def test_bac_ninh_leads():
    codes = ("01", "24", "31", "38", "51", "75", "79")
    standing = dict(zip(codes, province_positions(codes, seed=5)))
    assert max(standing, key=standing.get) == "24"


def test_same_unit_same_path_whatever_else_is_generated():
    from .sample_units import build_units
    units = build_units()
    full = UnitLayout.from_units(units)
    alone = UnitLayout.from_units([u for u in units if u.province_code == "24"])
    a = unit_positions(full, province_positions(full.provinces, 4), 20, 4).position
    b = unit_positions(alone, province_positions(alone.provinces, 4), 20, 4).position
    i, j = full.codes.index("07210"), alone.codes.index("07210")
    assert np.array_equal(a[i], b[j])


def test_plan_numbers_rows_per_province_across_spans():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 6, (9, 5))
    province = np.array([0, 0, 1, 1, 1])
    plan = CellPlan.build(counts, province)
    seq, unit = [], []
    for span in plan.spans(block_rows=7):
        assert span.rows == span.reps.sum()
        seq.append(span.sequence())
        unit.append(span.per_row(span.cells % 5))
    seq, unit = np.concatenate(seq), np.concatenate(unit)
    assert len(seq) == counts.sum()
    for p in (0, 1):
        mine = seq[province[unit] == p]
        assert np.array_equal(mine, np.arange(1, len(mine) + 1))


def test_fixed_width_ids():
    prefixes = ascii_prefixes(["24-2026-", "01-2026-"])
    ids = fixed_width_ids(prefixes, np.array([0, 1, 0]), np.array([1, 999_999_999, 1234]), 9)
    assert ids.to_pylist() == ["24-2026-000000001", "01-2026-999999999", "24-2026-000001234"]
    with pytest.raises(ValueError):
        fixed_width_ids(prefixes, np.array([0]), np.array([10**9]), 9)


def test_slot_table_gives_every_procedure_a_chance():
    table = _slot_table(np.array([1000.0, 1.0, 0.0001, 10.0]))
    assert len(table) == SLOTS
    counts = np.bincount(table, minlength=4)
    assert (counts >= 1).all() and counts[0] > 90 * counts[3] / 10


def test_catalogue_is_fixed_and_realistic():
    cat = national_catalogue()
    assert len(set(cat.codes)) == cat.size
    assert len(set(cat.names)) == cat.size
    assert "Đăng ký khai sinh" in cat.names and "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, " \
        "người nước ngoài đang cư trú tại Việt Nam" in cat.names
    assert 0.3 < cat.has_fee.mean() < 0.5
    assert (cat.statutory_days >= 1).all() and (cat.statutory_days <= 30).all()


def test_templates_expand_with_verb_families():
    names = [t.name for t in expand(("C4:giấy phép xây dựng nhà ở riêng lẻ", "**=Chứng thực chữ ký"))]
    assert names == ["Cấp giấy phép xây dựng nhà ở riêng lẻ", "Cấp lại giấy phép xây dựng nhà ở riêng lẻ",
                     "Gia hạn giấy phép xây dựng nhà ở riêng lẻ", "Điều chỉnh giấy phép xây dựng nhà ở riêng lẻ",
                     "Chứng thực chữ ký"]
    with pytest.raises(ValueError):
        expand(("nonsense",))


@pytest.mark.parametrize("name, code, sector", [
    ("Sở Tư pháp", "24-STP", "justice"), ("Công an tỉnh", "24-CA", "police"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "24-VPUBND", "office"), ("Sở Văn hóa, Thể thao và Du lịch", "24-SVH", "culture"),
    ("Bảo hiểm xã hội tỉnh", "24-BHXH", "social_insurance"), ("Đơn vị mới", "24-SXD", "construction"),
    ("Đơn vị khác", "24-XYZ", "general"),
])
def test_department_sectors(name, code, sector):
    assert sector_of_department(name, code).key == sector
