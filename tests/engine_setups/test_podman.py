"""Podman's Docker-compatible API: ``doctor`` recognises it and says what cannot work.

Debian's ``podman system service`` is started on a socket of its own (never
the default Docker one) and stopped by the pid started here. Only ``doctor``
runs on it: no Podman container starts on this machine kind (runc cannot set
its rlimits), so the lessons are not played there; the README's engine table
records what differs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests import provision
from tests.conftest import IN_CI
from tutor.doctor_engine import LESSONS
from tutor.engine.profile import PODMAN_LIMITS


@pytest.fixture(scope="module")
def podman_host(engine_handle: provision.EngineHandle) -> Iterator[str]:
    """``DOCKER_HOST`` of a Podman service this test started; stopped afterwards."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        if IN_CI:
            pytest.fail("CI must run the Podman test (root with apt)")
        pytest.skip("Podman is installed and started as root with apt")
    if not shutil.which("podman"):
        provision.apt_install("podman")
    storage = "/var/lib/containers/storage/overlay"
    mounted_before = _is_mount(storage)
    folder = Path(tempfile.mkdtemp(prefix="lt-podman-", dir="/run"))
    host = f"unix://{folder / 'podman.sock'}"
    service = subprocess.Popen(
        ["podman", "system", "service", "--time=0", host],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                docker.DockerClient(base_url=host, timeout=5).ping()
                break
            except Exception:
                time.sleep(0.1)
        yield host
    finally:
        service.terminate()
        service.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
        if not mounted_before and _is_mount(storage):
            # Podman's overlay driver bind-mounts its storage folder on itself and leaves it.
            subprocess.run(["umount", storage], check=False)


def _is_mount(path: str) -> bool:
    return subprocess.run(["mountpoint", "-q", path], check=False).returncode == 0


def test_doctor_names_podman_and_the_lessons_it_cannot_do(podman_host: str) -> None:
    env = dict(os.environ, DOCKER_HOST=podman_host)
    out = subprocess.run(
        [sys.executable, "-m", "tutor", "doctor", "--json"], capture_output=True, text=True, env=env
    )
    findings = {f["check"]: f for f in json.loads(out.stdout)}
    assert findings["engine"]["detail"].startswith("Podman ")
    podman = findings["podman"]
    assert podman["ok"] is False and podman["required"] is False
    for lesson, why in PODMAN_LIMITS.items():
        assert f"{lesson}: {why}" in podman["detail"]
    works = [lesson for lesson in LESSONS if lesson not in PODMAN_LIMITS]
    assert ", ".join(works) in podman["detail"]
    # Podman's compat API has no distribution endpoint: no raw "not supported" error.
    assert "not supported" not in out.stdout
    assert "cannot say whether it can be pulled" in findings["base image"]["detail"]
