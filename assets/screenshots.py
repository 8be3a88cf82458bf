"""Regenerate the README's screenshots of the tutor, from the snapshot tests' own harness.

    .venv/bin/python assets/screenshots.py        # writes assets/*.svg

Each picture is the real app (``make_app``, as ``python -m tutor`` builds it)
on the fixed course of ``tests/app/test_app_snapshots.py``, its panels filled
with the same recorded engine answers the SVG snapshot tests use, so the
pictures never change with an engine's ids or times and always show what
the tests check. Four moments, at 80x24 and 160x48: the course, a rebuild
with build-cache hits, two images sharing layers, and the diff panel during
copy-on-write.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.app.conftest import DownEngine  # noqa: E402
from tests.app.test_app_snapshots import (  # noqa: E402
    SHOWN_WORKSPACE,
    STACK,
    prepared,
    save_midway,
    show_recording,
    write_fixed_course,
)
from tutor.app import TutorApp  # noqa: E402
from tutor.engine.layers import LayerStack  # noqa: E402
from tutor.engine.sharing import Sharing  # noqa: E402
from tutor.launch import make_app  # noqa: E402
from tutor.widgets import LayerStack as LayerStackView  # noqa: E402

SIZES = ((80, 24), (160, 48))


def second_app() -> LayerStack:
    """``python-hello-world-2``: the same first three layers, its own app.py."""
    image_id = "sha256:05" + "ab" * 31
    last = dataclasses.replace(
        STACK.layers[-1],
        image_id=image_id,
        instruction="COPY app2.py /app.py",
        created_by="/bin/sh -c #(nop) COPY app2.py /app.py",
        diff_id="sha256:05" + "cd" * 31,
        chain_id="sha256:05" + "ef" * 31,
        size=371,
        tags=("python-hello-world-2:latest",),
    )
    return dataclasses.replace(
        STACK, image="python-hello-world-2", image_id=image_id,
        layers=(*STACK.layers[:-1], last),
    )  # fmt: skip


def show_two_stacks(app: TutorApp) -> None:
    """The Layers panel comparing the two apps: the base and pip layers are shared."""
    other = second_app()
    shared = tuple(x.chain_id for x in STACK.layers[:-1] if x.chain_id)
    own = sum(x.size for x in STACK.layers)
    sharing = Sharing(
        images=(STACK.image, other.image),
        stacks=(STACK, other),
        shared_chain_ids=shared,
        bytes_stored=own + other.layers[-1].size,
        bytes_without_sharing=own + sum(x.size for x in other.layers),
    )
    app.screen.query_one(LayerStackView).show_sharing(sharing)


#: name -> (keys pressed on the course screen, changes made after them)
SHOTS: dict[str, tuple[tuple[str, ...], tuple[Callable[[TutorApp], None], ...]]] = {
    "course": ((), ()),
    "build-cache": (("c", "4"), (show_recording,)),
    "shared-layers": (("c", "3"), (show_recording, show_two_stacks)),
    "copy-on-write-diff": (("c", "6"), (show_recording,)),
}


async def shoot(name: str, size: tuple[int, int], out: Path) -> Path:
    """One picture: the app on the fixed course, midway, after the shot's keys."""
    keys, after = SHOTS[name]
    with tempfile.TemporaryDirectory(prefix="layers-tutor-shots-") as tmp:
        course = write_fixed_course(Path(tmp) / "course")
        save_midway(course, Path(tmp) / "progress")
        app = make_app(
            connect_engine=DownEngine(),
            course_root=course,
            progress_root=Path(tmp) / "progress",
            workspace_root=SHOWN_WORKSPACE,
            namespace="learner",
            language="en",
        )
        async with app.run_test(size=size) as pilot:
            await prepared(*after, keys=keys)(pilot)
            target = out / f"{name}-{size[0]}x{size[1]}.svg"
            app.save_screenshot(filename=target.name, path=str(out))
    return target


async def main() -> None:
    # The same terminal as the snapshot tests: true colour, whatever runs this.
    os.environ.update(TERM="xterm-256color", COLORTERM="truecolor")
    for name in ("TEXTUAL_COLOR_SYSTEM", "NO_COLOR", "TEXTUAL_THEME"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LAYERS_TUTOR_SETTINGS"] = str(Path(tmp) / "settings.toml")
        for name in SHOTS:
            for size in SIZES:
                print(await shoot(name, size, HERE))


if __name__ == "__main__":
    asyncio.run(main())
