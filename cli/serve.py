"""`govassist serve`: run the web app and API."""

from __future__ import annotations

import click

from settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the assistant over HTTP."""
    import uvicorn

    from cli.common import load_router
    from server import create_app

    router = load_router(settings)  # trains and indexes on the first run, with progress shown
    click.echo(f"serving on http://{host}:{port}", err=True)
    uvicorn.run(create_app(settings, router=router), host=host, port=port)
