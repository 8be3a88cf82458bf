"""The engine stops in the middle of a build and of the diff polling, then comes back.

On a private dockerd that the test stops and starts (never the shared one).
A stopping engine kills the running step, which on the wire looks like a
failing ``RUN``; the tutor must say instead that the engine went away:
:class:`EngineUnreachable` with a hint, the same error every other call
gives, and never a requests or urllib3 exception. Once the daemon is back,
the very same :class:`Engine` object builds and diffs again.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests import provision
from tests.reliability.engine_state import wait_until
from tutor.engine.build import build
from tutor.engine.build_events import BuildDone, BuildError, BuildEvent, OutputLine
from tutor.engine.connection import Engine, connect
from tutor.engine.containers import run
from tutor.engine.diff import ContainerDiff, diff
from tutor.engine.errors import ContainerNotFound, EngineError, EngineRefused, EngineUnreachable
from tutor.engine.labels import labels_for
from tutor.engine.layer_index import LayerIndex

#: ``sh`` as PID 1 ignores SIGTERM, so a stopping engine waits 10 s and kills it
#: (code 137); with a trap the step ends on SIGTERM at once (code 143).
SLEEPERS = {
    "killed-on-sigterm": "RUN trap 'exit 143' TERM; echo started; sleep 60 & wait",
    "killed-after-10s": "RUN echo started && sleep 60",
}


@pytest.fixture
def private(private_engine: provision.PrivateEngine) -> Engine:
    return connect({"DOCKER_HOST": private_engine.host})


def stop_in_background(private_engine: provision.PrivateEngine) -> threading.Thread:
    thread = threading.Thread(target=private_engine.stop, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "step",
    [
        pytest.param(SLEEPERS["killed-on-sigterm"], id="sigterm"),
        pytest.param(SLEEPERS["killed-after-10s"], id="sigkill", marks=pytest.mark.slow),
    ],
)
def test_engine_stopping_mid_build_is_engine_unreachable_then_the_same_engine_builds(
    private_engine: provision.PrivateEngine, private: Engine, tmp_path: Path, step: str
) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {provision.BUSYBOX}\nENV A=1\n{step}\n")
    events: list[BuildEvent] = []
    stopper: threading.Thread | None = None
    with pytest.raises(EngineError) as caught:
        for event in build(private, tmp_path, "app:1", labels=labels_for("away", "build")):
            events.append(event)
            if isinstance(event, OutputLine) and event.text == "started":
                stopper = stop_in_background(private_engine)
    assert type(caught.value) is EngineUnreachable, repr(caught.value)
    assert private_engine.host in caught.value.message and caught.value.hint
    assert not any(isinstance(e, (BuildError, BuildDone)) for e in events)
    assert stopper is not None
    stopper.join(60)

    private_engine.start()
    (tmp_path / "Dockerfile").write_text(f"FROM {provision.BUSYBOX}\nENV A=1\nRUN echo done\n")
    again = list(build(private, tmp_path, "app:1", labels=labels_for("away", "build")))
    assert isinstance(again[-1], BuildDone)
    assert private.client.images.get("app:1").id == again[-1].image_id


def test_engine_stopping_mid_diff_polling_is_engine_unreachable_then_diff_works_again(
    private_engine: provision.PrivateEngine, private: Engine, tmp_path: Path
) -> None:
    # The container has exited before the engine stops, so that only the engine
    # goes away here (a container removed mid-diff is the next test).
    info = run(private, provision.BUSYBOX, name="cow", namespace="away",
               command=["sh", "-c", "echo hi > /new && rm /bin/vi"])  # fmt: skip
    wait_until(lambda: private.client.containers.get(info.id).status == "exited", 30, "exit")
    index = LayerIndex(tmp_path / "index")
    seen: list[ContainerDiff] = []
    refused: list[str] = []  # the engine answered 500 while shutting down: asked again
    failure: BaseException | None = None
    stopper: threading.Thread | None = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # the UI's poll, without its one-second pause
        try:
            seen.append(diff(private, info.id, index))
        except EngineRefused as exc:
            refused.append(exc.message)
            continue
        except BaseException as exc:
            failure = exc
            break
        if len(seen) == 5:
            stopper = stop_in_background(private_engine)
    assert stopper is not None and failure is not None, "the engine never went away"
    assert type(failure) is EngineUnreachable, repr(failure)  # never requests' or urllib3's
    assert failure.hint
    answers = [sorted((c.path, c.kind.value) for c in d.changes) for d in seen]
    assert ("/new", "A") in answers[0] and ("/bin/vi", "D") in answers[0]
    assert all(a == answers[0] for a in answers[:5])
    # While it shuts down the engine may answer "no changes" for a moment; never other ones.
    assert all(a in (answers[0], []) for a in answers), {str(a) for a in answers}
    stopper.join(60)

    private_engine.start()
    back = diff(private, info.id, index)  # the same Engine object, once the daemon is back
    assert back.changes == seen[0].changes


def test_a_container_removed_while_the_diff_polls_is_container_not_found(
    engine: Engine, fixture_images: dict[str, str], namespace: str
) -> None:
    failures: dict[str, int] = {}
    for trial in range(6):  # a race: a few rounds make it show
        command = ["sh", "-c", "echo hi > /new; sleep 600"]
        name = f"{namespace}-gone-{trial}"
        info = run(engine, fixture_images["busybox"], name=name, namespace=namespace,
                   command=command)  # fmt: skip
        removed, polled = threading.Event(), threading.Semaphore(0)

        def poll(
            container: str = info.id,
            done: threading.Event = removed,
            alive: threading.Semaphore = polled,
        ) -> None:
            while not done.is_set():
                try:
                    diff(engine, container)
                    alive.release()
                except ContainerNotFound:
                    if done.is_set():
                        return
                except Exception as exc:
                    name = type(exc).__module__ + "." + type(exc).__name__
                    failures[name] = failures.get(name, 0) + 1

        pollers = [threading.Thread(target=poll, daemon=True) for _ in range(3)]
        for thread in pollers:
            thread.start()
        assert polled.acquire(timeout=30)  # the diff is being polled
        engine.api.remove_container(info.id, force=True)  # the learner's `docker rm -f`
        removed.set()
        for thread in pollers:
            thread.join(30)
    assert failures == {}, failures
