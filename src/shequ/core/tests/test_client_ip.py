"""The client address used for rate limits and audit cannot be forged through X-Forwarded-For."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from shequ.core.middleware import client_ip


def _request(forwarded: str, peer: str):
    return RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=peer)


def test_forwarded_header_ignored_without_trusted_proxy(settings):
    """With no trusted proxy configured, only REMOTE_ADDR counts."""
    settings.SHEQU_TRUSTED_PROXIES = []
    assert client_ip(_request("1.2.3.4", "10.0.0.9")) == "10.0.0.9"


def test_spoofed_header_from_untrusted_peer_is_ignored(settings):
    """A peer outside SHEQU_TRUSTED_PROXIES is the client, whatever X-Forwarded-For it sends."""
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(_request("1.2.3.4, 10.0.0.7", "198.51.100.20")) == "198.51.100.20"


def test_trusted_cidr_takes_the_rightmost_untrusted_address(settings):
    """Behind trusted proxies the client is the right-most address that is not a proxy; forged hops are ignored."""
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    request = _request("6.6.6.6, 203.0.113.9, 192.0.2.1", "10.0.0.1")
    assert client_ip(request) == "203.0.113.9"


def test_trusted_proxies_accepted_as_comma_separated_text(settings):
    """The setting may be given as one comma-separated string, as in the environment variable."""
    settings.SHEQU_TRUSTED_PROXIES = "10.0.0.1, 2001:db8::/32"
    assert client_ip(_request("203.0.113.9", "2001:db8::5")) == "203.0.113.9"


def test_garbage_in_the_chain_stops_the_walk(settings):
    """A hop that is not an address cannot have been written by a trusted proxy: the last trusted hop is used."""
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("evil, 10.1.1.1", "10.0.0.1")) == "10.1.1.1"


def test_chain_of_only_trusted_proxies_gives_the_leftmost(settings):
    """When every hop is a trusted proxy, the left-most one is as close to the client as can be known."""
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("10.2.2.2, 10.1.1.1", "10.0.0.1")) == "10.2.2.2"


def test_malformed_trusted_proxy_is_a_configuration_error(settings):
    """A typo in SHEQU_TRUSTED_PROXIES stops the service instead of silently trusting nobody."""
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="SHEQU_TRUSTED_PROXIES"):
        client_ip(_request("1.2.3.4", "10.0.0.1"))


def test_old_hop_count_setting_refuses_to_start():
    """SHEQU_TRUSTED_PROXY_HOPS in the environment stops start-up with a message naming the new setting."""
    env = {**os.environ, "SHEQU_TRUSTED_PROXY_HOPS": "1", "DJANGO_SETTINGS_MODULE": "shequ.config.settings.test"}
    script = "import django; django.setup()"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "SHEQU_TRUSTED_PROXY_HOPS is no longer read: set SHEQU_TRUSTED_PROXIES" in out.stderr
