"""``python manage.py backup [PATH]``: a consistent copy of the live database.

SQLite: the online backup API (a consistent snapshot while the site keeps writing).
PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot in one transaction), whose
major version must be at least the server's. ``restore`` reads either back.
"""
import datetime as dt
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from apps.core.dbtools import is_postgres, pg_run


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup / pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Output file (default: backups/traveloure-<UTC time>.<ext>)")

    def handle(self, *args, path, **options):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(path or settings.BASE_DIR / "backups" / f"traveloure-{stamp}.{'dump' if is_postgres() else 'sqlite3'}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if is_postgres():
            pg_run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")
        else:
            connection.ensure_connection()
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy)
            copy.close()
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size} bytes)")
