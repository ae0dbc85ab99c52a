"""The generated files: schemas, integrity, determinism, chunking."""
from __future__ import annotations

import hashlib
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chiso.catalog.records import RECORD_KINDS
from chiso.demo.generate import generate, generate_for
from chiso.demo.parquet import ARROW_TYPES
from chiso.errors import UnknownUnitError

EXPECTED_TYPES = {"str": pa.string(), "int": pa.int32(), "bool": pa.bool_(), "date": pa.date32(), "enum": pa.string()}


def column_hashes(paths) -> dict[str, str]:
    """A digest of each column's values across files (not of the file bytes)."""
    table = pa.concat_tables(pq.read_table(p) for p in paths)
    return {name: hashlib.sha256(repr(table.column(name).to_pylist()).encode()).hexdigest()
            for name in table.column_names}


def test_files_written_per_kind(generated):
    assert set(generated.files) == set(RECORD_KINDS)
    assert len(generated.files["dossiers"]) == 4  # 200,000 rows in chunks of 60,000
    assert [p.name for p in generated.files["dossiers"]] == [f"part-{i:05d}.parquet" for i in range(4)]
    assert generated.files["procedures"][0].name == "procedures.parquet"
    assert generated.files["publications"][0].name == "publications.parquet"


@pytest.mark.parametrize("kind", sorted(RECORD_KINDS))
def test_columns_and_types_match_the_record_schema(generated, kind):
    spec = RECORD_KINDS[kind]
    assert ARROW_TYPES == EXPECTED_TYPES
    for path in generated.files[kind]:
        schema = pq.read_schema(path)
        assert schema.names == list(spec.columns)
        for f in spec.fields:
            assert schema.field(f.name).type == EXPECTED_TYPES[f.type], (kind, f.name)
        # text columns are stored as Parquet strings (UTF8), not binary
        parquet = pq.ParquetFile(path).schema
        for f in spec.fields:
            if f.type in ("str", "enum"):
                assert parquet.column(spec.columns.index(f.name)).logical_type.type == "STRING"


def test_row_counts_and_unique_ids(generated):
    assert generated.one("select count(*) from dossiers") == generated.dossiers
    assert generated.one("select count(distinct id) from dossiers") == generated.dossiers
    assert generated.one("select count(*) from dossiers where id not similar to '(24|31)-2026-[0-9]{9}'") == 0
    petitions = generated.one("select count(*) from petitions")
    assert petitions == generated.dossiers // 200
    assert generated.one("select count(distinct id) from petitions") == petitions
    assert generated.one("select count(distinct id) from publications") == generated.one(
        "select count(*) from publications")


def test_required_fields_are_filled(generated):
    for kind, spec in RECORD_KINDS.items():
        for f in spec.fields:
            if f.required:
                assert generated.one(f"select count(*) from {kind} where {f.name} is null") == 0, (kind, f.name)


def test_every_dossier_unit_and_procedure_is_in_the_procedures(generated, units):
    assert generated.one("""
        select count(*) from dossiers d anti join procedures p using (unit_code, procedure_code)""") == 0
    assert generated.one("select count(*) from (select distinct unit_code, procedure_code from procedures)") == \
        generated.one("select count(*) from procedures")
    province_of = {u.code: u.province_code for u in units}
    for unit, province in generated.sql("select distinct unit_code, province_code from dossiers"):
        assert province_of[unit] == province
    for unit, province in generated.sql("select distinct unit_code, province_code from petitions"):
        assert province_of[unit] == province
    handled = {u.code for u in units if u.level in ("department", "commune")}
    assert {r[0] for r in generated.sql("select distinct unit_code from procedures")} == handled


def test_department_and_commune_procedure_lists(generated):
    counts = dict(generated.sql("select unit_code, count(*) from procedures group by all"))
    communes = [n for code, n in counts.items() if "-" not in code]
    departments = [n for code, n in counts.items() if "-" in code]
    assert len(set(communes)) == 1 and 90 <= communes[0] <= 120  # one common commune list
    assert all(40 <= n <= 150 for n in departments)
    assert generated.one("select count(*) from procedures where procedure_code not similar to '[123]\\.[0-9]{6}'") == 0
    fee = generated.one("select avg(has_fee::int) from procedures")
    assert 0.25 < fee < 0.6
    assert generated.one("select avg(full_online_eligible::int) from procedures") > 0.45
    assert generated.one("select count(*) from procedures where statutory_days not between 1 and 30") == 0
    assert generated.one("select count(*) from procedures where fee_payment_integrated and not has_fee") == 0
    assert generated.one("select count(*) from procedures where full_online_eligible and not online_service") == 0


def test_dates_are_ordered(generated):
    assert generated.one("select count(*) from dossiers where finished_date < received_date") == 0
    assert generated.one("select count(*) from dossiers where appointment_date < received_date") == 0
    assert generated.one("select count(*) from dossiers "
                         "where received_date not between '2026-01-01' and '2026-12-31'") == 0
    assert generated.one("select count(*) from dossiers where finished_date > '2026-12-31'") == 0
    assert generated.one("select count(*) from petitions "
                         "where due_date < received_date or handled_date < received_date") == 0
    assert generated.one("select count(*) from publications where public_date < decision_date") == 0
    assert generated.one("select count(*) from publications "
                         "where decision_date not between '2026-01-01' and '2026-12-31'") == 0


def test_field_rules_hold(generated):
    one = generated.one
    assert one("select count(*) from dossiers where fully_online and not full_online_eligible") == 0
    assert one("select count(*) from dossiers where fully_online and channel <> 'online'") == 0
    assert one("select count(*) from dossiers where paid_online and not financial_obligation") == 0
    assert one("select count(*) from dossiers d join procedures p using (unit_code, procedure_code) "
               "where d.financial_obligation and not p.has_fee") == 0
    assert one("select count(*) from dossiers d join procedures p using (unit_code, procedure_code) "
               "where d.full_online_eligible <> p.full_online_eligible or d.result_paper <> p.paper_result") == 0
    assert one("select count(*) from dossiers where result_electronic and finished_date is null") == 0
    assert one("select count(*) from dossiers where (supplement_count = 0) <> (supplement_days = 0)") == 0
    # shares in realistic ranges
    assert 0.4 < one("select avg((channel = 'online')::int) from dossiers") < 0.85
    assert one("select avg((channel = 'post')::int) from dossiers") < 0.03
    assert one("select avg(synced_national::int) from dossiers") > 0.85
    supplements = dict(generated.sql("select least(supplement_count, 2), count(*) from dossiers group by all"))
    assert supplements[0] > 0.8 * generated.dossiers and supplements[1] > supplements[2] > 0
    unfinished = one("select avg((finished_date is null)::int) from dossiers where received_date < '2026-11-01'")
    recent = one("select avg((finished_date is null)::int) from dossiers where received_date >= '2026-12-21'")
    assert unfinished < 0.03 < recent
    late = one("select avg((finished_date > appointment_date)::int) from dossiers")
    assert 0.01 < late < 0.15
    ratings = dict(generated.sql("select rating, count(*) from dossiers group by all"))
    assert ratings[None] > generated.dossiers / 2
    assert ratings["satisfied"] > 10 * ratings["dissatisfied"] > 0
    assert 0 < one("select avg(complaint::int) from dossiers") < 0.01


def test_petitions_are_mostly_on_time(generated):
    on_time = generated.one("select avg((handled_date <= due_date)::int) from petitions where handled_date is not null")
    assert 0.8 < on_time < 1
    assert generated.one("select count(*) from petitions where due_date is null") == 0
    assert 0 < generated.one("select avg(dissatisfied::int) from petitions") < 0.15
    assert generated.one("select count(*) from petitions where recomplained") > 0


def test_publications_belong_to_the_province(generated):
    rows = generated.sql("select unit_code, province_code, count(*) from publications group by all order by 1")
    assert [(u, p) for u, p, _ in rows] == [("24", "24"), ("31", "31")]
    assert all(200 <= n <= 400 for _, _, n in rows)
    assert generated.one("""select count(*) from publications b anti join
        (select distinct province_code, procedure_code from procedures) p using (province_code, procedure_code)""") == 0
    # most decisions come at least 5 working days (about a week) before the legal effective date
    assert generated.one("select avg((legal_effective_date - decision_date >= 7)::int) from publications") > 0.5
    assert generated.one("select avg(content_complete::int) from publications") > 0.8


def test_same_seed_same_values_whatever_the_chunk_size(tmp_path, units):
    a = generate(tmp_path / "a", units, dossiers=30_000, seed=11, chunk_rows=7_000)
    b = generate(tmp_path / "b", units, dossiers=30_000, seed=11, chunk_rows=1_000_000)
    assert len(a["dossiers"]) == 5 and len(b["dossiers"]) == 1
    assert all(pq.ParquetFile(p).metadata.num_rows <= 7_000 for p in a["dossiers"])
    for kind in RECORD_KINDS:
        assert column_hashes(a[kind]) == column_hashes(b[kind]), kind


def test_different_seed_different_values(tmp_path, units):
    a = generate(tmp_path / "a", units, dossiers=20_000, seed=1)
    b = generate(tmp_path / "b", units, dossiers=20_000, seed=2)
    ha, hb = column_hashes(a["dossiers"]), column_hashes(b["dossiers"])
    assert ha["received_date"] != hb["received_date"]
    assert ha["finished_date"] != hb["finished_date"]
    assert column_hashes(a["publications"]) != column_hashes(b["publications"])


def test_rerun_replaces_earlier_parts(tmp_path, units):
    generate(tmp_path, units, dossiers=20_000, chunk_rows=5_000)
    files = generate(tmp_path, units, dossiers=20_000, chunk_rows=20_000)
    assert sorted((tmp_path / "dossiers").glob("*.parquet")) == files["dossiers"]


def test_no_dossiers_still_writes_the_schema(tmp_path, units):
    files = generate(tmp_path, units, dossiers=0)
    assert [pq.ParquetFile(p).metadata.num_rows for p in files["dossiers"]] == [0]
    assert pq.read_schema(files["dossiers"][0]).names == list(RECORD_KINDS["dossiers"].columns)


def test_bad_arguments(tmp_path, units):
    with pytest.raises(ValueError):
        generate(tmp_path, units, dossiers=-1)
    with pytest.raises(ValueError):
        generate(tmp_path, units, dossiers=10, chunk_rows=0)
    with pytest.raises(ValueError):
        generate(tmp_path, [u for u in units if u.level == "province"], dossiers=10)


def test_progress_and_speed(tmp_path, units):
    calls = []
    started = time.perf_counter()
    generate(tmp_path, units, dossiers=200_000, progress=lambda done, total: calls.append((done, total)))
    elapsed = time.perf_counter() - started
    assert calls[-1] == (201_000, 201_000)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert elapsed < 10  # ~0.3 s on an idle two-core machine


def test_generate_for_uses_the_official_units(tmp_path):
    from chiso.units import load_units

    files = generate_for(tmp_path, dossiers=5_000, seed=2)  # Bắc Ninh by default
    tree = load_units(["24"])
    expected = {u.code for u in tree.units(province="24") if u.level in ("department", "commune")}
    procedures = pq.read_table(files["procedures"][0], columns=["unit_code"]).column(0).to_pylist()
    assert set(procedures) == expected
    dossiers = pq.read_table(files["dossiers"][0], columns=["province_code"]).column(0).to_pylist()
    assert set(dossiers) == {"24"} and len(dossiers) == 5_000
    with pytest.raises(UnknownUnitError):
        generate_for(tmp_path, provinces=["07210"], dossiers=10)  # a commune, not a province
