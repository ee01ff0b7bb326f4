"""`govassist bench index`: the dense index at a size far beyond the knowledge base, on synthetic vectors."""

from __future__ import annotations

import json

import click

from intents.training import TrainConfig


@click.command("index")
@click.option("--size", default=1_000_000, show_default=True, type=click.IntRange(100), help="Corpus vectors.")
@click.option("--dim", default=TrainConfig().embedding_dim, show_default=True, type=click.IntRange(8),
              help="Vector dimension (default: the embedded encoder's).")
@click.option("--queries", default=1000, show_default=True, type=click.IntRange(10), help="Queries timed and scored.")
@click.option("--kind", type=click.Choice(["auto", "flat", "hnsw", "ivfpq"]), default="auto", show_default=True,
              help="Index kind: chosen by size (auto), or forced to compare kinds at one size.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def index(size: int, dim: int, queries: int, kind: str, seed: int, as_json: bool) -> None:
    """Build time, memory, single-query p50/p95 and recall@10 against exact search."""
    from eval.bench_index import bench_index
    from intents.dense import IndexKind

    click.echo(f"generating {size:,} clustered {dim}-d vectors and {queries} queries…", err=True)
    report = bench_index(size, dim, queries, None if kind == "auto" else IndexKind(kind), seed=seed)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    plan = report.plan
    params = ", ".join(f"{k}={v}" for k, v in plan.items() if v and k not in ("kind", "dim", "size"))
    click.echo(f"{plan['kind']} index of {size:,} × {dim}-d vectors ({params or 'exact'})")
    click.echo(f"  build {report.build_s:.1f} s   (data {report.generate_s:.1f} s, exact top-10 of all queries {report.exact_s:.1f} s)")
    click.echo(f"  memory: index {report.index_bytes / 2**20:.0f} MiB on disk, RSS {report.rss_before_mib:.0f} → {report.rss_mib:.0f} MiB "
               f"with the corpus, peak {report.peak_rss_mib:.0f} MiB; loads in {report.load_s:.2f} s")
    click.echo(f"  single query (one thread): p50 {report.search_p50_ms:.2f} ms  p95 {report.search_p95_ms:.2f} ms"
               f"   (exact search p50 {report.exact_p50_ms:.1f} ms)")
    click.echo(f"  recall@10 against exact search: {report.recall_at_10:.4f} over {queries} queries"
               f"; read back from disk: {'same results' if report.loaded_agrees else 'DIFFERENT results'}")
