"""Volumes and weekly performance behave like a real province's."""
from __future__ import annotations

import numpy as np

from .sample_units import COMMUNES_24


def test_volume_follows_population(generated):
    counts = dict(generated.sql("select unit_code, count(*) from dossiers where province_code = '24' "
                                "and unit_code not like '%-%' group by all"))
    pop = np.array([p for _, p in COMMUNES_24], dtype=float)
    n = np.array([counts[c] for c, _ in COMMUNES_24], dtype=float)
    assert np.corrcoef(np.log(pop), np.log(n))[0, 1] > 0.8
    big, small = n[:3].mean(), n[-3:].mean()
    assert big > 4 * small


def test_departments_take_about_a_third_unevenly(generated):
    share = generated.one("select avg((unit_code like '%-%')::int) from dossiers where province_code = '24'")
    assert 0.2 < share < 0.4
    counts = dict(generated.sql("select unit_code, count(*) from dossiers where unit_code like '24-%' group by all"))
    assert counts["24-CA"] > 5 * counts["24-VPUBND"]
    assert counts["24-STP"] > 3 * counts["24-VPUBND"]


def test_provinces_sized_by_population(generated):
    counts = dict(generated.sql("select province_code, count(*) from dossiers group by all"))
    assert counts["24"] > 3 * counts["31"]


def test_weekday_seasonality(generated):
    by_day = dict(generated.sql("select isodow(received_date), count(*) from dossiers group by all"))
    assert by_day[7] < 0.05 * by_day[3]  # Sunday vs Wednesday
    assert by_day[6] < 0.3 * by_day[3]  # Saturday
    assert min(by_day[d] for d in range(1, 6)) > 0.8 * by_day[3]


def test_tet_trough_and_pre_tet_rush(generated):
    def week(monday: str) -> int:
        return generated.one(f"select count(*) from dossiers where received_date between date '{monday}' "
                             f"and date '{monday}' + 6")
    ordinary = week("2026-03-16")
    assert week("2026-02-16") < 0.1 * ordinary  # Tết 2026: Lunar New Year on Tuesday 17 February
    assert week("2026-02-09") > 1.15 * ordinary  # the rush before it
    assert week("2026-02-23") < 0.8 * ordinary  # slow restart
    assert generated.one("select count(*) from dossiers where received_date = '2026-09-02'") < \
        0.1 * generated.one("select count(*) from dossiers where received_date = '2026-09-09'")


def test_weekly_on_time_share_moves_within_bounds(generated):
    rows = generated.sql("""
        select unit_code, date_trunc('week', received_date) w,
               avg(case when finished_date <= appointment_date then 1 else 0 end) on_time, count(*) n
        from dossiers where finished_date is not null and received_date between '2026-03-02' and '2026-11-29'
        group by all""")
    by_unit: dict[str, list[float]] = {}
    for unit, _, share, n in rows:
        assert 0 <= share <= 1
        by_unit.setdefault(unit, []).append(share)
    big = max(by_unit, key=lambda u: len(by_unit[u]))
    shares = np.array(by_unit["07210"])
    assert len(shares) > 30 and shares.std() > 0.005
    assert len(set(np.round(by_unit[big], 4))) > 10


def test_units_differ_in_performance(generated):
    rates = [r for _, r in generated.sql("""
        select unit_code, avg(digitized::int) from dossiers where province_code = '24' group by all""")]
    assert max(rates) - min(rates) > 0.02


def test_bac_ninh_near_the_seed_bulletin(generated):
    """Seed 003: digitisation ≈ 95%, on-time ≈ 96%, fully online ≈ 70% of eligible, online payment ≈ 99%."""
    one = generated.one
    where = "where province_code = '24'"
    assert 0.9 < one(f"select avg(digitized::int) from dossiers {where}") < 0.99
    assert 0.9 < one(f"select avg((finished_date <= appointment_date)::int) from dossiers {where} "
                     "and finished_date is not null") < 0.995
    assert 0.6 < one(f"select avg(fully_online::int) from dossiers {where} and full_online_eligible") < 0.82
    assert 0.9 < one(f"select avg(paid_online::int) from dossiers {where} and financial_obligation") <= 1
    assert one(f"select avg(synced_national::int) from dossiers {where}") > 0.95
