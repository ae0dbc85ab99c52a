"""Versions of the index definition (issue 16): effective dates checked on load, the version in
force for each window (a week before a change, a week after, a period spanning it → flagged),
series across a change, `chiso definitions diff`, and criteria not yet determined (None, never 0)."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chiso.catalog import definition_versions
from chiso.catalog.definition_versions import diff, diff_document, diff_lines, method_change, resolve, version_for
from chiso.catalog.index_definition import DEFAULT_INDEX, DEFINITIONS_DIR, load_index_definition
from chiso.cli.definitions import app as definitions_app
from chiso.errors import ChisoError, DefinitionError, NotFoundError
from chiso.evaluate.points import round_half_up
from chiso.evaluate.scores import score_window
from chiso.evaluate.service import explain, score_consecutive, score_records, score_series
from chiso.periods.windows import parse_window
from chiso.store.records import open_records
from chiso.units import load_units
from tests import records_data

EXAMPLE = DEFINITIONS_DIR / "index-766-example-2026.2.yaml"
BASE = load_index_definition(DEFAULT_INDEX)
runner = CliRunner()


def approx(x):
    return pytest.approx(x, abs=1e-9)


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


def _store(folder: Path, data: dict):
    store = open_records(f"duckdb:///{(folder / 'records.duckdb').as_posix()}")
    records_data.load(store, data)
    return store


@pytest.fixture
def hand_store(tmp_path):
    """The engine tests' hand-built records (tests/records_data.py): 07210 in 2026-W34 scored by hand."""
    store = _store(tmp_path, records_data.hand_dataset())
    yield store
    store.close()


@pytest.fixture
def duck_store(tmp_path):
    """The engine tests' whole dataset (August 2026)."""
    store = _store(tmp_path, records_data.dataset())
    yield store
    store.close()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path) -> Path:
    """A province's copy of the shipped definition, which its later versions extend."""
    return Path(shutil.copy(DEFAULT_INDEX, tmp_path / "index-766.yaml"))


@pytest.fixture
def mid_august(tmp_path, base) -> Path:
    """An "Update" row from Monday 17 August 2026 (the first day of 2026-W34): a dossier is
    on time at 80 % for full points (full_at 1 → 0.8)."""
    return write(tmp_path, "index-766-2026.2.yaml", """\
extends: index-766.yaml
version: "2026.2"
valid_from: 2026-08-17
note: Cập nhật ON_TIME theo dòng Update của tài liệu công thức
groups:
  - code: PROGRESS
    criteria:
      - {code: ON_TIME, full_at: 0.8}
""")


# ------------------------------------------------------------------ the version of a window
def test_each_window_is_scored_by_the_version_in_force(mid_august):
    d = load_index_definition(mid_august)
    assert [(v.version, v.valid_from, v.valid_to) for v in d.versions] == [
        ("2026.1", dt.date(2022, 8, 1), dt.date(2026, 8, 16)), ("2026.2", dt.date(2026, 8, 17), None)]
    week_before, week_after = version_for(d, "2026-W33"), version_for(d, "2026-W35")
    assert (week_before.definition.version, week_before.spans_change) == ("2026.1", False)
    assert (week_after.definition.version, week_after.spans_change) == ("2026.2", False)
    assert week_before.definition.criterion("ON_TIME").full_at == 1.0
    assert week_after.definition.criterion("ON_TIME").full_at == 0.8
    # the week the change starts on is wholly the new version's: nothing to flag
    assert version_for(d, "2026-W34").definition.version == "2026.2" and not version_for(d, "2026-W34").changes
    # a quarter and a month spanning the change are flagged and scored by the version of their last day
    for label in ("2026-Q3", "2026-08", "2026-08-10..2026-08-20"):
        choice = version_for(d, label)
        assert choice.definition.version == "2026.2"
        assert [(c.day, c.version, c.previous) for c in choice.changes] == [(dt.date(2026, 8, 17), "2026.2", "2026.1")]
        assert choice.message().startswith("Kỳ này có thay đổi phương pháp tính từ ngày 17/08/2026 (phiên bản 2026.2)")
        assert "phiên bản 2026.2" in choice.message() and "ngày cuối kỳ" in choice.message()
    assert method_change(d, "2026-Q3", "en").startswith("The method changed during this period, from 17 Aug 2026")
    assert method_change(d, "2026-Q2") is None
    # a period ending on the last day of the old version is the old version's
    assert version_for(d, "2026-08-01..2026-08-16").definition.version == "2026.1"


def test_no_method_before_the_first_version():
    with pytest.raises(ChisoError, match="trước ngày áp dụng phương pháp tính INDEX_766 \\(01/08/2022"):
        version_for(BASE, "2021-W10")
    # a window reaching back before the first day says so
    assert version_for(BASE, "2022-Q3").message().startswith("Phương pháp tính chỉ áp dụng từ ngày 01/08/2022")


def test_a_week_before_and_after_the_change_scored_from_records(mid_august, hand_store, tree):
    d = load_index_definition(mid_august)
    after = score_records(d, hand_store, tree, "2026-W34")
    assert after.definition.version == "2026.2" and after.method_note() is None
    # 07210 in W34: 8 of 12 on time → 20 × (8/12) / 0.8 = 16.67 under 2026.2 (13.33 under 2026.1)
    crit = {r["criterion"]: r for r in after.unit_criteria("07210").to_dicts()}
    assert crit["ON_TIME"]["points"] == approx(16.67)
    assert after.unit("07210")["total"] == approx(59.13 - 13.33 + 16.67)
    # the week before is scored by 2026.1, exactly as the shipped definition scores it
    before = score_records(d, hand_store, tree, "2026-W33", with_previous=False)
    shipped = score_records(BASE, hand_store, tree, "2026-W33", with_previous=False)
    assert before.definition.version == "2026.1"
    assert before.units.equals(shipped.units) and before.criteria.equals(shipped.criteria)
    # W34's change is measured against W33 as 2026.1 scored it
    for code in ("07210", "07264", "24"):
        assert after.unit(code)["previous_total"] == before.unit(code)["total"]
        assert after.unit(code)["score_change"] == approx(round_half_up(after.unit(code)["total"]
                                                                        - before.unit(code)["total"], 2))
    # a month spanning the change: flagged, scored by 2026.2
    month = score_records(d, hand_store, tree, "2026-08")
    assert month.definition.version == "2026.2"
    assert month.method_note().startswith("Kỳ này có thay đổi phương pháp tính từ ngày 17/08/2026 (phiên bản 2026.2)")
    assert month.method.as_dict()["changes"][0]["from"] == "2026-08-17"


def test_a_series_across_the_change_scores_each_week_by_its_version(mid_august, duck_store, tree):
    d = load_index_definition(mid_august)
    series = score_series(d, duck_store, tree, dt.date(2026, 8, 3), dt.date(2026, 8, 30), weeks_only=True)
    scores = series.scores
    assert [scores.definition_of(w).version for w in scores.windows] == ["2026.1", "2026.1", "2026.2", "2026.2"]
    for i, w in enumerate(scores.windows):
        one = score_records(d, duck_store, tree, w, with_previous=i > 0)
        got = scores.table(w)
        assert got.definition.version == one.definition.version
        assert got.units.drop("total_before_adjustment").equals(one.units.drop("total_before_adjustment")), w
        assert got.criteria.equals(one.criteria), w
    # the change across the boundary is measured against the week scored by the other version
    w33, w34 = scores.table("2026-W33"), scores.table("2026-W34")
    assert w34.unit("24")["previous_total"] == w33.unit("24")["total"]
    assert scores.criteria.height == sum(scores.table(w).criteria.height for w in scores.windows)


# ------------------------------------------------------------------ loading and its errors
def test_dates_must_not_overlap_or_leave_a_gap(tmp_path, base):
    text = base.read_text(encoding="utf-8").replace("valid_from: 2022-08-01", "valid_from: 2022-08-01\nvalid_to: 2026-09-30")
    base.write_text(text, encoding="utf-8")
    later = write(tmp_path, "v2.yaml", 'extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-08-17\n')
    with pytest.raises(DefinitionError) as e:
        load_index_definition(later)
    assert e.value.path.endswith("index-766.yaml") and e.value.where == "valid_to"
    assert "chồng lên nhau" in e.value.reason
    gap = write(tmp_path, "gap.yaml", 'extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-10-05\n')
    with pytest.raises(DefinitionError) as e:
        load_index_definition(gap)
    assert e.value.path.endswith("gap.yaml") and e.value.where == "valid_from" and "các ngày giữa" in e.value.reason
    exact = write(tmp_path, "exact.yaml", 'extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-10-01\n')
    assert load_index_definition(exact).versions[0].valid_to == dt.date(2026, 9, 30)


@pytest.mark.parametrize(("body", "where", "words"), [
    ('extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2020-01-01\n', "valid_from", "không sau phiên bản"),
    ('extends: index-766.yaml\nversion: "2026.1"\nvalid_from: 2026-08-17\n', "version", "đã có"),
    ('extends: index-766.yaml\nvalid_from: 2026-08-17\n', "version", "phải nêu `version`"),
    ('extends: index-766.yaml\nversion: "2026.2"\n', "valid_from", "phải nêu `valid_from`"),
    ('extends: nowhere.yaml\nversion: "2026.2"\nvalid_from: 2026-08-17\n', "extends", "không đọc được"),
    ('extends: index-766.yaml\nfollows: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-08-17\n', "extends",
     "không có cả hai"),
    ('extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-08-17\ncode: OTHER\n', "code", "mã bộ chỉ số"),
    ('extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-08-17\ngroups:\n  - {code: PROGRESS, criteria: '
     '[{code: NOPE, remove: true}]}\n', "groups[0].criteria[0].code", "không có 'NOPE'"),
    ('extends: index-766.yaml\nversion: "2026.2"\nvalid_from: 2026-08-17\ngroups:\n  - {code: PROGRESS, criteria: '
     '[{code: ON_TIME, max: 15}]}\n', "groups[1].max", "criteria add up to 15"),
])
def test_a_bad_version_file_is_refused_naming_file_and_field(tmp_path, base, body, where, words):
    path = write(tmp_path, "v2.yaml", body)
    with pytest.raises(DefinitionError) as e:
        load_index_definition(path)
    assert e.value.path == str(path) and e.value.where == where
    assert words in e.value.reason


def test_versions_referring_in_a_circle_are_refused(tmp_path):
    a = write(tmp_path, "a.yaml", 'extends: b.yaml\nversion: "2"\nvalid_from: 2026-01-01\n')
    write(tmp_path, "b.yaml", 'extends: a.yaml\nversion: "1"\nvalid_from: 2025-01-01\n')
    with pytest.raises(DefinitionError, match="vòng tròn"):
        load_index_definition(a)


def test_a_whole_file_follows_the_earlier_versions(tmp_path, base):
    whole = base.read_text(encoding="utf-8").replace('version: "2026.1"\nvalid_from: 2022-08-01',
                                                     'follows: index-766.yaml\nversion: "2027.1"\nvalid_from: 2027-01-01')
    whole = whole.replace("max_supplement_requests: 1", "max_supplement_requests: 2")
    d = load_index_definition(write(tmp_path, "index-766-2027.yaml", whole))
    assert [v.version for v in d.versions] == ["2026.1", "2027.1"]
    assert d.versions[0].valid_to == dt.date(2026, 12, 31)
    assert [x.text for x in diff(d.versions[0], d)] == ["Thiết lập max_supplement_requests: 1 → 2"]


def test_a_version_removes_and_adds_criteria_and_settings(tmp_path, base):
    path = write(tmp_path, "v2.yaml", """\
extends: index-766.yaml
version: "2026.2"
valid_from: 2026-08-17
settings:
  max_supplement_requests: null
  online_share_full: 0.9
measures:
  complained: null
groups:
  - code: SATISFACTION
    criteria:
      - {code: DOSSIER_RECEIVING_SATISFACTION, remove: true}
      - code: DOSSIER_ON_TIME_SATISFACTION
        name: Hài lòng về tiếp nhận hồ sơ (thử nghiệm)
        max: 6
        numerator: on_time
        denominator: received
measures_note: ~
""".replace("measures_note: ~\n", ""))
    # on_time's predicate names the removed setting: the error names the merged version's place
    with pytest.raises(DefinitionError) as e:
        load_index_definition(path)
    assert e.value.path == str(path) and e.value.where == "measures.on_time.where"
    path.write_text(path.read_text(encoding="utf-8").replace("  max_supplement_requests: null\n", ""), encoding="utf-8")
    d = load_index_definition(path)
    assert [c.code for c in d.group("SATISFACTION").criteria][-1] == "DOSSIER_ON_TIME_SATISFACTION"
    lines = diff_lines(d.versions[0], d)
    assert lines[0] == "Phương pháp tính INDEX_766: phiên bản 2026.1 (từ 01/08/2022) → 2026.2 (từ 17/08/2026)"
    assert ("Thêm tiêu chí DOSSIER_ON_TIME_SATISFACTION «Hài lòng về tiếp nhận hồ sơ (thử nghiệm)» (nhóm "
            "SATISFACTION, tối đa 6 điểm, on_time / received)") in lines
    assert ("Bỏ tiêu chí DOSSIER_RECEIVING_SATISFACTION «Hài lòng về tiếp nhận, giải quyết hồ sơ» (nhóm "
            "SATISFACTION, tối đa 6 điểm, on_time - complained / received)") in lines
    assert "Bỏ phép đếm complained (hồ sơ)" in lines
    assert "Thêm thiết lập online_share_full = 0,9" in lines


# ------------------------------------------------------------------ diff
def test_diff_of_the_shipped_example(tmp_path):
    d = load_index_definition(EXAMPLE)
    assert resolve(d, "2026.1") is d.versions[0] and resolve(d, "2026.2") is d
    assert resolve(BASE, str(EXAMPLE)) is d
    assert resolve(BASE, f"{EXAMPLE}@2026.1") is d.versions[0]
    with pytest.raises(NotFoundError, match="không có phiên bản '2030.1'"):
        resolve(d, "2030.1")
    assert diff_lines(d.versions[0], d) == [
        "Phương pháp tính INDEX_766: phiên bản 2026.1 (từ 01/08/2022) → 2026.2 (từ 01/07/2026)",
        "Tiêu chí FULLY_ONLINE: điểm tối đa 12 → 6",
        "Thêm tiêu chí ONLINE_SERVICE_PENDING «Phần còn lại của điểm dịch vụ công trực tuyến (chưa công bố cách "
        "tính)» (nhóm ONLINE_SERVICE, tối đa 6 điểm, chưa có công thức, chưa xác định)",
    ]
    doc = diff_document(d.versions[0], d)
    assert doc["from"]["version"] == "2026.1" and doc["to"]["valid_from"] == "2026-07-01" and not doc["same"]
    assert [(x["subject"], x["change"], x["code"], x["field"], x["before"], x["after"]) for x in doc["differences"]
            ] == [("criterion", "changed", "FULLY_ONLINE", "max", 12.0, 6.0),
                  ("criterion", "added", "ONLINE_SERVICE_PENDING", None, None, 6.0)]
    assert diff_lines(BASE, BASE)[1].startswith("Hai phiên bản giống nhau")


def test_cli_definitions_diff_and_list(monkeypatch):
    monkeypatch.setenv("CHISO_INDEX_DEFINITION", str(EXAMPLE))
    r = runner.invoke(definitions_app, ["diff", "2026.1", "2026.2"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1] == "Tiêu chí FULLY_ONLINE: điểm tối đa 12 → 6"
    r = runner.invoke(definitions_app, ["diff", str(DEFAULT_INDEX), "2026.2", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert [x["code"] for x in json.loads(r.stdout)["differences"]] == ["FULLY_ONLINE", "ONLINE_SERVICE_PENDING"]
    r = runner.invoke(definitions_app, ["list", "--format", "json"])
    assert r.exit_code == 0, r.output
    versions = json.loads(r.stdout)["versions"]
    assert [(v["version"], v["valid_from"], v["valid_to"], v["max_determined"]) for v in versions] == [
        ("2026.1", "2022-08-01", "2026-06-30", 100.0), ("2026.2", "2026-07-01", None, 94.0)]
    r = runner.invoke(definitions_app, ["diff", "2026.1", "2031.9"])
    assert r.exit_code == 2 and "không có phiên bản '2031.9'" in r.output


# ------------------------------------------------------------------ not yet determined
def test_an_undetermined_criterion_scores_none_never_zero(hand_store, tree):
    d = load_index_definition(EXAMPLE)
    table = score_records(d, hand_store, tree, "2026-W34")
    assert table.definition.version == "2026.2" and d.max_determined == 94
    crit = {r["criterion"]: r for r in table.unit_criteria("07210").to_dicts()}
    pending = crit["ONLINE_SERVICE_PENDING"]
    assert (pending["points"], pending["ratio"], pending["lost"], pending["determined"]) == (None, None, None, False)
    assert pending["max"] == 6.0
    assert crit["FULLY_ONLINE"]["points"] == approx(3.0) and crit["FULLY_ONLINE"]["determined"] is True
    unit = table.unit("07210")
    # the group and the total are the points of the determined part, on its maximum
    assert unit["ONLINE_SERVICE"] == approx(3.0)
    assert unit["total"] == approx(59.13 - 6.0 + 3.0)
    assert unit["max_determined"] == 94.0
    # every unit: None, never 0
    rows = table.criteria.filter(pl.col("criterion") == "ONLINE_SERVICE_PENDING")
    assert rows.height == table.units.height and rows["points"].null_count() == rows.height
    with pytest.raises(ChisoError, match="chưa xác định cách tính"):
        explain(d, hand_store, tree, "07210", "ONLINE_SERVICE_PENDING", "2026-W34")


def test_a_wholly_undetermined_group_is_none(tmp_path, base, hand_store, tree):
    path = write(tmp_path, "v2.yaml", """\
extends: index-766.yaml
version: "2026.2"
valid_from: 2026-07-01
groups:
  - code: ONLINE_SERVICE
    criteria:
      - {code: FULLY_ONLINE, status: undetermined, note: chờ Cổng DVCQG công bố}
""")
    d = load_index_definition(path)
    assert not d.group("ONLINE_SERVICE").determined and d.max_determined == 88
    assert d.criterion("FULLY_ONLINE").note == "chờ Cổng DVCQG công bố"
    table = score_records(d, hand_store, tree, "2026-W34", with_previous=False)
    unit = table.unit("07210")
    assert unit["ONLINE_SERVICE"] is None
    assert unit["total"] == approx(59.13 - 6.0) and unit["max_determined"] == 88.0
    assert "Tiêu chí FULLY_ONLINE: trạng thái đã xác định → chưa xác định" in diff_lines(d.versions[0], d)


def test_an_undetermined_criterion_may_not_be_attested(tmp_path, base):
    path = write(tmp_path, "v2.yaml", """\
extends: index-766.yaml
version: "2026.2"
valid_from: 2026-07-01
groups:
  - code: DIGITIZATION
    criteria:
      - {code: ELECTRONIC_CERTIFIED_COPY, status: undetermined}
""")
    with pytest.raises(DefinitionError) as e:
        load_index_definition(path)
    assert e.value.where == "groups[4].criteria[2]" and "attested" in e.value.reason


def test_the_shipped_definition_is_one_version_with_every_rule_determined():
    assert [v.version for v in BASE.versions] == ["2026.1"]
    assert BASE.max_determined == BASE.max_total == 100 and not BASE.undetermined
    assert version_for(BASE, parse_window("2026-W34")).definition is BASE


def test_consecutive_windows_of_any_kind_each_by_its_version(mid_august, hand_store, tree):
    """What the bulletins' sources score (months, quarters): each window by its version, each
    against the one before it."""

    d = load_index_definition(mid_august)
    wanted = [parse_window("2026-07"), parse_window("2026-08"), parse_window("2026-09")]
    tables = score_consecutive(d, hand_store, tree, wanted)
    assert [t.definition.version for t in tables] == ["2026.1", "2026.2", "2026.2"]
    assert [t.method.spans_change for t in tables] == [False, True, False]
    for i, t in enumerate(tables):
        one = score_records(d, hand_store, tree, t.window, with_previous=i > 0)
        assert t.units.drop("total_before_adjustment").equals(one.units.drop("total_before_adjustment"))
        assert t.criteria.equals(one.criteria)


def test_doctests():
    import doctest


    assert doctest.testmod(definition_versions).failed == 0


def test_a_given_score_for_an_undetermined_criterion_is_not_scored():
    """A portal figure (given points or ratio) for a criterion chiso holds undetermined stays None
    (decision 230); the determined criterion beside it is scored as given."""

    d = load_index_definition(EXAMPLE)
    units = pl.DataFrame({"unit_code": ["24"], "name": ["Bắc Ninh"], "level": ["province"], "parent_code": ["VN"],
                          "province_code": ["24"]})
    schema = {"unit_code": pl.Utf8, "criterion": pl.Utf8, "numerator": pl.Float64, "denominator": pl.Float64,
              "given_ratio": pl.Float64, "given_points": pl.Float64, "inherited": pl.Boolean}
    inputs = pl.DataFrame([
        {"unit_code": "24", "criterion": "FULLY_ONLINE", "numerator": 3.0, "denominator": 4.0, "given_ratio": None,
         "given_points": None, "inherited": False},
        {"unit_code": "24", "criterion": "ONLINE_SERVICE_PENDING", "numerator": None, "denominator": None,
         "given_ratio": None, "given_points": 5.5, "inherited": False}], schema=schema)
    table = score_window(d, "2026-W34", inputs, units)
    crit = {r["criterion"]: r for r in table.unit_criteria("24").to_dicts()}
    assert crit["FULLY_ONLINE"]["points"] == approx(4.5)
    assert crit["ONLINE_SERVICE_PENDING"]["points"] is None
    unit = table.unit("24")
    assert (unit["ONLINE_SERVICE"], unit["total"], unit["max_determined"]) == (approx(4.5), approx(4.5), 94.0)
