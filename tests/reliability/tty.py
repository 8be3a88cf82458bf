"""The real tutor (``python -m tutor``) in a real terminal: a tmux pane of 80x24.

Keys go in with ``tmux send-keys``, the screen comes out as text with
``tmux capture-pane``, and the test signals the tutor's own process (the
pane's process is the tutor itself, through ``exec``). Each instance has a
tmux server of its own (``-L``), ended when it closes.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Holds the ``sitecustomize`` that lets :meth:`Tutor.stacks` ask the tutor where it is.
THREAD_DUMP = Path(__file__).resolve().parent / "thread_dump"


def install_tmux() -> None:
    """Install tmux the way the engine is provisioned (root with apt), or say why not: a
    fresh machine may lack it, and the README's test command sets up all it needs."""
    from tests import provision

    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        provision.apt_install("tmux")
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed, and only root with apt-get can install it")


class Tutor:
    """``python -m tutor ARGS`` running in a detached tmux pane.

    Args:
        args: Command-line arguments after ``python -m tutor``.
        env: Extra environment (the namespace, the data folders).
        size: Columns and rows of the terminal.
        python: The Python that runs ``-m tutor`` (an installed tutor's venv).
        cwd: Where it starts (outside the checkout, for an installed tutor).
    """

    def __init__(
        self,
        args: Sequence[str],
        env: Mapping[str, str],
        size: tuple[int, int] = (80, 24),
        *,
        python: str = sys.executable,
        cwd: Path = ROOT,
    ) -> None:
        if shutil.which("tmux") is None:
            install_tmux()
        self.server = f"lt-tty-{uuid.uuid4().hex[:8]}"
        columns, lines = size
        terminal = {"TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}
        self.dump = Path(tempfile.mkdtemp(prefix="lt-threads-")) / "threads.txt"
        stacks = {"PYTHONPATH": str(THREAD_DUMP), "LT_THREAD_DUMP": str(self.dump)}
        assignments = [f"{k}={v}" for k, v in {**terminal, **stacks, **env}.items()]
        command = shlex.join(["env", *assignments, python, "-m", "tutor", *args])
        self._tmux("new-session", "-d", "-s", "tutor", "-x", str(columns), "-y", str(lines),
                   "-c", str(cwd), f"exec {command}")  # fmt: skip
        # A tutor that ends leaves its last screen (a traceback, say) in the pane.
        self._tmux("set-option", "-t", "tutor", "remain-on-exit", "on")
        shown = self._tmux("display", "-p", "-t", "tutor", "#{pane_pid} #{socket_path}")
        pid, socket_path = shown.strip().split(" ", 1)
        self.pid, self.socket = int(pid), Path(socket_path)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.server, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return done.stdout

    def screen(self) -> str:
        """The text on the terminal now (what it left, once the tutor has gone)."""
        try:
            return self._tmux("capture-pane", "-p", "-t", "tutor")
        except subprocess.CalledProcessError:
            return ""

    def keys(self, *keys: str) -> None:
        """Press keys, in tmux's names (``Enter``, ``Escape``, ``c``, ``t``)."""
        self._tmux("send-keys", "-t", "tutor", *keys)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """Wait until ``text`` is on the screen; the screen, or AssertionError with it."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline or not self.alive():
                raise AssertionError(f"{text!r} never showed; the screen:\n{screen}")
            time.sleep(0.1)

    def stacks(self) -> str:
        """Every thread's and asyncio task's stack in the tutor now (see ``thread_dump``), or ""."""
        if not self.alive():
            return ""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGUSR1)  # the threads
            time.sleep(0.3)
            os.kill(self.pid, signal.SIGUSR2)  # the event loop's tasks
        time.sleep(0.5)
        try:
            return self.dump.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        """Whether the tutor's process still runs (a zombie counts as gone)."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    def signal(self, number: int, wait: float = 15) -> float | None:
        """Send a signal; seconds until the tutor was gone, None if it still runs after ``wait``."""
        start = time.monotonic()
        os.kill(self.pid, number)
        while time.monotonic() - start < wait:
            if not self.alive():
                return time.monotonic() - start
            time.sleep(0.05)
        return None

    def hang_up(self, wait: float = 15) -> float | None:
        """Close the terminal (the tmux server goes, the tutor gets SIGHUP), as a dropped SSH
        session does; seconds until the tutor was gone, None if it still runs after ``wait``."""
        start = time.monotonic()
        with contextlib.suppress(subprocess.SubprocessError):
            self._tmux("kill-server")
        self.socket.unlink(missing_ok=True)  # a server that died leaves its socket file
        while time.monotonic() - start < wait:
            if not self.alive():
                return time.monotonic() - start
            time.sleep(0.05)
        return None

    def close(self) -> None:
        """End the tutor (SIGKILL) if it still runs, and its tmux server."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.SubprocessError):
            self._tmux("kill-server")
        self.socket.unlink(missing_ok=True)  # a server that died leaves its socket file
        shutil.rmtree(self.dump.parent, ignore_errors=True)
