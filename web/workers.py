"""Several worker processes: uvicorn's supervisor, with a listening socket whose accepted connections
get TCP_NODELAY.

For `--workers N` uvicorn binds the listening socket itself, leaving its `proto` at 0. Accepted
connections inherit that, and asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP, so on
Linux every keep-alive request after the first waits about 40 ms for the client's delayed ACK
(uvicorn issue #3149). Measured here before this module: GET /api/health 1.7 ms with one worker,
44 ms with two. `govassist serve --workers N` and the benchmarks' servers go through `serve`.
"""

from __future__ import annotations

import argparse
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "server:create_app"  # a factory: each worker builds the app from GOVASSIST_* settings
# h11 and asyncio's loop, even where httptools or uvloop are installed: with either, requests already
# sent when SIGTERM came were sometimes reset (tests/test_shutdown.py failed 1 run in 6 with httptools,
# 2 in 8 with uvloop; 0 in 8 with these), though httptools costs less CPU a request.
PROTOCOL: dict[str, Any] = {"http": "h11", "loop": "asyncio"}  # keyword arguments of uvicorn.run and Config


def tcp_listener(config: uvicorn.Config) -> socket.socket:
    """uvicorn's listening socket for config, marked as TCP so that asyncio sets TCP_NODELAY on accepts."""
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


def serve(config: uvicorn.Config) -> None:
    """Serve until stopped: one process for one worker, else uvicorn's supervisor and config.workers workers."""
    if config.workers <= 1:
        uvicorn.Server(config).run()  # asyncio binds host and port itself here, with IPPROTO_TCP
        return
    Multiprocess(config, sockets=[tcp_listener(config)]).run()


def main(argv: list[str] | None = None) -> None:
    """`python -m web.workers --workers N --port P`: the app as deployed, without preparing the router
    first (the benchmarks' servers reuse a built one)."""
    parser = argparse.ArgumentParser(prog="python -m web.workers")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    serve(uvicorn.Config(APP, factory=True, host=args.host, port=args.port, workers=args.workers,
                         log_level=args.log_level, access_log=not args.no_access_log, **PROTOCOL))


if __name__ == "__main__":
    main()
