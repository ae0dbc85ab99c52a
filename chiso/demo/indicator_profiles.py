"""How each collected indicator of Bắc Ninh's sample catalogue behaves over time (hồ sơ mô
phỏng): its level, growth, season and noise, and how it splits over communes or departments.

Magnitudes are plausible for the province after the July 2025 merger (Bắc Ninh + Bắc Giang:
about 3.6 million people, 99 communes and wards; 2025 GRDP about 522 thousand billion VND at
current prices, growth about 10.3%; retail sales about 762 thousand billion VND) and
illustrative elsewhere. Years before the merger stand for the two former provinces
combined. Growth rates and year levels are chosen so that some indicators end the demo
year on track and others do not (see ``chiso.demo.indicators.Scenario``).

Every live collected indicator of ``catalogue-24.yaml`` must have a profile here; a test
checks it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Split:
    """How a province-wide amount splits over the units of the indicator's other levels.

    ``communes``: "population" (people served) or "urban" (wards weigh ``urban`` times a
    rural commune, for enterprises and permits), each with a lognormal spread ``spread``.
    ``departments``: weights by department abbreviation (default 1). ``department_share``:
    the departments' part when both departments and communes report.
    """

    communes: str = "population"
    urban: float = 1.0
    spread: float = 0.25
    departments: Mapping[str, float] = field(default_factory=dict)
    department_share: float = 0.3


@dataclass(frozen=True)
class Flow:
    """An amount per period: the year's total (``level`` in 2025, ``growth`` by year over the
    year before) spread over its days by ``season``; lognormal noise ``noise`` per period,
    or Poisson draws when the unit counts things."""

    level: float
    growth: Mapping[int, float] = field(default_factory=dict)
    trend: float = 0.0
    season: str = "flat"
    noise: float = 0.05
    split: Split = Split()


@dataclass(frozen=True)
class Stock:
    """A level at the end of each period: ``by_year`` levels (mid-year), interpolated;
    relative noise ``noise`` (Poisson when counting). Units share it by ``split``;
    ``overrides`` multiply a department's share (by abbreviation)."""

    by_year: Mapping[int, float]
    trend: float = 0.0
    noise: float = 0.03
    split: Split = Split()
    overrides: Mapping[str, float] = field(default_factory=dict)
    #: deteriorating units (scenario): their level grows by this factor over the last periods
    deteriorate: float = 1.0


@dataclass(frozen=True)
class Rate:
    """A percentage or index around a yearly path (``by_year`` at mid-year, interpolated),
    with absolute noise ``noise`` and each unit's own offset (sd ``unit_sd``), clipped to
    [lo, hi]. ``ytd``: the value accumulates through the year towards the year's level
    (share of the year's children immunised so far)."""

    by_year: Mapping[int, float]
    trend: float = 0.0
    noise: float = 0.5
    unit_sd: float = 0.0
    lo: float = 0.0
    hi: float = 100.0
    ytd: bool = False


@dataclass(frozen=True)
class YearOnYear:
    """An index of this period against the same period a year earlier (= 100): the ratio of
    a seasonal flow growing by ``growth`` (so Tết moving between January and February
    swings the two months, as the real IIP does), plus noise in index points."""

    growth: Mapping[int, float]
    trend: float = 0.0
    season: str = "industry"
    noise: float = 1.5


@dataclass(frozen=True)
class Published:
    """One value a year as published (plans, estimates, survey indices). ``in_advance``: a
    plan known from the year's first day (the budget estimate). Years not listed follow
    the nearest listed one plus ``trend`` per year. With commune levels the total is split
    by population."""

    by_year: Mapping[int, float]
    trend: float = 0.0
    in_advance: bool = False


@dataclass(frozen=True)
class Part:
    """A part (share ≤ 1: binomial draws when counting) or a multiple of another collected
    indicator ``of`` for the same unit and period. The share follows ``by_year`` with noise
    ``noise`` per period and each unit's offset (sd ``unit_sd``); ``overrides`` set a
    department's share (by abbreviation); ``deteriorate`` lowers the share of the
    scenario's deteriorating communes by that much over the last periods."""

    of: str
    by_year: Mapping[int, float]
    trend: float = 0.0
    noise: float = 0.01
    unit_sd: float = 0.0
    overrides: Mapping[str, float] = field(default_factory=dict)
    deteriorate: float = 0.0


Profile = Flow | Stock | Rate | YearOnYear | Published | Part

# Departments receiving most dossiers (land, police, finance, construction…).
_DOSSIER_DEPARTMENTS = {"SNNMT": 5, "CA": 4, "STC": 3, "SXD": 3, "STP": 2, "SYT": 2, "SCT": 2,
                        "BQLKCN": 2, "SGDDT": 1.5, "SNV": 1.5, "SVHTTDL": 1, "SKHCN": 0.8,
                        "VPUBND": 0.3, "TTT": 0.3, "SNGV": 0.3, "SDTTG": 0.4, "THUE": 1.5,
                        "BHXH": 1.5, "TTPVHCC": 0.5}
_DOSSIERS = Split(communes="population", spread=0.3, departments=_DOSSIER_DEPARTMENTS,
                  department_share=0.3)
_ENTERPRISES = Split(communes="urban", urban=4.0, spread=0.5)

PROFILES: Mapping[str, Profile] = {
    # ---------------------------------------------------------------- economy
    "KT.LAO_DONG_KCN": Stock({2024: 505_000, 2025: 540_000, 2026: 572_000}, trend=30_000, noise=0.006),
    "KT.DAT_CN_SAN_SANG": Stock({2024: 2_450, 2025: 2_180, 2026: 1_960}, trend=-200, noise=0.02),
    "KT.DIEN_CN_XD": Flow(15_000, {2025: 0.12, 2026: 0.095}, season="industry", noise=0.03),
    "KT.XUC_TIEN_TM": Flow(36, trend=0.05, season="flat"),
    "KT.CCN_HOAN_THANH": Flow(7, trend=0.05, season="year_end"),
    "KT.OCOP_MOI": Flow(90, trend=0.05, season="year_end"),
    "KT.GRDP_HH": Flow(522_000, {2025: 0.135, 2026: 0.14}, season="grdp", noise=0.006),
    # 2025: +10.27% as estimated; 2026: about 11.2%, short of the 12.5% target (at risk)
    "KT.GRDP_SS": Flow(292_000, {2025: 0.1027, 2026: 0.112}, season="grdp", noise=0.004),
    "KT.IIP": YearOnYear({2024: 0.135, 2025: 0.16, 2026: 0.095}, season="industry", noise=1.2),
    "KT.BAN_LE": Flow(761_600, {2025: 0.16, 2026: 0.105}, season="industry", noise=0.02),
    "KT.XUAT_KHAU": Flow(95_000, {2025: 0.18, 2026: 0.115}, season="industry", noise=0.03),
    "KT.KHACH_DU_LICH": Flow(12_500_000, {2025: 0.15, 2026: 0.13}, season="tourism", noise=0.05),
    "KT.CPI": Rate({2024: 103.8, 2025: 103.3, 2026: 103.9}, noise=0.3, lo=90, hi=120),
    # ---------------------------------------------------------------- finance
    "NS.DU_TOAN_THU": Published({2024: 49_500, 2025: 56_000, 2026: 64_000}, trend=6_000, in_advance=True),
    "NS.DU_TOAN_CHI": Published({2024: 41_000, 2025: 46_500, 2026: 51_000}, trend=4_000, in_advance=True),
    "NS.CHI_NSDP": Flow(45_800, {2025: 0.12, 2026: 0.10}, season="spending", noise=0.05),
    "NS.NO_THUE": Stock({2024: 2_050, 2025: 2_250, 2026: 2_700}, trend=300, noise=0.03),
    "NS.THU_HOI_NO_THUE": Flow(1_800, trend=0.05, season="flat", noise=0.15),
    "NS.QT_DEN_HAN": Flow(600, trend=0.05, season="year_end"),
    # final accounts approved on time slip in 2026 (off track against 90%)
    "NS.QT_DUNG_HAN": Part("NS.QT_DEN_HAN", {2024: 0.84, 2025: 0.82, 2026: 0.76}, noise=0.02),
    # revenue runs ahead of the estimate: 2025 about 108%, 2026 about 106%
    "NS.THU_NSNN": Flow(60_500, {2025: 0.13, 2026: 0.125}, season="revenue", noise=0.06),
    "NS.THU_NOI_DIA": Part("NS.THU_NSNN", {2024: 0.79, 2025: 0.80, 2026: 0.81}, noise=0.02),
    # ---------------------------------------------------------------- investment
    "DT.KH_VON_DTC": Published({2024: 24_000, 2025: 30_000, 2026: 34_000}, trend=3_000, in_advance=True),
    "DT.SO_DU_AN_DTC": Published({2024: 720, 2025: 810, 2026: 860}, trend=40, in_advance=True),
    # disbursement: 92% of plan in 2024, 96% in 2025, lagging badly in 2026 (off track)
    "DT.GIAI_NGAN_DTC": Flow(28_800, {2025: 0.309, 2026: -0.08}, season="disbursement", noise=0.15),
    "DT.DU_AN_CHAM": Stock({2024: 31, 2025: 28, 2026: 44}, trend=5, noise=0.05),
    "DT.DU_AN_HOAN_THANH": Flow(180, trend=0.05, season="year_end"),
    "DT.GPXD": Flow(14_000, trend=0.06, season="industry", split=Split(communes="urban", urban=2.5, spread=0.4)),
    "DT.NOXH_HOAN_THANH": Flow(4_200, {2025: 0.6, 2026: 0.5}, season="year_end", noise=0.3),
    "DT.GPMB": Flow(1_500, trend=0.05, season="flat", noise=0.25),
    "DT.VON_DTXH": Flow(175_000, {2025: 0.13, 2026: 0.12}, season="grdp", noise=0.02),
    "DT.FDI": Flow(4_200, {2025: 0.05, 2026: -0.25}, season="flat", noise=0.35),
    "DT.LAP_DAY_KCN": Rate({2024: 70.0, 2025: 73.0, 2026: 74.2}, noise=0.3),
    # ---------------------------------------------------------------- enterprises
    "DN.KP_HO_TRO_DNNVV": Published({2024: 18, 2025: 22, 2026: 25}, trend=2, in_advance=True),
    "DN.KP_XTDT": Published({2024: 12, 2025: 15, 2026: 16}, trend=1, in_advance=True),
    "DN.HS_DKDN": Flow(26_000, {2025: 0.10, 2026: 0.08}, season="dossiers:department"),
    "DN.KIEN_NGHI_DANG_XL": Stock({2024: 95, 2025: 80, 2026: 72}, trend=-5, noise=0.12),
    "DN.HS_DKDN_DUNG_HAN": Part("DN.HS_DKDN", {2024: 0.992, 2025: 0.995, 2026: 0.996}, noise=0.002),
    "DN.KIEN_NGHI_DA_GQ": Flow(620, trend=0.03, season="flat"),
    "DN.LUOT_HO_TRO": Flow(2_400, trend=0.08, season="year_end"),
    # about 110 new enterprises a week across the province; wards weigh four rural communes
    "DN.THANH_LAP_MOI": Flow(5_800, {2025: 0.09, 2026: 0.12}, season="dossiers:department", split=_ENTERPRISES),
    "DN.VON_DANG_KY_MOI": Part("DN.THANH_LAP_MOI", {2024: 9.0, 2025: 9.5, 2026: 10.0}, noise=0.3),
    "DN.QUAY_LAI": Flow(2_200, trend=0.05, season="after_tet"),
    # dissolutions rise sharply in 2026 (a deteriorating "lower is better" indicator)
    "DN.GIAI_THE": Flow(700, {2025: 0.10, 2026: 0.35}, season="before_tet"),
    "DN.TAM_NGUNG": Flow(2_300, {2025: 0.06, 2026: 0.08}, season="before_tet"),
    "DN.PCI": Published({2024: 69.1, 2025: 69.8}),
    # ---------------------------------------------------------------- society
    "XH.DAN_SO": Published({2024: 3_575_000, 2025: 3_619_433}, trend=43_000),
    "XH.TONG_SO_HO": Part("XH.DAN_SO", {2024: 1 / 3.50, 2025: 1 / 3.46, 2026: 1 / 3.42}, noise=0.003,
                          unit_sd=0.01),
    "XH.BAC_SI": Published({2024: 4_150, 2025: 4_420}, trend=250),
    "XH.KCB_BHYT": Flow(7_500_000, trend=0.04, season="health", noise=0.02),
    "XH.HS_TRO_CAP_TN": Flow(42_000, {2025: 0.04, 2026: 0.07}, season="after_tet", noise=0.06),
    "XH.VIEC_LAM_MOI": Flow(62_000, trend=0.03, season="after_tet", noise=0.06),
    "XH.TIEM_CHUNG": Rate({2024: 97.2, 2025: 96.6, 2026: 93.8}, noise=0.6, ytd=True),
    "XH.HO_NGHEO": Part("XH.TONG_SO_HO", {2024: 0.0135, 2025: 0.0105, 2026: 0.0082}, noise=0.0004,
                        unit_sd=0.006),
    "XH.BAO_PHU_BHYT": Rate({2024: 93.6, 2025: 94.4, 2026: 94.2}, noise=0.15),
    "XH.BAO_PHU_BHXH": Rate({2024: 50.5, 2025: 53.0, 2026: 54.3}, noise=0.3),
    "XH.THAT_NGHIEP": Rate({2024: 2.45, 2025: 2.30, 2026: 2.38}, noise=0.06, lo=0, hi=30),
    "XH.HDI": Published({2024: 0.752, 2025: 0.759}, trend=0.005),
    # ---------------------------------------------------------------- public administration
    "HC.TTHC_AP_DUNG": Stock({2024: 1_960, 2025: 1_840, 2026: 1_720}, trend=-100, noise=0.01),
    "HC.TTHC_TOAN_TRINH": Stock({2024: 980, 2025: 1_050, 2026: 1_120}, trend=60, noise=0.01),
    "HC.HS_TIEP_NHAN": Flow(380_000, {2025: 0.08, 2026: 0.10}, season="dossiers:commune", split=_DOSSIERS),
    "HC.HS_QUA_HAN_DANG_XL": Stock({2024: 160, 2025: 120, 2026: 105}, trend=-10, noise=0.1,
                                   split=_DOSSIERS, deteriorate=4.0),
    "HC.HS_DA_GQ": Part("HC.HS_TIEP_NHAN", {2024: 0.965, 2025: 0.97, 2026: 0.972}, noise=0.01, unit_sd=0.01),
    # on time ≈ 98.5% overall; three communes slide by up to 12 points over the last weeks
    "HC.HS_DUNG_HAN": Part("HC.HS_DA_GQ", {2024: 0.978, 2025: 0.984, 2026: 0.987}, noise=0.004,
                           unit_sd=0.008, overrides={"SNNMT": 0.955, "SXD": 0.965}, deteriorate=0.12),
    "HC.HS_TRUC_TUYEN": Part("HC.HS_TIEP_NHAN", {2024: 0.58, 2025: 0.66, 2026: 0.71}, noise=0.01,
                             unit_sd=0.06),
    "HC.VB_KY_SO": Rate({2024: 97.0, 2025: 98.2, 2026: 98.8}, noise=0.3, unit_sd=0.8),
    "HC.VB_QPPL": Flow(90, trend=0.0, season="year_end"),
    "HC.VNEID_MUC2": Rate({2024: 71.0, 2025: 84.0, 2026: 88.6}, trend=1.0, noise=0.2),
    "HC.SIPAS": Published({2024: 84.6, 2025: 85.3}, trend=0.3),
    "HC.PAR_INDEX": Published({2024: 89.2, 2025: 90.1}, trend=0.4),
    "HC.DTI": Published({2024: 0.64, 2025: 0.69}, trend=0.03),
    "HC.PAPI": Published({2024: 44.1, 2025: 44.6}, trend=0.3),
}
