"""`govassist eval …`: routing and retrieval evaluation."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from cli.common import load_kb, load_router, services
from eval.styles import Style
from settings import Settings

ExistingFile = click.Path(path_type=Path, exists=True, dir_okay=False)
ROUTING_DEV = Path(__file__).resolve().parents[1] / "eval" / "data" / "routing_dev.jsonl"
SUMMARY_REFERENCES = Path(__file__).resolve().parents[1] / "eval" / "data" / "copilot_summaries.jsonl"


@click.group("eval")
def eval_() -> None:
    """Measure routing and retrieval on evaluation files."""


# The policy fields each ablation sets (the rest as tuned).
# Single signals and steps leave the re-ranker out (it reads every signal); "fused-no-rerank" is the
# fusion alone, "fused" the whole router.
ABLATIONS: dict[str, dict] = {
    "fused": {},
    "fused-no-rerank": {"rerank": []},
    "lexical": {"dense_weight": 0.0, "imported_dense_weight": None, "pretrained_weight": 0.0, "imported_pretrained_weight": None, "rerank": []},
    "dense": {"dense_weight": 1.0, "imported_dense_weight": None, "pretrained_weight": 0.0, "imported_pretrained_weight": None, "rerank": []},
    "pretrained": {"pretrained_weight": 1.0, "imported_pretrained_weight": None, "rerank": []},
    "trained": {"pretrained_weight": 0.0, "imported_pretrained_weight": None, "rerank": []},
}


@eval_.command("routing")
@click.option("--data", "data_path", type=ExistingFile, required=True, help="JSONL of {query, expected, tag?}.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--errors", is_flag=True, help="List the queries routed wrongly.")
@click.option(
    "--fusion", type=click.Choice(list(ABLATIONS)), default="fused", show_default=True,
    help="Ablation: BM25 only, the trained encoder only (dense), the pretrained encoder only, BM25 and the "
    "trained encoder without the pretrained one, or all three fused without the re-ranker (thresholds stay "
    "those tuned for fused).",
)
@click.pass_obj
def routing(settings: Settings, data_path: Path, as_json: bool, errors: bool, fusion: str) -> None:
    """Top-1, top-3, out-of-scope precision/recall, per-tag accuracy and latency."""
    from eval.dataset import DatasetError, read_routing_file
    from eval.routing import evaluate_routing

    try:
        rows = read_routing_file(data_path)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    start = time.perf_counter()
    router = load_router(settings)
    ready_s = time.perf_counter() - start
    router.policy = replace(router.policy, **ABLATIONS[fusion])
    report = evaluate_routing(router, rows)
    data = report.to_dict() | {"fusion": fusion, "router_ready_s": round(ready_s, 2)}
    if not errors:
        data.pop("errors")
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"{data_path.name}: {report.total} queries, {fusion} scores (router ready in {ready_s:.1f} s)")
    click.echo(f"  top-1 {report.top1:.3f}   top-3 (in scope) {report.top3:.3f}   top-1 in scope {report.in_scope_top1:.3f}")
    click.echo(f"  out of scope: precision {report.oos_precision:.3f} recall {report.oos_recall:.3f}")
    click.echo("  by tag: " + "  ".join(f"{t} {v:.3f}" for t, v in report.by_tag.items()))
    click.echo(f"  latency p50 {report.latency_ms_p50:.1f} ms  p95 {report.latency_ms_p95:.1f} ms")
    click.echo(f"  decisions: {report.decisions}")
    for e in data.get("errors", []):
        click.echo(f"  ✗ {e['query']}  expected {e['expected']}  got {e['decision']} {e['got']}")


@eval_.command("retrieval")
@click.option("--corpus", "corpus_path", type=ExistingFile, required=True, help="JSONL of {docid, text}.")
@click.option("--queries", "queries_path", type=ExistingFile, required=True, help="JSONL of {query, docid}.")
@click.option("--known", "known_path", type=ExistingFile, default=None,
              help="Training questions (JSONL of {query, docid}) known to be answered by their document; never the measured split.")
@click.option("--no-pretrained", is_flag=True, help="Leave the pretrained encoder out.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def retrieval(settings: Settings, corpus_path: Path, queries_path: Path, known_path: Path | None,
              no_pretrained: bool, as_json: bool) -> None:
    """Recall@1/5/10 and MRR at document level: policy search (weights from `govassist policy train`) and
    plain BM25, in one run."""
    from cli.policy import open_search, read_corpus, read_known, weights_file
    from eval.retrieval import WholeDocumentBM25, evaluate, read_queries
    from intents.lexical import JiebaTokenizer
    from intents.policy_ranker import load_weights

    corpus, queries = read_corpus(corpus_path), read_queries(queries_path)
    known = read_known(known_path) if known_path else []
    path = weights_file(settings)
    weights = load_weights(path) if path.is_file() else None
    if weights is None:
        click.echo(f"no learned weights at {path} (`govassist policy train`): the untrained defaults", err=True)
    system = open_search(settings, corpus, known, not no_pretrained, weights)
    systems = {"bm25": WholeDocumentBM25(corpus, JiebaTokenizer()).rank, "system": system.rank}
    results = {}
    for name, ranker in systems.items():
        scores, ms = evaluate(ranker, queries)
        results[name] = {**{k: round(v, 4) for k, v in scores.__dict__.items()}, "ms_per_query": round(ms, 2)}
    results["system"]["weights"] = system.weights
    if as_json:
        click.echo(json.dumps({"queries": len(queries), "documents": len(corpus), **results}, indent=1))
        return
    click.echo(f"{queries_path.name}: {len(queries)} queries over {len(corpus)} documents")
    for name, r in results.items():
        click.echo(
            f"  {name:<7} R@1 {r['recall_at_1']:.3f}  R@5 {r['recall_at_5']:.3f}  R@10 {r['recall_at_10']:.3f}"
            f"  MRR {r['mrr']:.3f}  ({r['ms_per_query']:.1f} ms/query)"
        )


@eval_.command("dialogue")
@click.option("--style", "style_name", type=click.Choice(["all", *(s.value for s in Style)]), default="all",
              show_default=True, help="How the simulated citizen answers (see eval/citizen.py Style).")
@click.option("--together", is_flag=True, help="Same as --style several: every answer in one message.")
@click.option("--form", "forms", multiple=True, help="Only this service or bundle id (repeatable).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def dialogue(settings: Settings, style_name: str, together: bool, forms: tuple[str, ...], as_json: bool) -> None:
    """Completion and turns to submission for every apply/report service and bundle, per answering style."""
    import tempfile

    from eval.dialogue import TARGET_COMPLETION, evaluate_dialogue, form_subjects

    kb = load_kb(settings)
    styles = [Style.several] if together else list(Style) if style_name == "all" else [Style(style_name)]
    subjects = list(forms) or form_subjects(kb)
    if unknown := sorted(set(subjects) - set(form_subjects(kb))):
        raise click.ClickException(f"not an apply/report service or bundle: {', '.join(unknown)}")
    router = load_router(settings)
    with tempfile.TemporaryDirectory() as scratch:  # a throwaway database: the runs are not real applications
        scratch_settings = settings.model_copy(update={"database_url": f"sqlite:///{scratch}/eval.db"})
        assistant = services(scratch_settings, kb=kb, router=router).assistant
        reports = [evaluate_dialogue(assistant, kb, style, subjects) for style in styles]
    if as_json:
        click.echo(json.dumps({"target_completion": TARGET_COMPLETION, "styles": [r.to_dict(kb) for r in reports]},
                              ensure_ascii=False, indent=1))
        return
    click.echo(f"{len(subjects)} forms; target: completed ≥ {TARGET_COMPLETION:.0%}, median turns ≤ median (required + 3)")
    click.echo(f"  {'style':<11} {'completed':>15} {'median turns':>12} {'mean turns':>10} {'median target':>13} "
               f"{'within target':>13}  questions asked again (by slot type)")
    for r in reports:
        again = ", ".join(f"{t} {n}" for t, n in r.reasked_types(kb).most_common(4)) or "-"
        done = f"{sum(x.completed for x in r.runs)}/{len(r.runs)} {r.completed:.3f}"
        click.echo(f"  {r.style.value:<11} {done:>15} {r.median_turns:>12g} {r.mean_turns:>10.2f} {r.median_target:>13g} "
                   f"{r.within_target:>13.3f}  {again}{'' if r.meets_target else '   ✗ below target'}")
    for r in reports:
        for run in r.failures:
            click.echo(f"\n✗ [{r.style.value}] {run.subject_id}: {run.failure} (target {run.target})")
            click.echo("    " + run.tail.replace("\n", "\n    "))
    for r in reports:
        if (example := r.reask_example(kb)) is not None:
            click.echo(f"\n· [{r.style.value}] asked again, e.g. {example.subject_id} ({example.turns} turns, target {example.target}):")
            click.echo("    " + example.first_reask.replace("\n", "\n    "))


@eval_.command("dialect")
@click.option("--data", "data_path", type=ExistingFile, default=ROUTING_DEV,
              help="JSONL of {query, expected, tag}: plain, dialect and asr tags are used (default: routing_dev).")
@click.option("--tables", "tables_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of the Mandarin→dialect phrase tables (default: ../shared/data/dialect).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--errors", is_flag=True, help="List the queries routed wrongly, as they were converted.")
@click.pass_obj
def dialect(settings: Settings, data_path: Path, tables_dir: Path | None, as_json: bool, errors: bool) -> None:
    """Top-1 on dialect and ASR queries and on Mandarin turned into Cantonese, Min and Hakka."""
    from eval.dataset import DatasetError, read_routing_file
    from eval.dialect import DEFAULT_TABLES_DIR, TARGET_GAP, evaluate_dialects, read_tables

    try:
        rows = read_routing_file(data_path)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    tables_dir = tables_dir or DEFAULT_TABLES_DIR
    tables = read_tables(tables_dir)
    if not tables:
        click.echo(f"no phrase tables in {tables_dir}: measuring the tagged queries only", err=True)
    try:
        report = evaluate_dialects(load_router(settings), rows, tables)
    except ValueError as exc:
        raise click.ClickException(f"{data_path}: {exc}") from None
    if as_json:
        click.echo(json.dumps(report.to_dict(errors), ensure_ascii=False, indent=1))
        return
    mandarin = report.mandarin.top1
    click.echo(f"{data_path.name}: Mandarin ({report.mandarin.name}) {report.mandarin.queries} queries, "
               f"top-1 {mandarin:.3f}; target: within {TARGET_GAP * 100:.0f} points")
    for s in report.sets:
        mark = "✓" if s.gap(mandarin) <= TARGET_GAP else "✗"
        changed = f"  (phrases replaced in {s.changed:.0%})" if s.changed is not None else ""
        gap = s.gap(mandarin) * 100
        click.echo(f"  {mark} {s.name:<30} {s.queries:>4}  top-1 {s.top1:.3f}  gap {gap:+5.1f} points{changed}")
        for e in s.report.errors if errors else []:
            click.echo(f"      ✗ {e['query']}  expected {e['expected']}  got {e['decision']} {e['got']}")


@eval_.command("dispatch")
@click.option("--data", "data_path", type=ExistingFile, required=True, help="JSONL of {text, dept, type, tag?}.")
@click.option("--past", "past_path", type=ExistingFile, default=None,
              help="JSONL of past work orders (same shape) to learn from besides the knowledge base.")
@click.option("--copilot/--no-copilot", default=True, show_default=True,
              help="Also measure the copilot: its dispatch (latest words, router's hint) and suggest latency.")
@click.option("--references", "references_path", type=ExistingFile, default=SUMMARY_REFERENCES, show_default=True,
              help="Written references: for calls labelled with the hotline, where the copilot should send them.")
@click.option("--floor", type=float, default=None,
              help="The copilot's confidence floor for suggesting a department (default: assistant/data/copilot.yaml).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--errors", is_flag=True, help="List the calls dispatched wrongly.")
@click.pass_obj
def dispatch(settings: Settings, data_path: Path, past_path: Path | None, copilot: bool, references_path: Path,
             floor: float | None, as_json: bool, errors: bool) -> None:
    """Department top-1 / top-3, per department, work-order type and latency; copilot suggest p95.

    The copilot never suggests the hotline: a call labelled with it counts as right when the copilot
    suggests the department the reference names (its matter's), or nothing where the reference names none."""
    from assistant.copilot.order_type import OrderTypeGuesser
    from assistant.copilot.suggestions import Copilot
    from eval.copilot_summary import read_references
    from eval.dataset import DatasetError
    from eval.dispatch import benchmark, evaluate_dispatch, long_transcripts, read_calls
    from intents.dispatch import DispatchModel

    try:
        rows = read_calls(data_path)
        past = read_calls(past_path) if past_path else []
        sent = {r.text: r.dept for r in read_references(references_path) if r.dept is not None}
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    kb = load_kb(settings)
    router = load_router(settings) if copilot else None
    start = time.perf_counter()
    model = DispatchModel.train(kb, [(r.text, r.dept) for r in past], router.normalise if router else None)
    train_s = time.perf_counter() - start
    guesser = OrderTypeGuesser.load()
    report = evaluate_dispatch(model.suggest, rows, lambda text: guesser.guess(text).value)
    data: dict[str, Any] = {"calls": len(rows), "departments": len(model.departments), "past_orders": len(past),
            "train_s": round(train_s, 2), "dispatch": report.to_dict()}
    if router is not None:
        helper = Copilot(router, model, kb)
        if floor is not None:
            helper.dispatch_rules = replace(helper.dispatch_rules, min_confidence=floor)
        hotline = helper.dispatch_rules.not_departments
        expected = [replace(r, dept=sent.get(r.text, "")) if r.dept in hotline else r for r in rows]

        def suggested(text: str) -> list:  # what the form is prefilled with first, then the others shown
            s = helper.suggest(text)
            return s.departments if s.dispatch is not None else []

        data["copilot_dispatch"] = evaluate_dispatch(suggested, expected).to_dict()
        shown = [(helper.suggest(r.text).dispatch, r.dept) for r in expected]
        given = [(d.dept, want) for d, want in shown if d is not None]
        data["copilot_suggested"] = {
            "floor": helper.dispatch_rules.min_confidence, "share": round(len(given) / len(rows), 4) if rows else 0.0,
            "right_when_suggested": round(sum(d == w for d, w in given) / len(given), 4) if given else 0.0,
            "silent_when_nothing_known": sum(d is None and not w for d, w in shown)}
        data["copilot_suggest_1000_chars"] = benchmark(helper.suggest, long_transcripts(rows, 1000)).to_dict()
    if not errors:
        for part in ("dispatch", "copilot_dispatch"):
            data.get(part, {}).pop("errors", None)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    source = f"the knowledge base and {len(past)} past orders" if past else "the knowledge base"
    click.echo(f"{data_path.name}: {len(rows)} calls, {len(model.departments)} departments (learnt from {source} in {train_s:.1f} s)")
    for name, title in (("dispatch", "dispatch model"), ("copilot_dispatch", "copilot (latest words + router)")):
        if scores := data.get(name):
            click.echo(f"  {title:<32} top-1 {scores['top1']:.3f}  top-3 {scores['top3']:.3f}  "
                       f"p50 {scores['latency_ms_p50']:.1f} ms  p95 {scores['latency_ms_p95']:.1f} ms")
    if offered := data.get("copilot_suggested"):
        click.echo(f"  copilot suggests a department for {offered['share']:.3f} of calls (floor {offered['floor']}); "
                   f"right when it does {offered['right_when_suggested']:.3f}")
    click.echo(f"  work-order type guessed right {report.type_accuracy:.3f}")
    click.echo("  by tag: " + "  ".join(f"{t} {v:.3f}" for t, v in report.by_tag.items()))
    click.echo("  by department:")
    for dept, value in report.by_dept.items():
        click.echo(f"    {value:.3f}  {dept}")
    if bench := data.get("copilot_suggest_1000_chars"):
        click.echo(f"  copilot suggest, {bench['characters']}-character transcripts: p50 {bench['p50_ms']:.1f} ms  "
                   f"p95 {bench['p95_ms']:.1f} ms  max {bench['max_ms']:.1f} ms ({bench['runs']} runs)")
    for part in ("dispatch", "copilot_dispatch"):
        for e in data.get(part, {}).get("errors", []):
            click.echo(f"  ✗ [{part}] {e['text']}  expected {e['expected']}  got {e['got']}")


@eval_.command("summary")
@click.option("--data", "data_path", type=ExistingFile, default=SUMMARY_REFERENCES, show_default=True,
              help="JSONL of {text, who, what, where, when, want, summary, dept?}: written reference summaries.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--errors", is_flag=True, help="List the calls with a field wrong.")
@click.pass_obj
def summary(settings: Settings, data_path: Path, as_json: bool, errors: bool) -> None:
    """The copilot's 诉求摘要 against written references: per field, all five, character ROUGE-L."""
    from assistant.copilot.suggestions import Copilot
    from eval.copilot_summary import evaluate_summaries, read_references
    from eval.dataset import DatasetError
    from intents.dispatch import DispatchModel

    try:
        rows = read_references(data_path)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    kb = load_kb(settings)
    router = load_router(settings)
    helper = Copilot(router, DispatchModel.train(kb, normaliser=router.normalise), kb)

    def summarise(text: str) -> tuple[dict[str, str], str]:
        s = helper.suggest(text)
        return (s.points.fields() if s.points else {}), s.summary

    report = evaluate_summaries(summarise, rows)
    data = report.to_dict()
    if not errors:
        data.pop("errors")
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"{data_path.name}: {report.calls} calls")
    click.echo("  fields right: " + "  ".join(f"{f} {v:.3f}" for f, v in report.by_field.items()))
    click.echo(f"  all five right {report.all_fields:.3f}   character ROUGE-L F1 {report.rouge_l:.3f}   "
               f"summaries with a greeting left {report.with_greeting}")
    for e in data.get("errors", []):
        click.echo(f"  ✗ {e['text']}")
        for f, (want, got) in e["wrong"].items():
            click.echo(f"      {f}: expected {want!r} got {got!r}")


@eval_.command("passages")
@click.option("--data", "data_path", type=ExistingFile, required=True, help="JSONL of {query, expected, tag?} (tune on routing_tune.jsonl).")
@click.option("--sweep", is_flag=True, help="Try a grid of floors besides those configured.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def passages(settings: Settings, data_path: Path, sweep: bool, as_json: bool) -> None:
    """The copilot's passages: precision, queries answered, out-of-scope queries left quiet, per floor."""
    from assistant.copilot.suggestions import Copilot
    from eval.copilot_passages import look, score
    from eval.copilot_passages import sweep as grid
    from eval.dataset import DatasetError, read_routing_file
    from intents.dispatch import DispatchModel

    try:
        rows = read_routing_file(data_path)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    kb = load_kb(settings)
    router = load_router(settings)
    helper = Copilot(router, DispatchModel.train(kb, normaliser=router.normalise), kb)
    looked = look(helper.passage_candidates, kb, rows)
    configured = score(looked, helper.passage_floor)
    tried = grid(looked, (0.0, 0.05, 0.1, 0.15, 0.2), (0.0, 0.2, 0.3, 0.4, 0.5, 1.0)) if sweep else []
    if as_json:
        click.echo(json.dumps({"configured": configured.to_dict(), "sweep": [t.to_dict() for t in tried]}, ensure_ascii=False, indent=1))
        return
    click.echo(f"{data_path.name}: {len(rows)} queries")
    for mark, s in [("*", configured), *((" ", t) for t in tried)]:
        click.echo(f" {mark} related ≥ {s.related:.2f}  other ≥ {s.other:.2f}: precision {s.precision:.3f}  "
                   f"answered {s.answered:.3f}  out of scope quiet {s.quiet:.3f}  ({s.shown} shown)")


@eval_.command("pii")
@click.option("--data", "data_path", type=ExistingFile, default=None,
              help="YAML of sentences with the names and addresses to mask (default: eval/data/pii_free_text.yaml).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--errors", is_flag=True, help="List each span left readable and each ordinary sentence changed.")
@click.option("--project-strings", "sweep", is_flag=True,
              help="Also list which Chinese strings of the knowledge base and message files the name and address step changes.")
def pii(data_path: Path | None, as_json: bool, errors: bool, sweep: bool) -> None:
    """Names and street addresses in free text: share masked by mask_text, share of ordinary sentences changed."""
    from assistant.privacy.masking import mask_text
    from eval.pii import PII_DATA, TARGET_CHANGED, TARGET_MASKED, evaluate_pii, read_pii_set

    data_path = data_path or PII_DATA
    try:
        sentences = read_pii_set(data_path)
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"{data_path}: {exc}") from None
    start = time.perf_counter()
    mask_text("我叫陈晓明")  # loads jieba, the surname list and cpca's divisions once
    load_s = time.perf_counter() - start
    parts = dict.fromkeys(s.part for s in sentences)  # as the file names them, in its order
    reports = [evaluate_pii(sentences, mask_text, part) for part in (*parts, "all")]
    reports = [r for r in reports if r.sentences]
    if as_json:
        click.echo(json.dumps({"load_s": round(load_s, 2), "parts": [r.to_dict(errors) for r in reports]},
                              ensure_ascii=False, indent=1))
        return
    click.echo(f"{data_path.name}: {reports[-1].sentences} sentences; targets: ≥ {TARGET_MASKED:.0%} of names and "
               f"of addresses masked, ≤ {TARGET_CHANGED:.0%} of ordinary sentences changed (first call {load_s:.1f} s)")
    for r in reports:
        mark = "✓" if r.meets_targets else "✗"
        click.echo(f"  {mark} {r.part:<11} names {r.names_masked}/{r.names} ({r.name_rate:.1%})  "
                   f"addresses {r.addresses_masked}/{r.addresses} ({r.address_rate:.1%})  "
                   f"ordinary changed {r.ordinary_changed}/{r.ordinary} ({r.changed_rate:.1%})  "
                   f"mask_text p50 {r.ms_p50:.2f} ms p95 {r.ms_p95:.2f} ms")
    for miss in reports[-1].misses if errors else []:
        click.echo(f"      ✗ {miss}")
    if sweep:
        from assistant.privacy.free_text_pii import mask_names_and_addresses
        from eval.pii import project_strings

        texts = project_strings(Path(__file__).resolve().parents[1])
        changed = [(t, m) for t in texts if (m := mask_names_and_addresses(t)) != t]
        click.echo(f"project strings: {len(changed)} of {len(texts)} changed by the name and address step")
        for text, masked in changed:
            click.echo(f"      {text[:60]} → {masked[:60]}")
