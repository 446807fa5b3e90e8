"""A task for the multi-worker test: it appends its number and its process to a file."""

from __future__ import annotations

import os
import time

from django.tasks import task


@task
def record_run(n: int) -> int:
    """Append "n pid" to the file named by ALVEOLE_TEST_WORKER_LOG (one write: atomic)."""
    time.sleep(0.01)  # long enough for the other worker to look for work meanwhile
    line = f"{n} {os.getpid()}\n".encode()
    fd = os.open(os.environ["ALVEOLE_TEST_WORKER_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return n
