"""``manage.py backup`` / ``restore``: the demo data dumped from the live database and
restored into a fresh one serves the same requests, itineraries, bookings and timelines."""
import json
import os

import pytest
from django.core.management import call_command

from tests.conftest import ON_POSTGRES

from .support import app_snapshot, base_env, drop_postgres, manage, scratch_postgres

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SNAPSHOT = "import json; from tests.ops.support import app_snapshot; print(json.dumps(app_snapshot()))"


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the same kind as the test's."""
    if ON_POSTGRES:
        url = scratch_postgres("restore")
        yield url
        drop_postgres(url)
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


def test_backup_restores_into_a_fresh_database_that_serves_the_same(tmp_path, fresh_database):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    before = app_snapshot()
    assert before["counts"]["coordination.Event"] > 0 and before["counts"]["itineraries.Item"] > 0
    assert before["counts"]["coordination.Booking"] > 0
    dump = tmp_path / ("demo.dump" if ON_POSTGRES else "demo.sqlite3")

    call_command("backup", str(dump), stdout=open(os.devnull, "w"))
    env = base_env(DATABASE_URL=fresh_database)
    assert "Restored" in manage("restore", str(dump), env=env).stdout
    after = json.loads(manage("shell", "-c", SNAPSHOT, env=env).stdout.splitlines()[-1])

    assert after["counts"] == before["counts"]
    assert after == json.loads(json.dumps(before))
    timeline = next(value for key, value in after.items() if key.endswith("/events/") and value[0] == 200)[1]
    assert timeline  # the compared timelines are not empty
