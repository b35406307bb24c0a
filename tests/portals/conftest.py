"""The portal tests' world (:func:`tests.factories.worlds.make_portal_world`)."""
from unittest import mock

import pytest

from tests.factories.worlds import PortalWorld, make_portal_world


@pytest.fixture
def world(db) -> PortalWorld:
    return make_portal_world()


@pytest.fixture
def same_time_bucket():
    """The page cache's time bucket held still (a test crossing a bucket's end would see
    its cached pages expire); the mock's ``return_value`` moves it."""
    from apps.portals import pagecache

    with mock.patch.object(pagecache, "time_bucket", return_value=pagecache.time_bucket()) as bucket:
        yield bucket
