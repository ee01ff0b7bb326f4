"""`govassist chat` and `govassist application`: the same engine from a terminal."""

from __future__ import annotations

import re

from click.testing import CliRunner

from cli import main

ID = "110101199003074514"


def run(settings, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(settings.data_dir), *args], input=input, catch_exceptions=False)


def test_a_terminal_chat_submits_an_application_and_staff_can_move_it_along(routing_settings, router):
    said = "\n".join(["我想第一次办张社保卡", "同意", f"我叫张三，身份证{ID}，电话13800138000", "到银行网点领取", "都有了", "确认提交"])
    result = run(routing_settings, "chat", input=said + "\n")
    assert result.exit_code == 0, result.output
    assert "110101********4514" in result.output  # read back masked
    assert result.output.count(ID) == 1  # only where the citizen typed it
    number = re.search(r"GA\d{8}-\d{6}", result.output).group(0)

    shown = run(routing_settings, "application", "show", number)
    assert "社会保障卡申领" in shown.output and "已提交" in shown.output and "张*" in shown.output

    assert run(routing_settings, "application", "advance", number, "accepted").exit_code == 0
    refused = CliRunner().invoke(main, ["--data-dir", str(routing_settings.data_dir), "application", "advance", number, "done"])
    assert refused.exit_code != 0  # accepted → done skips the review
    assert "已受理" in run(routing_settings, "application", "show", number).output
