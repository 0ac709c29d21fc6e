"""A lock on a file that excludes other processes and the other threads of this one.

fasteners' file locks are per process; embedded servers are started from threads too (a
multithreaded run, a sensor next to a run), so each lock file also gets a lock per process.
"""

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import fasteners

_thread_locks: dict[Path, threading.Lock] = {}
_guard = threading.Lock()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _guard:
        thread_lock = _thread_locks.setdefault(path.resolve(), threading.Lock())
    with thread_lock, fasteners.InterProcessLock(str(path)):
        yield
