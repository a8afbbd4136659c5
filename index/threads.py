"""The embedder's thread policy: one OpenMP thread for a question, all cores at low priority for bulk work.

On a shared 2-core machine an OpenMP team whose threads wait for each other at every barrier collapses as
soon as another process is busy: a warm question took 1,665 ms beside an indexing process against 26 ms
quiet, and 28 ms with one thread. So:
- `configure()` (before the embedder's library loads; OpenMP reads its environment once) makes one thread
  the default for every thread of the process, and waiting threads sleep instead of spinning;
- `bulk()` lets the calling thread use every core for a batch of passages (OpenMP's thread count is per
  calling thread), at a lower scheduling priority when `background`: a question answered beside an
  upload or `assistant index` is served first;
- `in_background(fn)` runs `fn` in a fresh thread under `bulk(background=True)` (a thread's priority
  cannot be raised again without privileges, so it is never the caller's own).
An explicit OMP_NUM_THREADS / OMP_WAIT_POLICY in the environment wins over these defaults.
"""

from __future__ import annotations

import os
import queue
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

QUESTION_THREADS = 1
BACKGROUND_NICE = 10

T = TypeVar("T")


def configure() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("OMP_NUM_THREADS", str(QUESTION_THREADS))


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def bulk(background: bool = True) -> Iterator[None]:
    """Every core for the OpenMP work this thread starts (the embedder must be loaded: the limit applies to
    loaded libraries); lower priority for this thread (and the OpenMP workers it starts, which inherit it)
    when `background`. Irreversible for the thread: use it in a thread of its own, or at the top of a
    process that does nothing else (`assistant index`)."""
    from threadpoolctl import threadpool_limits

    if background and hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        except OSError:
            pass  # not allowed here: the thread keeps its priority
    with threadpool_limits(limits=cores(), user_api="openmp"):
        yield


def in_background(work: Callable[[Callable[[int, int], None]], T], progress: Callable[[int, int], None] | None = None,
                  low_priority: bool = True) -> T:
    """`work(report)` in a thread of its own on every core, at low priority unless told otherwise;
    `report(done, total)` calls reach `progress` in the calling thread (a UI progress bar belongs to the
    request's thread)."""
    events: queue.Queue = queue.Queue()
    result: dict = {}

    def run() -> None:
        try:
            with bulk(background=low_priority):
                result["value"] = work(lambda done, total: events.put(("progress", (done, total))))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            result["error"] = exc
        finally:
            events.put(("done", None))

    threading.Thread(target=run, name="background-embedding", daemon=True).start()
    while True:
        kind, payload = events.get()
        if kind == "done":
            break
        if progress is not None:
            progress(*payload)
    if "error" in result:
        raise result["error"]
    return result["value"]
