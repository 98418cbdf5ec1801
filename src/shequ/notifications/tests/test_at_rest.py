"""The staff mobile for SMS notifications is encrypted at rest and follows key rotation (under both suites)."""

import pytest

from shequ.accounts.tests.factories import staff
from shequ.core import crypto
from shequ.core.keyring import keyring_rotate
from shequ.core.tests.suites import suite_fixture
from shequ.notifications import services
from shequ.notifications.models import Preference
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db
MOBILE = "13987654321"
pii_suite = suite_fixture()


def test_rotation_reencrypts_the_staff_mobile(tmp_path, settings):
    ring_file = tmp_path / "ring.json"
    crypto.write_keyring_file(crypto.load_keyring(), ring_file)
    settings.SHEQU_PII_KEYRING = ""
    settings.SHEQU_PII_KEY_FILE = str(ring_file)
    crypto.forget_cached_keyring()
    try:
        user = staff("community_worker", make_tree()["c1"])
        services.preferences_update(actor=user, email="", mobile=MOBILE, email_topics=[], sms_topics=["deadline"])
        assert Preference.objects.get(user=user).mobile_encrypted.startswith("k1$")
        report = keyring_rotate(drop_old=True)
        crypto.forget_cached_keyring()
        pref = Preference.objects.get(user=user)
        assert pref.mobile_encrypted.startswith("k2$") and MOBILE not in pref.mobile_encrypted
        assert crypto.decrypt(pref.mobile_encrypted, purpose=services.MOBILE_PURPOSE) == MOBILE
        assert report is not None
    finally:
        crypto.forget_cached_keyring()
