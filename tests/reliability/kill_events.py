"""What the engine did to a learner's containers during a kill run, and when.

Issue 16: in some runs of the hundred kills a learner's container that an
acknowledged step had made was gone after a restart, and nothing on the
tutor's screen said who removed it. The engine knows: each ``kill``, ``die``
and ``destroy`` of a container comes as an event with the container's labels
and a timestamp. :class:`ContainerLog` listens for the learner's namespace
from the start of the run, and the test marks its own moments (each SIGKILL,
each start of the tutor) on the same clock, so a failure prints whether the
container went before the kill (the killed session), between kill and
restart (the engine or someone else), or after (the restarted tutor).
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

import docker

from tutor.engine.labels import label_filters

#: The container events that end or remove one.
ENDINGS = ("kill", "die", "stop", "destroy", "oom")


@dataclass
class ContainerLog:
    """The learner's container endings as the engine reports them, beside the test's marks."""

    client: docker.DockerClient
    namespace: str
    rows: list[tuple[float, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        filters = {"type": "container", "label": label_filters(self.namespace)}
        self._stream = self.client.events(decode=True, filters=filters, since=int(time.time()))
        self._thread = threading.Thread(target=self._listen, daemon=True, name="kill-events")
        self._thread.start()

    def _listen(self) -> None:
        with contextlib.suppress(Exception):  # the stream ends when closed
            for event in self._stream:
                action = str(event.get("Action") or event.get("status") or "")
                if action.split(":")[0] not in ENDINGS:
                    continue
                attributes = (event.get("Actor") or {}).get("Attributes") or {}
                name = attributes.get("name", "?")
                code = f" (exit {attributes['exitCode']})" if "exitCode" in attributes else ""
                at = int(event.get("timeNano") or 0) / 1e9 or time.time()
                with self._lock:
                    self.rows.append((at, f"engine: {action} {name}{code}"))

    def mark(self, what: str) -> None:
        """A moment of the test's own (a kill, a start), on the engine's clock."""
        with self._lock:
            self.rows.append((time.time(), f"test: {what}"))

    def story(self, last: int = 40) -> str:
        """The last ``last`` lines, oldest first, each with its time of day."""
        with self._lock:
            rows = sorted(self.rows)[-last:]
        return "\n".join(
            f"{time.strftime('%H:%M:%S', time.gmtime(at))}.{int(at % 1 * 1000):03d} {text}"
            for at, text in rows
        )

    def endings(self, name: str) -> list[str]:
        """The engine's lines about container ``name``."""
        with self._lock:
            return [text for _, text in sorted(self.rows) if text.split(" ")[2:3] == [name]]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stream.close()
