"""Shared fixtures: a real Docker engine, the local fixture images, a namespace per test.

Tests that need an engine take the ``engine`` fixture (and carry the
``engine`` marker). Where no engine can be had they are skipped with the
reason; under CI (``CI`` set) that is a failure instead, so CI can never pass
by skipping the tests that prove the Docker behaviour.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import modern_engine, provision
from tutor import settings
from tutor.engine.connection import Engine, connect
from tutor.engine.labels import NAMESPACE_LABEL, TOOL_LABEL
from tutor.engine.profile import EngineProfile, profile

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))
#: Which engine the engine tests run on: unset for the one that answers,
#: ``docker26`` for the second, modern engine that ``tests/modern_engine.py`` starts.
TEST_ENGINE = os.environ.get("LAYERS_TUTOR_TEST_ENGINE", "")

# Hypothesis profiles. ``ci`` runs 1,000 examples per property (issue 16: the
# lesson and progress parsers are fuzzed with weight there); ``quick`` is the
# default for a local run. ``HYPOTHESIS_PROFILE`` picks one by name. A property
# that needs a different count (a slow one) sets it with ``@settings`` itself.
for _name, _examples in (("ci", 1000), ("quick", 60)):
    hypothesis_settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=_name == "ci",
    )
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "quick")
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)


@pytest.fixture(scope="session", autouse=True)
def own_settings_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test reads and writes a settings file of the run's own, never the developer's.

    Set in the environment, so the tutors the tests start in terminals use it too.
    """
    path = tmp_path_factory.mktemp("settings") / "settings.toml"
    before = os.environ.get(settings.FILE_VARIABLE)
    os.environ[settings.FILE_VARIABLE] = str(path)
    yield path
    if before is None:
        os.environ.pop(settings.FILE_VARIABLE, None)
    else:
        os.environ[settings.FILE_VARIABLE] = before


@pytest.fixture(scope="session")
def engine_handle() -> Iterator[provision.EngineHandle]:
    """Provision once per run; stop only a daemon this run started."""
    handle = provision.start_engine()
    if handle.client is None:
        if IN_CI:
            pytest.fail(f"CI must run the engine tests, but: {handle.reason}")
        pytest.skip(f"no Docker engine can be had here: {handle.reason}")
    try:
        handle.images = provision.ensure_images(handle.client)
    except Exception as exc:  # pragma: no cover - reported, not hidden
        pytest.fail(f"could not make the fixture images: {exc}")
    if TEST_ENGINE == "docker26":
        with modern_engine_for(handle) as modern:
            yield modern
    else:
        yield handle
    provision.stop_engine(handle)


@contextlib.contextmanager
def modern_engine_for(source: provision.EngineHandle) -> Iterator[provision.EngineHandle]:
    """The Docker 26 containerd-store engine, with the fixture images moved in from ``source``.

    ``DOCKER_HOST`` points at it for the whole session (the tutor, the CLI
    tests' subprocesses and the relays all read it); it is stopped, and
    ``DOCKER_HOST`` restored, at the end, even when the session fails.
    """
    reason = modern_engine.why_not()
    if reason:
        if IN_CI:
            pytest.fail(f"CI must run the tests on the Docker 26 engine, but: {reason}")
        pytest.skip(reason)
    assert source.client is not None
    before = os.environ.get("DOCKER_HOST")
    try:
        try:
            started = modern_engine.start()
        except RuntimeError as exc:
            if IN_CI:
                pytest.fail(f"CI must run the tests on the Docker 26 engine, but: {exc}")
            pytest.skip(str(exc))
        modern_engine.load_images(source.client, started.host, list(source.images.values()))
        os.environ["DOCKER_HOST"] = started.host
        client = docker.DockerClient(base_url=started.host, timeout=120)
        yield provision.EngineHandle(client, images=dict(source.images))
        client.close()
    finally:
        modern_engine.stop()
        if before is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = before


@pytest.fixture(scope="session")
def fixture_images(engine_handle: provision.EngineHandle) -> dict[str, str]:
    """Role -> image name: ``busybox``, ``python``, ``registry``."""
    return engine_handle.images


@pytest.fixture
def engine(engine_handle: provision.EngineHandle) -> Iterator[Engine]:
    """A tutor :class:`Engine` connected to the provisioned daemon."""
    eng = connect()
    yield eng
    eng.close()


@pytest.fixture
def docker_client(engine_handle: provision.EngineHandle) -> docker.DockerClient:
    """The raw docker-py client, for arranging and inspecting state independently."""
    assert engine_handle.client is not None
    return engine_handle.client


@pytest.fixture
def namespace(engine_handle: provision.EngineHandle) -> Iterator[str]:
    """A learner namespace unique to this test; its objects are removed afterwards.

    The sweep uses raw docker-py and the namespace label, so a broken
    ``clean()`` cannot hide leaks from other tests.
    """
    ns = f"t{uuid.uuid4().hex[:10]}"
    yield ns
    client = engine_handle.client
    assert client is not None
    sweep_namespace(client, ns)


def sweep_namespace(client: docker.DockerClient, ns: str) -> None:
    """Remove every container, image, network and volume labelled with ``ns``."""
    filters = {"label": [f"{TOOL_LABEL}=layers-tutor", f"{NAMESPACE_LABEL}={ns}"]}
    for c in client.containers.list(all=True, filters=filters):
        with contextlib.suppress(docker.errors.APIError):
            c.remove(force=True)
    for n in client.networks.list(filters=filters):
        with contextlib.suppress(docker.errors.APIError):
            n.remove()
    for v in client.volumes.list(filters=filters):
        with contextlib.suppress(docker.errors.APIError):
            v.remove(force=True)
    for img in client.images.list(filters=filters):
        for tag in img.tags or [img.id]:
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(tag, force=True)


@pytest.fixture(scope="session")
def engine_profile(engine_handle: provision.EngineHandle) -> EngineProfile:
    """What differs on the engine under test: the one place tests ask (never a version)."""
    eng = connect()
    try:
        return profile(eng)
    finally:
        eng.close()


@pytest.fixture(autouse=True)
def _engine_differences(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.engine_differs(PROPERTY, reason=...)``: a known difference, proven.

    Where the engine profile's ``PROPERTY`` is true, the test is expected to
    fail (strictly: when it passes there, the difference is gone and the
    marker must go too). Elsewhere it runs as usual.
    """
    marks = list(request.node.iter_markers("engine_differs"))
    if not marks:
        return
    found = request.getfixturevalue("engine_profile")
    for mark in marks:
        prop = str(mark.args[0])
        if getattr(found, prop):
            reason = f"{found.name}: {prop}: {mark.kwargs.get('reason', '')}"
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use the engine carry the marker, so ``-m 'not engine'`` works."""
    for item in items:
        if "engine_handle" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)


_SKIPPED_ENGINE_TESTS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember engine tests that were skipped (CI must not pass by skipping them)."""
    if report.skipped and "engine" in report.keywords and not hasattr(report, "wasxfail"):
        _SKIPPED_ENGINE_TESTS.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI, any skipped engine test fails the run."""
    if IN_CI and _SKIPPED_ENGINE_TESTS:
        names = "\n  ".join(_SKIPPED_ENGINE_TESTS[:20])
        print(f"\nCI: {len(_SKIPPED_ENGINE_TESTS)} engine test(s) were skipped:\n  {names}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def private_engine(engine_handle: provision.EngineHandle) -> Iterator[provision.PrivateEngine]:
    """A second dockerd, with the busybox fixture loaded, that the test may stop and start.

    Only this one is ever stopped by a test; the shared engine is left alone.
    """
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("dockerd"):
        if IN_CI:
            pytest.fail("CI must be able to start a private dockerd (root and dockerd needed)")
        pytest.skip("a private dockerd needs root and dockerd on this machine")
    root = Path(tempfile.mkdtemp(prefix="lt-engine-", dir="/tmp"))
    private = provision.PrivateEngine(root)
    try:
        private.start()
        assert engine_handle.client is not None
        private.load(engine_handle.client, engine_handle.images["busybox"])
        yield private
    finally:
        private.destroy()
