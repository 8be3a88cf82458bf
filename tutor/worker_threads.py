"""The threads the app's workers run in, each call in a fresh context.

Textual runs a thread worker on the event loop's default executor and marks
it as the thread's active worker (a context variable) without unmarking it
afterwards. An executor thread lives on, so it kept the last worker it ran,
that worker's screen and every widget of it: a lesson screen the learner
had left stayed in memory, and every full garbage collection walked it
again (longer pauses on screen). Running each call in a context of its own,
as a new thread would, lets those go as soon as the call ends.

Textual marks a cancelled thread worker as finished at once, while its
thread may still be in its call for a few milliseconds (a read the
cancellation is closing). The calls still running can be asked for
(:meth:`FreshContextExecutor.running`): a lesson switch waits for the closed
lesson's, or its collection would find the lesson still held by them.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["FreshContextExecutor"]

T = TypeVar("T")


class FreshContextExecutor(ThreadPoolExecutor):
    """A thread pool whose calls each start from an empty context."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="tutor-worker")
        #: Each call not finished yet, and the context it runs in.
        self._calls: dict[Future[Any], contextvars.Context] = {}
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.Context()
        future = super().submit(context.run, fn, *args, **kwargs)
        with self._lock:
            self._calls[future] = context
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._calls.pop(future, None)

    def running(self, variable: contextvars.ContextVar[Any], values: Collection[object]) -> bool:
        """Whether a call still runs that set ``variable`` to one of ``values``
        (Textual sets its ``active_worker`` to the worker a thread runs for)."""
        with self._lock:
            contexts = list(self._calls.values())
        wanted = {id(value) for value in values}
        return any(id(context.get(variable, None)) in wanted for context in contexts)
