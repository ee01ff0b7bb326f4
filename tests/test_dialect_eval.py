"""The phrase-table transform of the dialect measurement: Mandarin queries turned into dialect text."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED, need
from eval.dataset import RoutingExample
from eval.dialect import TABLES, PhraseTable, converted, evaluate_dialects, read_tables
from intents.router import Candidate, Decision, RoutingResult


@pytest.fixture
def table(tmp_path: Path) -> PhraseTable:
    path = tmp_path / "cmn2yue.dic"
    # Traditional script, a header row, a repeated phrase (the first wins), a malformed row.
    path.write_text("cmn|yue\n社會保障卡|社保咭\n怎麼辦|點算\n怎麼|點樣\n怎麼|點\n卡|咭\n沒有\n丟了|唔見咗\n",
                    encoding="utf-8")
    return PhraseTable.read(path)


def test_longest_phrase_is_replaced_then_script_is_traditional(table):
    assert table.to_dialect("社会保障卡丢了怎么办") == "社保咭唔見咗點算"
    assert table.to_dialect("怎么领卡") == "點樣領咭"


def test_whole_words_leaves_phrases_that_would_cut_a_word(table):
    assert table.to_dialect("银行卡丢了") == "銀行咭唔見咗"
    assert table.to_dialect("银行卡丢了", whole_words=True) == "銀行卡唔見咗"  # 卡 belongs to 银行卡


def test_only_phrases_count_as_changes_not_script(table):
    assert table.changes("怎么领")
    assert not table.changes("办理护照")


def test_converted_rows_keep_their_answers(table):
    rows = [RoutingExample("社会保障卡丢了怎么办", ("sscard-loss",), "plain")]
    [row] = converted(rows, table, "plain→cantonese")
    assert row == RoutingExample("社保咭唔見咗點算", ("sscard-loss",), "plain→cantonese")


def test_the_shared_phrase_tables_turn_mandarin_into_dialect():
    tables = read_tables(need(SHARED / "data" / "dialect"))
    assert set(tables) == set(TABLES)
    query = "社保卡丢了怎么办"
    for name, table in tables.items():
        assert table.changes(query), name
        assert table.to_dialect(query) != query
    assert "唔見" in tables["cantonese"].to_dialect(query)


class KeywordRouter:
    """Stands in for the trained router: routes to sscard-loss when the message says 丢 (lost)."""

    def route(self, text: str) -> RoutingResult:
        if "丢" in text:
            return RoutingResult(Decision.route, 0.9, [Candidate("sscard-loss", "社保卡挂失", "service", 0.9)], None, text)
        return RoutingResult(Decision.none, 0.1, [], None, text)


def test_each_set_is_scored_against_the_mandarin_queries(table):
    rows = [
        RoutingExample("社会保障卡丢了怎么办", ("sscard-loss",), "plain"),
        RoutingExample("社保卡唔见咗点算", ("sscard-loss",), "dialect"),
        RoutingExample("设保卡丢了", ("sscard-loss",), "asr"),
        RoutingExample("今天天气怎么样", ("none",), "oos"),
    ]
    report = evaluate_dialects(KeywordRouter(), rows, {"cantonese": table})
    assert report.mandarin.top1 == 1.0
    scores = {s.name: s.top1 for s in report.sets}
    assert scores == {"dialect": 0.0, "asr": 1.0, "plain→cantonese": 0.0, "plain→cantonese (whole words)": 0.0}
    assert report.within_target == {name: name == "asr" for name in scores}
    assert report.to_dict()["sets"]["plain→cantonese"] == {"queries": 1, "top1": 0.0, "gap": 1.0, "changed": 1.0}


def test_without_mandarin_queries_there_is_nothing_to_compare_with(table):
    rows = [RoutingExample("社保卡唔见咗点算", ("sscard-loss",), "dialect")]
    with pytest.raises(ValueError, match="plain"):
        evaluate_dialects(KeywordRouter(), rows, {"cantonese": table})
