"""Open311 POST requests are limited per API key; the limit is configurable per key; 429 in the spec's format."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from shequ.cases.models import Case
from shequ.core.models import AuditRecord
from shequ.open311.models import ApiClient

from .test_requests import _errors_xml, _post

pytestmark = pytest.mark.django_db


@override_settings(SHEQU_RATE_LIMITS={"open311.submit": (2, 3600)})
def test_post_past_the_default_limit_is_429_in_the_error_format(client, world):
    """The 3rd POST of a key within the hour answers 429 (JSON and XML errors) with Retry-After; one audit record."""
    assert [_post(client, world).status_code for _ in range(2)] == [200, 200]
    response = _post(client, world)
    assert response.status_code == 429 and response["Retry-After"].isdigit()
    seconds = response["Retry-After"]
    assert response.json() == [
        {
            "code": 429,
            "description": f"too many requests: retry after {seconds} seconds",
            "error_code": "core.rate_limited",
        }
    ]
    xml = _post(client, world, fmt="xml")
    assert xml.status_code == 429 and _errors_xml(xml)[0][0] == "429"
    assert Case.objects.count() == 2
    records = list(AuditRecord.objects.filter(action="core.rate_limited").values_list("after", flat=True))
    assert records == [{"scope": "open311.submit", "key": "12345平台", "limit": 2, "window": 3600}]


@override_settings(SHEQU_RATE_LIMITS={"open311.submit": (1, 3600)})
def test_limit_is_configurable_per_key(client, world):
    """`shequ open311-key NAME --update --rate-limit 3` lets that key post three times where the default is one."""
    call_command("open311_key", "12345平台", "--update", "--rate-limit", "3")
    assert ApiClient.objects.get(name="12345平台").rate_limit == 3
    assert [_post(client, world).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert AuditRecord.objects.filter(action="open311.client_limit_set").get().after == {"rate_limit": 3}


def test_new_key_may_carry_its_own_limit(db):
    """`--rate-limit` on creation stores the key's limit; a limit below 1 is refused."""
    call_command("open311_key", "城市App", "--rate-limit", "50")
    assert ApiClient.objects.get(name="城市App").rate_limit == 50
    with pytest.raises(CommandError, match="at least 1"):
        call_command("open311_key", "另一个", "--rate-limit", "0")
