"""Headers and exposure: the strict Content-Security-Policy, no `Server` banner from gunicorn, templates free of
anything the policy would block, and the API schema and docs only for staff who use the API."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from shequ.accounts import services as accounts_services
from shequ.accounts.tests.factories import staff
from shequ.core.csp import tile_image_sources
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree
from shequ.web.management.commands.serve import GUNICORN_CONFIG

SRC = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def _policy(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


# --- the policy -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_the_strict_policy(client):
    """The login page, a 404 and a static file all carry the same policy: no 'unsafe-inline', no 'unsafe-eval'."""
    for path in [reverse("accounts:login"), "/no-such-page/", "/static/shequ/behaviours.js"]:
        response = client.get(path)
        assert _policy(response["Content-Security-Policy"]) == POLICY, path
        assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("tile_url", "sources"),
    [
        ("", []),
        ("  ", []),
        ("https://tiles.gov.example/{z}/{x}/{y}.png", ["https://tiles.gov.example"]),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", ["https://*.tile.example.org"]),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", ["http://10.1.2.3:8080"]),
    ],
)
def test_the_tile_server_origin_is_added_to_img_src(tile_url, sources):
    """SHEQU_TILE_URL's origin becomes an img-src source; Leaflet's `{s}` subdomain becomes the wildcard label."""
    assert tile_image_sources(tile_url) == sources


def test_a_placeholder_deeper_in_the_host_is_refused():
    """CSP cannot express `a.{s}.example.org`: the setting is refused rather than silently widened."""
    with pytest.raises(ValueError, match="leftmost host label"):
        tile_image_sources("https://a.{s}.example.org/{z}/{x}/{y}.png")


# Inline script bodies, event-handler attributes, inline styles and javascript: URLs, which the policy blocks.
BLOCKED = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>"), "inline <script>"),
    (re.compile(r"<style\b"), "<style> block"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event-handler attribute"),
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
    (re.compile(r"\shx-on"), "hx-on attribute (evaluated by htmx)"),
    (re.compile(r"""\sx-data\s*=\s*["']\s*\{"""), "Alpine object literal (the CSP build cannot evaluate it)"),
]


def test_no_template_holds_what_the_policy_blocks():
    """Every project template is free of inline script, handlers, styles, `javascript:` URLs, hx-on and Alpine
    expressions (the behaviour lives in static files), so the strict policy blocks nothing the pages need."""
    found = []
    for template in sorted(SRC.glob("shequ/*/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in BLOCKED:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(SRC)}:{line}: {what}")
    assert found == []


# --- no Server banner, through a real gunicorn ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_with_the_serve_config_sends_no_server_header_and_the_policy():
    """gunicorn started with `shequ serve`'s config answers without a `Server` header, with the CSP header.

    The app is Django's plain WSGI handler (the project's wsgi module also checks the keyrings against the
    database at boot); a 404 page needs no database.
    """
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="shequ.config.settings.test")
    argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "django.core.wsgi:get_wsgi_application()"]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [*argv, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/no-such-page/")
                response = conn.getresponse()
                response.read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        headers = {k.lower(): v for k, v in response.getheaders()}
        assert response.status == 404
        assert "server" not in headers
        assert _policy(headers["content-security-policy"]) == POLICY
    finally:
        proc.terminate()
        proc.wait(timeout=15)


# --- API schema and docs ------------------------------------------------------------------------------------------


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/", "/api/docs/?script="])
def test_schema_and_docs_are_404_for_anyone_who_does_not_use_the_api(client, tree, path):
    """Anonymous callers and signed-in staff without an API token get the 404 of a missing page; no audit row."""
    before = AuditRecord.objects.count()
    assert client.get(path).status_code == 404
    client.force_login(staff("community_worker", tree["c1"], username="no-api"))
    assert client.get(path).status_code == 404
    assert AuditRecord.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_schema_and_docs_answer_staff_who_use_the_api(client, tree, path):
    """A district officer to whom a token was issued reads both, over its browser session or with the token."""
    user = staff("district_officer", tree["district"], username="api-user")
    key, _ = accounts_services.token_issue(actor=user)
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client.force_login(user)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_the_menu_offers_api_docs_only_to_staff_who_use_the_api(client, tree):
    """The workbench menu lists API 文档 once a token was issued to a district officer, not before."""
    user = staff("district_officer", tree["district"], username="menu-user")
    client.force_login(user)
    assert reverse("api-docs") not in client.get(reverse("web:home")).content.decode()
    accounts_services.token_issue(actor=user)
    assert f'href="{reverse("api-docs")}"' in client.get(reverse("web:home")).content.decode()
