"""Ports: reading the engine's busy-port errors, where published ports live, free ports."""

from __future__ import annotations

import socket

import pytest

from tutor.engine.ports import free_port, parse_port_error, port_is_free
from tutor.engine.published import (
    PortMapping,
    host_to_contact,
    is_local_engine,
    mappings_from_inspect,
    mappings_from_summary,
)

# Real engine wordings (Engine 20.10 on this project's machines, Engine 28,
# Docker Desktop, Windows), each naming host port 5000.
BUSY_MESSAGES = [
    "driver failed programming external connectivity on endpoint smoke2 (5f57): Error starting "
    "userland proxy: listen tcp4 0.0.0.0:5000: bind: address already in use",
    "driver failed programming external connectivity on endpoint web (0d28): "
    "Bind for 0.0.0.0:5000 failed: port is already allocated",
    "Error starting userland proxy: Bind for 0.0.0.0:5000: unexpected error (Failure EADDRINUSE)",
    "failed to set up container networking: failed to bind host port 0.0.0.0:5000/tcp: "
    "address already in use",
    "driver failed programming external connectivity on endpoint app (f8a3): failed to bind "
    "host port for 0.0.0.0:5000:172.31.0.2:8000/tcp: address already in use",
    "Ports are not available: exposing port TCP 0.0.0.0:5000 -> 0.0.0.0:0: listen tcp "
    "0.0.0.0:5000: bind: address already in use",
    "Error starting userland proxy: listen tcp 127.0.0.1:5000: bind: Only one usage of each "
    "socket address (protocol/network address/port) is normally permitted.",
    "Error starting userland proxy: listen tcp6 [::]:5000: bind: address already in use",
]


@pytest.mark.parametrize("message", BUSY_MESSAGES)
def test_parse_port_error_finds_the_busy_host_port(message: str) -> None:
    assert parse_port_error(message) == 5000


def test_parse_port_error_takes_the_host_port_not_the_container_port() -> None:
    message = "failed to bind host port for 0.0.0.0:8080:172.17.0.2:80/tcp: address already in use"
    assert parse_port_error(message) == 8080


@pytest.mark.parametrize(
    "message",
    [
        "No such image: python-hello-world:latest",
        "Error starting userland proxy: listen tcp 172.17.42.1:10000: bind: cannot assign "
        "requested address",
        'Conflict. The container name "/web" is already in use by container "abc".',
        "",
    ],
)
def test_parse_port_error_ignores_other_errors(message: str) -> None:
    assert parse_port_error(message) is None


@pytest.mark.parametrize(
    ("base_url", "docker_host", "expected", "local"),
    [
        ("http+docker://localhost", "", "127.0.0.1", True),
        ("http+docker://localhost", "unix:///var/run/docker.sock", "127.0.0.1", True),
        ("http+docker://localnpipe", "npipe:////./pipe/docker_engine", "127.0.0.1", True),
        ("http://127.0.0.1:2375", "tcp://127.0.0.1:2375", "127.0.0.1", True),
        ("http://localhost:2375", "tcp://localhost:2375", "127.0.0.1", True),
        ("https://build-box.lan:2376", "tcp://build-box.lan:2376", "build-box.lan", False),
        ("http://10.0.0.7:2375", "tcp://10.0.0.7:2375", "10.0.0.7", False),
        ("http+docker://ssh", "ssh://ana@lab-7.school.example", "lab-7.school.example", False),
        ("http+docker://ssh", "ssh://lab-8:2222", "lab-8", False),
    ],
)
def test_host_to_contact(base_url: str, docker_host: str, expected: str, local: bool) -> None:
    assert host_to_contact(base_url, docker_host) == expected
    assert is_local_engine(base_url, docker_host) is local


def test_one_dash_p_listed_for_ipv4_and_ipv6_is_one_mapping() -> None:
    inspect_ports = {
        "5000/tcp": [
            {"HostIp": "::", "HostPort": "5001"},
            {"HostIp": "0.0.0.0", "HostPort": "5001"},
        ],
        "6000/tcp": None,  # exposed, not published
    }
    assert mappings_from_inspect(inspect_ports) == (PortMapping(5000, "0.0.0.0", 5001),)
    summary = [
        {"IP": "0.0.0.0", "PrivatePort": 5000, "PublicPort": 5001, "Type": "tcp"},
        {"IP": "::", "PrivatePort": 5000, "PublicPort": 5001, "Type": "tcp"},
        {"PrivatePort": 6000, "Type": "tcp"},
    ]
    assert mappings_from_summary(summary) == (PortMapping(5000, "0.0.0.0", 5001),)


def test_port_is_free_sees_a_listening_socket() -> None:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not port_is_free(port)
        assert free_port(port) != port
    assert port_is_free(port)


def test_free_port_keeps_a_free_preferred_port() -> None:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        port = sock.getsockname()[1]
    assert free_port(port) == port
