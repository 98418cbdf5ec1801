"""The client address used for rate limits and audit cannot be forged through X-Forwarded-For."""

from django.test import RequestFactory

from shequ.core.middleware import client_ip


def test_forwarded_header_ignored_without_trusted_proxy(settings):
    """With no trusted proxy configured, only REMOTE_ADDR counts."""
    settings.SHEQU_TRUSTED_PROXY_HOPS = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.9")
    assert client_ip(request) == "10.0.0.9"


def test_one_trusted_proxy_takes_the_rightmost_address(settings):
    """Behind one proxy the client is the last address the proxy appended; a forged left part is ignored."""
    settings.SHEQU_TRUSTED_PROXY_HOPS = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 172.16.0.5", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "172.16.0.5"
