"""How long ``python -m tutor`` takes to draw its first full frame in a real terminal.

Run ``python benchmarks/first_frame.py`` (tmux must be installed; a Docker
engine need not answer). It starts a tmux server of its own (its own socket)
with one 80x24 pane and, round after round, starts in that pane:

* the tutor, ``python -m tutor``, until the course screen shows the last
  lesson's title (lesson 10, in the course's default language);
* the yardstick, a bare Textual app (a Header, a 10-row DataTable, a Footer:
  this file run with ``--bare-app``), until its last row is drawn.

The two alternate (which one goes first swaps every round), after one
uncounted warm-up round. Both run with Python's bytecode cache, as an
installed tutor does (pip compiles a package when it installs it): the
children are given a cache folder of their own (``PYTHONPYCACHEPREFIX``, with
``PYTHONDONTWRITEBYTECODE`` taken away), which the warm-up round fills, so
an editable checkout is not compiled from source at every start (that alone
cost the tutor some 0.3 s a start here). ``--no-bytecode-cache`` measures
that case instead. The warm-up round also leaves the loaded course in the
temporary cache folder (``tutor.course.course_cache``), as any start after
the first does for a learner; the first start ever reads the lesson files
(some 50 ms more). A round's time runs from asking tmux to start the
program until ``tmux capture-pane`` first shows the target text (polled every
few milliseconds; the same for both). The program is then ended with SIGHUP,
as a closed terminal would, and waited for before the next one starts.

HOME, the XDG folders and ``LAYERS_TUTOR_SETTINGS`` point into a temporary
folder and the namespace is one of the benchmark's own, so no real progress,
settings or workspace is read or written. The tutor connects to whatever
engine answers (as a learner's would); it makes nothing there.

It prints the medians and their ratio; ``--json`` prints
``{"tutor_s": [...], "bare_s": [...]}`` instead (``benchmarks/run.py`` reads it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

ROUNDS = 7
SIZE = (80, 24)
#: Seconds between two looks at the pane, and how long to wait for a frame at most.
POLL, TIMEOUT = 0.004, 30.0
#: The bare app's last row, which is what the yardstick waits for.
BARE_LAST_ROW = "bare row 10 of 10"


def bare_app() -> None:
    """The yardstick: a Header, a 10-row DataTable, a Footer; nothing else."""
    from textual.app import App, ComposeResult
    from textual.binding import BindingType
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("#", "row", "status")
            for n in range(1, 11):
                table.add_row(str(n), f"bare row {n} of 10", "·")

    Bare().run()


def lesson_ten_title() -> str:
    """The last lesson's title in the course's default language (what a fresh start shows)."""
    from tutor.course.loader import default_course_root, load_course

    course = load_course(default_course_root())
    entry = course.entries[-1]
    return entry.title.get(course.default_language) or next(iter(entry.title.values()))


class Pane:
    """One tmux pane of a fixed size, on a tmux server of the benchmark's own."""

    def __init__(self, env: dict[str, str], size: tuple[int, int] = SIZE) -> None:
        self.socket = f"first-frame-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.env = env
        width, height = size
        # The server inherits this environment; every program in the pane gets it.
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "bench",
                  "-x", str(width), "-y", str(height), "sleep 86400")  # fmt: skip
        # A program that ends leaves its pane (and the server) in place for the next one.
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        shown = self.tmux("display-message", "-p", "-t", "bench", "#{pane_width}x#{pane_height}")
        if shown.strip() != f"{width}x{height}":
            self.close()
            raise RuntimeError(f"tmux made a {shown.strip()} pane, not {width}x{height}")

    def tmux(self, *args: str) -> str:
        """Run a tmux command on this server; its output."""
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def start(self, command: list[str]) -> int:
        """Replace what runs in the pane by ``command``; the new program's pid."""
        line = "exec " + shlex.join(command)
        self.tmux("respawn-pane", "-k", "-t", "bench", line)
        return int(self.tmux("display-message", "-p", "-t", "bench", "#{pane_pid}"))

    def text(self) -> str:
        """What the pane shows now."""
        return self.tmux("capture-pane", "-p", "-t", "bench")

    def close(self) -> None:
        """Stop this tmux server (and whatever runs in it)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.tmux("kill-server")


def first_frame(pane: Pane, command: list[str], target: str) -> float:
    """Seconds from starting ``command`` in the pane until ``target`` is on it.

    Raises:
        TimeoutError: the text did not show in time (the pane's last text is in it).
    """
    start = time.perf_counter()
    pid = pane.start(command)
    try:
        while True:
            text = pane.text()
            if target in text:
                return time.perf_counter() - start
            if time.perf_counter() - start > TIMEOUT:
                raise TimeoutError(f"no {target!r} after {TIMEOUT:.0f} s; the pane shows:\n{text}")
            time.sleep(POLL)
    finally:
        stop(pid)


def stop(pid: int) -> None:
    """End a program as a closed terminal would, and wait until it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # The pane's program is tmux's child: it is reaped there, and a zombie is gone enough.
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                return
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def private_home(*, bytecode_cache: bool = True) -> Iterator[dict[str, str]]:
    """An environment whose home, XDG folders, settings file and bytecode cache are temporary.

    Args:
        bytecode_cache: Let Python cache the modules it compiles (in the temporary folder).
    """
    with tempfile.TemporaryDirectory(prefix="first-frame-") as folder:
        root = Path(folder)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LAYERS_TUTOR_", "XDG_", "TMUX", "PYTHONPYCACHEPREFIX"))
            and not (bytecode_cache and key == "PYTHONDONTWRITEBYTECODE")
        }
        if bytecode_cache:
            env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        for name in ("home", "config", "data", "cache", "state", "runtime"):
            (root / name).mkdir(mode=0o700)
        env.update(
            HOME=str(root / "home"),
            XDG_CONFIG_HOME=str(root / "config"),
            XDG_DATA_HOME=str(root / "data"),
            XDG_CACHE_HOME=str(root / "cache"),
            XDG_STATE_HOME=str(root / "state"),
            XDG_RUNTIME_DIR=str(root / "runtime"),
            LAYERS_TUTOR_SETTINGS=str(root / "config" / "settings.toml"),
            LAYERS_TUTOR_NAMESPACE=f"first-frame-{uuid.uuid4().hex[:6]}",
            TERM="xterm-256color",
            COLORTERM="truecolor",
        )
        yield env


def measure(rounds: int, python: str, *, bytecode_cache: bool = True) -> dict[str, list[float]]:
    """Both programs, interleaved, ``rounds`` times each after a warm-up round."""
    tutor = ([python, "-m", "tutor"], lesson_ten_title())
    bare = ([python, str(Path(__file__).resolve()), "--bare-app"], BARE_LAST_ROW)
    times: dict[str, list[float]] = {"tutor_s": [], "bare_s": []}
    with private_home(bytecode_cache=bytecode_cache) as env:
        pane = Pane(env)
        try:
            for n in range(rounds + 1):
                order = [("tutor_s", tutor), ("bare_s", bare)]
                for key, (command, target) in order if n % 2 else order[::-1]:
                    seconds = first_frame(pane, command, target)
                    if n:  # round 0 only warms the file cache and the bytecode
                        times[key].append(seconds)
        finally:
            pane.close()
    return times


def main(argv: list[str] | None = None) -> int:
    """Measure, then print medians and the ratio (or the times as JSON)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of each program")
    parser.add_argument("--json", action="store_true", help='print {"tutor_s": [...], ...}')
    parser.add_argument("--python", default=sys.executable, help="the Python that runs both")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile from source at every start, as with PYTHONDONTWRITEBYTECODE",
    )
    parser.add_argument("--bare-app", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_app:
        bare_app()
        return 0
    times = measure(args.rounds, args.python, bytecode_cache=not args.no_bytecode_cache)
    if args.json:
        print(json.dumps(times))
        return 0
    tutor, bare = statistics.median(times["tutor_s"]), statistics.median(times["bare_s"])
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    size = f"{SIZE[0]}x{SIZE[1]}"
    print(f"first full frame in an {size} tmux pane, {args.rounds} rounds each, {cache}")
    for name, key in (("python -m tutor", "tutor_s"), ("bare Textual app", "bare_s")):
        shown = " ".join(f"{t:.3f}" for t in times[key])
        print(f"  {name:<18} median {statistics.median(times[key]):.3f} s  ({shown})")
    print(f"  ratio {tutor / bare:.2f}x (target: at most 1.3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
