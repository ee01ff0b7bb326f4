"""The re-ranker: a small listwise model over the best few targets, fitted on tuning files only."""

from __future__ import annotations

import numpy as np
import pytest

from intents.rerank import FEATURES, Candidate, Reranker, candidate_features, fit_reranker


def candidate(name: str, fused: float, card: float = 0.0, asking: float = 0.0, imported: bool = False) -> Candidate:
    return Candidate(fused=fused, trained_dense=fused, lexical=0.0, pretrained=fused, imported=imported, name=name,
                     pretrained_card=card, pretrained_asking=asking)


def test_each_candidate_gets_one_row_of_every_feature():
    rows = candidate_features("保安员证初次申领", [candidate("保安员证核发(遗失补发)", 0.8), candidate("保安员证核发(初次申领)", 0.7)])
    assert rows.shape == (2, len(FEATURES))
    behind = FEATURES.index("behind_top")
    assert rows[0, behind] == 0 and rows[1, behind] == pytest.approx(-0.1)


def test_how_much_of_a_name_the_message_repeats_ignores_what_is_in_brackets():
    rows = candidate_features("我要开个小店", [candidate("个体工商户设立登记（开店）", 0.5), candidate("开个小店", 0.5)])
    covered = FEATURES.index("name_covered")
    assert rows[0, covered] == 0.0  # 开店 is in brackets, 个体工商户 not said
    assert rows[1, covered] == 1.0


def test_no_candidates_give_no_rows():
    assert candidate_features("随便问问", []).shape == (0, len(FEATURES))


def test_fitting_learns_which_feature_tells_the_right_candidate():
    """In every list the right candidate has the better card match but the lower fused score."""
    rng = np.random.default_rng(0)
    lists, right = [], []
    for _ in range(60):
        fused = np.sort(rng.uniform(0.3, 0.9, 5))[::-1]
        good = int(rng.integers(1, 5))
        cards = rng.uniform(0.7, 0.8, 5)
        cards[good] = 0.95
        lists.append(candidate_features("问题", [candidate(f"事项{i}", f, card=c) for i, (f, c) in enumerate(zip(fused, cards))]))
        right.append(np.arange(5) == good)
    model = fit_reranker(lists, right, depth=5)
    assert model.weights[FEATURES.index("pretrained_card")] > 0
    hits = sum(int(model.order(x)[0]) == int(np.argmax(y)) for x, y in zip(lists, right))
    assert hits == len(lists)


def test_lists_without_a_right_candidate_are_skipped_and_none_at_all_is_an_error():
    rows = candidate_features("问题", [candidate("甲", 0.9), candidate("乙", 0.8)])
    with pytest.raises(ValueError):
        fit_reranker([rows], [np.array([False, False])], depth=2)


def test_ties_keep_the_fused_order():
    rows = candidate_features("问题", [candidate("甲", 0.9), candidate("乙", 0.8), candidate("丙", 0.7)])
    assert Reranker(tuple(0.0 for _ in FEATURES)).order(rows).tolist() == [0, 1, 2]


def test_the_shipped_router_reranks_and_its_scores_still_fall(router):
    """The shipped policy carries a fitted re-ranker; whatever it moves, the scores read by the thresholds
    stay in falling order."""
    assert router.policy.rerank and len(router.policy.rerank) == len(FEATURES)
    for text in ("我想办个社保卡", "孩子出生了要上户口", "开个小店要办什么"):
        fused = router.score(text).fused
        assert np.all(np.diff(fused) <= 1e-12)
