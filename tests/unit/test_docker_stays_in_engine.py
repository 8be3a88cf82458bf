"""Only ``tutor/engine/`` talks to docker-py; everything else uses the engine's functions.

The course's checks and actions, the doctor, the app and the command line
get the tutor's own types and errors from ``tutor.engine``. Read from the
source (not ``sys.modules``, which the engine fills with docker anyway), so an
import inside a function or under ``TYPE_CHECKING`` counts as well, and so
does reaching past the engine's functions to its docker-py client
(``engine.api``, ``engine.client``).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import tutor

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the package depends on tomli there
    import tomli as tomllib

PACKAGE = Path(tutor.__file__).parent
OUTSIDE_ENGINE = sorted(p for p in PACKAGE.rglob("*.py") if PACKAGE / "engine" not in p.parents)


def _docker_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _is_docker(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_docker(node.module):
            found.append(f"{node.lineno}: from {node.module} import ...")
    return found


def _is_docker(module: str | None) -> bool:
    return module is not None and (module == "docker" or module.startswith("docker."))


def _client_reaches(tree: ast.AST) -> list[str]:
    """``<...>engine.api`` / ``<...>engine.client``: docker-py's clients, past the engine layer."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"api", "client"}:
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if name.endswith("engine"):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_sees_the_package() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in OUTSIDE_ENGINE}
    assert {"doctor.py", "course/checks.py", "course/shared_engine.py", "app.py"} <= names
    assert not any(n.startswith("engine/") for n in names)


def test_the_check_finds_what_it_looks_for() -> None:
    tree = ast.parse(
        "import docker.errors\n"
        "def f(ctx):\n"
        "    from docker.types import Mount\n"
        "    return ctx.engine.api.images()\n"
    )
    assert _docker_imports(tree) == ["1: import docker.errors", "3: from docker.types import ..."]
    assert _client_reaches(tree) == ["4: ctx.engine.api"]
    assert _docker_imports(ast.parse("import dockerfile_parse\nfrom tutor import docker\n")) == []


@pytest.mark.parametrize("path", OUTSIDE_ENGINE, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_docker_py_outside_the_engine(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert _docker_imports(tree) == [], f"{path} imports docker-py"
    assert _client_reaches(tree) == [], f"{path} uses docker-py's client past tutor.engine"


def test_the_import_contract_names_every_part_but_the_engine() -> None:
    """The ``lint-imports`` contract lists its modules by name: a new one must join it."""
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    docker_rule = next(c for c in contracts if c["forbidden_modules"] == ["docker"])
    parts = {
        f"tutor.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert parts - {"tutor.engine"} == set(docker_rule["source_modules"])
