"""The trained router sends complaints about 物业, 邻里, 噪声, 油烟, 商家 and public facilities to the 12345
report, and only wage matters to the wage-arrears complaint."""

from __future__ import annotations

import pytest

from intents.router import Decision


@pytest.mark.parametrize(
    "message",
    [
        "我要投诉物业",
        "物业不作为我要投诉",
        "楼上装修天天晚上十一点还在砸墙",
        "楼下饭店油烟太大",
        "我家楼下的路灯坏了好几天了",
        "和邻居闹矛盾了找谁调解",
        "商家不给退款我要投诉",
        "不是欠薪，我要投诉楼下饭店油烟太大",
    ],
)
def test_a_complaint_about_anything_but_wages_lands_on_the_12345_report(router, message):
    result = router.route(message)
    assert result.decision is not Decision.none
    assert result.candidates[0].id == "city-issue-report", result.to_dict()


@pytest.mark.parametrize("message", ["老板拖欠工资", "欠薪", "公司三个月没发工资", "我要举报公司欠薪"])
def test_only_wage_matters_land_on_the_wage_arrears_complaint(router, message):
    result = router.route(message)
    assert result.decision is not Decision.none
    assert result.candidates[0].id == "wage-arrears", result.to_dict()


@pytest.mark.parametrize("message", ["我要投诉", "我要举报"])
def test_a_bare_complaint_is_not_taken_for_a_wage_complaint(router, message):
    assert router.route(message).candidates[0].id != "wage-arrears"
