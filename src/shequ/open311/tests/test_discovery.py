"""Open311 GeoReport v2 service discovery in JSON and XML, with errors in the spec's format."""

from xml.etree import ElementTree as ET

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("categories")]


def test_services_json_lists_leaf_categories_with_stable_codes(client):
    """services.json lists every third-level category; 乱停乱放 is S01-01-001 in group 社区事务."""
    data = client.get("/open311/v2/services.json").json()
    assert len(data) == 562
    parking = next(s for s in data if s["service_code"] == "S01-01-001")
    assert parking == {
        "service_code": "S01-01-001",
        "service_name": "乱停乱放",
        "description": "乱停乱放",
        "metadata": False,
        "type": "realtime",
        "keywords": parking["keywords"],
        "group": "社区事务",
    }


def test_services_xml_has_the_same_services(client):
    """services.xml is well-formed XML with one <service> per category."""
    response = client.get("/open311/v2/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "services" and len(root.findall("service")) == 562
    assert root.find("service/service_code").text.startswith("C01-")


def test_service_definition_and_errors(client):
    """A known code answers its definition; an unknown code is a 404 error list in the requested format."""
    assert client.get("/open311/v2/services/S01-01-001.json").json() == {"service_code": "S01-01-001", "attributes": []}
    missing = client.get("/open311/v2/services/NOPE.json")
    assert missing.status_code == 404 and missing.json() == [
        {"code": 404, "description": "service_code NOPE not found", "error_code": "open311.service_code_unknown"}
    ]
    xml = client.get("/open311/v2/services/NOPE.xml")
    assert xml.status_code == 404 and ET.fromstring(xml.content).find("error/code").text == "404"
