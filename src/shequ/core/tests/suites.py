"""Run a test module's personal-data crypto under both cipher suites (the rest of the suite runs on the default).

A module opts in with `pii_suite = suite_fixture()`; the fixture switches SHEQU_PII_KEYRING to a fixed ring of
that suite (key k1) and SHEQU_PII_SUITE to it, so keys made by rotation are of the same suite.
"""

import base64
import json

import pytest

from shequ.core import crypto

SUITES = (crypto.AES_SUITE, crypto.SM4_SUITE)


def fixed_ring_json(suite: str, key_id: str = "k1") -> str:
    """A deterministic one-key ring of `suite` (test data only)."""
    spec = crypto.SUITES[suite]
    enc = (f"test-{suite}-enc-" * 4).encode()[: spec.enc_bytes]
    mac = (f"test-{suite}-mac-" * 4).encode()[: spec.mac_bytes]
    keys = {key_id: {"suite": suite, "enc": base64.b64encode(enc).decode(), "mac": base64.b64encode(mac).decode()}}
    return json.dumps({"version": 2, "active": key_id, "keys": keys})


def suite_fixture():  # type: ignore[no-untyped-def]
    """An autouse fixture, parametrised over both suites, for the module that assigns it."""

    @pytest.fixture(params=SUITES, ids=["aes", "sm4"], autouse=True)
    def pii_suite(request, settings):  # type: ignore[no-untyped-def]
        settings.SHEQU_PII_SUITE = request.param
        if request.param != crypto.AES_SUITE:
            settings.SHEQU_PII_KEYRING = fixed_ring_json(request.param)
        crypto.forget_cached_keyring()
        yield request.param
        crypto.forget_cached_keyring()

    return pii_suite
