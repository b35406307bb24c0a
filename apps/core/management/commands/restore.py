"""``python manage.py restore PATH``: replace the configured database with a backup.

Meant for an empty (fresh) database or one being replaced; stop the web and worker
processes first. SQLite: the online backup API copies the file over the database.
PostgreSQL: ``pg_restore --clean --if-exists`` in a single transaction (all or nothing).
"""
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.core.dbtools import is_postgres, pg_run


class Command(BaseCommand):
    help = "Restore the database from a file written by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No backup at {source}")
        if is_postgres():
            pg_run("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                   "--exit-on-error", str(source))
        else:
            connection.ensure_connection()
            with sqlite3.connect(source) as backup:
                backup.backup(connection.connection)
            backup.close()
        self.stdout.write(f"Restored {source}")
