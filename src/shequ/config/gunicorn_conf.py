"""Gunicorn configuration module used by `shequ serve` (``--config python:shequ.config.gunicorn_conf``).

It takes the ``Server: gunicorn`` banner off every response: gunicorn has no setting for it, and the banner only
tells a scanner which server to probe. The config module is executed in the master before the workers fork,
so the patch holds in every worker. Behind nginx, also set ``server_tokens off`` (docs/tls.md).
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]
