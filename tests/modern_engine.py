"""A second, modern engine for the tests: Docker 26 with the containerd image store.

Learners mostly have a newer engine than Debian bookworm's 20.10, with the
containerd image store (Docker Desktop, fresh Engine installs). This module
starts one beside the host's engine, never touching it::

    python -m tests.modern_engine start   # prints DOCKER_HOST=unix://...
    python -m tests.modern_engine stop    # stops what ``start`` started, removes the rest

How (measured on this machine kind, see ENGINE_NOTES.md):

* Debian trixie's ``docker.io`` (26.1.5) is debootstrapped into a folder once
  and kept under :data:`CACHE` (about 30 s; reused while :data:`RECIPE` is
  unchanged). Each start gets a fresh, empty engine state.
* The engine runs in a mount namespace of its own (``unshare -m``), where the
  folder is made the root with ``pivot_root``. A plain ``chroot`` needs
  ``DOCKER_RAMDISK=true``, and then runc cannot ``pivot_root`` either: a
  ``docker exec`` then runs in the *machine's* root filesystem, not the
  container's, so ``docker diff`` never sees what it wrote (the "exec diff"
  of issue 15). Every mount the engine makes stays in that namespace and goes
  away with it.
* It has a bridge of its own (``lt-docker26``) and ``iptables: false``, so it
  never rewrites the host engine's chains; the two rules its containers need
  to reach the network (masquerade, forward) are added here and removed by
  :func:`stop`, exactly as added.
* It is stopped by the pid this module started (kept in :data:`STATE`), never
  through the pid file in the folder: the folder's ``/var/run`` is an absolute
  symlink to ``/run``, so read from the host it names the host engine's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import docker

from tests.provision import apt_install, apt_mirror, log

#: Bump to debootstrap the folder again.
RECIPE = "trixie docker.io docker-buildx ca-certificates iptables 2"
CACHE = Path("/var/cache/layers-tutor-test/docker26")
ROOTFS = CACHE / "rootfs"
STATE = Path("/run/layers-tutor-test-docker26.json")
SOCKET_IN_ROOT = "/run/docker26.sock"
BRIDGE = "lt-docker26"
#: The bridge's address; a /24 nothing on this machine kind routes.
BRIDGE_ADDRESS = "172.31.226.1/24"
SUBNET = "172.31.226.0/24"
DAEMON_JSON = {
    "features": {"containerd-snapshotter": True},
    "bridge": BRIDGE,
    "iptables": False,
    "ip-masq": False,
}
#: The rules the engine would have added itself, scoped to its own bridge.
IPTABLES_RULES = (
    ("nat", "POSTROUTING", ["-s", SUBNET, "!", "-o", BRIDGE, "-j", "MASQUERADE"]),
    ("filter", "FORWARD", ["-i", BRIDGE, "-j", "ACCEPT"]),
    (
        "filter",
        "FORWARD",
        ["-o", BRIDGE, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
    ),
)
# Runs inside the new mount namespace: make the folder the root, then become dockerd.
_ENTER = """
set -e
R="$1"
mount --make-rprivate /
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mkdir -p "$R/.oldroot"
cd "$R"
pivot_root . .oldroot
cd /
umount -l /.oldroot
exec /usr/sbin/dockerd -H "unix://$2"
"""
# The set-up first tried (ENGINE_NOTES.md): a plain chroot, where runc cannot pivot_root.
_ENTER_CHROOT = """
set -e
R="$1"
mount --make-rprivate /
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
DOCKER_RAMDISK=true exec chroot "$R" /usr/sbin/dockerd -H "unix://$2"
"""


@dataclass
class ModernEngine:
    """What :func:`start` started, so that :func:`stop` undoes exactly that.

    Attributes:
        host: ``DOCKER_HOST`` for clients on this machine.
        pid: The dockerd this module started.
        mount_ns: Its mount namespace (``/proc/PID/ns/mnt``), to find leftovers
            (shims, containers) that outlive a killed dockerd.
        bridge: The bridge it was given, when this module made it.
        rules: The iptables rules this module added.
    """

    host: str
    pid: int
    mount_ns: str = ""
    bridge: str = ""
    rules: list[list[str]] = field(default_factory=list)


def why_not() -> str:
    """Why the modern engine cannot start on this machine ("" when it can)."""
    if os.name != "posix" or os.geteuid() != 0:
        return "the Docker 26 engine needs root (debootstrap, a mount namespace, a bridge)"
    for tool in ("apt-get", "unshare", "ip", "iptables"):
        if not shutil.which(tool):
            return f"the Docker 26 engine needs {tool}"
    return ""


def ensure_rootfs() -> Path:
    """Debian trixie with docker.io in :data:`ROOTFS`, debootstrapped once per recipe."""
    marker = CACHE / "recipe"
    if marker.exists() and marker.read_text() == RECIPE and (ROOTFS / "usr/sbin/dockerd").exists():
        return ROOTFS
    if STATE.exists():
        raise RuntimeError(f"the Docker 26 engine runs from {ROOTFS}: stop it first")
    apt_install("debootstrap")
    shutil.rmtree(ROOTFS, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    log("debootstrapping Debian trixie with docker.io for the second engine (about 30 s)")
    subprocess.run(
        [
            "debootstrap",
            "--variant=minbase",
            "--include=docker.io,docker-buildx,ca-certificates,iptables",
            "trixie",
            str(ROOTFS),
            apt_mirror(),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(ROOTFS / "var/cache/apt/archives", ignore_errors=True)
    marker.write_text(RECIPE)
    return ROOTFS


def buildx_plugin() -> Path:
    """Debian trixie's ``docker buildx``, to build with BuildKit as a learner's terminal does.

    The docker CLI on this machine kind has no buildx plugin, and
    ``docker build`` needs one for BuildKit; the folder's copy works for any
    engine (set ``DOCKER_CONFIG`` to a folder with ``cli-plugins/docker-buildx``).
    """
    return ensure_rootfs() / "usr/libexec/docker/cli-plugins/docker-buildx"


def _fresh_state(root: Path) -> None:
    """Give the engine empty state: nothing from a previous run carries over."""
    for sub in ("var/lib/docker", "var/lib/containerd", "run"):
        shutil.rmtree(root / sub, ignore_errors=True)
    (root / "run").mkdir(mode=0o755)
    (root / "etc/docker").mkdir(parents=True, exist_ok=True)
    (root / "etc/docker/daemon.json").write_text(json.dumps(DAEMON_JSON))
    # The machine's CA bundle: pulls and builds go through the same TLS-inspecting proxy.
    ca = Path("/etc/ssl/certs/ca-certificates.crt")
    if ca.exists():
        target = root / "etc/ssl/certs/ca-certificates.crt"
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        shutil.copyfile(ca, target)


def _iptables(table: str, op: str, chain: str, rule: list[str]) -> bool:
    cmd = ["iptables", "-w", "-t", table, op, chain, *rule]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def start(timeout: float = 60, *, chroot: bool = False) -> ModernEngine:
    """Start the Docker 26 engine and wait until it answers.

    Args:
        timeout: Seconds to wait for its first answer.
        chroot: Start it the way that breaks ``docker exec`` (a plain chroot
            with ``DOCKER_RAMDISK=true``), to prove the tutor notices. Its
            execs run in this machine's root: only read-only probes belong there.

    Returns:
        What was started; pass it (or nothing: :data:`STATE` remembers) to :func:`stop`.

    Raises:
        RuntimeError: it cannot start here, or did not answer in time.
    """
    reason = why_not()
    if reason:
        raise RuntimeError(reason)
    if STATE.exists():
        stop()  # a previous run died before its clean-up
    root = ensure_rootfs()
    _fresh_state(root)
    made_bridge = not Path(f"/sys/class/net/{BRIDGE}").exists()
    if made_bridge:
        subprocess.run(["ip", "link", "add", "name", BRIDGE, "type", "bridge"], check=True)
        subprocess.run(["ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE], check=True)
        subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)
    rules: list[list[str]] = []
    for table, chain, rule in IPTABLES_RULES:
        if _iptables(table, "-I", chain, rule):
            rules.append([table, chain, *rule])
    logf = (CACHE / "dockerd.log").open("wb")
    enter = ["sh", "-c", _ENTER_CHROOT if chroot else _ENTER, "sh", str(root), SOCKET_IN_ROOT]
    proc = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", *enter],
        stdout=logf,
        stderr=logf,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    engine = ModernEngine(
        host=f"unix://{root}{SOCKET_IN_ROOT}",
        pid=proc.pid,
        bridge=BRIDGE if made_bridge else "",
        rules=rules,
    )
    STATE.write_text(json.dumps(asdict(engine)))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            docker.DockerClient(base_url=engine.host, timeout=5).ping()
        except Exception:
            time.sleep(0.3)
            continue
        with contextlib.suppress(OSError):
            engine.mount_ns = os.readlink(f"/proc/{proc.pid}/ns/mnt")
        STATE.write_text(json.dumps(asdict(engine)))
        log(f"Docker 26 (containerd image store) {proc.pid} answers at {engine.host}")
        return engine
    tail = (CACHE / "dockerd.log").read_text(errors="replace")[-2000:]
    stop()
    raise RuntimeError(f"the Docker 26 engine did not start; its log ends:\n{tail}")


def _is_ours(pid: int) -> bool:
    """Whether ``pid`` is still the dockerd we started (pids are reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return SOCKET_IN_ROOT.encode() in cmdline or str(ROOTFS).encode() in cmdline


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    return not Path(f"/proc/{pid}").exists()


def _left_in_namespace(mount_ns: str) -> list[int]:
    """Processes still in the engine's mount namespace (shims, containers)."""
    if not mount_ns:
        return []
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if os.readlink(proc / "ns/mnt") == mount_ns:
                    found.append(int(proc.name))
    return found


def stop(engine: ModernEngine | None = None) -> None:
    """Stop the engine :func:`start` started and undo its bridge and rules.

    Safe to call twice, and after a crash: it reads :data:`STATE` when no
    engine is given. Only what :data:`STATE` names is touched.
    """
    if engine is None:
        try:
            engine = ModernEngine(**json.loads(STATE.read_text()))
        except (OSError, ValueError, TypeError):
            return
    if _is_ours(engine.pid):
        log(f"stopping the Docker 26 engine {engine.pid}, which this run started")
        with contextlib.suppress(ProcessLookupError):
            os.kill(engine.pid, 15)
        if not _wait_gone(engine.pid, 40):
            with contextlib.suppress(ProcessLookupError):
                os.kill(engine.pid, 9)
            _wait_gone(engine.pid, 10)
    # Shims and containers of a dockerd that died hard keep its namespace (and mounts) alive.
    for pid in _left_in_namespace(engine.mount_ns):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
    for table, chain, *rule in engine.rules:
        _iptables(table, "-D", chain, rule)
    if engine.bridge:
        subprocess.run(["ip", "link", "del", engine.bridge], capture_output=True)
    with contextlib.suppress(FileNotFoundError):
        STATE.unlink()


def load_images(source: docker.DockerClient, host: str, images: list[str]) -> None:
    """Move images from the host engine into the modern one (``docker save | docker load``).

    Moved, not rebuilt: a base made with ``docker import`` on each engine gets
    different diff-ids, and the tests compare what the engines say of the same image.
    """
    target = docker.DockerClient(base_url=host, timeout=300)
    try:
        for name in images:
            target.images.load(source.images.get(name).save(named=True))
    finally:
        target.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    args = parser.parse_args()
    if args.action == "stop":
        stop()
        return 0
    try:
        engine = start()
    except RuntimeError as exc:
        log(str(exc))
        return 1
    print(f"DOCKER_HOST={engine.host}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
