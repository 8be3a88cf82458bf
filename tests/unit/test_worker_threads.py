"""The app's worker threads: each call in a context of its own, and the calls
still running can be asked for (a lesson switch waits for the closed lesson's)."""

from __future__ import annotations

import contextvars
import threading

from tutor.worker_threads import FreshContextExecutor

FOR_WHOM: contextvars.ContextVar[object] = contextvars.ContextVar("for_whom")


def test_a_call_starts_from_an_empty_context_and_leaves_none_behind() -> None:
    FOR_WHOM.set("the caller")
    threads = FreshContextExecutor()
    try:
        seen = threads.submit(FOR_WHOM.get, "nobody").result(timeout=5)

        def set_it() -> None:
            FOR_WHOM.set("a worker")

        threads.submit(set_it).result(timeout=5)
        # The same thread, a later call: what the last one set is gone with its context.
        after = threads.submit(FOR_WHOM.get, "nobody").result(timeout=5)
    finally:
        threads.shutdown(wait=True)
    assert (seen, after) == ("nobody", "nobody")


def test_the_calls_still_running_for_a_value_can_be_asked_for() -> None:
    worker, other = object(), object()
    release, started = threading.Event(), threading.Event()

    def work() -> None:
        FOR_WHOM.set(worker)
        started.set()
        release.wait(5)

    threads = FreshContextExecutor()
    try:
        assert not threads.running(FOR_WHOM, [worker])
        future = threads.submit(work)
        assert started.wait(5)
        assert threads.running(FOR_WHOM, [worker])
        assert threads.running(FOR_WHOM, [other, worker])
        assert not threads.running(FOR_WHOM, [other])
        release.set()
        future.result(timeout=5)
        assert not threads.running(FOR_WHOM, [worker])
    finally:
        release.set()
        threads.shutdown(wait=True)
