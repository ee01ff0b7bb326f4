"""Importing the Guangdong catalogue: 2,262 real items join the listing, cleaned, under gd:<code> ids."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.gd_catalogue import clean_location, clean_text, clean_time_limit, item_from_row
from tests.conftest import GD_CATALOGUE, need


def test_import_adds_every_item_of_the_real_catalogue(govassist, tmp_path):
    before = json.loads(govassist("kb", "list", "--json").output)
    result = govassist("kb", "import", str(need(GD_CATALOGUE)), "--format", "gd-catalogue")
    assert result.exit_code == 0, result.output
    after = json.loads(govassist("kb", "list", "--json").output)
    imported = [s for s in after["services"] if s["id"].startswith("gd:")]
    assert len(after["services"]) - len(before["services"]) == 2262 == len(imported)
    assert all(s["name"] and s["source"] == "gd-catalogue" for s in imported)
    # Imported data lives in the data directory, never in the repository.
    assert (tmp_path / "data" / "sources" / "gd-catalogue.jsonl").is_file()


def test_importing_again_replaces_rather_than_duplicates(govassist):
    for _ in range(2):
        assert govassist("kb", "import", str(need(GD_CATALOGUE)), "--format", "gd-catalogue").exit_code == 0
    listing = json.loads(govassist("kb", "list", "--json").output)
    assert sum(s["id"].startswith("gd:") for s in listing["services"]) == 2262


def test_an_imported_item_is_shown_cleaned(govassist):
    govassist("kb", "import", str(need(GD_CATALOGUE)), "--format", "gd-catalogue")
    first = json.loads(GD_CATALOGUE.read_text(encoding="utf-8").splitlines()[0])
    shown = govassist("kb", "show", f"gd:{first['TASK_CODE']}").output
    assert first["TASK_NAME"] in shown and first["DEPT_NAME"] in shown
    assert "办理地点：办理地点" not in shown and "：无" not in shown


def test_cleaning_turns_placeholders_into_nothing():
    assert clean_text("无") is None and clean_text("  ") is None and clean_text(None) is None
    assert clean_text(" 广州市\n越秀区 ") == "广州市 越秀区"
    assert clean_location("办理地点：广州市越秀区东风中路305号") == "广州市越秀区东风中路305号"
    assert clean_time_limit("30(工作日)") == "30个工作日"
    assert clean_time_limit("无") is None


def test_a_row_keeps_only_real_values():
    item = item_from_row(
        {
            "TASK_CODE": "X1",
            "TASK_NAME": "测试事项",
            "DEPT_NAME": "广州市测试局",
            "TASK_TYPE_TEXT": "公共服务",
            "theme_category": ["其他"],
            "material_intro": ["无", "申请表"],
            "accept_standard": "无",
            "consult_phone": None,
            "handle_time_limit": "5(工作日)",
        }
    )
    assert item.id == "gd:X1" and item.categories == [] and item.materials == ["申请表"]
    assert item.conditions is None and item.phone is None and item.time_limit == "5个工作日"


def test_a_malformed_line_aborts_the_import_and_writes_nothing(govassist, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"TASK_CODE": "A", "TASK_NAME": "甲"}\n{not json\n', encoding="utf-8")
    result = govassist("kb", "import", str(bad), "--format", "gd-catalogue")
    assert result.exit_code != 0 and "第 2 行" in result.output
    assert not (tmp_path / "data" / "sources" / "gd-catalogue.jsonl").exists()


def test_a_missing_file_is_a_clear_error(govassist, tmp_path: Path):
    result = govassist("kb", "import", str(tmp_path / "nope.jsonl"), "--format", "gd-catalogue")
    assert result.exit_code != 0 and "文件不存在" in result.output


def test_the_catalogues_everyday_names_become_aliases():
    item = item_from_row(
        {
            "TASK_CODE": "X2",
            "TASK_NAME": "律师执业证书注销审核",
            "matter_short": "注销律师证",
            "matter_daily": "注销律师证,律师证注销|律师执业证书注销审核",
        }
    )
    assert item.aliases == ["注销律师证", "律师证注销"]  # split, deduplicated, the name itself left out
    assert item_from_row({"TASK_CODE": "X3", "TASK_NAME": "甲", "matter_short": "无"}).aliases == []


def test_an_imported_item_is_shown_with_its_everyday_names(govassist):
    govassist("kb", "import", str(need(GD_CATALOGUE)), "--format", "gd-catalogue")
    rows = [json.loads(line) for line in GD_CATALOGUE.read_text(encoding="utf-8").splitlines()]
    row = next(r for r in rows if r.get("matter_short") not in (None, "无", r["TASK_NAME"]) and r["matter_short"].isalnum())
    shown = govassist("kb", "show", f"gd:{row['TASK_CODE']}").output.splitlines()
    assert any(line.startswith("【也叫】") and row["matter_short"] in line for line in shown)
