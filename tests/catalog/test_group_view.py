"""Group views of the 766 score (chiso.catalog.presentation): present() on hand-computed cases,
the frame form, the shipped file, the checks of a presentations file and the view setting."""
from __future__ import annotations

import polars as pl
import pytest

from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.presentation import (
    DEFAULT_PRESENTATIONS,
    FIVE,
    SIX,
    group_view,
    group_views,
    parse_presentations,
    present,
    present_changes,
    present_frame,
    view_name,
)
from chiso.errors import DefinitionError, SettingsError

#: Bắc Ninh, a week of 2025 (seed document 003, docs/domain): the six groups as the portal shows them.
BAC_NINH = {"TRANSPARENCY": 15.82, "PROGRESS": 19.2, "ONLINE_SERVICE": 8.48, "PAYMENT": 9.91,
            "DIGITIZATION": 21.01, "SATISFACTION": 17.86}


@pytest.fixture(scope="module")
def definition():
    return load_index_definition()


@pytest.fixture(scope="module")
def five(definition):
    return group_view(definition, "five")


def test_the_shipped_five_group_view(definition, five):
    assert five.code == FIVE and five.count == 5
    assert [g.code for g in five.groups] == ["TRANSPARENCY", "PROGRESS", "ONLINE_SERVICE_PAYMENT", "DIGITIZATION",
                                             "SATISFACTION"]
    merged = five.shown("PAYMENT")
    assert merged.members == ("ONLINE_SERVICE", "PAYMENT") and merged.max == 22
    assert merged.name == "Cung cấp dịch vụ công trực tuyến"
    assert sum(g.max for g in five.groups) == definition.max_total == 100
    six = group_views(definition)[SIX]
    assert [g.code for g in six.groups] == [g.code for g in definition.groups] and not six.merges


def test_present_adds_points_and_maxima_and_recomputes_the_ratio(five):
    rows = present(BAC_NINH, five)
    by = {r.code: r for r in rows}
    # 8.48 + 9.91 = 18.39 of 12 + 10 = 22; 18.39 / 22 = 0.835909… → 83.59 %
    online = by["ONLINE_SERVICE_PAYMENT"]
    assert (online.points, online.max, online.percent) == (18.39, 22.0, 83.59)
    assert online.ratio == pytest.approx(18.39 / 22)
    # not the mean of the members' ratios (8.48/12 = 70.67 %, 9.91/10 = 99.1 % → 84.88 %)
    assert online.percent != pytest.approx(100 * (8.48 / 12 + 9.91 / 10) / 2, abs=0.01)
    # the other groups are as they were
    assert (by["PROGRESS"].points, by["PROGRESS"].max, by["PROGRESS"].percent) == (19.2, 20.0, 96.0)
    # the total never changes: 92.28 in both views
    assert round(sum(r.points for r in rows), 2) == round(sum(BAC_NINH.values()), 2) == 92.28


def test_present_keeps_the_rounding_exact_and_handles_missing_points(five):
    rows = {r.code: r for r in present({**BAC_NINH, "ONLINE_SERVICE": 0.1, "PAYMENT": 0.2}, five)}
    assert rows["ONLINE_SERVICE_PAYMENT"].points == 0.3  # 0.1 + 0.2 is 0.30000000000000004 in floats
    part = {r.code: r for r in present({**BAC_NINH, "PAYMENT": None}, five)}["ONLINE_SERVICE_PAYMENT"]
    assert (part.points, part.max, part.percent) == (8.48, 22.0, 38.55)  # 8.48 / 22
    none = {r.code: r for r in present({**BAC_NINH, "ONLINE_SERVICE": None, "PAYMENT": None}, five)}
    assert none["ONLINE_SERVICE_PAYMENT"].points is None and none["ONLINE_SERVICE_PAYMENT"].percent is None
    # a member's maximum other than the definition's (the determined part of a group)
    smaller = {r.code: r for r in present(BAC_NINH, five, maxima={"ONLINE_SERVICE": 12, "PAYMENT": 8})}
    assert smaller["ONLINE_SERVICE_PAYMENT"].max == 20.0 and smaller["ONLINE_SERVICE_PAYMENT"].percent == 91.95
    with pytest.raises(KeyError, match="PAYMENT"):
        present({k: v for k, v in BAC_NINH.items() if k != "PAYMENT"}, five)


def test_present_in_the_six_group_view_is_the_scores_themselves(definition):
    six = group_view(definition, "6")
    rows = present(BAC_NINH, six)
    assert [(r.code, r.points, r.max) for r in rows] == [(g.code, BAC_NINH[g.code], g.max) for g in definition.groups]


def test_changes_between_two_windows(five):
    before = {**BAC_NINH, "ONLINE_SERVICE": 8.45, "PAYMENT": 9.88, "PROGRESS": 19.15}
    changes = present_changes(BAC_NINH, before, five)
    assert changes["ONLINE_SERVICE_PAYMENT"] == 0.06  # 18.39 − 18.33
    assert changes["PROGRESS"] == 0.05 and changes["SATISFACTION"] == 0.0
    assert set(present_changes(BAC_NINH, None, five).values()) == {None}


def test_present_frame_merges_the_columns_in_place(five):
    frame = pl.DataFrame({"unit_code": ["24", "01"], "total": [92.28, 80.0],
                          **{k: [v, 1.0] for k, v in BAC_NINH.items()}})
    frame = frame.with_columns(pl.when(pl.col("unit_code") == "01").then(None).otherwise(pl.col("PAYMENT"))
                               .alias("PAYMENT"))
    out = present_frame(frame, five)
    assert out.columns == ["unit_code", "total", "TRANSPARENCY", "PROGRESS", "ONLINE_SERVICE_PAYMENT",
                           "DIGITIZATION", "SATISFACTION"]
    assert out["ONLINE_SERVICE_PAYMENT"].to_list() == [18.39, 1.0]  # a null member is left out
    assert out["total"].to_list() == [92.28, 80.0]
    six = group_view(load_index_definition(), "six")
    assert present_frame(frame, six) is frame


# ---------------------------------------------------------------- the file's checks
FILE = """definition: INDEX_766
views:
  five:
    name: 5 nhóm
    groups:
{groups}
"""
GOOD = ["      - code: TRANSPARENCY", "      - code: PROGRESS",
        "      - {code: ONLINE_ALL, name: Trực tuyến, merge: [ONLINE_SERVICE, PAYMENT]}",
        "      - code: DIGITIZATION", "      - code: SATISFACTION"]


def parse(definition, lines, head=None):
    text = FILE.format(groups="\n".join(lines))
    if head is not None:
        text = text.replace("definition: INDEX_766", head)
    return parse_presentations(text, definition, "cach-trinh-bay.yaml")


def test_a_good_file_parses(definition):
    views = parse(definition, GOOD)
    assert views["five"].shown("ONLINE_ALL").max == 22.0


@pytest.mark.parametrize("lines, where, says", [
    (GOOD[:3] + ["      - code: DIGITISATION", GOOD[4]], "views.five.groups[3].code", "not a group"),
    (GOOD[:2] + ["      - {code: ONLINE_ALL, name: x, merge: [ONLINE_SERVICE, PAYMENTS]}"] + GOOD[3:],
     "views.five.groups[2].merge[1]", "not a group"),
    (GOOD + ["      - code: PAYMENT"], "views.five.groups[5].code", "shown twice"),
    (GOOD + ["      - code: PROGRESS"], "views.five.groups[5].code", "listed twice"),
    (GOOD[:2] + GOOD[3:], "views.five.groups", "ONLINE_SERVICE, PAYMENT"),
    (GOOD[:4], "views.five.groups", "SATISFACTION"),
    (GOOD[:2] + ["      - {code: ONLINE_ALL, name: x, max: 20, merge: [ONLINE_SERVICE, PAYMENT]}"] + GOOD[3:],
     "views.five.groups[2].max", "sum"),
    (GOOD[:2] + ["      - {code: PAYMENT, name: x, merge: [ONLINE_SERVICE, PAYMENT]}"] + GOOD[3:],
     "views.five.groups[2].code", "own code"),
    (GOOD[:2] + ["      - {code: ONLINE_ALL, merge: [ONLINE_SERVICE, PAYMENT]}"] + GOOD[3:],
     "views.five.groups[2].name", "name"),
    (GOOD[:2] + ["      - {code: ONLINE_ALL, name: x, merge: [ONLINE_SERVICE]}"] + GOOD[3:],
     "views.five.groups[2].merge", "at least 2"),
    (GOOD[:1] + ["      - {code: PROGRESS, colour: red}"] + GOOD[2:], "views.five.groups[1].colour", "Extra"),
])
def test_a_wrong_file_names_the_file_and_the_field(definition, lines, where, says):
    with pytest.raises(DefinitionError) as e:
        parse(definition, lines)
    assert e.value.path == "cach-trinh-bay.yaml"
    assert e.value.where == where
    assert says in str(e.value)


def test_a_file_for_another_index_or_view_is_refused(definition):
    with pytest.raises(DefinitionError, match="INDEX_999") as e:
        parse(definition, GOOD, head="definition: INDEX_999")
    assert e.value.where == "definition"
    with pytest.raises(DefinitionError) as e:
        parse_presentations(FILE.format(groups="\n".join(GOOD)).replace("  five:", "  six:"), definition, "f.yaml")
    assert e.value.where == "views.six"
    with pytest.raises(DefinitionError) as e:
        parse_presentations(FILE.format(groups="\n".join(GOOD)).replace("  five:", "  four:"), definition, "f.yaml")
    assert e.value.where == "views.four"


def test_a_province_copy_is_read_from_the_setting(definition, tmp_path, monkeypatch):
    copy = tmp_path / "views.yaml"
    copy.write_text(FILE.format(groups="\n".join(GOOD)), encoding="utf-8")
    monkeypatch.setenv("CHISO_GROUP_PRESENTATIONS", str(copy))
    assert group_view(definition, "five").shown("PAYMENT").code == "ONLINE_ALL"
    copy2 = tmp_path / "broken.yaml"
    copy2.write_text(FILE.format(groups="\n".join(GOOD[:4])), encoding="utf-8")
    monkeypatch.setenv("CHISO_GROUP_PRESENTATIONS", str(copy2))
    with pytest.raises(DefinitionError, match="broken.yaml"):
        group_view(definition, "five")
    monkeypatch.delenv("CHISO_GROUP_PRESENTATIONS")
    assert group_views(definition)[FIVE].shown("PAYMENT").code == "ONLINE_SERVICE_PAYMENT"
    assert DEFAULT_PRESENTATIONS.exists()


def test_the_view_asked_else_the_setting(monkeypatch):
    monkeypatch.delenv("CHISO_GROUP_VIEW", raising=False)
    assert view_name() == SIX
    assert view_name("5") == view_name("five") == view_name(" FIVE ") == FIVE
    assert view_name("6") == SIX
    monkeypatch.setenv("CHISO_GROUP_VIEW", "five")
    assert view_name() == FIVE and view_name("6") == SIX
    with pytest.raises(SettingsError, match="không hợp lệ"):
        view_name("7")
    monkeypatch.setenv("CHISO_GROUP_VIEW", "bảy")
    with pytest.raises(SettingsError, match="CHISO_GROUP_VIEW"):
        view_name()
