"""`govassist bench …`: latency, HTTP throughput with several workers, memory and start-up (docs/BENCHMARKS.md)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import load_kb, load_router, services
from cli.evaluate import ROUTING_DEV
from settings import Settings

if TYPE_CHECKING:
    from eval.load_schedule import Arrivals


def _levels(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    try:
        levels = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter("a comma-separated list of numbers, e.g. 1,10,50,200") from None
    if not levels or min(levels) < 1:
        raise click.BadParameter("each level must be at least 1")
    return levels


workers_option = click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
                              help="uvicorn worker processes.")
database_option = click.option(
    "--database-url", default=None,
    help="A PostgreSQL server (postgresql://…): the run uses a private schema in it, dropped afterwards. "
         "Default: SQLite in a fresh data directory.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@click.group()
def bench() -> None:
    """Measure speed and scale. Servers run on a fresh data directory that reuses the trained encoder and index."""


def _trained(settings: Settings):
    """The router (trained and indexed in the data directory if need be) and the forms citizens will fill."""
    from eval.load_citizen import starting_subjects

    router = load_router(settings)
    return router, starting_subjects(load_kb(settings), router)


@bench.command("inprocess")
@click.option("--turns", default=1000, show_default=True, type=click.IntRange(50), help="Dialogue turns to time.")
@database_option
@json_option
@click.pass_obj
def inprocess(settings: Settings, turns: int, database_url: str | None, as_json: bool) -> None:
    """Latency of normalise / encode / search / route / a whole turn, and turns per second (one thread)."""
    from eval.bench_db import fresh_database
    from eval.bench_inprocess import bench_inprocess
    from eval.bench_stats import table
    from eval.dataset import read_routing_file

    router, subjects = _trained(settings)
    queries = [row.query for row in read_routing_file(ROUTING_DEV)]
    with tempfile.TemporaryDirectory(prefix="govassist-bench-") as scratch, fresh_database(database_url) as url:
        fresh = settings.model_copy(update={"data_dir": Path(scratch), "database_url": url})
        report = bench_inprocess(services(fresh, kb=load_kb(settings), router=router).assistant, router, subjects, queries, turns)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    rows = [(name, lat.n, lat.p50_ms, lat.p95_ms, lat.p99_ms) for name, lat in report.latency.items()]
    click.echo(table(("stage", "n", "p50 ms", "p95 ms", "p99 ms"), rows))
    database = "PostgreSQL" if database_url else "SQLite"
    click.echo(f"\n{report.turns} turns through Assistant.handle on {database}: {report.turns_per_s:.1f} turns/s (one thread), "
               f"{report.cpu_ms_per_turn:.1f} ms CPU a turn; stages timed on {report.messages} distinct messages")


@bench.command("http")
@workers_option
@click.option("--concurrency", default="1,10,50,200", show_default=True, callback=_levels,
              help="Concurrent sessions, one run per level.")
@click.option("--turns", default=20, show_default=True, type=click.IntRange(1), help="Turns per session.")
@click.option("--min-turns", default=200, show_default=True, type=click.IntRange(1),
              help="At least this many turns per level (more sessions than the level when it is small).")
@click.option("--rate", default=None, type=click.FloatRange(min=0, min_open=True),
              help="Open loop: offer this many turns/s over the concurrent sessions, each sending on its own "
                   "schedule; latency counts from when a turn was due. Default: closed loop (the most turns/s).")
@click.option("--arrivals", default="poisson", show_default=True, type=click.Choice(["poisson", "fixed"]),
              help="Open loop: a session's turns due at random (Poisson) or even intervals.")
@database_option
@json_option
@click.pass_obj
def http(settings: Settings, workers: int, concurrency: list[int], turns: int, min_turns: int, rate: float | None,
         arrivals: Arrivals, database_url: str | None, as_json: bool) -> None:
    """Turns per second, latency, errors and cross-talk of concurrent multi-turn sessions over POST /api/chat."""
    from eval.bench_http import bench_http
    from eval.bench_stats import table

    _, subjects = _trained(settings)
    report = bench_http(settings, settings.data_dir, subjects, workers, concurrency, turns, min_turns, database_url,
                        rate, arrivals)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return
    loop = "closed loop" if rate is None else f"open loop, {rate:g} turns/s offered ({arrivals})"
    click.echo(f"{workers} worker(s), {report.database}, ready in {report.ready_s:.1f} s; {turns} turns per session; {loop}")
    rows = [(r.concurrency, r.sessions, r.turns, f"{r.turns_per_s:.1f}", r.latency.p50_ms, r.latency.p95_ms,
             r.latency.p99_ms, len(r.errors), len(r.crosstalk), f"{level.cpu_ms_per_turn(level.server_cpu_s):.1f}",
             f"{level.cpu_ms_per_turn(level.client_cpu_s):.1f}") for level in report.levels for r in [level.load]]
    click.echo(table(("concurrent", "sessions", "turns", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors", "cross-talk",
                      "server CPU ms/turn", "client CPU ms/turn"), rows))
    if rate is not None:
        due = ", ".join(f"{r.turns / r.scheduled_s:.1f}" for r in (level.load for level in report.levels) if r.scheduled_s)
        click.echo(f"turns/s as scheduled (what a finite random schedule offered; turns/s above is what was served): {due}")
    for level in report.levels:
        for problem in (level.load.errors + level.load.crosstalk)[:5]:
            click.echo(f"  ✗ {problem}")


@bench.command("memory")
@workers_option
@click.option("--turns", default=10_000, show_default=True, type=click.IntRange(100))
@click.option("--steps", default=5, show_default=True, type=click.IntRange(1), help="Memory samples during the load.")
@click.option("--concurrency", default=20, show_default=True, type=click.IntRange(1))
@database_option
@json_option
@click.pass_obj
def memory(settings: Settings, workers: int, turns: int, steps: int, concurrency: int, database_url: str | None,
           as_json: bool) -> None:
    """Server memory (RSS and PSS, Linux /proc) after start and while serving many turns: does it grow?"""
    from eval.bench_http import bench_memory, mb
    from eval.bench_stats import table

    _, subjects = _trained(settings)
    report = bench_memory(settings, settings.data_dir, subjects, workers, turns, steps, concurrency, database_url)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    click.echo(f"{workers} worker(s), {report.database}; RSS counts shared library pages once per process, PSS shares them")
    rows = [(s.turns, mb(s.rss), mb(s.pss), " ".join(f"{mb(m.rss)}" for m in s.processes.values())) for s in report.samples]
    click.echo(table(("turns served", "RSS MB (all)", "PSS MB (all)", "RSS MB per process"), rows))
    data = report.to_dict()
    click.echo(f"errors {data['errors']}, cross-talk {data['crosstalk']}")


@bench.command("startup")
@workers_option
@json_option
@click.pass_obj
def startup(settings: Settings, workers: int, as_json: bool) -> None:
    """Router ready in a new process, index build time, and a server ready with and without a built index."""
    from eval.bench_startup import bench_startup
    from eval.bench_stats import table

    load_router(settings)  # trains the encoder first if this data directory has none
    report = bench_startup(settings, workers)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    rows = [
        ("router ready in a new process (index built)", f"{report.router_ready_s:.1f} s"),
        (f"index build ({report.documents} documents, in-process)", f"{report.index_build_s:.1f} s"),
        (f"server ready, {workers} worker(s), index built", f"{report.server_ready_built_s:.1f} s"),
        (f"server ready, {workers} worker(s), no index (one builds, the others wait)",
         f"{report.server_ready_unbuilt_s:.1f} s ({report.indexes_after_unbuilt} index written)"),
    ]
    click.echo(table(("what", "time"), rows))
