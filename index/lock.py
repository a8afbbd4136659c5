"""One index writer at a time, across processes.

A lock file next to the index (filelock: `flock` on Unix), released by the operating system when its
holder dies, even by `kill -9`, so a crash never leaves it stuck. The lock is re-entrant within a process
(one instance per path), so a command can hold it around several steps that each take it too. Readers
never take it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexBusyError, storage_error

# A full build of a large library takes minutes; a writer gives up only after this long (seconds).
DEFAULT_WAIT = 30 * 60


def lock_wait() -> float:
    return float(os.environ.get("ASSISTANT_LOCK_TIMEOUT") or DEFAULT_WAIT)


@contextmanager
def writer_lock(path: Path, on_wait: Callable[[], None] | None = None, wait: float | None = None) -> Iterator[None]:
    """Hold the writer lock at `path`; when another process holds it, call `on_wait` once and wait up to
    `wait` seconds (default `ASSISTANT_LOCK_TIMEOUT` or 30 min), then raise `IndexBusyError`."""
    from filelock import FileLock, Timeout

    wait = lock_wait() if wait is None else wait
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path), is_singleton=True, fallback_to_soft=False, preserve_lock_file=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            lock.acquire(timeout=wait)
    except Timeout as exc:
        raise IndexBusyError(str(path), wait) from exc
    except OSError as exc:
        raise storage_error(exc, str(path.parent), path.parent) from exc
    try:
        yield
    finally:
        lock.release()
