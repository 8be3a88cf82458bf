"""Which engine addresses the command line reaches with its own socket client."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.engine.socket_api import DEFAULT_SOCKET, local_socket


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, DEFAULT_SOCKET),
        ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, "/run/user/1000/docker.sock"),
        ({"DOCKER_HOST": "unix://"}, None),
        ({"DOCKER_HOST": "tcp://10.0.0.2:2375"}, None),
        ({"DOCKER_HOST": "ssh://teacher@lab"}, None),
        ({"DOCKER_HOST": "unix:///var/run/docker.sock", "DOCKER_TLS_VERIFY": "1"}, None),
        ({"DOCKER_CONTEXT": "desktop-linux"}, None),
        ({"DOCKER_CONTEXT": "default"}, DEFAULT_SOCKET),
    ],
)
def test_only_the_plain_local_socket(
    env: dict[str, str], expected: str | None, tmp_path: Path
) -> None:
    assert local_socket({"HOME": str(tmp_path), **env}) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('{"currentContext": "desktop-linux"}', None),
        ('{"currentContext": "default"}', DEFAULT_SOCKET),
        ('{"auths": {}}', DEFAULT_SOCKET),
        ("not json", DEFAULT_SOCKET),  # the CLI would fail on it; docker-py reads no context
        ('["a list"]', None),
    ],
)
def test_the_cli_context_in_the_config_file(
    config: str, expected: str | None, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text(config)
    assert local_socket({"DOCKER_CONFIG": str(tmp_path)}) == expected
