"""Cache keys that carry the version of Alvéole's code (settings.CACHES `KEY_FUNCTION`).

The database cache outlives the workers: after an upgrade, or with two versions side by
side during a rolling deploy, no version may serve what another computed, nor unpickle its
objects. Every key therefore holds a digest of the package's Python source, read once per
process (about 30 ms) on the first use of the cache.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


@functools.cache
def code_version() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def make_key(key: str, key_prefix: str, version: int) -> str:
    """Django's default key (`prefix:version:key`) with the code's version before it."""
    return f"{code_version()}:{key_prefix}:{version}:{key}"
