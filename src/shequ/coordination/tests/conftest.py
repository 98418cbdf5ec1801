import pytest

from shequ.coordination.tests.factories import make_world


@pytest.fixture
def w(db):
    return make_world()
