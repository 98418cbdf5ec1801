import pytest

from shequ.core.actors import COMMAND_LINE
from shequ.open311 import services
from shequ.territory import services as territory
from shequ.territory.tests.factories import make_tree

# A small square around m111, in WGS-84; POINT lies inside it.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[104.05, 30.64], [104.051, 30.64], [104.051, 30.641], [104.05, 30.641], [104.05, 30.64]]],
}
POINT = {"lat": "30.6405", "long": "104.0505"}


@pytest.fixture
def world(calendar, categories):
    t = make_tree()
    territory.boundaries_import(
        actor=COMMAND_LINE,
        collection={
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code": t["m111"].code}, "geometry": SQUARE}],
        },
        crs="wgs84",
    )
    territory.micro_grid_index(force=True)
    api_client, key = services.api_client_create(actor=COMMAND_LINE, name="12345平台", organisation="市民服务热线")
    t["key"], t["api_client"] = key, api_client
    return t
