"""The copilot's evaluation helpers: the summary measure (per field, character ROUGE-L) and the passage
floors' scoring, checked on hand-made cases; and the reference file is well-formed."""

from __future__ import annotations

import json

import pytest

from assistant.copilot.passages import PassageFloor
from eval.copilot_passages import Looked, score
from eval.copilot_summary import FIELDS, evaluate_summaries, field_right, read_references, rouge_l
from intents.router import Answer
from tests.conftest import REPO_ROOT as ROOT


def test_character_rouge_l_is_the_f1_of_the_longest_common_subsequence():
    assert rouge_l("楼下饭店油烟大", "楼下饭店油烟大。") == 1.0  # punctuation aside
    assert rouge_l("", "油烟") == 0.0 and rouge_l("路灯", "油烟") == 0.0
    # LCS of 油烟很大 and 油烟特别大 is 油烟大: precision 3/4, recall 3/5.
    assert rouge_l("油烟很大", "油烟特别大") == pytest.approx(2 * (3 / 4) * (3 / 5) / (3 / 4 + 3 / 5))


@pytest.mark.parametrize(("name", "expected", "got", "right"), [
    ("where", "小区东门", "我们小区东门外面那个工地", True),  # the reference phrase inside
    ("where", "小区东门", "", False),
    ("when", "", "已经", False),  # said nothing of time: the copilot must not make one up
    ("when", "", "", True),
    ("what", "餐饮油烟", "餐饮油烟、噪音", False),  # who and what must be equal
    ("who", "刘*", "刘*", True),
])
def test_a_field_is_right_when_both_are_empty_or_the_reference_phrase_is_found(name, expected, got, right):
    assert field_right(name, expected, got) is right


def test_the_summary_report_counts_fields_whole_calls_and_greetings(tmp_path):
    path = tmp_path / "refs.jsonl"
    row = {"text": "喂，楼下饭店油烟大", "who": "", "what": "餐饮油烟", "where": "楼下饭店", "when": "", "want": "",
           "summary": "事项：餐饮油烟；地点：楼下饭店。"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    fields = {"who": "", "what": "餐饮油烟", "where": "楼下饭店", "when": "", "want": "请处理"}
    report = evaluate_summaries(lambda text: (fields, "喂，事项：餐饮油烟；地点：楼下饭店。"), read_references(path))
    assert report.by_field == {"who": 1.0, "what": 1.0, "where": 1.0, "when": 1.0, "want": 0.0}
    assert (report.all_fields, report.with_greeting) == (0.0, 1)


def test_the_reference_summaries_are_well_formed_and_cover_the_work_order_calls():
    refs = read_references(ROOT / "eval" / "data" / "copilot_summaries.jsonl")
    calls = [json.loads(line) for line in (ROOT / "eval" / "data" / "dispatch_calls.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = {r.text for r in refs}
    assert {c["text"] for c in calls if c["type"] != "consult" or c["dept"] == "12345政务服务便民热线"} == texts
    for ref in refs:
        for name in ("where", "when", "want"):  # phrases in the caller's own words
            assert ref.fields[name] in ref.text, (ref.text, name)
        assert set(ref.fields) == set(FIELDS) and ref.summary.startswith("来电人：")


def test_passage_floors_score_precision_answered_and_quiet():
    related = Answer("card-measures", "…", "《办法》", 0.2)
    other = Answer("medical-notice", "…", "《通知》", 0.3)
    looked = [Looked([related, other], {"card-measures"}, {"card-measures"}, False),
              Looked([other], set(), set(), True)]
    unfiltered = score(looked, PassageFloor(0.0, 0.0))
    assert (unfiltered.precision, unfiltered.answered, unfiltered.quiet) == (1 / 3, 1.0, 0.0)
    floored = score(looked, PassageFloor(0.05, 0.5))
    assert (floored.precision, floored.answered, floored.quiet, floored.shown) == (1.0, 1.0, 1.0, 1)


def test_a_call_expected_nowhere_counts_right_only_when_nothing_is_suggested():
    from eval.dispatch import CallExample, evaluate_dispatch
    from intents.dispatch import DeptScore

    rows = [CallExample("打你们电话要留名字吗", "", "consult"), CallExample("路灯坏了", "城市管理局", "help")]
    silent = evaluate_dispatch(lambda text: [], rows, warmup=0)
    assert (silent.top1, silent.top3) == (0.5, 0.5)
    eager = evaluate_dispatch(lambda text: [DeptScore("城市管理局", 0.9)], rows, warmup=0)
    assert (eager.top1, eager.top3) == (0.5, 0.5)
