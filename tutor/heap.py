"""How much memory the C allocator keeps for the tutor between uses.

The app is long-lived and calls the engine from threads, a thread per call
(``tutor.worker_threads``). glibc's ``malloc`` gives each thread that
allocates at once an arena of its own, up to eight per core, and keeps
what is freed in each arena for that arena's next use. The answers read in
those threads are large and short-lived (a 20,000-path diff is 750 kB of
JSON and 20,000 dicts, read every second while a container is shown), so
every arena grew to the largest answer it had read and stayed there.

One arena, and blocks of 128 KiB or more given back to the system when
freed (``mmap``, and a heap trimmed past that much free space), instead of
glibc's thresholds that rise with the largest block freed so far. The
Python interpreter holds its lock while it allocates, so one arena costs
no waiting. Peak RSS at the end of ``benchmarks/ui_bench.py``: 120-128 MiB
before, 107 MiB with these settings (111 MiB with two arenas alone).

Other C libraries (musl, macOS) are left as they are.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["LARGE_BLOCK", "keep_heap_small"]

#: ``mallopt`` parameters, from glibc's ``malloc.h``.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: Blocks this large or larger are mapped on their own and given back when freed.
LARGE_BLOCK = 128 * 1024


def keep_heap_small() -> bool:
    """Set glibc's allocator for a long-lived threaded app; whether it took.

    Best called before the app starts its threads: an arena made already
    stays. Calling it again changes nothing.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or no mallopt in it
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    settings = ((M_ARENA_MAX, 1), (M_MMAP_THRESHOLD, LARGE_BLOCK), (M_TRIM_THRESHOLD, LARGE_BLOCK))
    # musl's mallopt does nothing and says so (0); glibc answers 1 for each.
    return all(mallopt(param, value) == 1 for param, value in settings)
