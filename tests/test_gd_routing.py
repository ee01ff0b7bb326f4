"""The real Guangdong catalogue imported beside our guides: 2,262 more items to route to, ours kept.

Figures and the targets they are held against: docs/BENCHMARKS.md, "Real-size catalogue (issue 10)" and
"Pretrained encoder (issue 18)".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.dataset import read_routing_file
from eval.routing import evaluate_routing
from intents.documents import DocField, TargetType, build_docs
from intents.router import DEFAULT_POLICY_FILE, IMPORTED_POLICY_FILE, RouterPolicy
from knowledge.base import KnowledgeBase
from knowledge.imported import ImportedItem
from settings import REPO_ROOT, Settings
from tests.conftest import GD_CATALOGUE, KB_DIR, need

GD_EVAL = REPO_ROOT / "eval" / "data" / "routing_gd.jsonl"
ROUTING_DEV = REPO_ROOT / "eval" / "data" / "routing_dev.jsonl"
# Measured on routing_gd.jsonl (185 queries written for evaluation) with the pretrained encoder fused:
# 0.697 / 0.827 with the re-ranker (issue 18's targets, 0.90 and 0.97, are missed: see docs/BENCHMARKS.md). These floors
# keep what was reached, a point or two under it.
GD_TOP1_FLOOR = 0.68
GD_TOP3_FLOOR = 0.81
OWN_DROP_ALLOWED = 0.02  # routing_dev top-1 with the catalogue imported, against without it


@pytest.fixture(scope="module")
def gd_router(router, routing_settings: Settings, tmp_path_factory):
    """The router with the real catalogue imported: its own data directory (the import changes the
    index), the session's encoder (trained from our knowledge base only, so the same one)."""
    from intents.pipeline import build_router
    from knowledge.base import load_knowledge_base
    from knowledge.gd_catalogue import SOURCE, parse_gd_catalogue
    from knowledge.imported import write_source

    need(GD_CATALOGUE)
    settings = Settings(data_dir=tmp_path_factory.mktemp("gd-data"), kb_dir=KB_DIR)
    (settings.data_dir / "models").symlink_to(routing_settings.data_dir / "models", target_is_directory=True)
    write_source(settings.sources_dir, SOURCE, parse_gd_catalogue(GD_CATALOGUE).items)
    return build_router(settings, load_knowledge_base(KB_DIR, settings.sources_dir))


def test_citizens_words_reach_the_imported_items(gd_router):
    rows = read_routing_file(GD_EVAL)
    assert len(rows) >= 150 and len({r.expected for r in rows}) >= 100
    report = evaluate_routing(gd_router, rows)
    assert report.top1 >= GD_TOP1_FLOOR, report.errors[:10]
    assert report.top3 >= GD_TOP3_FLOOR


def test_our_own_routing_holds_with_the_catalogue_imported(gd_router, router):
    rows = read_routing_file(ROUTING_DEV)
    without = evaluate_routing(router, rows).top1
    with_catalogue = evaluate_routing(gd_router, rows).top1
    assert with_catalogue >= without - OWN_DROP_ALLOWED


def test_an_index_with_imported_items_uses_the_policy_tuned_for_it(gd_router, router):
    assert RouterPolicy.default_file(with_imported=True) == IMPORTED_POLICY_FILE
    assert RouterPolicy.default_file(with_imported=False) == DEFAULT_POLICY_FILE
    assert gd_router.policy == RouterPolicy.load(IMPORTED_POLICY_FILE)
    assert router.policy == RouterPolicy.load(DEFAULT_POLICY_FILE)
    # Imported items' documents weigh the encoder's cosine less: it never learnt their words.
    weights = gd_router.dense_weights()
    imported = [i for i, d in enumerate(gd_router.index.docs) if d.target_type is TargetType.imported]
    assert weights[imported[0]] == gd_router.policy.imported_dense_weight != weights[0]
    # …and the pretrained encoder's more: it knows their words as well as ours.
    pretrained = gd_router.pretrained_weights()
    assert pretrained[imported[0]] == gd_router.policy.imported_pretrained_weight > pretrained[0]


def test_an_imported_item_becomes_a_card_with_its_everyday_names_and_one_document_per_fact():
    item = ImportedItem(
        id="gd:X1", source="gd-catalogue", name="律师执业证书注销审核", dept="广东省司法厅",
        aliases=["注销律师证", "律师证注销"], categories=["证件办理"], conditions="律师本人申请",
        materials=["注销申请表", "律师执业证书"], time_limit="20个工作日", phone="020-12345678",
    )
    docs = [d for d in build_docs(KnowledgeBase(imported={item.id: item}), out_of_scope=[]) if d.target_id == item.id]
    card = next(d for d in docs if d.field is DocField.card)
    assert card.text == "律师执业证书注销审核；注销律师证；律师证注销"  # themes are left out of the card
    facts = {d.doc_id.split("#")[1]: d.text for d in docs if d.field is DocField.guide}
    assert set(facts) == {"conditions", "materials", "time_limit", "hotline", "dept"}
    assert facts["materials"] == "律师执业证书注销审核所需材料：注销申请表；律师执业证书"
    assert all(text.startswith(item.name) for text in facts.values())


def test_the_evaluation_and_tuning_files_do_not_share_a_query():
    eval_queries = {r.query for r in read_routing_file(GD_EVAL)}
    tune_queries = {r.query for r in read_routing_file(Path(GD_EVAL).with_name("routing_gd_tune.jsonl"))}
    assert not eval_queries & tune_queries
