"""Helpers for the engine's streamed answers (builds, image saves).

docker-py hands back only a generator for a streamed answer; these let us
stop one early and read one as a file.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:  # not imported to run: a socket_api client has no requests in it
    import requests


@contextlib.contextmanager
def catch_response(api: Any, path: str) -> Iterator[list[requests.Response]]:
    """Keep the HTTP responses of this thread's calls to ``path`` inside the block.

    docker-py returns only a generator for a streamed answer (a build, an image
    save), but stopping one early needs the response: shutting its socket down
    is the only way to interrupt a read blocked in another thread, and closing
    it tells the engine to stop. A requests response hook, limited to this
    thread, hands the response over.

    Args:
        api: The low-level docker-py client (a requests session).
        path: The end of the URL path to catch, e.g. ``/build``.

    Yields:
        A list that receives the responses.
    """
    caught: list[requests.Response] = []
    me = threading.get_ident()

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        if threading.get_ident() == me and urlparse(response.url).path.endswith(path):
            caught.append(response)
        return response

    api.hooks["response"].append(hook)
    try:
        yield caught
    finally:
        with contextlib.suppress(ValueError):
            api.hooks["response"].remove(hook)


class ChunkReader(io.RawIOBase):
    """A read-only raw file over an iterator of byte chunks (docker-py's streamed answers).

    Wrap it in :class:`io.BufferedReader` to give it to ``tarfile`` in stream mode.

    Args:
        chunks: The chunks, e.g. from ``APIClient.get_image``.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._chunk = b""
        self._pos = 0

    def readable(self) -> bool:
        """Always: this file is for reading."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the current chunk, fetching the next when it runs out.

        Args:
            buffer: A writable buffer.

        Returns:
            Bytes written, 0 at the end of the chunks.
        """
        while self._pos >= len(self._chunk):
            self._chunk, self._pos = next(self._chunks, b""), 0
            if not self._chunk:
                return 0
        size = min(len(buffer), len(self._chunk) - self._pos)
        buffer[:size] = self._chunk[self._pos : self._pos + size]
        self._pos += size
        return size
