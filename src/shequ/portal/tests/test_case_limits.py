"""Portal case submissions are limited per resident; past the limit the resident gets a clear 429 page."""

import pytest
from django.test import override_settings

from shequ.cases.models import Case
from shequ.core.models import AuditRecord
from shequ.portal.tests.test_cases import report, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, calendar, categories):
    settings.MEDIA_ROOT = tmp_path / "media"


@override_settings(SHEQU_RATE_LIMITS={"portal.case_submit": (2, 3600), "portal.case_submit.ip": (100, 3600)})
def test_third_report_in_the_hour_is_refused_with_a_clear_page(signed_in):  # noqa: F811
    """Two reports go through; the third is a 429 page saying when to try again, nothing saved, one audit record."""
    assert [report(signed_in).status_code for _ in range(2)] == [302, 302]
    response = report(signed_in)
    assert response.status_code == 429 and response["Retry-After"].isdigit()
    assert "请求过于频繁，请 " in response.content.decode()
    assert Case.objects.count() == 2
    (record,) = AuditRecord.objects.filter(action="core.rate_limited")
    assert record.object_id == "portal.case_submit" and record.after["key"].startswith("resident:")
