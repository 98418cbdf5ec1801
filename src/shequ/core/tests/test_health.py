"""Health and readiness probes."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz(client):
    """/healthz answers 200 without touching anything."""
    assert client.get("/healthz").status_code == 200


def test_readyz_ok(client):
    """/readyz reports the database as ok."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_readyz_database_down(client):
    """/readyz answers 503 with database=error when the database does not answer."""
    with mock.patch("shequ.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error"}
