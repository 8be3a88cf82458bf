"""A closable TCP relay to the shared test engine, for tests where the engine "goes away".

Its own module, so that no test file imports another test file: that ties two
test modules together (moving or renaming one breaks the other) and relies on
test modules being importable as a package, which pytest does not promise.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator

import pytest


class Forwarder:
    """A TCP address that relays to the shared engine, and that a test may close.

    Closing it is the engine "going away" as far as a client can tell, without
    stopping or reconfiguring any daemon.
    """

    def __init__(self, target: str) -> None:
        self.target = target  # unix socket path of the shared engine
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.host = f"tcp://127.0.0.1:{self.port}"
        self.sockets: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.closed:
                client.close()
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def relay_to_engine() -> Iterator[Forwarder]:
    """A closable TCP address of the shared engine (which itself is never touched)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.fail(f"the relay needs a unix socket engine, not {host}")
    forwarder = Forwarder(host.removeprefix("unix://"))
    try:
        yield forwarder
    finally:
        forwarder.close()
