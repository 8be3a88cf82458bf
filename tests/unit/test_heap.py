"""The app's threads share one allocator arena (glibc), so memory freed by one engine
call's thread serves the next instead of staying in an arena of its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tutor.heap import keep_heap_small

# Four threads allocate at once, then glibc prints one "Arena N:" block per arena.
THREADS = """
import ctypes, sys, threading
from tutor.heap import keep_heap_small
# Asked twice, as every TutorApp made in one process asks: the second changes nothing.
print([keep_heap_small(), keep_heap_small()] if sys.argv[1] == "kept small" else None)
together = threading.Barrier(4)
kept = []
def read_an_answer():
    together.wait()
    kept.append(bytearray(64 * 1024))
    together.wait()
threads = [threading.Thread(target=read_an_answer) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
sys.stdout.flush()
ctypes.CDLL(None).malloc_stats()
"""


def _arenas(mode: str) -> tuple[str, int]:
    argv = [sys.executable, "-c", THREADS, mode]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip(), done.stderr.count("Arena ")


@pytest.mark.skipif(not keep_heap_small(), reason="a C library without glibc's mallopt")
def test_threads_allocating_at_once_share_one_arena() -> None:
    assert _arenas("kept small") == ("[True, True]", 1)
    answer, arenas = _arenas("as glibc starts")
    assert answer == "None"
    assert arenas > 1  # what the setting changes: an arena per thread at once
