"""Dispatch: which department a 12345 call goes to, learnt from the knowledge base and past work orders;
and the evaluation calls it is measured on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dispatch import long_transcripts, read_calls
from intents.dispatch import DeptScore, DispatchModel, with_hint
from settings import REPO_ROOT

CALLS = REPO_ROOT / "eval" / "data" / "dispatch_calls.jsonl"
TUNE = REPO_ROOT / "eval" / "data" / "dispatch_tune.jsonl"


@pytest.fixture(scope="module")
def model(knowledge_base) -> DispatchModel:
    return DispatchModel.train(knowledge_base)


def kb_departments(kb) -> set[str]:
    return {s.dept for s in kb.services.values()}


@pytest.mark.parametrize("call, dept", [
    ("喂，你好，我家楼下那个工地天天半夜还在施工，吵得根本睡不着，你们管不管？", "12345政务服务便民热线"),
    ("我上个月辞职了，想问问失业保险金怎么领？", "人力资源和社会保障局"),
    ("我想把公积金取出来付房租，要什么手续？", "住房公积金管理中心"),
    ("我的驾驶证明年到期，提前多久可以去换？", "公安交通管理部门"),
    ("我想给孩子办个护照，暑假出国旅游用。", "公安局出入境管理部门"),
    ("唔该，我想问下点样领结婚证？", "民政局"),
    ("我刚注册了公司，第一次领发票要带什么？", "税务局"),
    ("俺是退伍军人，听说有个优待证，咋申请？", "退役军人事务局"),
])
def test_trained_on_the_knowledge_base_alone_an_obvious_call_goes_to_its_department(model, call, dept):
    suggestions = model.suggest(call)
    assert suggestions[0].dept == dept
    assert suggestions[0].confidence > 0.4


def test_suggestions_are_the_knowledge_base_departments_most_likely_first(model, knowledge_base):
    assert set(model.departments) == kb_departments(knowledge_base)
    scores = model.scores("社保卡丢了怎么补办")
    assert [s.confidence for s in scores] == sorted((s.confidence for s in scores), reverse=True)
    assert sum(s.confidence for s in scores) == pytest.approx(1.0)
    assert len(model.suggest("社保卡丢了怎么补办", k=3)) == 3


def test_past_work_orders_teach_a_department_the_knowledge_base_does_not_name(knowledge_base):
    housing = "住房和城乡建设局"
    past = [
        ("小区电梯三天两头坏，物业一直拖着不修", housing),
        ("我们楼的电梯困人了好几次，物业不管", housing),
        ("住宅专项维修资金怎么申请使用，想修屋顶漏水", housing),
        ("物业公司乱收费，服务又差，想投诉物业", housing),
        ("开发商交的房子墙面开裂，找谁来管", housing),
        ("老旧小区加装电梯要什么手续", housing),
    ]
    model = DispatchModel.train(knowledge_base, past)
    assert housing in model.departments
    assert model.suggest("我们小区的电梯又坏了，物业说没钱修，能不能管管物业")[0].dept == housing
    # What the knowledge base teaches still holds.
    assert model.suggest("我想问问失业保险金怎么领")[0].dept == "人力资源和社会保障局"


def test_a_router_hint_moves_the_scores_towards_its_department():
    scores = [DeptScore("公安局", 0.5), DeptScore("教育局", 0.4), DeptScore("民政局", 0.1)]
    moved = with_hint(scores, "教育局", 0.3)
    assert [s.dept for s in moved] == ["教育局", "公安局", "民政局"]
    assert sum(s.confidence for s in moved) == pytest.approx(1.0)
    assert with_hint(scores, "不存在的部门", 0.3) == scores
    assert with_hint(scores, "教育局", 0.0) == scores


@pytest.mark.parametrize("path, at_least", [(CALLS, 150), (TUNE, 60)])
def test_an_evaluation_file_covers_every_department_of_the_knowledge_base(knowledge_base, path, at_least):
    rows = read_calls(path)
    assert len(rows) >= at_least
    assert {r.dept for r in rows} == kb_departments(knowledge_base)
    assert {r.type for r in rows} == {"consult", "help", "complaint", "report", "suggestion"}
    assert len({r.text for r in rows}) == len(rows)


def test_evaluation_calls_copy_no_utterance_of_the_knowledge_base(knowledge_base):
    utterances = {u for s in knowledge_base.services.values() for u in s.utterances}
    utterances |= {u for b in knowledge_base.bundles.values() for u in b.utterances}
    for path in (CALLS, TUNE):
        for row in read_calls(path):
            assert row.text not in utterances
            assert not [u for u in utterances if len(u) >= 8 and u in row.text], row.text


def test_the_reported_calls_and_the_tuning_calls_do_not_share_a_call():
    assert not {r.text for r in read_calls(CALLS)} & {r.text for r in read_calls(TUNE)}


def test_a_malformed_call_file_is_refused_with_its_line(tmp_path: Path):
    from eval.dataset import DatasetError

    bad = tmp_path / "calls.jsonl"
    bad.write_text(json.dumps({"text": "路灯坏了", "dept": "12345政务服务便民热线", "type": "grumble"}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1"):
        read_calls(bad)


def test_long_transcripts_end_with_their_own_call_and_have_the_length_asked():
    rows = read_calls(CALLS)[:5]
    transcripts = long_transcripts(rows, 1000)
    assert len(transcripts) == 5
    assert all(len(t) == 1000 for t in transcripts)
    assert all(t.endswith(r.text) for t, r in zip(transcripts, rows))


def test_the_dispatch_evaluation_command_reports_accuracy_per_department(govassist, knowledge_base):
    result = govassist("eval", "dispatch", "--data", str(TUNE), "--no-copilot", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["calls"] == len(read_calls(TUNE)) and report["departments"] == len(kb_departments(knowledge_base))
    assert report["dispatch"]["top1"] >= 0.9
    assert set(report["dispatch"]["by_dept"]) == {r.dept for r in read_calls(TUNE)}
    assert "copilot_suggest_1000_chars" not in report
