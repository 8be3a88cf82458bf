"""The tutor as learners get it: a wheel (or an editable install, or pipx) in a fresh venv.

Every other test runs from the checkout's root, where Python finds ``tutor/``
in the current folder whether or not the package installs. These tests
install it into a new virtual environment and run it from a folder outside
the checkout, as a learner, a lab image or ``pipx`` would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.tty import Tutor
from tutor.engine.connection import Engine
from tutor.prepare.stand_ins import PYTHON_STAND_IN, REGISTRY_STAND_IN

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; its output, or the test fails with what it printed."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def learner_env(home: Path) -> dict[str, str]:
    """An environment with data and settings folders of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERS_TUTOR_")}
    env.update(
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        LAYERS_TUTOR_BASE_IMAGE=PYTHON_STAND_IN,
        LAYERS_TUTOR_REGISTRY_IMAGE=REGISTRY_STAND_IN,
    )
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, ROOT, cwd=out)
    (built,) = out.glob("layers_tutor-*.whl")
    return built


def test_the_wheel_holds_the_package_and_the_course_and_nothing_else(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "tutor/cli.py" in names and "tutor/__main__.py" in names
    assert "tutor/tutor.tcss" in names
    assert "tutor/_lessons/course.toml" in names
    assert "tutor/_lessons/02-build/files/Dockerfile" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "lessons/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; its ``bin`` folder."""
    venv = tmp_path_factory.mktemp("venv-wheel")
    run(sys.executable, "-m", "venv", venv, cwd=venv)
    run(venv / "bin" / "pip", "install", "-q", wheel, cwd=venv)
    return venv / "bin"


def plays_from_outside(bin_dir: Path, home: Path, namespace: str, course_marker: str) -> None:
    """Everything a new learner types first, run from ``home`` (not the checkout)."""
    env = learner_env(home)
    assert "Learn how Docker images are made of layers" in run(
        bin_dir / "layers-tutor", "--help", cwd=home, env=env
    )
    validated = run(bin_dir / "python", "-m", "tutor", "validate", cwd=home, env=env)
    assert "10 lessons" in validated and "no problems" in validated
    assert course_marker in validated
    findings = json.loads(run(bin_dir / "python", "-m", "tutor", "doctor", "--json",
                              cwd=home, env=env))  # fmt: skip
    by_check = {f["check"]: f for f in findings}
    assert by_check["engine"]["ok"] is True
    assert by_check["base image"]["detail"] == f"{PYTHON_STAND_IN} is present"
    assert "environment LAYERS_TUTOR_BASE_IMAGE" in by_check["param base_image"]["detail"]

    tutor = Tutor(["--lang", "en", "--namespace", namespace], env, (80, 24),
                  python=str(bin_dir / "python"), cwd=home)  # fmt: skip
    try:
        screen = tutor.wait_for("Clean up", timeout=60)  # lesson 10: the whole course is drawn
        assert "Build the image" in screen and "Traceback" not in screen
        tutor.keys("q")
        assert tutor.signal(0, wait=30) is not None or not tutor.alive()
    finally:
        tutor.close()


def test_the_installed_wheel_works_from_any_folder(
    engine: Engine, installed: Path, tmp_path: Path, namespace: str,
    fixture_images: dict[str, str],
) -> None:  # fmt: skip
    plays_from_outside(installed, tmp_path, namespace, "site-packages/tutor/_lessons")
    kit = tmp_path / "kit.tar"
    run(installed / "python", "-m", "tutor", "prepare", "--save", kit,
        cwd=tmp_path, env=learner_env(tmp_path))  # fmt: skip
    with tarfile.open(kit) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert sorted(t for entry in manifest for t in entry["RepoTags"]) == sorted(
        [PYTHON_STAND_IN, REGISTRY_STAND_IN]
    )


def test_an_editable_install_works_from_any_folder(
    engine: Engine, tmp_path: Path, namespace: str, fixture_images: dict[str, str]
) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "pip", "install", "-q", "-e", ROOT, cwd=tmp_path)
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert not (site / "tutor").exists()  # nothing there hides the source package
    plays_from_outside(venv / "bin", tmp_path, namespace, str(ROOT / "lessons"))


@pytest.fixture
def pipx_home(tmp_path: Path) -> Iterator[dict[str, str]]:
    """pipx's folders, inside the test's own."""
    if shutil.which("pipx", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("pipx is a test dependency (pyproject's [test] extra)")
    env = dict(os.environ, PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"))
    yield env


def test_pipx_installs_the_checkout(tmp_path: Path, pipx_home: dict[str, str]) -> None:
    pipx = Path(sys.executable).parent / "pipx"
    run(pipx, "install", ROOT, cwd=tmp_path, env=pipx_home)
    assert "Learn how Docker images" in run(tmp_path / "bin" / "layers-tutor", "--help",
                                            cwd=tmp_path, env=pipx_home)  # fmt: skip
    validated = run(tmp_path / "bin" / "layers-tutor", "validate", cwd=tmp_path, env=pipx_home)
    assert "no problems" in validated
