"""The web app and the REST API (`onrecord serve`): thin over :mod:`onrecord.query`, read-only.

``create_app(db_path)`` returns the ASGI application; ``onrecord serve --db news.db`` runs it under
uvicorn. Pages: ``/`` (overview), ``/search``, ``/people``, ``/person/{id}``, ``/article/{id}``; the
API is under ``/api/v1`` (described at ``/api/v1/openapi.json`` and ``/api/v1/docs``). docs/web.md
says how it is built and measured.
"""

from __future__ import annotations

from onrecord.web.app import SECURITY_HEADERS, check_store, create_app

__all__ = ["SECURITY_HEADERS", "check_store", "create_app"]
