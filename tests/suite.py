"""``make test``: the whole suite in two processes, then the drills that must run alone.

Usage: ``python tests/suite.py [pytest arguments...]`` (``make test PYTEST_ARGS=...``).

1. Every test not marked ``serial`` runs under pytest-xdist in ``LINLI_TEST_WORKERS`` processes
   (default 2, this machine's cores; 0 runs them in this process). Each process has its own
   test database (``test_<name>_gw<N>``, made by pytest-django) and its own Redis cache
   database (``marketplace/settings/test.py``).
2. Tests marked ``serial`` (the PostgreSQL restart drill, which drops every connection to the
   cluster) run afterwards in one process, alone. On PostgreSQL their test database is copied
   from the first worker's (``CREATE DATABASE ... TEMPLATE``, seconds) instead of being
   migrated again (about 90 s).

Exit status: pytest's, the first failing phase's; "no tests collected" (5) counts as success
for a phase, so that a run of one folder with no serial test passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS = 5


def _pytest(args: list[str], env: dict[str, str] | None = None) -> int:
    code = subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)
    return 0 if code == NO_TESTS else code


def _copy_database(url: str, source: str, target: str) -> bool:
    """``CREATE DATABASE target TEMPLATE source`` on the server of ``url``; False if it fails."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or None,
            password=parts.password or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(target), sql.Identifier(source)
                )
            )
        return True
    except psycopg.Error as exc:
        print(f"[suite] could not copy {source} to {target}: {exc}", file=sys.stderr)
        return False


def main(argv: list[str]) -> int:
    workers = int(os.environ.get("LINLI_TEST_WORKERS", "2"))
    parallel = ["-n", str(workers), "--dist", "worksteal"] if workers > 0 else []
    code = _pytest([*parallel, "-m", "not serial", *argv])
    if code:
        return code

    env = dict(os.environ)
    serial_args = [a for a in argv if a not in ("--create-db", "--reuse-db")]
    url = env.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")) and workers > 0:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        serial_name = f"{name}_serial"
        # pytest-django prefixes "test_"; the serial run reuses a copy of worker 0's database.
        if _copy_database(url, f"test_{name}_gw0", f"test_{serial_name}"):
            env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{serial_name}"))
            serial_args = ["--reuse-db", *serial_args]
        else:
            serial_args = ["--create-db", *serial_args]
    return _pytest(["-p", "no:xdist", "-m", "serial", *serial_args], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
