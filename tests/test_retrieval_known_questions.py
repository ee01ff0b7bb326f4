"""Policy retrieval learns from a training split: its questions become passages of the document that
answers them, so the words people ask with reach a document written in other words."""

from __future__ import annotations

import json
from pathlib import Path

from eval.retrieval import PassageRetriever, RetrievalQuery
from intents.lexical import JiebaTokenizer

CORPUS = {
    "rent": "关于减免中小微企业房屋租金的实施意见。承租国有资产类经营用房的中小微企业，免收二月至四月租金。",
    "wage": "关于做好疫情期间企业职工工资支付工作的通知。企业因疫情停工停产在一个工资支付周期内的，应按劳动合同规定的标准支付职工工资。",
}


def test_a_known_question_brings_its_document_first():
    plain = PassageRetriever(CORPUS, None, str, JiebaTokenizer())
    known = [RetrievalQuery("停工期间老板还发不发钱", "wage")]
    taught = PassageRetriever(CORPUS, None, str, JiebaTokenizer(), known_questions=known)
    asked = "老板还发钱吗"  # no word of the wage notice
    assert plain.rank(asked)[0] != "wage"
    assert taught.rank(asked)[0] == "wage"


def test_the_cli_refuses_a_test_split_as_known_questions(tmp_path: Path, govassist):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"docid": k, "text": v}, ensure_ascii=False) for k, v in CORPUS.items()), encoding="utf-8")
    queries = tmp_path / "queries_test.jsonl"
    queries.write_text(json.dumps({"query": "工资", "docid": "wage"}, ensure_ascii=False), encoding="utf-8")
    result = govassist("eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries), "--known", str(queries))
    assert result.exit_code != 0 and "never for indexing" in result.output
