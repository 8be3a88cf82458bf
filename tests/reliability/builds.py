"""Small helpers for the tests that build on a base image of their own."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import docker

from tutor.engine.build_events import BuildEvent, StepFinished


def dockerfile(base: str, namespace: str, last: str) -> str:
    """Two quick steps that make step images, then ``last``."""
    return f"FROM {base}\nENV NS={namespace}\nRUN echo one > /one\n{last}\n"


def folder(tmp_path: Path, text: str) -> Path:
    """``tmp_path`` with a Dockerfile of ``text``."""
    (tmp_path / "Dockerfile").write_text(text)
    return tmp_path


def made(events: Iterable[BuildEvent]) -> list[str]:
    """Step images the build reported as its own (cache misses), oldest first."""
    finished = [e for e in events if isinstance(e, StepFinished)]
    return [e.image_id for e in finished if not e.cached and e.image_id]


def base_id(client: docker.DockerClient, base: str) -> str:
    """The id of the test's base image."""
    return str(client.images.get(base).id)
