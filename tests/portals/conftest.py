"""The portal tests' world (:func:`tests.factories.worlds.make_portal_world`)."""
import pytest

from tests.factories.worlds import PortalWorld, make_portal_world


@pytest.fixture
def world(db) -> PortalWorld:
    return make_portal_world()
