"""The ASGI application: routes, read-only connections, security headers, errors.

Starlette runs the (synchronous) handlers in its thread pool. Each thread reads through its own
SQLite connection, opened read-only (URI ``mode=ro`` plus ``PRAGMA query_only``): sqlite3 connections
are not shared between threads, and WAL mode lets any number of readers run beside an ingest that is
writing. Downloads, which stream row by row over many thread hops, get a connection of their own.

Every response carries the security headers of :data:`SECURITY_HEADERS`. The pages need no inline
script or style, so the content security policy allows only this server's own files.

Before any route runs, :class:`RequestGuard` answers 400 to a request whose ``Host`` header is not
one the server was started for (a page on another site reaching a loopback server through DNS
rebinding names its own domain there) and to one with a NUL character in its path or parameters
(no text in the store holds one, and SQLite's full-text parser cannot take one).
"""

from __future__ import annotations

import ipaddress
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import unquote_plus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onrecord.query import NotFoundError, QueryError
from onrecord.query.quotes import QuoteFilter
from onrecord.query.stats import fingerprint, search_sql
from onrecord.store import StoreError, open_store

HERE = Path(__file__).resolve().parent
API_PREFIX = "/api/v1"
#: How long a connection waits for an ingest's write lock to clear (WAL readers rarely wait at all).
BUSY_TIMEOUT_MS = 5_000
#: Memory-mapped reads: the pages of a large store are read without a copy per connection.
MMAP_BYTES = 256 * 1024 * 1024
#: Cached statistics (overview, sources, person summaries) and cached search SQL kept at once; each
#: cache is emptied when it is full.
CACHE_ENTRIES = 256
SQL_CACHE_ENTRIES = 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


def connect_readonly(path: str) -> sqlite3.Connection:
    """A connection that cannot write: SQLite's read-only mode, and query_only on top of it."""
    uri = "file:" + url_quote(str(Path(path).resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


class Reader:
    """One read-only connection per thread, and a small cache of statistics keyed on the store's
    :func:`~onrecord.query.stats.fingerprint` (an ingest running beside the server shows at once)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._cache: dict[tuple[Any, ...], tuple[tuple[int, ...], Any]] = {}
        self._sql: dict[Any, tuple[tuple[int, ...], tuple[str, list[Any]]]] = {}

    @property
    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_readonly(self.path)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def cached(self, key: tuple[Any, ...], compute: Callable[[sqlite3.Connection], Any]) -> Any:
        """``compute(connection)``, or its value from the cache while the store is unchanged."""
        conn = self.connection
        stamp = fingerprint(conn)
        hit = self._cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = compute(conn)
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.clear()
        self._cache[key] = (stamp, value)
        return value

    def search_sql(self, query: QuoteFilter) -> tuple[str, list[Any]]:
        """:func:`~onrecord.query.stats.search_sql` of ``query``, kept while the store is unchanged
        (a speaker search repeated, or paged through, matches the name against the store's once)."""
        conn = self.connection
        key = replace(query, order="stored", limit=None, offset=0)
        stamp = fingerprint(conn)
        hit = self._sql.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        built = search_sql(conn, key)
        if len(self._sql) >= SQL_CACHE_ENTRIES:
            self._sql.clear()
        self._sql[key] = (stamp, built)
        return built

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()


class SecurityHeaders:
    """ASGI middleware that adds :data:`SECURITY_HEADERS` to every response (errors and files too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: Host names a server bound to a loopback address answers to (and every loopback address).
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
#: ``--allowed-host`` value that turns the Host check off (behind a proxy that checks it).
ANY_HOST = "*"


def host_name(header: str) -> str:
    """The name in a Host header, without its port, brackets, trailing dot or case."""
    host = header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


class HostCheck:
    """Which Host headers are accepted. ``names`` as given to :func:`allowed_hosts`; the loopback
    names and addresses when ``loopback``; with ``any_address``, any IP address (a client that asks
    for an address cannot be a page of another site through DNS rebinding, which needs a name)."""

    def __init__(self, names: Iterable[str], *, loopback: bool, any_address: bool) -> None:
        self.names = frozenset(host_name(n) for n in names)
        self.loopback = loopback
        self.any_address = any_address
        self.anything = ANY_HOST in self.names

    def allows(self, header: str) -> bool:
        name = host_name(header)
        if self.anything or name in self.names:
            return True
        address = _ip(name)
        if address is not None:
            return self.any_address or (self.loopback and address.is_loopback)
        return self.loopback and name in LOOPBACK_NAMES

    def describe(self) -> str:
        parts = sorted(self.names)
        if self.loopback:
            parts = ["localhost", "loopback addresses", *parts]
        if self.any_address:
            parts.append("any IP address")
        return ", ".join(parts)


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> HostCheck:
    """The Host check of a server bound to ``bound`` (as given to --host), plus the ``extra`` names.

    Bound to a loopback address or ``localhost``: loopback names and addresses only. Bound to every
    address (``0.0.0.0``, ``::``): those, this machine's host names and any IP address. Bound to one
    address or name: that one (and loopback, when it is loopback).
    """
    import socket

    name = host_name(bound)
    address = _ip(name)
    if name in LOOPBACK_NAMES or (address is not None and address.is_loopback):
        return HostCheck([name, *extra], loopback=True, any_address=False)
    if address is not None and address.is_unspecified:
        names = {socket.gethostname(), socket.getfqdn()}
        return HostCheck([*names, *extra], loopback=True, any_address=True)
    return HostCheck([name, *extra], loopback=False, any_address=False)


class RequestGuard:
    """ASGI middleware that answers 400, before any route, to a request with a Host header that
    ``hosts`` does not allow (None: no check) or with a NUL character in its path or query."""

    def __init__(self, app: ASGIApp, hosts: HostCheck | None = None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        code, title, message = problem
        request = Request(scope)
        if is_api(request) or code == "bad_host":
            response: Response = error_json(400, code, message)
        else:
            from onrecord.web.pages import error_page

            response = error_page(request, 400, title, message)
        await response(scope, receive, send)

    def _problem(self, scope: Scope) -> tuple[str, str, str] | None:
        if self.hosts is not None:
            for name, value in scope.get("headers", []):
                if name == b"host":
                    host = value.decode("latin-1")
                    if not self.hosts.allows(host):
                        return (
                            "bad_host",
                            "Unknown host",
                            f"this server does not answer to the host {host!r} (it answers to "
                            f"{self.hosts.describe()}); start it with `--allowed-host "
                            f"{host_name(host) or 'NAME'}` to add a name",
                        )
                    break
        query = scope.get("query_string", b"").decode("latin-1")
        if "\x00" in scope.get("path", "") or "\x00" in unquote_plus(query):
            return (
                "bad_parameter",
                "That search cannot be run",
                "the request holds a NUL character (%00), which no text in the store holds; remove it",
            )
        return None


def check_store(path: str) -> dict[str, int]:
    """Open the store once as the server will (read-only, current schema) and return its counts; a
    StoreError that names the file and says what to do when it is missing or not an onrecord store."""
    if not Path(path).is_file():
        raise StoreError(f"no store at {path}; build one first with `onrecord ingest INPUT... --db {path}`")
    store = open_store(path, readonly=True)
    try:
        return store.counts()
    finally:
        store.close()


def create_app(
    db_path: str | Path, *, hosts: HostCheck | None = None, corrections: bool = False
) -> Starlette:
    """The web app and the API over the store at ``db_path`` (checked now; StoreError if unusable).

    ``hosts``: the Host headers to answer (:func:`allowed_hosts`); None answers any (tests, a proxy
    in front). `onrecord serve` always passes one. ``corrections``: whether ``POST
    /api/v1/corrections`` may write corrections to the store (`onrecord serve --allow-corrections`);
    off, the server never writes.
    """
    from onrecord.web import api, pages

    path = str(db_path)
    check_store(path)
    reader = Reader(path)
    routes = [
        *api.routes(),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        *pages.routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            QueryError: _bad_request,
            NotFoundError: _not_found,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        middleware=[Middleware(SecurityHeaders), Middleware(RequestGuard, hosts=hosts)],
        lifespan=_lifespan(reader),
    )
    app.state.reader = reader
    app.state.db_path = path
    app.state.corrections = corrections
    return app


#: Where `onrecord serve --workers N` tells its worker processes which store to serve, the address it
#: is bound to and the names added with --allowed-host (separated by commas).
DB_ENVIRONMENT = "ONRECORD_SERVE_DB"
BOUND_ENVIRONMENT = "ONRECORD_SERVE_BOUND"
HOSTS_ENVIRONMENT = "ONRECORD_SERVE_ALLOWED_HOSTS"
#: Set to 1 by `onrecord serve --allow-corrections`: the workers accept corrections over the API.
CORRECTIONS_ENVIRONMENT = "ONRECORD_SERVE_CORRECTIONS"


def app_from_environment() -> Starlette:
    """The app over the store named by $ONRECORD_SERVE_DB: the factory each uvicorn worker calls.
    The Host check is that of the address in $ONRECORD_SERVE_BOUND (loopback when unset)."""
    path = os.environ.get(DB_ENVIRONMENT)
    if not path:
        raise StoreError(f"${DB_ENVIRONMENT} is not set; run the server with `onrecord serve --db FILE`")
    extra = [h for h in os.environ.get(HOSTS_ENVIRONMENT, "").split(",") if h]
    hosts = allowed_hosts(os.environ.get(BOUND_ENVIRONMENT, "127.0.0.1"), extra)
    return create_app(path, hosts=hosts, corrections=os.environ.get(CORRECTIONS_ENVIRONMENT) == "1")


def _lifespan(reader: Reader) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        reader.close()

    return lifespan


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def error_json(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "code": code, "message": message, **extra}}, status)


async def _bad_request(request: Request, exc: Exception) -> Response:
    if is_api(request):
        return error_json(400, "bad_parameter", str(exc))
    from onrecord.web.pages import error_page

    return error_page(request, 400, "That search cannot be run", str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    suggestions = getattr(exc, "suggestions", [])
    if is_api(request):
        return error_json(404, "not_found", str(exc), suggestions=suggestions)
    from onrecord.web.pages import error_page

    return error_page(request, 404, "Not in the record", str(exc), suggestions=suggestions)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        message = f"no page at {request.url.path}"
    elif status == 405:
        message = (
            f"{request.method} is not allowed here: the record is read with GET "
            f"(corrections: POST {API_PREFIX}/corrections)"
        )
    else:
        message = str(exc.detail)
    if is_api(request):
        response: Response = error_json(status, _CODES.get(status, "error"), message)
    else:
        from onrecord.web.pages import error_page

        response = error_page(request, status, _TITLES.get(status, "Error"), message)
    response.headers.update(headers)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StoreError | sqlite3.Error):
        message = f"the store could not be read: {exc}"
    else:
        message = "an unexpected error; the server log has the details"
    if is_api(request):
        response: Response = error_json(500, "server_error", message)
    else:
        from onrecord.web.pages import error_page

        response = error_page(request, 500, "Something went wrong", message)
    # Starlette answers a 500 outside the user middleware: the headers are added here.
    for name, value in SECURITY_HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


_CODES = {404: "not_found", 405: "method_not_allowed"}
_TITLES = {404: "Page not found", 405: "Read-only"}
