"""The embedded mode's SQLite pool (apps.core.sqlite): a request's closed connection is
taken by the next one instead of a fresh connection that parses the whole schema again."""
from __future__ import annotations

import os

import pytest
from django.conf import settings

from apps.core import sqlite
from apps.core.sqlite.base import DatabaseWrapper


@pytest.fixture
def wrapper_for(tmp_path, monkeypatch, django_db_blocker):
    monkeypatch.setattr(sqlite.base, "_pool", sqlite.base._Pool())
    made = []

    def make(name: str | None = None) -> DatabaseWrapper:
        wrapper = DatabaseWrapper({**settings.DATABASES["default"], "ENGINE": "apps.core.sqlite",
                                   "NAME": name or str(tmp_path / "pool.sqlite3"),
                                   "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30}}, alias="pooltest")
        made.append(wrapper)
        return wrapper

    with django_db_blocker.unblock():  # wrappers of their own, outside the test database
        yield make
    for wrapper in made:
        wrapper.close()
    for idle in sqlite.base._pool.idle.values():
        for conn in idle:
            conn.close()


def _raw(wrapper: DatabaseWrapper):
    wrapper.ensure_connection()
    return wrapper.connection


def test_the_settings_use_the_pool_for_sqlite():
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("PostgreSQL has its own pool")
    assert settings.DATABASES["default"]["ENGINE"] == "apps.core.sqlite"


def test_a_closed_connection_serves_the_next_request(wrapper_for):
    first = wrapper_for()
    raw = _raw(first)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")
    first.close()
    second = wrapper_for()
    assert _raw(second) is raw
    with second.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (0,)
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone() == (1,)


def test_a_connection_inside_a_transaction_is_closed_not_kept(wrapper_for):
    first = wrapper_for()
    raw = _raw(first)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")
        first.set_autocommit(False)
        cursor.execute("INSERT INTO t VALUES (1)")
    assert raw.in_transaction
    first.close()
    assert _raw(wrapper_for()) is not raw


def test_no_more_idle_connections_than_the_cap(wrapper_for):
    wrappers = [wrapper_for() for _ in range(sqlite.base.IDLE_MAX + 2)]
    raws = [_raw(w) for w in wrappers]
    for wrapper in wrappers:
        wrapper.close()
    (idle,) = sqlite.base._pool.idle.values()
    assert len(idle) == sqlite.base.IDLE_MAX
    assert {id(c) for c in idle} <= {id(c) for c in raws}


def test_each_database_file_has_its_own_connections(wrapper_for, tmp_path):
    first = wrapper_for(str(tmp_path / "a.sqlite3"))
    raw = _raw(first)
    first.close()
    assert _raw(wrapper_for(str(tmp_path / "b.sqlite3"))) is not raw


def test_a_forked_child_does_not_take_its_parents_connections(wrapper_for, monkeypatch):
    first = wrapper_for()
    raw = _raw(first)
    first.close()
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as seen from a child
    assert _raw(wrapper_for()) is not raw


def test_in_memory_databases_are_left_to_django(wrapper_for):
    memory = wrapper_for(":memory:")
    _raw(memory)
    memory.close()
    assert not any(sqlite.base._pool.idle.values())
