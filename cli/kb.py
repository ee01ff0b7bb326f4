"""`govassist kb …`: check, list, show and import the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import load_kb
from cli.wording import cli_wording
from knowledge.base import check_knowledge_base, load_knowledge_base
from knowledge.gd_catalogue import SOURCE as GD_SOURCE
from knowledge.gd_catalogue import CatalogueImportError, parse_gd_catalogue
from knowledge.imported import write_source
from knowledge.render import render_guide
from settings import Settings


@click.group()
def kb() -> None:
    """The knowledge base: service guides, bundles and policies."""


@kb.command("check")
@click.option("--catalogue", type=click.Path(path_type=Path), help="Shared catalogue to compare ids with.")
@click.pass_obj
def check(settings: Settings, catalogue: Path | None) -> None:
    """Validate every file; exit 1 naming file and field of each fault."""
    catalogue_path = catalogue or settings.catalogue_path
    if catalogue is not None and not catalogue.is_file():
        raise click.ClickException(f"catalogue not found: {catalogue}")
    faults, compared = check_knowledge_base(settings.kb_dir, catalogue_path)
    for fault in faults:
        click.echo(str(fault), err=True)
    if not compared:
        click.echo(f"note: catalogue {catalogue_path} not found; ids were not compared with it", err=True)
    if faults:
        raise click.ClickException(f"{len(faults)} fault(s) in {settings.kb_dir}")
    kb_ = load_knowledge_base(settings.kb_dir)
    click.echo(
        f"ok: {len(kb_.services)} services, {len(kb_.bundles)} bundles, {len(kb_.policies)} policies"
        + (f", {len(kb_.eligibility.offers)} eligibility rules" if kb_.eligibility else "")
        + (" (all catalogue ids present)" if compared else "")
    )


@kb.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def list_(settings: Settings, as_json: bool) -> None:
    """List services (own and imported) and bundles."""
    kb_ = load_kb(settings)
    services = [
        {"id": s.id, "name": s.name, "kind": s.kind.value, "dept": s.dept} for s in kb_.services.values()
    ] + [
        {"id": i.id, "name": i.name, "kind": i.kind, "dept": i.dept, "source": i.source} for i in kb_.imported.values()
    ]
    bundles = [{"id": b.id, "name": b.name, "services": list(b.services)} for b in kb_.bundles.values()]
    if as_json:
        click.echo(json.dumps({"services": services, "bundles": bundles}, ensure_ascii=False, indent=1))
        return
    for s in services:
        click.echo(f"{s['id']:<34} {s['kind']:<7} {s['dept']:<16} {s['name']}")
    for b in bundles:
        click.echo(f"{b['id']:<34} {'bundle':<7} {'':<16} {b['name']} ({', '.join(b['services'])})")


@kb.command("show")
@click.argument("item_id")
@click.pass_obj
def show(settings: Settings, item_id: str) -> None:
    """Print a guide, bundle or policy as a citizen would read it."""
    kb_ = load_kb(settings)
    item = kb_.find(item_id)
    if item is None:
        raise click.ClickException(cli_wording()("kb_item_not_found", item_id=item_id))
    click.echo(render_guide(kb_, item), nl=False)


@kb.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gd-catalogue"]), required=True, help="Format of the file.")
@click.pass_obj
def import_(settings: Settings, path: Path, fmt: str) -> None:
    """Import an external catalogue into the data directory (replacing an earlier import)."""
    try:
        report = parse_gd_catalogue(path)
    except CatalogueImportError as exc:
        raise click.ClickException(str(exc)) from None
    target = write_source(settings.sources_dir, GD_SOURCE, report.items)
    click.echo(f"imported {len(report.items)} items from {path} into {target} ({report.duplicates} duplicate codes skipped)")
