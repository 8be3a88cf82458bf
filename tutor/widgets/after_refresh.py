"""Run something once the screen is drawn, even when Textual loses the request.

Textual hands ``call_after_refresh``'s callback to the screen on top at that
moment. When that screen is a dialog closing (an outcome card just answered),
the callback goes with it and never runs: a question that never opened, a
build log that stopped drawing for the rest of the lesson (it waited for a
flush that never came). Here a timer runs it anyway shortly after, and the
callback runs once, whichever comes first.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump

#: How long a lost after-refresh callback is waited for (a frame is some 16 ms).
GRACE = 0.25


def after_refresh(node: MessagePump, callback: Callable[[], object]) -> None:
    """Call ``callback`` after ``node``'s screen next refreshes, or in GRACE seconds; once."""
    called = False

    def once() -> object:
        nonlocal called
        if called:
            return None
        called = True
        return callback()  # Textual awaits what it returns (a remake, say)

    node.call_after_refresh(once)
    node.set_timer(GRACE, once)
