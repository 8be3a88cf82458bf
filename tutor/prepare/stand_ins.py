"""Stand-ins made on this machine for the images a classroom without internet cannot pull.

The course builds ``FROM python:3.8-alpine`` and starts ``registry:2``. A lab
behind a firewall reaches neither Docker Hub nor any other registry, but it
usually reaches its Debian mirror. From that, this module makes:

* a Python base (``PYTHON_STAND_IN``): a minimal Debian made with
  ``debootstrap``, with python3 and pip, imported as one layer. ``RUN pip
  install flask`` works in it: pip's externally-managed marker is removed, as
  in the official python images, and the machine's CA bundle is copied in
  (a school's proxy that inspects TLS is trusted by the machine, so it must
  be trusted inside the build too);
* a registry (``REGISTRY_STAND_IN``): Debian's ``docker-registry`` binary and
  the libraries it links, in a ``FROM scratch`` image, without auth.

They get honest names of their own, never the official tags, so a learner's
Dockerfile says what it really builds FROM. The test suite makes its images
with this same code, so what the tests prove and what a learner gets cannot
drift apart. It works where the recipe works: as root, on a Debian-like host
with apt; :func:`why_not_here` says why not elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from tutor.engine.connection import Engine
from tutor.engine.images import build_context, import_rootfs, label_of

#: The stand-in for the course's Python base image.
PYTHON_STAND_IN = "layers-tutor/python:local"
#: The stand-in for the registry image the push lesson starts.
REGISTRY_STAND_IN = "layers-tutor/registry:local"
#: Marks an image made by this module; its value is the recipe's digest, so a
#: changed recipe (a new CA bundle, other packages) makes the image again.
RECIPE_LABEL = "org.layers-tutor.stand-in-recipe"

#: Bump to remake every stand-in.
RECIPE_VERSION = "1"
SUITE = "bookworm"
PYTHON_PACKAGES = "python3,python3-pip,python-is-python3,ca-certificates"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
REGISTRY_CONFIG = (
    "version: 0.1\n"
    "storage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
    "  delete:\n    enabled: true\n"
    "http:\n  addr: :5000\n"
)

Say = Callable[[str], None]


def why_not_here() -> str | None:
    """Why stand-ins cannot be made on this machine, or None when they can."""
    if os.name != "posix" or not hasattr(os, "geteuid"):
        return "making stand-ins needs Linux (debootstrap and apt)"
    if os.geteuid() != 0:
        return "making stand-ins needs root (debootstrap writes a whole system); run it with sudo"
    if not shutil.which("apt-get") or not shutil.which("dpkg-query"):
        return "making stand-ins needs a Debian-like system with apt"
    try:
        apt_mirror()
    except RuntimeError as exc:
        return str(exc)
    return None


def python_recipe() -> str:
    """The digest of what makes the Python stand-in (changes when its inputs do)."""
    ca = _digest_file(CA_BUNDLE) if CA_BUNDLE.exists() else ""
    return _recipe("python", SUITE, PYTHON_PACKAGES, ca)


def ensure_python_base(
    engine: Engine,
    name: str = PYTHON_STAND_IN,
    labels: Mapping[str, str] | None = None,
    say: Say = lambda _: None,
) -> bool:
    """Make the Python stand-in as ``name`` unless an image of the same recipe is there.

    Args:
        engine: The engine to make it on.
        name: Its name (the test suite passes its own).
        labels: Extra labels (the test suite marks its fixtures).
        say: Told each stage, in a few words, for a progress display.

    Returns:
        True when it was made, False when it was already there.
    """
    recipe = python_recipe()
    if label_of(engine, name, RECIPE_LABEL) == recipe:
        return False
    why = why_not_here()
    if why:
        raise RuntimeError(why)
    apt_install("debootstrap", say=say)
    mirror = apt_mirror()
    with tempfile.TemporaryDirectory(prefix="layers-tutor-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        say(f"debootstrap {SUITE} with python3 and pip (about a minute)")
        subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={PYTHON_PACKAGES}",
             SUITE, str(rootfs), mirror],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _make_pip_work(rootfs)
        say(f"importing it as {name}")
        all_labels = {**(labels or {}), RECIPE_LABEL: recipe}
        changes = [
            'CMD ["python3"]',
            "ENV PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1",
            "LABEL " + " ".join(f"{k}={v}" for k, v in sorted(all_labels.items())),
        ]
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        assert tar.stdout is not None
        try:
            import_rootfs(engine, tar.stdout, name, changes)
        finally:
            tar.stdout.close()
            tar.wait()
    return True


def _make_pip_work(rootfs: Path) -> None:
    # As the official python images do: pip may install system-wide.
    for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    if CA_BUNDLE.exists():
        target = rootfs / "etc/ssl/certs/ca-certificates.crt"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        shutil.copyfile(CA_BUNDLE, target)
    shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
    shutil.rmtree(rootfs / "var/lib/apt/lists", ignore_errors=True)


def ensure_registry(
    engine: Engine,
    name: str = REGISTRY_STAND_IN,
    labels: Mapping[str, str] | None = None,
    say: Say = lambda _: None,
) -> bool:
    """Make the registry stand-in as ``name`` unless an image of the same recipe is there.

    Returns:
        True when it was made, False when it was already there.
    """
    binary = shutil.which("docker-registry")
    if binary is None:
        why = why_not_here()
        if why:
            raise RuntimeError(why)
        apt_install("docker-registry", say=say)
        binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    libs = _shared_libs(binary)
    lines = ["FROM scratch", "COPY registry /bin/registry", "COPY config.yml /etc/registry.yml"]
    lines += [f"COPY lib{i} {lib}" for i, lib in enumerate(libs)]
    lines += ['ENTRYPOINT ["/bin/registry", "serve", "/etc/registry.yml"]', "EXPOSE 5000"]
    dockerfile = "\n".join(lines) + "\n"
    recipe = _recipe(
        "registry", dockerfile, REGISTRY_CONFIG, _digest_file(Path(binary)),
        *(_digest_file(Path(x)) for x in libs),
    )  # fmt: skip
    if label_of(engine, name, RECIPE_LABEL) == recipe:
        return False
    say(f"building {name} from this machine's docker-registry")
    with tempfile.TemporaryDirectory(prefix="layers-tutor-registry-") as tmp:
        ctx = Path(tmp)
        shutil.copy2(binary, ctx / "registry")
        for i, lib in enumerate(libs):
            shutil.copy2(lib, ctx / f"lib{i}")
        (ctx / "config.yml").write_text(REGISTRY_CONFIG)
        (ctx / "Dockerfile").write_text(dockerfile)
        build_context(engine, ctx, name, {**(labels or {}), RECIPE_LABEL: recipe})
    return True


def apt_install(*packages: str, say: Say = lambda _: None) -> None:
    """Install the Debian packages that are missing (the package lists are updated once)."""
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    say(f"apt-get install {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _dpkg_installed(package: str) -> bool:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return out.returncode == 0 and "install ok installed" in out.stdout


def apt_mirror() -> str:
    """The Debian mirror this machine's own apt sources use (never a hard-coded host)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for path in sources:
        if not path.is_file() or path.suffix not in {".list", ".sources", ""}:
            continue
        text = path.read_text(errors="replace")
        for match in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
            if "security" not in match.group(1):
                return match.group(1)
        for match in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+", text, re.M):
            if "security" not in match.group(1):
                return match.group(1)
    raise RuntimeError("this machine's apt sources name no Debian mirror to debootstrap from")


def _shared_libs(binary: str) -> list[str]:
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            libs.append(parts[2])
        elif parts and parts[0].startswith("/"):
            libs.append(parts[0])
    return libs


def _recipe(*parts: str) -> str:
    return hashlib.sha256("\0".join((RECIPE_VERSION, *parts)).encode()).hexdigest()[:16]


def _digest_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]
