"""A relay to the shared engine that can go silent: a suspended laptop, a dead SSH tunnel.

:class:`~tests.engine.relay.Forwarder` closes its sockets, which a client
sees at once. Here the connections stay open but nothing passes any more and
new ones are refused, so a client waiting on a read learns nothing until its
own timeout: the harder case for code that must not hang or leak urllib3's errors.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

import pytest

from tests.engine.relay import Forwarder


class SilentRelay(Forwarder):
    """A :class:`Forwarder` with :meth:`go_silent`."""

    silent = False

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:  # type: ignore[override]
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if not self.silent:
                    dst.sendall(data)
        if not self.silent:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def go_silent(self) -> None:
        """Pass nothing more either way, and refuse new connections; keep the old ones open."""
        self.silent = True
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()


def silent_relay_to_engine() -> Iterator[SilentRelay]:
    """A relay that the test can make silent; closed (for the engine's sake) afterwards."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.fail(f"the relay needs a unix socket engine, not {host}")
    relay = SilentRelay(host.removeprefix("unix://"))
    try:
        yield relay
    finally:
        relay.close()  # the engine sees its client go, and stops what it did for it
