"""Dossier records (hồ sơ thủ tục hành chính), a block of rows at a time, vectorised.

Each row is one dossier received by a unit on a day (from the cell plan). Its procedure
is drawn from the unit's list; every yes/no field is a 16-bit uniform compared with the
unit's weekly lever threshold (``latent``), adjusted by what the procedure allows: only
procedures eligible for full online service can be fully online, only fee procedures
carry a financial obligation, and so on. Dates are counted in working days:

- appointment = received + statutory working days (+ an occasional manual extension);
- an on-time dossier finishes between receipt and the appointment, early more often;
- a late one finishes after the appointment plus the days the citizen spent
  supplementing, so it is late under either reading of the supplement rule;
- whatever would finish after the period's end (and a few stalled ones) is unfinished.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from chiso.demo.latent import LEVER
from chiso.demo.parquet import ascii_prefixes, date_array, fixed_width_ids
from chiso.demo.plan import Span
from chiso.demo.procedures import national_catalogue
from chiso.demo.rng import stream, uniform16
from chiso.demo.world import World

ID_DIGITS = 9
CHANNELS = ("direct", "online", "post")
RATINGS = ("satisfied", "neutral", "dissatisfied")
U16 = 65536

POST_SHARE = 0.015  # of dossiers of procedures without online service
SECOND_SUPPLEMENT = 0.11  # of dossiers asked to supplement, asked again (late by rule)
THIRD_SUPPLEMENT = 0.2  # of those, asked a third time
SUPPLEMENT_DAYS = 7  # the citizen takes 1…7 days per request
EXTENSION = (0.02, 5)  # share of appointments extended by hand, up to this many working days
LATE_DAYS = 4.0  # mean working days a late dossier overruns
STALLED = 0.06  # of late dossiers, never finished
OBLIGATION = 0.92  # dossiers of a fee procedure that owe something (the rest are exempt)
NOT_INTEGRATED_PAY = 0.2  # online payment, relative, when fees are not integrated on the portal
BUSINESS_POPULATION_DB = 0.2  # population-database use, relative, for business-only procedures
NEUTRAL = 0.04  # of ratings
LATE_GRIEVANCE = 4  # late dossiers are this much more often disliked or complained about

# Columns of the uniform draws
(R_PROC, R_FULL, R_ONLINE, R_SYNC, R_SUPP, R_SUPP2, R_SUPP_DAYS, R_EXT, R_ON_TIME, R_POS_A,
 R_POS_B, R_LATE, R_STALL, R_OBLIGATION, R_PAY, R_DIGITIZED, R_E_RESULT, R_REUSE, R_STORE,
 R_POPULATION, R_RATED, R_RATING, R_COMPLAINT, N_DRAWS) = range(24)


def id_prefixes(world: World) -> np.ndarray:
    """``"<province>-<year>-"`` per province: ids read ``24-2026-000012345``."""
    return ascii_prefixes([f"{p}-{world.year}-" for p in world.layout.provinces])


def _share(p: float) -> int:
    return int(round(p * U16))


def _scaled(threshold: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """``threshold × factor`` capped below certainty, in integer arithmetic (fast)."""
    fixed = np.round(np.asarray(factor) * 1024).astype(np.int32)
    return np.minimum((threshold.astype(np.int32) * fixed) >> 10, U16 - 1)


def dossier_block(world: World, span: Span, prefixes: np.ndarray) -> pa.Table:
    """The dossiers of ``span`` as an Arrow table with the DOSSIERS columns."""
    cat, sets, cal, layout = national_catalogue(), world.sets, world.calendar, world.layout
    n = span.rows
    cell_unit = (span.cells % layout.size).astype(np.int32)
    cell_day = span.cells // layout.size
    unit = span.per_row(cell_unit)
    received = span.per_row(world.days[cell_day])
    cell_thresholds = world.thresholds[cell_unit, world.week_of_day[cell_day]]  # (cells, levers)

    def threshold(lever: str) -> np.ndarray:
        return span.per_row(cell_thresholds[:, LEVER[lever]])

    r = uniform16(stream(world.seed, "dossiers", span.index), n, N_DRAWS)

    row = sets.sample(unit, r[:, R_PROC])
    proc = sets.procedure[row]
    eligible = cat.full_online_eligible[proc]
    has_fee = cat.has_fee[proc]
    paper = cat.paper_result[proc]

    fully = eligible & (r[:, R_FULL] < threshold("full_online"))
    online = fully | (sets.online_service[row] & (r[:, R_ONLINE] < threshold("online")))
    post = ~online & ~sets.online_service[row] & (r[:, R_ONLINE] < _share(POST_SHARE))
    channel = np.where(online, 1, np.where(post, 2, 0)).astype(np.int8)

    asked = r[:, R_SUPP] < threshold("supplement")
    again = asked & (r[:, R_SUPP2] < _share(SECOND_SUPPLEMENT))
    third = again & (r[:, R_SUPP2] < _share(SECOND_SUPPLEMENT * THIRD_SUPPLEMENT))
    supplements = asked.astype(np.int32) + again + third
    supplement_days = supplements * (1 + r[:, R_SUPP_DAYS].astype(np.int32) % SUPPLEMENT_DAYS)

    extension = np.where(r[:, R_EXT] < _share(EXTENSION[0]), 1 + r[:, R_EXT] % EXTENSION[1], 0)
    received_ord = cal.ordinal(received).astype(np.int64)
    appointment_ord = received_ord + cat.statutory_days[proc] + extension
    on_time = r[:, R_ON_TIME] < threshold("on_time")
    # Early finishes are likelier: the minimum of two uniforms, scaled to the allowed span.
    position = np.minimum(r[:, R_POS_A], r[:, R_POS_B]).astype(np.int64)
    early_ord = received_ord + ((position * (appointment_ord - received_ord + 1)) >> 16)
    overrun = 1 + np.floor(-np.log((r[:, R_LATE] + 0.5) / U16) * LATE_DAYS).astype(np.int64)
    finished = cal.day_of(np.where(on_time, early_ord, appointment_ord + overrun + supplement_days))
    stalled = ~on_time & (r[:, R_STALL] < _share(STALLED))
    done = (finished <= world.end) & ~stalled

    obligation = has_fee & (r[:, R_OBLIGATION] < _share(OBLIGATION))
    pay = threshold("pay_online")
    paid = obligation & (r[:, R_PAY] < np.where(sets.fee_integrated[row], pay,
                                                _scaled(pay, NOT_INTEGRATED_PAY)))
    population = threshold("population_db")
    population = np.where(cat.citizen_subject[proc], population, _scaled(population, BUSINESS_POPULATION_DB))
    late = ~on_time | (supplements >= 2)
    grievance = np.where(late, LATE_GRIEVANCE, 1)
    rated = done & (r[:, R_RATED] < threshold("rated"))
    disliked = rated & (r[:, R_RATING] < _scaled(threshold("dissatisfied"), grievance))
    neutral = rated & ~disliked & (r[:, R_RATING] >= U16 - _share(NEUTRAL))
    rating = np.where(disliked, 2, np.where(neutral, 1, 0)).astype(np.int8)

    province = layout.province[unit]
    return pa.table({
        "id": fixed_width_ids(prefixes, province, span.sequence(), ID_DIGITS),
        "unit_code": pa.DictionaryArray.from_arrays(pa.array(unit), pa.array(layout.codes)),
        "province_code": pa.DictionaryArray.from_arrays(pa.array(province), pa.array(layout.provinces)),
        "procedure_code": pa.DictionaryArray.from_arrays(pa.array(proc), pa.array(cat.codes)),
        "received_date": date_array(received),
        "appointment_date": date_array(cal.day_of(appointment_ord)),
        "finished_date": date_array(finished, done),
        "supplement_count": pa.array(supplements, pa.int32()),
        "supplement_days": pa.array(supplement_days, pa.int32()),
        "channel": pa.DictionaryArray.from_arrays(pa.array(channel), pa.array(CHANNELS)),
        "fully_online": pa.array(fully),
        "full_online_eligible": pa.array(eligible),
        "synced_national": pa.array(r[:, R_SYNC] < threshold("sync")),
        "financial_obligation": pa.array(obligation),
        "paid_online": pa.array(paid),
        "digitized": pa.array(r[:, R_DIGITIZED] < threshold("digitized")),
        "result_paper": pa.array(paper),
        "result_electronic": pa.array(done & (~paper | (r[:, R_E_RESULT] < threshold("e_result")))),
        "reused_data": pa.array(r[:, R_REUSE] < threshold("reuse")),
        "personal_store_linked": pa.array(r[:, R_STORE] < threshold("personal_store")),
        "population_db_used": pa.array(r[:, R_POPULATION] < population),
        "rating": pa.DictionaryArray.from_arrays(pa.array(rating, mask=~rated), pa.array(RATINGS)),
        "complaint": pa.array(r[:, R_COMPLAINT] < _scaled(threshold("complaint"), grievance)),
    })
