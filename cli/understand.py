"""`govassist train`, `ask` and `tune`: the understanding pipeline from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import TrainBar, load_kb, load_router, services
from settings import Settings


@click.command()
@click.option("--force", is_flag=True, help="Train again even if a trained copy exists.")
@click.pass_obj
def train(settings: Settings, force: bool) -> None:
    """Train the embedded default encoder from the knowledge base (deterministic, cached) and build its index."""
    from intents.pipeline import ensure_default_encoder, kb_normaliser

    kb = load_kb(settings)
    path = ensure_default_encoder(settings, kb, kb_normaliser(kb), force=force, progress=TrainBar())
    click.echo(f"encoder: {path}")
    router = load_router(settings)  # the index too, so that servers (every worker) start without building it
    click.echo(f"index: {len(router.index.docs)} documents")


@click.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def ask(settings: Settings, text: str, as_json: bool) -> None:
    """Route one message: route, clarify, answer or none."""
    result = services(settings).router.route(text)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(f"{result.decision.value} ({result.confidence:.2f})  ← {result.normalised}")
    for c in result.candidates:
        click.echo(f"  {c.score:.3f}  {c.id:<32} {c.name}")
    if result.answer:
        click.echo(f"  {result.answer.text}\n  —— {result.answer.source}")


@click.command()
@click.option("--data", "data_paths", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True,
              multiple=True, help="Tuning file(s); give several to tune on them together.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write the tuned policy (default: print it).")
@click.option("--rerank-only", is_flag=True,
              help="Keep the policy's fusion weights; fit only the re-ranker, then calibration and thresholds (minutes instead of tens).")
@click.pass_obj
def tune(settings: Settings, data_paths: tuple[Path, ...], output: Path | None, rerank_only: bool) -> None:
    """Tune fusion weights, calibration and thresholds on tuning files (never the dev file).

    With an imported catalogue in the data directory, the dense weight of imported items is tuned
    too; write that policy to intents/data/router_imported.json.
    """
    from eval.dataset import DatasetError, read_routing_file
    from intents.tuning import tune as tune_router

    try:
        rows = [row for path in data_paths for row in read_routing_file(path)]
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    policy, score = tune_router(load_router(settings), rows, rounds=0 if rerank_only else 2, log=lambda m: click.echo(m, err=True))
    names = " + ".join(p.name for p in data_paths)
    click.echo(f"accuracy (with out-of-scope as a class) on {names}: {score:.4f}", err=True)
    if output:
        policy.save(output)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(json.dumps(policy.__dict__, indent=1))
