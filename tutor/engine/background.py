"""One engine call run in a thread while the caller makes others.

A command line run is a few round trips to the engine; the slow ones
(``/info`` asks containerd, ``/images/get`` prepares an archive) need not
wait for the quick ones. No pool: a thread per call, a handful per run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """Start ``call()`` now in a daemon thread; :meth:`result` waits for it.

    Args:
        call: What to run; its exception is raised again by :meth:`result`.
    """

    def __init__(self, call: Callable[[], T]) -> None:
        self._call = call
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="engine-call")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # handed to the caller, who decides
            self._error = exc

    def result(self) -> T:
        """The call's return value, once it is done.

        Raises:
            BaseException: Whatever the call raised.
        """
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
