"""`onrecord serve`: the web app and the REST API over a store, read-only (corrections by hand with
--allow-corrections), under uvicorn.

The socket is bound here, before uvicorn starts, so that a port in use is one clear message (and not
a log line from inside the server); uvicorn then serves on that socket.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from pathlib import Path

import click

#: Loopback only unless told otherwise: the record may hold what its owner has not published.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@click.command()
@click.option(
    "--db",
    "db_path",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="The store (SQLite file) written by `onrecord ingest`; opened read-only.",
)
@click.option(
    "--allow-corrections",
    is_flag=True,
    help="Accept corrections by hand over the API (POST /api/v1/corrections: merge, split, speaker, "
    "undo), written to the store and its log. Off by default: the server never writes. There is no "
    "login: allow them only where everyone who can reach the server may correct the record.",
)
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on. The default is this machine only; 0.0.0.0 opens it to the network.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free port, printed at start).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Server processes sharing the port [one per core]. One process serves 10 clients at about "
    "half the rate of two on two cores (docs/web.md).",
)
@click.option(
    "--allowed-host",
    "allowed_host",
    multiple=True,
    metavar="NAME",
    help="Also answer requests for this host name (repeatable; * answers any). By default the server "
    "answers only to the names of the address it listens on: localhost and loopback addresses on "
    "127.0.0.1; any other Host header gets 400 (a guard against DNS rebinding).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Print one line per request on stdout.",
)
def serve(
    db_path: str,
    allow_corrections: bool,
    host: str,
    port: int,
    workers: int | None,
    allowed_host: tuple[str, ...],
    access_log: bool,
) -> None:
    """Browse and verify the record in a web browser, and query it over HTTP.

    \b
    Pages:  /                 overview: most quoted people, quotations over time, sources
            /search?q=...     quotations by words, speaker, outlet, kind and dates
            /person/ID        roles over time, timeline, outlets, people quoted beside them
            /article/ID       the text with every quotation, cue and speaker marked
    API:    /api/v1/...       JSON, CSV and JSON Lines; documented at /api/v1/docs

    The store is opened read-only (an ingest may run beside the server; new articles show at once);
    with --allow-corrections, POST /api/v1/corrections writes corrections by hand to it.
    Nothing is loaded from the internet: every script, style and font is served from the package.

    \b
    Example:
      onrecord serve --db news.db
      onrecord serve --db news.db --host 0.0.0.0 --port 8080
      onrecord serve --db news.db --host 0.0.0.0 --allowed-host record.example.org
    """
    import uvicorn

    from onrecord.runners.local import available_cores
    from onrecord.store import StoreError
    from onrecord.web import create_app
    from onrecord.web.app import allowed_hosts

    hosts = allowed_hosts(host, allowed_host)
    try:
        app = create_app(db_path, hosts=hosts, corrections=allow_corrections)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    mode = "corrections allowed over the API" if allow_corrections else "read-only"
    click.echo(f"onrecord: serving {db_path} ({mode}) at http://{shown}:{bound_port}/", err=True)
    click.echo(f"  API: http://{shown}:{bound_port}/api/v1 (docs at /api/v1/docs); Ctrl-C stops.", err=True)
    if not _is_loopback(host):
        click.echo(
            f"  warning: listening on {host}: anyone who can reach this machine can read the record "
            "(there is no login)",
            err=True,
        )
    # Requests are logged at info (the access log); without it only warnings and errors are printed.
    log_level = "info" if access_log else "warning"
    if workers is None:
        workers = available_cores()
    if workers == 1:
        config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="on")
        uvicorn.Server(config).run(sockets=[sock])
        return
    # Worker processes build their own app (a Starlette app does not pickle) from the store's path.
    from uvicorn.supervisors import Multiprocess

    from onrecord.web.app import BOUND_ENVIRONMENT, CORRECTIONS_ENVIRONMENT, DB_ENVIRONMENT, HOSTS_ENVIRONMENT

    os.environ[DB_ENVIRONMENT] = str(Path(db_path).resolve())
    os.environ[BOUND_ENVIRONMENT] = host
    os.environ[HOSTS_ENVIRONMENT] = ",".join(allowed_host)
    os.environ[CORRECTIONS_ENVIRONMENT] = "1" if allow_corrections else "0"
    config = uvicorn.Config(
        "onrecord.web.app:app_from_environment",
        factory=True,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
    )
    Multiprocess(config, sockets=[sock]).run()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says TCP. Without it each keep-alive response (headers, then body)
    # waited for the client's delayed ACK: 40 ms per request (measured with `onrecord bench serve`).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is already in use (another `onrecord serve`?); "
                "choose another with --port, or --port 0 for any free one"
            ) from None
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
