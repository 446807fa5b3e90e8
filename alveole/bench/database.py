"""The throwaway database of a benchmark: never the configured one."""

from __future__ import annotations

import io
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection


def create_database(**options: Any) -> str:
    """`create_test_db` without its one line of output: Django runs `createcachetable` at
    the default verbosity after the migrations, which already created the cache's table."""
    with redirect_stdout(io.StringIO()):
        return connection.creation.create_test_db(verbosity=0, autoclobber=True, **options)


@contextmanager
def throwaway_database(*, keep: bool = False) -> Iterator[str]:
    """Create and migrate an empty database, switch to it, and drop it afterwards.

    SQLite: a file in a temporary folder. PostgreSQL: a database `bench_<random>` on the
    server of DATABASE_URL (the configured database itself is never opened for writing).
    Yields a description of the database. With `keep`, the database stays (its name is
    printed) for a look or a load test.
    """
    database = settings.DATABASES["default"]
    tmp = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="alveole-bench-") if keep else None
        if folder is None:
            tmp = tempfile.TemporaryDirectory(prefix="alveole-bench-")
            folder = tmp.name
        name = str(Path(folder) / "bench.sqlite3")
    else:
        name = f"bench_{uuid.uuid4().hex[:10]}"
    database.setdefault("TEST", {})["NAME"] = name
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    old_name = create_database(serialize=False)
    try:
        yield f"{connection.vendor} {name}"
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp is not None:
            tmp.cleanup()
