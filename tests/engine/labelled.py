"""Images labelled as the tutor's, built straight through docker-py, for engine tests.

Its own module, so that no test file imports another test file (see relay.py).
"""

from __future__ import annotations

import io

import docker
from docker.models.images import Image

from tutor.engine.labels import labels_for


def build_labelled(
    client: docker.DockerClient, base: str, tag: str, namespace: str, run: str, lesson: str = "push"
) -> Image:
    """A labelled image: ``base`` plus one RUN layer (what the tutor's build makes).

    Args:
        client: docker-py, to arrange the state independently of the tutor.
        base: The image to build on.
        tag: The new image's name.
        namespace: The learner it is labelled for.
        run: The RUN step's command.
        lesson: The lesson label.

    Returns:
        The image.
    """
    dockerfile = f"FROM {base}\nRUN {run}\n".encode()
    for event in client.api.build(
        fileobj=io.BytesIO(dockerfile), tag=tag, labels=labels_for(namespace, lesson),
        rm=True, forcerm=True, decode=True,
    ):  # fmt: skip
        assert "errorDetail" not in event, event
    return client.images.get(tag)
