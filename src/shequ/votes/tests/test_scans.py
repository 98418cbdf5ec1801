"""Ballot scans are kept for good, so a key rotation re-seals them: `drop-old` then succeeds and they still open."""

import pytest

from shequ.core import crypto
from shequ.core.crypto import Keyring, new_key
from shequ.core.keyring import keyring_rotate, old_key_residue
from shequ.votes import scans
from shequ.votes.models import Scan

from .factories import opened, scan, vote_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def ring(tmp_path, settings):
    """A keyring in a file (so a rotation can rewrite it), in place before any personal data is written."""
    path = tmp_path / "ring.json"
    crypto.write_keyring_file(Keyring("k1", {"k1": new_key("k1", "aes256gcm-hmacsha256")}), path)
    settings.SHEQU_PII_KEYRING, settings.SHEQU_PII_KEY_FILE = "", str(path)
    crypto.forget_cached_keyring()
    yield path
    crypto.forget_cached_keyring()


@pytest.fixture
def w(clock, ring):
    return vote_world()


@pytest.fixture
def vote(w):
    return opened(w)


def test_rotation_reseals_the_scans_and_the_old_key_can_go(w, vote):
    stored = scans.store_scan(vote=vote, scan=scans.clean_scan(scan()), uploaded_by=w["cw1"])
    before = scans.scan_content(stored)
    assert scans.stored_scans()[0].read_bytes().startswith(b"k1$")
    report = keyring_rotate(drop_old=True)
    assert report.rewritten["votes.scans"] == 1 and report.dropped_old
    assert old_key_residue(crypto.load_keyring()) == {}
    assert scans.stored_scans()[0].read_bytes().startswith(b"k2$")
    assert scans.scan_content(Scan.objects.get(pk=stored.pk)) == before
