"""`govassist kb check` names the file and field of every fault, with real broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import CATALOGUE, need


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def check(govassist, kb_dir: Path, *extra: str):
    return govassist("--kb-dir", str(kb_dir), "kb", "check", *extra)


def assert_fault(result, file_name: str, field: str, words: str) -> None:
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if file_name in line and f": {field}:" in line]
    assert lines, f"no fault naming {file_name} / {field} in:\n{result.output}"
    assert any(words in line for line in lines), lines


def test_the_unbroken_copy_passes(govassist, kb_copy):
    assert check(govassist, kb_copy).exit_code == 0


def set_in(path: list, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (set_in(["slots", 0, "type"], "passport_number"), "slots[0].type", "Input should be"),
        (set_in(["kind"], "apply-online"), "kind", "Input should be"),
        (set_in(["utterances"], ["社保卡怎么办"] * 3), "utterances", "at least 15"),
        (set_in(["faq"], []), "faq", "at least 3"),
        (set_in(["time_limit", "days"], 0), "time_limit", "days must be positive"),
        (set_in(["slots", 0, "validation"], {"min_age": 16}), "slots[0]", "do not apply to type person_name"),
        (set_in(["slots", 3, "choices"], [{"value": "branch", "label": "网点"}]), "slots[3]", "at least 2 choices"),
        (set_in(["fee", "currency"], "CNY"), "fee.currency", "Extra inputs are not permitted"),
        (set_in(["category"], "社保"), "category", "unknown category"),
        (set_in(["related"], ["sscard-apply", "no-such-service"]), "related[1]", "unknown service or bundle"),
    ],
)
def test_a_broken_service_file_is_named_with_its_field(govassist, kb_copy, change, field, words):
    edit(kb_copy / "services" / "sscard-apply.yaml", change)
    assert_fault(check(govassist, kb_copy), "sscard-apply.yaml", field, words)


def test_an_apply_service_without_slots_is_a_fault(govassist, kb_copy):
    edit(kb_copy / "services" / "passport.yaml", lambda d: d.pop("slots"))
    assert_fault(check(govassist, kb_copy), "passport.yaml", "(top level)", "needs a slot schema")


def test_a_duplicate_id_is_a_fault(govassist, kb_copy):
    source = kb_copy / "services" / "passport.yaml"
    copy = kb_copy / "policies" / "passport.yaml"
    copy.write_text(
        yaml.safe_dump(
            {
                "id": "passport",
                "title": "护照法",
                "issuer": "全国人民代表大会常务委员会",
                "date": "2006-04-29",
                "topics": ["护照"],
                "sections": [{"id": "a", "heading": "第一条", "text": "甲"}, {"id": "b", "heading": "第二条", "text": "乙"}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    result = check(govassist, kb_copy)
    assert_fault(result, "policies/passport.yaml", "id", f"already used by {source}")


def test_an_id_that_does_not_match_its_file_name_is_a_fault(govassist, kb_copy):
    (kb_copy / "services" / "passport.yaml").rename(kb_copy / "services" / "passport-old.yaml")
    assert_fault(check(govassist, kb_copy), "passport-old.yaml", "id", "does not match the file name")


def test_invalid_yaml_is_a_fault_naming_the_file(govassist, kb_copy):
    path = kb_copy / "services" / "passport.yaml"
    path.write_text("id: passport\nname: [unclosed\n", encoding="utf-8")
    result = check(govassist, kb_copy)
    assert result.exit_code != 0
    assert any("passport.yaml" in line and "invalid YAML" in line for line in result.output.splitlines())


def test_a_missing_catalogue_service_is_a_fault(govassist, kb_copy):
    (kb_copy / "services" / "legal-aid.yaml").unlink()
    result = check(govassist, kb_copy, "--catalogue", str(need(CATALOGUE)))
    assert_fault(result, "legal-aid.yaml", "id", "catalogue service 'legal-aid' has no guide file")


def test_a_name_that_differs_from_the_catalogue_is_a_fault(govassist, kb_copy):
    edit(kb_copy / "services" / "passport.yaml", set_in(["name"], "护照办理"))
    result = check(govassist, kb_copy, "--catalogue", str(need(CATALOGUE)))
    assert_fault(result, "passport.yaml", "name", "as in the catalogue")


def test_a_bundle_member_that_does_not_exist_is_a_fault(govassist, kb_copy):
    edit(kb_copy / "bundles" / "retirement.yaml", lambda d: d["services"].append("early-retirement"))
    assert_fault(check(govassist, kb_copy), "retirement.yaml", "services[2]", "unknown service 'early-retirement'")


def test_a_shared_slot_no_member_asks_is_a_fault(govassist, kb_copy):
    edit(kb_copy / "bundles" / "retirement.yaml", lambda d: d["shared_slots"].append({"name": "favourite_colour"}))
    result = check(govassist, kb_copy)
    assert result.exit_code != 0
    assert "slot 'favourite_colour' is asked by 0 member(s)" in result.output


def test_a_policy_pointing_at_an_unknown_service_is_a_fault(govassist, kb_copy):
    path = sorted((kb_copy / "policies").glob("*.yaml"))[0]
    edit(path, set_in(["related_services"], ["teleport-permit"]))
    assert_fault(check(govassist, kb_copy), path.name, "related_services[0]", "unknown service 'teleport-permit'")


def test_every_fault_is_reported_not_only_the_first(govassist, kb_copy):
    edit(kb_copy / "services" / "passport.yaml", set_in(["kind"], "nope"))
    edit(kb_copy / "services" / "legal-aid.yaml", set_in(["category"], "nope"))
    result = check(govassist, kb_copy)
    assert "passport.yaml: kind" in result.output and "legal-aid.yaml: category" in result.output
    assert "2 fault(s)" in result.output
