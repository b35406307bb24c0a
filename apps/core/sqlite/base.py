"""SQLite with its connections kept for the next request (the embedded mode's pool).

Under ASGI every request runs in a thread of its own and closes its connection at the
end, so each page opened a fresh SQLite connection: SQLite parses the whole schema (about
200 tables and indexes) on a connection's first query and starts with empty page and
statement caches, ~2 ms a request before any of its own queries. A closed connection that
holds no transaction goes back to a small per-process pool instead, and the next request
takes it (PostgreSQL has psycopg's pool, ``DB_POOL``). In-memory databases are left alone
(Django keeps their one connection open).
"""
from __future__ import annotations

import os
import threading

from django.db.backends.sqlite3 import base

IDLE_MAX = 8  # about the requests served at once by one process


class _Pool:
    """Idle connections per connection parameters, dropped in a forked child (a SQLite
    connection must not cross a fork)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.idle: dict[str, list] = {}

    def take(self, key: str):
        with self.lock:
            if self.pid != os.getpid():
                self.pid, self.idle = os.getpid(), {}
            idle = self.idle.get(key)
            return idle.pop() if idle else None

    def give(self, key: str, conn) -> bool:
        with self.lock:
            idle = self.idle.setdefault(key, [])
            if self.pid != os.getpid() or len(idle) >= IDLE_MAX:
                return False
            idle.append(conn)
            return True


_pool = _Pool()


class DatabaseWrapper(base.DatabaseWrapper):
    pool_key: str | None = None  # the connection parameters of a connection the pool may keep

    def get_new_connection(self, conn_params):
        if self.is_in_memory_db():
            self.pool_key = None
            return super().get_new_connection(conn_params)
        self.pool_key = repr(sorted(conn_params.items()))
        conn = _pool.take(self.pool_key)
        if conn is None:
            return super().get_new_connection(conn_params)
        # What Django sets per connection, again: a migration may have turned the checks off.
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _close(self):
        conn = self.connection
        if conn is not None and self.pool_key and not conn.in_transaction and _pool.give(self.pool_key, conn):
            return
        super()._close()
