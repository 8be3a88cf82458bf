"""The command line's own socket client answers as docker-py does, on the real engine.

Every call :class:`tutor.engine.socket_api.SocketAPI` makes itself is asked of
both clients here and the answers compared; errors must be docker-py's own
classes; anything it does not make itself goes through docker-py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from tests import provision
from tests.engine.test_diff import CHANGES, by_path, lesson_image, start
from tutor.engine.connection import Engine, connect
from tutor.engine.diff import diff
from tutor.engine.errors import ContainerNotFound, EngineUnreachable, ImageNotFound
from tutor.engine.layer_index import LayerIndex
from tutor.engine.layer_tar import read_saved_image
from tutor.engine.layers import layers
from tutor.engine.socket_api import SocketAPI, SocketClient, local_socket

__all__ = ["lesson_image"]  # the module fixture, shared with test_diff


@pytest.fixture
def socket_engine(engine_handle: provision.EngineHandle) -> Iterator[Engine]:
    """The engine as ``tutor layers`` and ``tutor diff`` reach it."""
    if local_socket(os.environ) is None:
        pytest.skip(f"the engine is not a local socket here: {os.environ.get('DOCKER_HOST')}")
    eng = connect(lean=True)
    assert isinstance(eng.client, SocketClient)
    yield eng
    eng.close()


def test_reads_answer_what_docker_py_answers(
    socket_engine: Engine, engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    ours, theirs = socket_engine.api, engine.api
    assert isinstance(ours, SocketAPI)
    assert ours.api_version == theirs.api_version
    assert ours.version()["Version"] == theirs.version()["Version"]
    assert ours.info()["ID"] == theirs.info()["ID"]
    assert ours.base_url == theirs.base_url
    image = provision.BUSYBOX
    assert ours.inspect_image(image) == theirs.inspect_image(image)
    assert ours.history(image) == theirs.history(image)
    cid = start(docker_client, image, namespace, "echo x > /made-here")
    assert ours.inspect_container(cid) == theirs.inspect_container(cid)
    assert sorted(ours.diff(cid) or [], key=str) == sorted(theirs.diff(cid) or [], key=str)
    mine = ours.containers(all=True, size=True, filters={"id": cid})
    yours = theirs.containers(all=True, size=True, filters={"id": cid})
    assert [c["Id"] for c in mine] == [c["Id"] for c in yours] == [cid]
    assert mine[0]["SizeRw"] == yours[0]["SizeRw"] > 0
    labelled = {"label": f"org.layers-tutor.namespace={namespace}"}
    assert [c["Id"] for c in ours.containers(all=True, filters=labelled)] == [cid]


def test_an_exec_runs_and_its_output_is_demultiplexed(
    socket_engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    api = socket_engine.api
    cid = start(docker_client, provision.BUSYBOX, namespace, "true")
    run = api.exec_create(cid, ["sh", "-c", "echo out; echo err >&2; exit 3"], workdir="/")
    output = api.exec_start(run["Id"])
    assert sorted(output.decode().split()) == ["err", "out"]
    assert api.exec_inspect(run["Id"])["ExitCode"] == 3


def test_the_save_stream_gives_the_same_layer_lists(socket_engine: Engine, engine: Engine) -> None:
    image = provision.BUSYBOX
    ours = list(read_saved_image(socket_engine.api.get_image(image, chunk_size=4096)))
    theirs = list(read_saved_image(engine.api.get_image(image, chunk_size=1 << 20)))
    assert ours == theirs and len(ours) == 2
    stream = socket_engine.api.get_image(image)
    next(stream)
    stream.close()  # stopping early lets the engine go: the client still answers
    assert socket_engine.api.inspect_image(image)["Id"]


def test_refusals_are_docker_pys_own_errors(socket_engine: Engine, namespace: str) -> None:
    api = socket_engine.api
    with pytest.raises(docker.errors.ImageNotFound) as image_error:
        api.inspect_image(f"{namespace}/no-such-image:0")
    assert image_error.value.status_code == 404 and image_error.value.explanation
    with pytest.raises(docker.errors.NotFound):
        api.diff(f"{namespace}-no-such-container")
    with pytest.raises(docker.errors.NotFound):  # "reference does not exist", as docker-py says
        api.get_image(f"{namespace}/no-such-image:0")
    with pytest.raises(docker.errors.APIError) as bad:
        api.containers(filters={"no-such-filter": "x"})
    assert bad.value.status_code == 400


def test_what_it_does_not_make_itself_goes_through_docker_py(
    socket_engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    api = socket_engine.api
    assert any(provision.BUSYBOX in (i.get("RepoTags") or []) for i in api.images())
    client = socket_engine.client
    cid = start(docker_client, provision.BUSYBOX, namespace, "true")
    assert client.containers.get(cid).id == cid
    assert client.ping() is True


def test_the_tutors_calls_give_the_same_answers_on_both(
    socket_engine: Engine, engine: Engine, docker_client: docker.DockerClient, namespace: str,
    lesson_image: str,
) -> None:  # fmt: skip
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    ours = diff(socket_engine, cid, LayerIndex())
    theirs = diff(engine, cid, LayerIndex())
    assert by_path(ours) == by_path(theirs) and ours.rw_size == theirs.rw_size
    assert ours.exec_outside == theirs.exec_outside
    assert layers(socket_engine, lesson_image) == layers(engine, lesson_image)
    with pytest.raises(ContainerNotFound):
        diff(socket_engine, f"{namespace}-no-such-container")
    with pytest.raises(ImageNotFound):
        layers(socket_engine, f"{namespace}/no-such-image:0")
    with pytest.raises(ImageNotFound):
        LayerIndex().index_image(socket_engine, f"{namespace}/no-such-image:0")


def test_a_socket_where_no_engine_listens_is_unreachable(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock", "HOME": str(tmp_path)}
    with pytest.raises(EngineUnreachable):
        connect(env, lean=True)


def test_layers_and_diff_run_without_importing_docker_py(
    socket_engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    cid = start(docker_client, provision.BUSYBOX, namespace, "touch /bin/busybox")
    script = (
        "import sys, io, contextlib\n"
        "from tutor.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    codes = [main(['layers', {provision.BUSYBOX!r}]),\n"
        f"             main(['diff', '--json', {cid!r}])]\n"
        "print(codes, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('docker', 'requests', 'urllib3')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == "[0, 0] []", done.stderr


def exec_creates(client: docker.DockerClient, cid: str, since: float) -> int:
    """``exec_create`` events of the container since then (the engine's own record)."""
    events = client.events(
        since=int(since), until=int(time.time()) + 1, decode=True,
        filters={"container": cid, "event": "exec_create"},
    )  # fmt: skip
    return sum(1 for _ in events)


def test_a_second_command_line_diff_takes_the_probe_answer_from_the_cache(
    docker_client: docker.DockerClient, namespace: str, tmp_path: Path
) -> None:
    cid = start(docker_client, provision.BUSYBOX, namespace, "true")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    answers: list[tuple[bool, int]] = []
    for _ in range(3):
        if len(answers) == 2:  # a new start of the container is probed again
            docker_client.containers.get(cid).restart(timeout=0)
        time.sleep(1.1)  # events are asked by whole seconds
        before = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "diff", "--json", cid],
            capture_output=True, text=True, env=env, timeout=300, check=True,
        )  # fmt: skip
        answers.append(
            (json.loads(done.stdout)["exec_outside"], exec_creates(docker_client, cid, before))
        )
    assert [probes for _, probes in answers] == [1, 0, 1]
    assert len({outside for outside, _ in answers}) == 1
