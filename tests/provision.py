"""Provision a real Docker engine and the local images the tests need.

Run by the test suite (``tests/conftest.py``) and usable on its own::

    python tests/provision.py          # make sure an engine and the images exist
    python tests/provision.py --json   # ... and print what was found

Rules (see ../shared/docs/ENGINE_NOTES.md):

* An engine that already answers (``DOCKER_HOST``, the default socket) is used
  as it is, and never stopped or reconfigured.
* Otherwise, when we are root and have apt, Debian's ``docker.io`` is
  installed and ``dockerd`` started in the background; :func:`stop_engine`
  stops only a daemon that we started.
* No registry can be reached, so every image is made here, labelled as the
  test suite's, and reused while its recipe is unchanged:

  - ``BUSYBOX``: ``FROM scratch`` plus Debian's static busybox (fast tests);
  - ``PYTHON``: a debootstrapped Debian with python3 and pip, in which
    ``RUN pip install flask`` works (stands in for ``python:3.8-alpine``);
  - ``REGISTRY``: Debian's ``docker-registry`` binary in a scratch image,
    run on 127.0.0.1 for push tests.

  The last two are the product's own stand-ins, made by the code behind
  ``python -m tutor prepare --build-local`` (``tutor.prepare.stand_ins``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors

from tutor.engine.connection import Engine
from tutor.prepare import stand_ins

FIXTURE_LABEL = "org.layers-tutor.test-fixture"
RECIPE_LABEL = "org.layers-tutor.test-recipe"

BUSYBOX = "layers-tutor-test/busybox:latest"
# The stand-ins `python -m tutor prepare --build-local` makes, under their own names.
PYTHON = stand_ins.PYTHON_STAND_IN
REGISTRY = stand_ins.REGISTRY_STAND_IN

RECIPE_VERSION = "3"  # bump to rebuild every fixture image
DOCKERD_LOG = Path(tempfile.gettempdir()) / "layers-tutor-dockerd.log"
STARTED_MARK = Path(tempfile.gettempdir()) / "layers-tutor-dockerd.started"


def log(msg: str) -> None:
    print(f"[provision] {msg}", file=sys.stderr, flush=True)


@dataclass
class EngineHandle:
    """The engine the tests use and whether this run started it."""

    client: docker.DockerClient | None
    started_pid: int | None = None
    reason: str = ""  # why there is no engine, when client is None
    images: dict[str, str] = field(default_factory=dict)


def engine_answers() -> docker.DockerClient | None:
    """A client for an engine that answers now, or None."""
    try:
        client = docker.from_env(timeout=20)
        client.ping()
        return client
    except Exception:
        return None


def can_provision() -> tuple[bool, str]:
    """Whether this process may install and start an engine itself."""
    if os.name != "posix" or os.geteuid() != 0:
        return False, "no Docker engine answers and we are not root, so none can be started"
    if not shutil.which("apt-get"):
        return False, "no Docker engine answers and there is no apt-get to install one"
    return True, ""


def apt_install(*packages: str) -> None:
    """Install Debian packages that are missing (update the lists once)."""
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    log(f"apt-get install {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _dpkg_installed(package: str) -> bool:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return out.returncode == 0 and "install ok installed" in out.stdout


def start_engine() -> EngineHandle:
    """Use an engine that answers, or install and start one when allowed."""
    client = engine_answers()
    if client is not None:
        return EngineHandle(client)
    if os.environ.get("DOCKER_HOST"):
        return EngineHandle(None, reason=f"DOCKER_HOST={os.environ['DOCKER_HOST']} does not answer")
    ok, why = can_provision()
    if not ok:
        return EngineHandle(None, reason=why)
    apt_install("docker.io", "iptables", "iproute2")
    log("starting dockerd in the background")
    logf = DOCKERD_LOG.open("ab")
    proc = subprocess.Popen(
        ["dockerd"], stdout=logf, stderr=logf, stdin=subprocess.DEVNULL, start_new_session=True
    )
    STARTED_MARK.write_text(str(proc.pid))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        client = engine_answers()
        if client is not None:
            log(f"dockerd {proc.pid} answers")
            return EngineHandle(client, started_pid=proc.pid)
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    tail = DOCKERD_LOG.read_text(errors="replace")[-2000:]
    return EngineHandle(None, reason=f"dockerd did not start; its log ends:\n{tail}")


def stop_engine(handle: EngineHandle) -> None:
    """Stop the daemon only if this run started it."""
    if handle.started_pid is None:
        return
    log(f"stopping dockerd {handle.started_pid}, which this run started")
    with contextlib.suppress(ProcessLookupError):
        os.kill(handle.started_pid, 15)
    for _ in range(60):
        try:
            os.kill(handle.started_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    with contextlib.suppress(FileNotFoundError):
        STARTED_MARK.unlink()


class PrivateEngine:
    """A second, throw-away dockerd that a test may stop and start at will.

    The shared engine must never be stopped by a test (it may be a developer's
    own), so tests of "the engine goes away" use this one: its own data root,
    exec root and socket under ``root``, a bridge of its own and no iptables
    changes. (``--bridge=none`` is not an option: a dockerd started with it
    deletes the host's ``docker0``, which breaks the shared engine.)

    Args:
        root: A folder for its state; removed by :meth:`destroy`.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.bridge = "ltp" + hashlib.sha256(str(root).encode()).hexdigest()[:8]

    def start(self, timeout: float = 60) -> None:
        """Start the daemon and wait until it answers."""
        if self.proc is not None and self.proc.poll() is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        if not Path(f"/sys/class/net/{self.bridge}").exists():
            subprocess.run(["ip", "link", "add", "name", self.bridge, "type", "bridge"], check=True)
            subprocess.run(["ip", "link", "set", self.bridge, "up"], check=True)
        logf = (self.root / "dockerd.log").open("ab")
        self.proc = subprocess.Popen(
            [
                "dockerd",
                f"--data-root={self.root / 'data'}",
                f"--exec-root={self.root / 'exec'}",
                f"--pidfile={self.root / 'docker.pid'}",
                f"--host={self.host}",
                f"--bridge={self.bridge}",
                "--iptables=false",
                "--ip-masq=false",
            ],
            stdout=logf,
            stderr=logf,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                docker.DockerClient(base_url=self.host, timeout=5).ping()
                return
            except Exception:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.3)
        raise RuntimeError(f"private dockerd did not start; see {self.root / 'dockerd.log'}")

    def stop(self) -> None:
        """Stop the daemon (the engine "goes away"); its state stays for a restart."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def load(self, source: docker.DockerClient, image: str) -> None:
        """Copy ``image`` from the shared engine into this one (save | load)."""
        client = docker.DockerClient(base_url=self.host, timeout=60)
        client.images.load(b"".join(source.images.get(image).save(named=True)))

    def destroy(self) -> None:
        """Stop the daemon and remove its state."""
        self.stop()
        subprocess.run(["umount", "-R", str(self.root / "data")], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------- images


def _current(client: docker.DockerClient, name: str, recipe: str) -> bool:
    try:
        image = client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    labels = image.attrs.get("Config", {}).get("Labels") or {}
    return labels.get(RECIPE_LABEL) == recipe


def _recipe(*parts: str) -> str:
    return hashlib.sha256("\0".join((RECIPE_VERSION, *parts)).encode()).hexdigest()[:16]


def _build(client: docker.DockerClient, context: Path, name: str, recipe: str) -> None:
    labels = {FIXTURE_LABEL: "1", RECIPE_LABEL: recipe}
    for event in client.api.build(
        path=str(context), tag=name, labels=labels, rm=True, forcerm=True, decode=True
    ):
        if "errorDetail" in event:
            raise RuntimeError(f"building {name} failed: {event['errorDetail']}")


def ensure_busybox(client: docker.DockerClient) -> str:
    """A tiny ``FROM scratch`` image with a static busybox: two real layers."""
    dockerfile = (
        "FROM scratch\n"
        "COPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        'CMD ["sh"]\n'
    )
    if not shutil.which("busybox") or not _is_static(shutil.which("busybox") or ""):
        apt_install("busybox-static")
    busybox = shutil.which("busybox") or "/bin/busybox"
    recipe = _recipe(dockerfile, _digest_file(busybox))
    if _current(client, BUSYBOX, recipe):
        return BUSYBOX
    log(f"building {BUSYBOX}")
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Path(tmp)
        shutil.copy2(busybox, ctx / "busybox")
        (ctx / "Dockerfile").write_text(dockerfile)
        _build(client, ctx, BUSYBOX, recipe)
    return BUSYBOX


def ensure_registry(client: docker.DockerClient) -> str:
    """The registry stand-in ``prepare --build-local`` makes: Debian's registry, no auth."""
    stand_ins.ensure_registry(_engine(client), REGISTRY, say=log)
    return REGISTRY


def ensure_python(client: docker.DockerClient) -> str:
    """The Python stand-in ``prepare --build-local`` makes, by the product's own recipe.

    The test suite does not keep a recipe of its own: what the tests prove is
    what a learner on an offline lab machine gets (``tutor.prepare.stand_ins``).
    """
    if not _current_stand_in(client, PYTHON) and os.geteuid() != 0:
        raise RuntimeError(f"{PYTHON} is missing and only root can debootstrap it")
    stand_ins.ensure_python_base(_engine(client), PYTHON, say=log)
    return PYTHON


def _current_stand_in(client: docker.DockerClient, name: str) -> bool:
    try:
        labels = client.images.get(name).attrs.get("Config", {}).get("Labels") or {}
    except docker.errors.ImageNotFound:
        return False
    return labels.get(stand_ins.RECIPE_LABEL) == stand_ins.python_recipe()


def _engine(client: docker.DockerClient) -> Engine:
    return Engine(client, "the test suite's engine")


def apt_mirror() -> str:
    """The Debian mirror of this machine's apt sources (the product's own finder)."""
    return stand_ins.apt_mirror()


def _is_static(path: str) -> bool:
    out = subprocess.run(["file", "-L", path], capture_output=True, text=True).stdout
    if out:
        return "statically linked" in out
    ldd = subprocess.run(["ldd", path], capture_output=True, text=True)
    return ldd.returncode != 0


def _digest_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def ensure_images(client: docker.DockerClient, python: bool = True) -> dict[str, str]:
    """Make (or reuse) every fixture image; returns role -> image name."""
    images = {"busybox": ensure_busybox(client), "registry": ensure_registry(client)}
    if python:
        images["python"] = ensure_python(client)
    return images


def provision(python: bool = True) -> EngineHandle:
    """An engine and the fixture images, or a handle that says why not."""
    handle = start_engine()
    if handle.client is not None:
        handle.images = ensure_images(handle.client, python=python)
    return handle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print what was provisioned")
    parser.add_argument("--no-python", action="store_true", help="skip the Python base image")
    args = parser.parse_args()
    handle = provision(python=not args.no_python)
    if handle.client is None:
        log(handle.reason)
        return 1
    if args.json:
        print(json.dumps({"started_pid": handle.started_pid, "images": handle.images}))
    else:
        for role, name in handle.images.items():
            log(f"{role}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
