"""PostgreSQL client tools (pg_dump, pg_restore) run against the configured database."""
import os
import re
import shutil
import subprocess

from django.core.management.base import CommandError
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pg_run(tool: str, *args: str) -> None:
    """Run ``tool`` on the default database's connection settings. CommandError when the
    tool is missing, older than the server (it would refuse or lose data) or fails."""
    binary = shutil.which(tool)
    if binary is None:
        raise CommandError(f"{tool} not found: install the Debian package postgresql-client")
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    client_major = int(re.search(r"\(PostgreSQL\)\s+(\d+)", version).group(1))
    if client_major < server_major:
        raise CommandError(f"{tool} {client_major} is older than the server ({server_major}): "
                           f"install postgresql-client-{server_major}")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or os.environ.get("PGPASSWORD", "")}
    target = [f"--host={db['HOST'] or 'localhost'}", f"--port={db['PORT'] or 5432}", f"--username={db['USER']}",
              f"--dbname={db['NAME']}"]
    result = subprocess.run([binary, *target, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise CommandError(f"{tool} failed: {result.stderr.strip()}")
