"""`govassist serve`: run the web app and API."""

from __future__ import annotations

import multiprocessing
import os

import click

from settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--graceful-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0),
              help="On SIGTERM or Ctrl-C: seconds to let requests in flight finish before closing.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes; several share one database (PostgreSQL; docs/deploy.md) and one encryption key.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, graceful_timeout: float, workers: int) -> None:
    """Serve the assistant over HTTP.

    SIGTERM stops it gracefully: no new connections, requests in flight finish (up to
    --graceful-timeout), then the database is closed. A conversation is saved after every turn, so
    even a hard kill loses at most the turn being answered (docs/security.md, "Reliability").
    """
    import uvicorn

    from cli.common import services
    from server import create_app
    from web.workers import APP, PROTOCOL
    from web.workers import serve as workers_serve

    # Before anything loads: SQLite is upgraded, PostgreSQL made if empty, or the start refused in one line.
    parts = services(settings)
    parts.prepare("database")
    parts.close()
    if workers == 1:
        router = parts.router  # trains and indexes on the first run, with progress shown
        click.echo(f"serving on http://{host}:{port}", err=True)
        uvicorn.run(create_app(settings, router=router), host=host, port=port, timeout_graceful_shutdown=graceful_timeout,  # type: ignore[arg-type]  # uvicorn waits a float too
                    **PROTOCOL)
        return
    # Train and index once, in a process that then exits: the supervisor stays small and no worker builds.
    prepare = multiprocessing.get_context("spawn").Process(target=prepare_router, args=(settings,))
    prepare.start()
    prepare.join()
    if prepare.exitcode != 0:
        raise SystemExit(prepare.exitcode or 1)  # the child said why, in one line
    # Each worker builds its app from GOVASSIST_* variables: this command's options go to them that way.
    os.environ |= {"GOVASSIST_DATA_DIR": str(settings.data_dir), "GOVASSIST_KB_DIR": str(settings.kb_dir)}
    click.echo(f"serving on http://{host}:{port} with {workers} workers", err=True)
    workers_serve(uvicorn.Config(APP, factory=True, workers=workers, host=host, port=port,
                                 timeout_graceful_shutdown=graceful_timeout, **PROTOCOL))  # type: ignore[arg-type]  # uvicorn waits a float too


def prepare_router(settings: Settings) -> None:
    """In a child process: train and index if need be. A router that cannot load (a pretrained model that
    is missing or damaged) is said in one line with its fix, as with one worker, not as a traceback."""
    from cli.common import services

    try:
        services(settings).prepare("router")
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
