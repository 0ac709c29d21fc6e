"""Keep large blocks in the C heap of a process that serves big response bodies.

glibc's malloc maps every block above its mmap threshold (128 kB at first) afresh and unmaps it on
free, so each new copy of a 100-500 kB body (a playlist, a page of playlist items; serialising,
splicing, joining and writing it) faults in its pages again: copying a 434 kB body cost about
400 us this way against 20 us from the heap. Raising the thresholds lets such blocks be reused.
"""

import ctypes
import ctypes.util

# mallopt(3) parameters.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks up to 16 MB come from the heap: any response body, and the search columns (8 MB for a
# million tracks). The heap's free top is given back to the OS only above 64 MB, so the blocks a
# request freed are there for the next one.
MMAP_THRESHOLD = 16 << 20
TRIM_THRESHOLD = 64 << 20


def keep_large_blocks() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; False where malloc is not glibc's."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    if mallopt is None:
        return False
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
