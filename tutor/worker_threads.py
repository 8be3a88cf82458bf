"""The threads the app's workers run in, each call in a fresh context.

Textual runs a thread worker on the event loop's default executor and marks
it as the thread's active worker (a context variable) without unmarking it
afterwards. An executor thread lives on, so it kept the last worker it ran,
that worker's screen and every widget of it: a lesson screen the learner
had left stayed in memory, and every full garbage collection walked it
again (longer pauses on screen). Running each call in a context of its own,
as a new thread would, lets those go as soon as the call ends.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["FreshContextExecutor"]

T = TypeVar("T")


class FreshContextExecutor(ThreadPoolExecutor):
    """A thread pool whose calls each start from an empty context."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="tutor-worker")

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.Context().run, fn, *args, **kwargs)
