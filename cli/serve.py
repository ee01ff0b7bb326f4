"""`govassist serve`: run the web app and API."""

from __future__ import annotations

import click

from settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--graceful-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0),
              help="On SIGTERM or Ctrl-C: seconds to let requests in flight finish before closing.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, graceful_timeout: float) -> None:
    """Serve the assistant over HTTP.

    SIGTERM stops it gracefully: no new connections, requests in flight finish (up to
    --graceful-timeout), then the database is closed. A conversation is saved after every turn, so
    even a hard kill loses at most the turn being answered (docs/security-reliability.md).
    """
    import uvicorn

    from cli.common import load_router
    from server import create_app

    router = load_router(settings)  # trains and indexes on the first run, with progress shown
    click.echo(f"serving on http://{host}:{port}", err=True)
    uvicorn.run(create_app(settings, router=router), host=host, port=port, timeout_graceful_shutdown=graceful_timeout)
