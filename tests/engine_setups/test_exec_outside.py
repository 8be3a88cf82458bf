"""An engine whose ``docker exec`` misses the container: the tutor says so, never "0 changes".

Issue 15 found that on Docker 26 run in a plain ``chroot`` (``DOCKER_RAMDISK=true``,
so runc cannot ``pivot_root``) a change made with ``docker exec`` never shows in
``docker diff``. The cause is the set-up, not the engine: there the exec'd
command runs in this machine's root filesystem instead of the container's
(the same Docker 26 in a mount namespace of its own, with ``pivot_root``, is
the second engine of ``tests/run.sh`` and passes lesson 7). This test starts
the broken set-up on purpose and checks what a learner would see on it.

It lives outside ``tests/engine/`` because it starts the Docker 26 engine
itself, in the other set-up, and ``tests/engine/`` also runs *on* that engine.
Only read-only commands are exec'd here: on this engine they run on the machine.
"""

from __future__ import annotations

import time
import types
import uuid
from collections.abc import Iterator

import docker
import pytest

from tests import modern_engine, provision
from tests.conftest import IN_CI
from tutor.course.checks import DECIDERS
from tutor.engine.connection import Engine, connect
from tutor.engine.diff import ChangeKind, diff
from tutor.engine.labels import labels_for
from tutor.engine.profile import EXEC_OUTSIDE, exec_reaches_container
from tutor.report import diff_json, diff_table


@pytest.fixture(scope="module")
def chroot_engine(engine_handle: provision.EngineHandle) -> Iterator[Engine]:
    """Docker 26 in a plain chroot, with the busybox fixture; stopped afterwards."""
    reason = modern_engine.why_not()
    if reason:
        if IN_CI:
            pytest.fail(f"CI must run this test, but: {reason}")
        pytest.skip(reason)
    assert engine_handle.client is not None
    started = modern_engine.start(chroot=True)
    eng: Engine | None = None
    try:
        modern_engine.load_images(engine_handle.client, started.host, [provision.BUSYBOX])
        eng = connect(env={"DOCKER_HOST": started.host})
        yield eng
    finally:
        if eng is not None:
            eng.close()
        modern_engine.stop(started)


def test_diff_says_exec_runs_outside_the_container(chroot_engine: Engine) -> None:
    client = chroot_engine.client
    ns = f"t{uuid.uuid4().hex[:10]}"
    container = client.containers.run(
        provision.BUSYBOX,
        ["sh", "-c", "echo own > /own.txt && sleep 600"],
        name=f"{ns}-cow",
        labels=labels_for(ns, "test"),
        detach=True,
    )
    try:
        _wait_for_file(container, "/own.txt")
        assert exec_reaches_container(chroot_engine, container.id) is False
        found = diff(chroot_engine, container.id)
        assert found.exec_outside is True
        # Copy-on-write itself works: the container's own process's change is listed.
        assert {c.path: c.kind for c in found.changes}["/own.txt"] is ChangeKind.ADDED
        assert EXEC_OUTSIDE in diff_table(found)
        assert diff_json(found)["exec_outside"] is True
        # The lesson's check says why it cannot pass, instead of "not yet" forever.
        ctx = types.SimpleNamespace(engine=chroot_engine)
        args = {"container": container.name, "path": "/app.py", "change": "C"}
        result = DECIDERS["diff_has"](ctx, None, args)  # type: ignore[arg-type]
        assert not result.passed
        assert "cannot show" in result.detail and "pivot_root" in result.detail
    finally:
        container.remove(force=True)


def _wait_for_file(container: docker.models.containers.Container, path: str) -> None:
    """The container's own process has written ``path`` (read through the engine, not exec)."""
    for _ in range(100):
        if any(c["Path"] == path for c in container.diff() or []):
            return
        time.sleep(0.1)
    raise AssertionError(container.logs().decode())
