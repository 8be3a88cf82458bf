"""Pilot tests of the widgets, fed recorded engine answers (stable ids, no clocks).

The behaviour behind the data (cache hits, copy-up, shared layers...) is
proven on a real engine by the engine tests; these prove what the learner
sees and which messages the widgets post.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rich.cells import cell_len
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tests.app.layouts import counting_layouts
from tests.app.widget_harness import WidgetHarness
from tutor.course.listing import ImageLine
from tutor.engine import cache_miss
from tutor.engine.build_events import (
    BuildDone,
    BuildError,
    BuildEvent,
    BuildRetried,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.connection import classify, permission_denied
from tutor.engine.container_info import ContainerInfo
from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange
from tutor.engine.errors import EngineUnreachable
from tutor.engine.layers import Layer
from tutor.engine.layers import LayerStack as ImageLayers
from tutor.engine.missing_rows import THIS_IMAGE, MissingCause, MissingReason
from tutor.engine.published import PortMapping
from tutor.engine.push_stream import PushDone, PushError, PushEvent, PushProgress
from tutor.engine.sharing import Sharing
from tutor.widgets.build_log import BuildLog
from tutor.widgets.containers_panel import ContainersPanel
from tutor.widgets.diff_view import DiffView, ExecInput
from tutor.widgets.engine_banner import error_words
from tutor.widgets.files_view import FilesView
from tutor.widgets.history_table import HistoryTable
from tutor.widgets.images_panel import ImagesPanel
from tutor.widgets.layer_bands import ContainerBand, LayerBand
from tutor.widgets.layer_stack import LayerStack
from tutor.widgets.push_log import PushLog
from tutor.widgets.step_panel import StepPanel, StepState, StepView

SIZES = [(80, 24), (160, 48)]

# -- recorded engine answers --------------------------------------------------

DOCKERFILE = """\
FROM layers-tutor-test/python:3-bookworm
WORKDIR /app

RUN pip install flask \\
    && pip list
COPY app.py /app/
ENV FLASK_APP=app.py
CMD ["python", "app.py"]
"""

APP_PY = """\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello from Flask!"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
"""

FILES = {"app.py": APP_PY, "Dockerfile": DOCKERFILE}

WEB_ID = "3f9a1c0d2b7e" + "0" * 52

CONTAINERS = [
    ContainerInfo(
        id=WEB_ID,
        name="lt-web-1",
        image="lt-app:v1",
        status="running",
        ports=(PortMapping(container_port=5000, host_ip="127.0.0.1", host_port=8080),),
        labels={},
        lesson="run",
    ),
    ContainerInfo(
        id="7c2e9b" + "1" * 58,
        name="lt-old-1",
        image="lt-app:v0",
        status="exited",
        ports=(),
        labels={},
        lesson="run",
    ),
]


def diff_of(outputs: int, extra: tuple[PathChange, ...] = ()) -> ContainerDiff:
    """The web container's diff after the learner wrote ``outputs`` files into /app."""
    changes = [
        PathChange("/app", ChangeKind.CHANGED, 4, "COPY app.py /app/"),
        PathChange("/app/old.txt", ChangeKind.DELETED, 3, "RUN pip install flask && pip list"),
        *(PathChange(f"/app/out-{i}.txt", ChangeKind.ADDED) for i in range(outputs)),
        *extra,
    ]
    changes.sort(key=lambda change: change.path)
    return ContainerDiff(container=WEB_ID, changes=tuple(changes), rw_size=1234)


# -- ContainersPanel ----------------------------------------------------------


async def test_containers_panel_lists_name_status_and_ports() -> None:
    app = WidgetHarness(lambda: ContainersPanel(CONTAINERS))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = app.screen_text()
        assert "lt-web-1" in text and "running" in text
        assert "127.0.0.1:8080→5000" in text
        assert "lt-old-1" in text and "exited" in text
        assert app.query_one(ContainersPanel).table.row_count == 2


async def test_containers_panel_keys_ask_the_app_for_the_selected_container() -> None:
    app = WidgetHarness(lambda: ContainersPanel(CONTAINERS))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.press("down", "L", "s")
        await pilot.pause()
        fetch = app.posted(ContainersPanel.FetchRequested)
        logs = app.posted(ContainersPanel.LogsRequested)
        stop = app.posted(ContainersPanel.StopRequested)
        assert [m.container.name for m in fetch] == ["lt-web-1"]
        assert [m.container.name for m in logs] == ["lt-old-1"]
        assert [m.container.name for m in stop] == ["lt-old-1"]


async def test_containers_panel_shows_the_fetched_page_and_logs() -> None:
    app = WidgetHarness(lambda: ContainersPanel(CONTAINERS))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ContainersPanel)
        panel.show_page(CONTAINERS[0], "Hello from Flask, version 2!")
        await pilot.pause()
        assert "Page from lt-web-1" in app.screen_text()
        assert "Hello from Flask, version 2!" in app.screen_text()
        panel.show_logs("lt-old-1", " * Running on http://0.0.0.0:5000")
        await pilot.pause()
        assert "Logs of lt-old-1" in app.screen_text()


async def test_containers_panel_keeps_the_cursor_on_the_same_container() -> None:
    app = WidgetHarness(lambda: ContainersPanel(CONTAINERS))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ContainersPanel)
        await pilot.press("down")
        assert panel.selected is not None and panel.selected.name == "lt-old-1"
        panel.update(list(reversed(CONTAINERS)))
        await pilot.pause()
        assert panel.selected is not None and panel.selected.name == "lt-old-1"
        assert panel.table.cursor_row == 0


async def test_containers_panel_without_containers_says_so() -> None:
    app = WidgetHarness(lambda: ContainersPanel([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert "No containers yet" in app.screen_text()
        assert app.posted(ContainersPanel.FetchRequested) == []


async def test_containers_panel_lays_nothing_out_for_a_build_container_that_comes_and_goes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each RUN of a build is a container for a moment: the table grew and shrank (or
    swapped with the empty-state line), and the screen was laid out twice for it. Its
    smallest height holds three rows now, and the empty-state line keeps its row."""
    app = WidgetHarness(lambda: ContainersPanel([]))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ContainersPanel)
        panel.show_page("lt-web-1", "Hello from Flask!")
        await pilot.pause()
        page = app.query_one("#output-title").region.y
        layouts = counting_layouts(app, monkeypatch)
        for shown in ([], CONTAINERS[:1], CONTAINERS, CONTAINERS[:1], [], CONTAINERS[1:], []):
            panel.update(shown)
            await pilot.pause()
            text = app.screen_text()
            assert ("No containers yet" in text) == (not shown)
            assert all(info.name in text for info in shown)
        assert not layouts
        assert app.query_one("#output-title").region.y == page
        assert "Hello from Flask!" in app.screen_text()


# -- DiffView -----------------------------------------------------------------


async def test_diff_view_shows_kind_letter_path_and_source_layer() -> None:
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(DiffView).update(diff_of(3))
        await pilot.pause()
        text = app.screen_text()
        assert "lt-web-1: 5 changes (A 3, C 1, D 1), read-write layer 1.23 kB" in text
        assert "A /app/out-0.txt" in text
        assert "C /app " in text and "from layer 4: COPY app.py /app/" in text
        assert "D /app/old.txt" in text
        assert "new in the container" in text


async def test_diff_view_marks_what_is_new_since_the_last_update_then_clears_it() -> None:
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        view.update(diff_of(1))
        await pilot.pause()
        text = app.screen_text()
        assert "▲ A" not in text and "new since" not in text  # a first look has nothing new
        view.update(diff_of(3))
        await pilot.pause()
        text = app.screen_text()
        assert "▲ 2 new since last look" in text
        assert "▲ A /app/out-1.txt" in text and "▲ A /app/out-2.txt" in text
        assert "▲ A /app/out-0.txt" not in text
        view.update(diff_of(3))
        await pilot.pause()
        text = app.screen_text()
        assert "▲ A" not in text and "new since" not in text


async def test_diff_view_next_new_key_jumps_to_the_marked_path() -> None:
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        view.update(diff_of(1))
        view.update(diff_of(3))
        view.change_list.focus()
        await pilot.press("N")
        selected = app.posted(DiffView.ChangeSelected)
        assert [m.change.path for m in selected] == ["/app/out-1.txt"]


async def test_diff_view_draws_only_visible_rows_of_a_20000_path_diff() -> None:
    many = tuple(PathChange(f"/data/f{i:05d}", ChangeKind.ADDED) for i in range(20_000))
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        changes = view.change_list
        view.update(diff_of(0, extra=many))
        await pilot.pause()
        height = changes.scrollable_content_region.height
        assert changes.virtual_size.height == 20_002
        # The mechanism: each refresh draws the rows on screen (a few refreshes
        # happen), never the 20,000 rows of the diff.
        assert 0 < changes.rows_drawn <= 5 * height
        changes.rows_drawn = 0
        changes.focus()
        await pilot.press("end")
        await pilot.pause()
        assert changes.cursor == 20_001
        assert "/data/f19999" in app.screen_text()
        assert changes.rows_drawn <= 5 * height
        # A second update of the same size marks a new path without redrawing it all.
        changes.rows_drawn = 0
        view.update(diff_of(0, extra=(*many, PathChange("/data/zz", ChangeKind.ADDED))))
        await pilot.pause()
        assert changes.new_paths == frozenset({"A /data/zz"})
        assert changes.rows_drawn <= 5 * height


async def test_diff_view_measures_a_wide_path_in_cells_not_characters() -> None:
    """The source column starts after the longest path: a path in CJK letters takes two
    cells a letter (ASCII paths are measured by their length, a shortcut)."""
    wide = "/dados/日本語/ファイル.txt"
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        view.update(diff_of(0, extra=(PathChange(wide, ChangeKind.ADDED),)))
        await pilot.pause()
        assert cell_len(wide) == len(wide) + 7
        assert view.change_list.source_width(100) == 100 - 4 - cell_len(wide) - 1


async def test_diff_view_exec_input_asks_the_app_to_run_in_the_container() -> None:
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        view.update(diff_of(1), name="lt-web-1")
        app.query_one(ExecInput).focus()
        await pilot.press(*"touch /tmp/x", "enter")
        await pilot.pause()
        [request] = app.posted(DiffView.ExecRequested)
        assert request.container == diff_of(1).container
        assert request.command == "touch /tmp/x"
        assert app.query_one(ExecInput).value == ""
        view.show_exec_result("touch /tmp/x", 0, "")
        await pilot.pause()
        assert "$ touch /tmp/x  (exit 0)" in app.screen_text()


async def test_diff_view_says_a_command_runs_and_offers_to_stop_it() -> None:
    # During `sleep 5` the panel still showed the previous output, with no way to stop it.
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(DiffView)
        view.update(diff_of(1), name="lt-web-1")
        view.show_exec_result("cat /app/motd", 0, "previous output")
        app.query_one(ExecInput).focus()
        await pilot.press(*"sleep 5", "enter")
        await pilot.pause()
        text = app.screen_text()
        assert "$ sleep 5  running… ctrl+t stops it" in text
        assert "previous output" not in text  # the previous command's output is gone
        assert "^t Stop command" in text  # the footer offers the key
        await pilot.press(*"ls", "enter")  # one command at a time
        await pilot.pause()
        assert [r.command for r in app.posted(DiffView.ExecRequested)] == ["sleep 5"]
        await pilot.press("ctrl+t")
        await pilot.pause()
        [stop] = app.posted(DiffView.StopRequested)
        assert (stop.container, stop.command) == (diff_of(1).container, "sleep 5")
        assert "$ sleep 5  stopping…" in app.screen_text()
        view.show_exec_result("sleep 5", 143, "")
        await pilot.pause()
        text = app.screen_text()
        assert "$ sleep 5  (stopped, exit 143)" in text
        assert "running" not in text and "Stop command" not in text


# -- FilesView ----------------------------------------------------------------


async def test_files_view_shows_the_dockerfile_first_with_step_numbers() -> None:
    app = WidgetHarness(lambda: FilesView(FILES))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(FilesView)
        assert view.shown == "Dockerfile"
        text = app.screen_text()
        assert "   1▶s1  │ FROM layers-tutor-test/python:3-bookworm" in text
        assert "   4 s3  │ RUN pip install flask \\" in text
        assert "   5     │     && pip list" in text
        # Highlighted by pygments: the keyword has a colour of its own.
        lines = app.query_one(FilesView).code.lines
        assert any(span.style for span in lines[0].spans)


async def test_files_view_cursor_on_a_dockerfile_line_posts_its_step() -> None:
    app = WidgetHarness(lambda: FilesView(FILES))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.query_one(FilesView).code.focus()
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()
        posted = [(m.step_number, m.line) for m in app.posted(FilesView.DockerfileLineSelected)]
        # Line 3 is blank (no step); lines 4 and 5 are one RUN instruction.
        assert posted == [(2, 2), (3, 4), (3, 5)]
        assert "Dockerfile line 5: step 3 of 6, RUN pip install flask && pip list" in (
            app.screen_text()
        )


async def test_files_view_highlight_step_lights_its_lines_in_the_dockerfile() -> None:
    app = WidgetHarness(lambda: FilesView(FILES))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(FilesView)
        view.show_file("app.py")
        await pilot.pause()
        view.highlight_step(3)
        await pilot.pause()
        assert view.shown == "Dockerfile"
        assert view.code.lit == frozenset({4, 5})
        assert "Step 3 (lines 4-5): RUN pip install flask && pip list" in app.screen_text()
        assert app.posted(FilesView.DockerfileLineSelected) == []
        view.highlight_step(None)
        assert view.code.lit == frozenset()


async def test_files_view_brackets_switch_files() -> None:
    app = WidgetHarness(lambda: FilesView(FILES))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        view = app.query_one(FilesView)
        assert view.shown == "app.py"
        assert "from flask import Flask" in app.screen_text()
        await pilot.press("left_square_bracket")
        assert view.shown == "Dockerfile"


async def test_files_view_says_where_a_broken_dockerfile_is_wrong() -> None:
    broken = {"Dockerfile": "FROM busybox\nRUNN echo hi\n"}
    app = WidgetHarness(lambda: FilesView(broken))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Dockerfile line 2: unknown instruction" in app.screen_text()
        assert app.query_one(FilesView).code.error_line == 2


# -- snapshots ----------------------------------------------------------------


# -- recorded layers, builds and pushes ---------------------------------------

BASE_REASON = (
    "part of layers-tutor-test/python:3-bookworm, which came to this engine finished "
    "(docker load, or built on another machine): there is no image for each of its steps here"
)


def layer(
    index: int,
    instruction: str,
    size: int,
    *,
    filesystem: bool = True,
    image_id: str | None = None,
    chain: str | None = None,
    reason: str | None = None,
    tags: tuple[str, ...] = (),
) -> Layer:
    """One history row as the engine's layers() reports it."""
    return Layer(
        index=index,
        image_id=image_id,
        created_by=f"/bin/sh -c {instruction}",
        instruction=instruction,
        size=size,
        created=1_700_000_000.0 + index,
        is_filesystem=filesystem,
        diff_id=f"sha256:{index:064x}" if filesystem else None,
        chain_id=chain if filesystem else None,
        missing_reason=reason,
        tags=tags,
        comment="",
    )


BASE_LAYERS = (
    layer(0, "ADD rootfs.tar /", 189_700_000, chain="sha256:c0", reason=BASE_REASON),
    layer(1, 'CMD ["python3"]', 0, filesystem=False, reason=BASE_REASON),
    layer(2, "WORKDIR /app", 0, image_id="sha256:" + "2" * 64, chain="sha256:c2"),
    layer(
        3,
        "RUN pip install flask && pip list",
        12_345_678,
        image_id="sha256:" + "3" * 64,
        chain="sha256:c3",
    ),
)


def app_image(tag: str, app_bytes: int, chain: str) -> ImageLayers:
    """The lesson's image: the base, Flask, then the learner's app.py on top."""
    top = (
        layer(4, "COPY app.py /app/", app_bytes, image_id="sha256:" + "4" * 64, chain=chain),
        layer(5, "ENV FLASK_APP=app.py", 0, filesystem=False, image_id="sha256:" + "5" * 64),
        layer(
            6,
            'CMD ["python", "app.py"]',
            0,
            filesystem=False,
            image_id="sha256:" + "6" * 64,
            tags=(tag,),
        ),
    )
    layers = (*BASE_LAYERS, *top)
    return ImageLayers(
        image=tag, image_id="sha256:" + "6" * 64, layers=layers, containerd_store=False
    )


V1 = app_image("lt-app:v1", 1_234, "sha256:c4a")
V2 = app_image("lt-app:v2", 2_345, "sha256:c4b")
SHARING = Sharing(
    images=("lt-app:v1", "lt-app:v2"),
    stacks=(V1, V2),
    shared_chain_ids=("sha256:c0", "sha256:c2", "sha256:c3"),
    bytes_stored=189_700_000 + 12_345_678 + 1_234 + 2_345,
    bytes_without_sharing=2 * (189_700_000 + 12_345_678) + 1_234 + 2_345,
)

STEPS = [
    ("FROM layers-tutor-test/python:3-bookworm", True, None),
    ("WORKDIR /app", True, None),
    ("RUN pip install flask && pip list", True, None),
    ("COPY app.py /app/", False, "app.py changed since the last build"),
    ("ENV FLASK_APP=app.py", False, "a step above was rebuilt, so its cache no longer applies"),
    ('CMD ["python", "app.py"]', False, "a step above was rebuilt, so its cache no longer applies"),
]
LINES = {1: (1, 1), 2: (2, 2), 3: (4, 5), 4: (6, 6), 5: (7, 7), 6: (8, 8)}


def build_events(fail_at: int | None = None) -> list[BuildEvent]:
    """A rebuild after the learner edited app.py (or one that fails at a step)."""
    events: list[BuildEvent] = []
    for number, (instruction, cached, reason) in enumerate(STEPS, start=1):
        start, end = LINES[number]
        if number == fail_at:
            instruction = instruction.replace("flask", "flsk")
        events.append(StepStarted(number, len(STEPS), instruction, start, end))
        if number == fail_at:
            events.append(OutputLine(number, "ERROR: No matching distribution found for flsk"))
            events.append(
                BuildError(
                    number,
                    instruction,
                    "The command '/bin/sh -c pip install flsk' returned a non-zero code: 1",
                )
            )
            return events
        if number == 3 and not cached:
            events.append(OutputLine(number, "Successfully installed flask-3.1.0"))
        events.append(
            StepFinished(
                number,
                instruction,
                cached,
                0.0 if cached else 0.4,
                f"sha256:{number:064x}",
                reason,
            )
        )
    events.append(BuildDone("sha256:" + "6" * 64, "lt-app:v2"))
    return events


PUSH: list[PushEvent] = [
    PushProgress("a1b2c3d4e5f6", "preparing"),
    PushProgress("0badc0ffee00", "preparing"),
    PushProgress("9f8e7d6c5b4a", "preparing"),
    PushProgress("a1b2c3d4e5f6", "pushing", current=1_000, total=2_345),
    PushProgress("0badc0ffee00", "exists"),
    PushProgress("9f8e7d6c5b4a", "mounted", mounted_from="lt/base"),
    PushProgress("a1b2c3d4e5f6", "pushing", current=2_600, total=2_345),
    PushProgress("a1b2c3d4e5f6", "pushed"),
    PushDone("127.0.0.1:5000/lt-app:v2", "sha256:" + "d" * 64),
]


def lines_of(text: str, *needles: str) -> list[int]:
    """The screen line on which each needle first appears."""
    rows = text.splitlines()
    return [next(i for i, row in enumerate(rows) if needle in row) for needle in needles]


# -- LayerStack ---------------------------------------------------------------


async def test_layer_stack_draws_the_newest_layer_on_top_and_the_container_above_it() -> None:
    app = WidgetHarness(lambda: LayerStack())
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(LayerStack).show_image(V1, container="lt-web-1", rw_size=1_234)
        await pilot.pause()
        text = app.screen_text()
        rw, cmd, copy, workdir, base = lines_of(
            text,
            "read-write",
            'CMD ["python", "app.py"]',
            "COPY app.py",
            "WORKDIR",
            "ADD rootfs.tar",
        )
        assert rw < cmd < copy < workdir < base
        assert "container lt-web-1: its own layer" in text.splitlines()[rw]
        assert "1.23 kB read-write" in text.splitlines()[rw]
        assert "metadata only" in text.splitlines()[cmd]
        assert "filesystem, read-only" in text.splitlines()[copy]
        assert "1.23 kB" in text.splitlines()[copy]
        assert "190 MB" in text.splitlines()[base]
        assert "0 B" in text.splitlines()[workdir]  # a real, empty layer
        assert "7 layers (4 filesystem, 3 metadata only)" in text


async def test_layer_stack_updates_the_container_layer_size_in_place() -> None:
    app = WidgetHarness(lambda: LayerStack())
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(LayerStack)
        stack.show_image(V1, container="lt-web-1", rw_size=None)
        await pilot.pause()
        await pilot.press("down", "down")
        band = stack.query_one(ContainerBand)
        assert "? read-write" in app.screen_text()
        stack.set_container("lt-web-1", 5_000_000)
        await pilot.pause()
        assert stack.query_one(ContainerBand) is band  # polled sizes do not rebuild the stack
        assert "5.00 MB read-write" in app.screen_text()
        stack.show_image(V1, container="lt-web-1", rw_size=5_000_000)  # a re-read
        await pilot.pause()
        assert stack.selected is not None and stack.selected.layer.index == 4
        stack.set_container(None, None)
        await pilot.pause()
        assert not stack.query(ContainerBand)


async def test_layer_stack_cursor_posts_the_selected_layer() -> None:
    app = WidgetHarness(lambda: LayerStack(V1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "end", "up")
        await pilot.pause()
        selected = [m.layer_index for m in app.posted(LayerStack.LayerSelected)]
        assert selected == [5, 4, 0, 1]
        stack = app.query_one(LayerStack)
        [cursor] = stack.query(".-cursor")
        assert isinstance(cursor, LayerBand) and cursor.place.layer.index == 1
        assert '▶ CMD ["python3"]' in app.screen_text()


async def test_layer_stack_highlight_layer_lights_one_band() -> None:
    app = WidgetHarness(lambda: LayerStack(V1))
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(LayerStack)
        stack.highlight_layer(3)
        await pilot.pause()
        lit = [band.place.layer.index for band in stack.query(LayerBand) if band.has_class("-lit")]
        assert lit == [3]
        assert "● RUN pip install flask" in app.screen_text()
        stack.highlight_layer(None)
        await pilot.pause()
        assert not stack.query(".-lit")


async def test_layer_stack_two_images_side_by_side_on_their_shared_base() -> None:
    app = WidgetHarness(lambda: LayerStack())
    async with app.run_test(size=(160, 48)) as pilot:
        app.query_one(LayerStack).show_sharing(SHARING)
        await pilot.pause()
        text = app.screen_text()
        one, two = lines_of(text, "only in lt-app:v1", "only in lt-app:v2")
        assert one == two  # side by side
        [shared] = lines_of(text, "shared by lt-app:v1 and lt-app:v2 (3 layers, stored once)")
        assert shared > one
        assert text.count("RUN pip install flask") == 1  # drawn once, across both
        assert "saved: 202 MB" in text
        assert not app.query_one(LayerStack).has_class("-narrow")


async def test_layer_stack_two_images_one_after_the_other_at_80_columns() -> None:
    app = WidgetHarness(lambda: LayerStack())
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(LayerStack)
        stack.show_sharing(SHARING)
        await pilot.pause()
        assert stack.has_class("-narrow")
        one, two = lines_of(app.screen_text(), "only in lt-app:v1", "only in lt-app:v2")
        assert one < two


async def test_layer_stack_says_when_two_images_share_nothing() -> None:
    other = ImageLayers(
        image="lt-other:v1",
        image_id="sha256:" + "9" * 64,
        layers=(layer(0, "COPY busybox /bin/busybox", 1_980_000, chain="sha256:b0"),),
        containerd_store=False,
    )
    apart = Sharing(
        images=("lt-app:v1", "lt-other:v1"),
        stacks=(V1, other),
        shared_chain_ids=(),
        bytes_stored=V1.total_size + other.total_size,
        bytes_without_sharing=V1.total_size + other.total_size,
    )
    app = WidgetHarness(lambda: LayerStack())
    async with app.run_test(size=(160, 48)) as pilot:
        app.query_one(LayerStack).show_sharing(apart)
        await pilot.pause()
        text = app.screen_text()
        assert "nothing shared: lt-app:v1 and lt-other:v1 have no base layers in common" in text
        assert "saved: 0 B" in text
        assert "only in lt-app:v1 (7 layers)" in text


# -- BuildLog -----------------------------------------------------------------


async def test_build_log_marks_each_step_cached_or_built_with_the_miss_reason() -> None:
    app = WidgetHarness(lambda: BuildLog())
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(BuildLog)
        for event in build_events():
            log.add_event(event)
        await pilot.pause()
        text = app.screen_text()
        assert "Step 4/6 : COPY app.py /app/" in text
        assert "CACHED step 3 in 0.0s" in text
        assert "BUILT  step 4 in 0.4s" in text
        assert "cache miss: app.py changed since the last build" in text
        assert "✓ Built lt-app:v2: 3 CACHED, 3 BUILT" in text
        assert sorted(n for n, step in log.steps.items() if step.cached) == [1, 2, 3]


async def test_build_log_draws_on_when_its_after_refresh_callback_is_lost() -> None:
    """Textual hands the flush to the screen on top; a dialog closing just then took it
    along, and the log, waiting for that flush, drew nothing more in the lesson."""
    app = WidgetHarness(lambda: BuildLog())
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(BuildLog)
        log.call_after_refresh = lambda *args, **kwargs: True  # type: ignore[method-assign]
        log.add_event(StepStarted(1, 2, "FROM python:3.8-alpine", 1, 1))
        await pilot.pause(0.5)
        log.add_event(StepStarted(2, 2, "RUN pip install flask", 1, 1))
        await pilot.pause(0.5)
        assert log.flush_count == 2
        text = app.screen_text()
        assert "Step 1/2 : FROM python:3.8-alpine" in text
        assert "Step 2/2 : RUN pip install flask" in text


async def test_build_log_says_which_step_is_the_tutors_own_label_step() -> None:
    app = WidgetHarness(lambda: BuildLog())
    labels = "LABEL org.layers-tutor.lesson=build org.layers-tutor.tool=layers-tutor"
    async with app.run_test(size=(120, 24)) as pilot:
        log = app.query_one(BuildLog)
        log.add_event(StepStarted(1, 2, "LABEL maintainer=ana", 1, 1))
        log.add_event(StepStarted(2, 2, labels, 0, 0))
        await pilot.pause()
        lines = app.screen_text().splitlines()
        mine = next(line for line in lines if "Step 1/2" in line)
        theirs = next(line for line in lines if "Step 2/2" in line)
        assert "the tutor's labels" not in mine  # the learner's own LABEL is just a step
        assert "← the tutor's labels" in theirs


async def test_build_log_says_a_build_started_again_and_counts_its_steps_anew() -> None:
    """A cached step image removed mid-build (another learner's clean-up): the engine
    reports every step again, and the counts must be of the build that made the image."""
    app = WidgetHarness(lambda: BuildLog())
    again: list[BuildEvent] = [
        StepStarted(1, 2, "FROM python:3.8-alpine", 1, 1),
        StepFinished(1, "FROM python:3.8-alpine", True, 0.0, "0a1b2c3d4e5f", None),
        StepStarted(2, 2, "RUN pip install flask", 2, 2),
        StepFinished(2, "RUN pip install flask", False, 2.0, "9f8e7d6c5b4a", None),
        BuildDone("sha256:" + "9f8e7d6c5b4a" * 5 + "0123", "lt-app:v1"),
    ]
    events = [*again[:2], BuildRetried("5e5e5e5e5e5e"), *again]
    async with app.run_test(size=(200, 24)) as pilot:
        log = app.query_one(BuildLog)
        for event in events:
            log.add_event(event)
        await pilot.pause()
        text = app.screen_text()
        assert "The cached layer 5e5e5e5e5e5e that this build was using was removed" in text
        assert "Building again from the first step." in text
        assert "✓ Built lt-app:v1: 1 CACHED, 1 BUILT" in text
        log.set_language("pt-BR")
        await pilot.pause()
        said = app.screen_text()
        assert "A layer em cache 5e5e5e5e5e5e que este build usava foi removida" in said


async def test_build_log_shows_a_failed_step_and_the_engine_message_prominently() -> None:
    app = WidgetHarness(lambda: BuildLog())
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(BuildLog)
        for event in build_events(fail_at=3):
            log.add_event(event)
        await pilot.pause()
        failure = log.query_one("#failure")
        assert failure.has_class("-visible")
        text = app.screen_text()
        assert "✗ Build FAILED at step 3/6" in text
        assert "Build failed at step 3/6" in text
        assert "returned a non-zero code: 1" in text


async def test_build_log_writes_a_2000_line_build_in_a_few_batches() -> None:
    app = WidgetHarness(lambda: BuildLog())
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(BuildLog)
        log.add_event(StepStarted(1, 1, "RUN seq 2000", 1, 1))
        for i in range(2_000):
            log.add_event(OutputLine(1, f"line {i}"))
        log.add_event(StepFinished(1, "RUN seq 2000", False, 1.5, "sha256:" + "1" * 64, None))
        assert log.flush_count == 0  # nothing is drawn per event
        for _ in range(50):  # one batch a frame, at most FLUSH_MOST lines each
            if log.flush_count * BuildLog.FLUSH_MOST >= 2_002:
                break
            await pilot.pause()
        assert log.flush_count == -(-2_002 // BuildLog.FLUSH_MOST)
        assert len(log.log_view.lines) == 2_002
        assert "line 1999" in app.screen_text()  # following the newest output


# -- HistoryTable -------------------------------------------------------------


async def test_history_table_lists_newest_first_and_explains_missing_and_zero_rows() -> None:
    app = WidgetHarness(lambda: HistoryTable(V1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        history = app.query_one(HistoryTable)
        assert [layer.index for layer in history.rows] == [6, 5, 4, 3, 2, 1, 0]
        text = app.screen_text()
        assert "lt-app:v1: 7 history rows, 4 filesystem layers, 3 metadata only, 2 <missing>" in (
            text
        )
        cmd, workdir, base = lines_of(text, 'CMD ["python", "app.py"]', "WORKDIR", "ADD rootfs")
        assert "metadata only" in text.splitlines()[cmd]
        assert "empty layer" in text.splitlines()[workdir]
        assert "<missing>" in text.splitlines()[base]
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert "<missing>: part of layers-tutor-test/python:3-bookworm" in app.screen_text()
        await pilot.press("up", "up")
        await pilot.pause()
        assert "0 B, but a real (empty) filesystem layer" in app.screen_text()
        await pilot.press("enter")
        await pilot.pause()
        assert [m.layer_index for m in app.posted(HistoryTable.LayerSelected)] == [2]


# -- PushLog ------------------------------------------------------------------


async def test_push_log_shows_each_layer_and_a_summary() -> None:
    app = WidgetHarness(lambda: PushLog("127.0.0.1:5000/lt-app:v2"))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(PushLog)
        for event in PUSH[:4]:
            log.add_event(event)
        await pilot.pause()
        assert "pushing 1.00 kB / 2.35 kB" in app.screen_text()
        for event in PUSH[4:]:
            log.add_event(event)
        await pilot.pause()
        text = app.screen_text()
        assert log.query_one(DataTable).row_count == 3
        assert "already exists" in text and "mounted from lt/base" in text
        assert "3 layers: 1 pushed, 1 already existed, 1 mounted from another repository" in text
        assert "✓ Pushed 127.0.0.1:5000/lt-app:v2" in text


async def test_push_log_shows_a_failed_push() -> None:
    app = WidgetHarness(lambda: PushLog("127.0.0.1:5000/lt-app:v2"))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(PushLog)
        log.add_event(PUSH[0])
        log.add_event(PushError("connection refused"))
        await pilot.pause()
        assert "✗ Push FAILED: connection refused" in app.screen_text()
        assert log.query_one("#summary").has_class("-failed")


# -- the learner's language -----------------------------------------------------
#
# Each panel says its own words in the lesson language and says them again
# when the learner switches (key l); the engine's data stays as it is.


async def test_layer_stack_says_its_words_in_portuguese_and_back() -> None:
    app = WidgetHarness(lambda: LayerStack())
    async with app.run_test(size=(80, 24)) as pilot:
        stack = app.query_one(LayerStack)
        stack.set_language("pt-BR")
        await pilot.pause()
        assert "Nenhuma imagem ainda: faça o build" in app.screen_text()
        stack.show_image(V1, container="lt-web-1", rw_size=1_234)
        await pilot.press("down")
        await pilot.pause()
        text = app.screen_text()
        assert "layer do container lt-web-1" in text and "1.23 kB gravável" in text
        assert "0 B só metadados" in text and "arquivos, só leitura" in text
        assert "7 layers (4 com arquivos, 3 só metadados)" in text
        assert "Pilha: a layer mais nova no alto, a base no fundo." in text
        assert "▶ layer 5 de lt-app:v1: ENV FLASK_APP=app.py" in text
        assert "metadata only" not in text and "read-write" not in text
        stack.set_language("en")
        await pilot.pause()
        text = app.screen_text()
        assert "container lt-web-1: its own layer" in text and "1.23 kB read-write" in text
        assert "7 layers (4 filesystem, 3 metadata only)" in text
        assert (
            "▶ layer 5 of lt-app:v1: ENV FLASK_APP=app.py" in text
        )  # the cursor stayed on its layer
        stack.set_language("pt-BR")
        stack.show_sharing(SHARING)
        await pilot.pause()
        text = app.screen_text()
        assert "só em lt-app:v1 (3 layers)" in text
        assert "compartilhadas por lt-app:v1 e lt-app:v2" in text
        assert "economia: 202 MB" in text


def rebuild_with_reasons() -> list[BuildEvent]:
    """A rebuild whose misses carry the engine's own reasons (which the log translates)."""
    reasons = {4: cache_miss.FILE_CHANGED, 5: cache_miss.EARLIER_STEP_REBUILT}
    return [
        dataclasses.replace(event, miss_reason=reasons.get(event.number))
        if isinstance(event, StepFinished)
        else event
        for event in build_events()
    ]


async def test_build_log_says_the_cache_miss_in_portuguese_and_back() -> None:
    app = WidgetHarness(lambda: BuildLog(language="pt-BR"))
    async with app.run_test(size=(100, 30)) as pilot:
        log = app.query_one(BuildLog)
        assert "Nenhum build ainda." in app.screen_text()
        for event in rebuild_with_reasons():
            log.add_event(event)
        await pilot.pause()
        lines = len(log.log_view.lines)
        text = app.screen_text()
        assert "✓ Build de lt-app:v2 pronto: 3 CACHED, 3 BUILT" in text
        assert "Step 4/6 : COPY app.py /app/" in text  # Docker's own header
        assert "BUILT  passo 4 em 0.4s" in text
        assert "sem cache: um arquivo copiado por COPY/ADD mudou" in text
        assert "sem cache: um passo anterior foi refeito" in text
        assert "Imagem lt-app:v2 pronta (" in text
        log.set_language("en")
        await pilot.pause()
        text = app.screen_text()
        assert f"cache miss: {cache_miss.FILE_CHANGED}" in text
        assert "BUILT  step 4 in 0.4s" in text
        assert "✓ Built lt-app:v2: 3 CACHED, 3 BUILT" in text
        assert len(log.log_view.lines) == lines  # written again, not twice


async def test_build_log_says_a_failure_in_portuguese() -> None:
    app = WidgetHarness(lambda: BuildLog())
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(BuildLog)
        for event in build_events(fail_at=3):
            log.add_event(event)
        await pilot.pause()
        log.set_language("pt-BR")
        await pilot.pause()
        text = app.screen_text()
        assert "✗ O build FALHOU no passo 3/6" in text
        assert "O build falhou no passo 3/6" in text
        assert "O Docker Engine disse:" in text
        assert "returned a non-zero code: 1" in text  # the engine's message, as it said it


async def test_diff_view_says_its_words_in_portuguese_and_back() -> None:
    app = WidgetHarness(lambda: DiffView("lt-web-1"))
    async with app.run_test(size=(100, 24)) as pilot:
        view = app.query_one(DiffView)
        view.set_language("pt-BR")
        await pilot.pause()
        assert "Nenhum container ainda." in app.screen_text()
        view.update(diff_of(1))
        view.update(diff_of(3))
        view.show_exec_result("ls /app", 0, "out-0.txt")
        await pilot.pause()
        text = app.screen_text()
        assert "lt-web-1: 5 mudanças (A 3, C 1, D 1), layer gravável 1.23 kB" in text
        assert "A acrescentado · C mudado · D apagado · ▲ novos desde a última olhada: 2" in text
        assert "da layer 4: COPY app.py /app/" in text and "novo no container" in text
        assert "$ ls /app  (código de saída 0)" in text
        assert app.query_one(ExecInput).placeholder.startswith("Comando para rodar dentro")
        view.set_language("en")
        await pilot.pause()
        text = app.screen_text()
        assert "lt-web-1: 5 changes (A 3, C 1, D 1), read-write layer 1.23 kB" in text
        assert "▲ 2 new since last look" in text
        assert "from layer 4: COPY app.py /app/" in text and "new in the container" in text
        assert "$ ls /app  (exit 0)" in text
        assert app.query_one(ExecInput).placeholder.startswith("Command to run inside")


async def test_containers_panel_says_its_words_in_portuguese_and_back() -> None:
    app = WidgetHarness(lambda: ContainersPanel(CONTAINERS))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ContainersPanel)
        await pilot.press("down")
        panel.show_logs("lt-old-1", "")
        panel.set_language("pt-BR")
        await pilot.pause()
        text = app.screen_text()
        assert "Nome" in text and "Imagem" in text and "Portas" in text
        assert "running" in text and "nenhuma" in text  # the engine's status word stays
        assert "Logs de lt-old-1" in text and "(nenhuma saída ainda)" in text
        assert panel.selected is not None and panel.selected.name == "lt-old-1"
        panel.show_page(CONTAINERS[0], "Hello from Flask!")
        await pilot.pause()
        assert "Página de lt-web-1" in app.screen_text()
        panel.set_language("en")
        await pilot.pause()
        text = app.screen_text()
        assert "Name" in text and "Ports" in text and "none" in text
        assert "Page from lt-web-1" in text
    empty = WidgetHarness(lambda: ContainersPanel([], language="pt-BR"))
    async with empty.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Nenhum container ainda: um passo da lição vai iniciar um." in empty.screen_text()


def with_reasons(image: ImageLayers) -> ImageLayers:
    """The image with its <missing> rows' reasons as the engine's data."""
    base = MissingReason(MissingCause.ELSEWHERE, "layers-tutor-test/python:3-bookworm")
    layers = tuple(
        dataclasses.replace(layer, missing_why=base) if layer.image_id is None else layer
        for layer in image.layers
    )
    return dataclasses.replace(image, layers=layers)


async def test_history_table_says_its_words_in_portuguese_and_back() -> None:
    app = WidgetHarness(lambda: HistoryTable(with_reasons(V1)))
    async with app.run_test(size=(80, 24)) as pilot:
        history = app.query_one(HistoryTable)
        history.set_language("pt-BR")
        await pilot.press("ctrl+end")
        await pilot.pause()
        text = app.screen_text()
        assert "lt-app:v1: 7 linhas no histórico, 4 layers com arquivos, 3 só metadados" in text
        assert "IMAGE" in text and "CREATED BY" in text  # docker image history's own columns
        cmd, workdir = lines_of(text, 'CMD ["python", "app.py"]', "WORKDIR")
        assert "só metadados" in text.splitlines()[cmd]
        assert "layer vazia" in text.splitlines()[workdir]
        assert "<missing>: layers-tutor-test/python:3-bookworm, que contém este passo," in text
        history.set_language("en")
        await pilot.pause()
        text = app.screen_text()
        assert "<missing>: part of layers-tutor-test/python:3-bookworm, which came" in text
        assert "7 history rows, 4 filesystem layers, 3 metadata only" in text
        assert history.table.cursor_row == 6  # the row under the cursor stayed
        # The engine's own name for an untagged image is said in the language too.
        mine = MissingReason(MissingCause.BUILDKIT, THIS_IMAGE)
        row = dataclasses.replace(V1.layers[0], missing_why=mine)
        history.show(dataclasses.replace(V1, layers=(row, *V1.layers[1:])))
        history.set_language("pt-BR")
        await pilot.pause()
        assert "<missing>: esta imagem, que contém este passo, foi construída" in (
            app.screen_text()
        )


async def test_push_log_and_files_view_say_their_words_in_portuguese() -> None:
    app = WidgetHarness(lambda: PushLog("127.0.0.1:5000/lt-app:v2", language="pt-BR"))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(PushLog)
        for event in PUSH:
            log.add_event(event)
        await pilot.pause()
        text = app.screen_text()
        assert "Push de 127.0.0.1:5000/lt-app:v2" in text
        assert "PROGRESSO" in text and "já existe" in text and "ligada de lt/base" in text
        assert "3 layers — enviadas: 1, já existiam: 1, ligadas de outro repositório: 1" in text
        assert "✓ Push de 127.0.0.1:5000/lt-app:v2 feito" in text
        log.set_language("en")
        await pilot.pause()
        text = app.screen_text()
        assert "PROGRESS" in text and "already exists" in text and "mounted from lt/base" in text
        assert log.query_one(DataTable).row_count == 3
    files = WidgetHarness(lambda: FilesView(FILES, language="pt-BR"))
    async with files.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert "Dockerfile linha 2: passo 2 de 6, WORKDIR /app" in files.screen_text()
        view = files.query_one(FilesView)
        view.highlight_step(3)
        await pilot.pause()
        assert "Passo 3 (linhas 4-5): RUN pip install flask" in files.screen_text()
        view.set_language("en")
        await pilot.pause()
        assert "Step 3 (lines 4-5): RUN pip install flask" in files.screen_text()


def test_engine_banner_says_the_connection_errors_in_the_learners_language() -> None:
    down = classify(ConnectionRefusedError(111, "Connection refused"), "unix:///x.sock")
    assert error_words(down, "en") == (down.message, down.hint)
    message, hint = error_words(down, "pt-BR")
    assert message == "Nenhum Docker Engine responde em unix:///x.sock."
    assert hint.startswith("Inicie o Docker")
    denied = permission_denied("unix:///x.sock")
    assert error_words(denied, "en") == (denied.message, denied.hint)
    assert error_words(denied, "pt-BR")[0].startswith("Você não tem permissão")
    # Words the engine layer did not write itself are shown as they were raised.
    other = EngineUnreachable("Nothing yet.", "Wait.", host="unix:///x.sock")
    assert error_words(other, "pt-BR") == ("Nothing yet.", "Wait.")


# -- snapshots (80x24 and 160x48) ---------------------------------------------


async def _stack_with_container(pilot: Pilot[None]) -> None:
    stack = pilot.app.query_one(LayerStack)
    stack.show_image(V1, container="lt-web-1", rw_size=1_234)
    await pilot.pause()
    stack.highlight_layer(3)
    await pilot.press("down")


async def _stack_sharing(pilot: Pilot[None]) -> None:
    pilot.app.query_one(LayerStack).show_sharing(SHARING)
    await pilot.pause()


def _feeding(events: list[BuildEvent]) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def feed(pilot: Pilot[None]) -> None:
        log = pilot.app.query_one(BuildLog)
        for event in events:
            log.add_event(event)
        await pilot.pause()

    return feed


async def _page_shown(pilot: Pilot[None]) -> None:
    pilot.app.query_one(ContainersPanel).show_page(CONTAINERS[0], "Hello from Flask!")
    await pilot.pause()


async def _diff_twice(pilot: Pilot[None]) -> None:
    view = pilot.app.query_one(DiffView)
    view.update(diff_of(1))
    view.update(diff_of(3))
    view.show_exec_result("ls /app", 0, "out-0.txt\nout-1.txt\nout-2.txt")
    await pilot.pause()


async def _command_running(pilot: Pilot[None]) -> None:
    pilot.app.animation_level = "none"  # the spinner stands still for the picture
    view = pilot.app.query_one(DiffView)
    view.update(diff_of(1))
    pilot.app.query_one(ExecInput).focus()
    await pilot.press(*"sleep 5", "enter")
    await pilot.pause()


async def _history_on_missing_row(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+end")


async def _pushed(pilot: Pilot[None]) -> None:
    log = pilot.app.query_one(PushLog)
    for event in PUSH:
        log.add_event(event)
    await pilot.pause()


async def _dockerfile_step(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("down", "down", "down")
    pilot.app.query_one(FilesView).highlight_step(4)
    await pilot.pause()


SNAPSHOTS: dict[str, tuple[Callable[[], Widget], Callable[[Pilot[None]], Awaitable[None]]]] = {
    "layer_stack": (LayerStack, _stack_with_container),
    "layer_stack_sharing": (LayerStack, _stack_sharing),
    "build_log": (BuildLog, _feeding(build_events())),
    "build_log_failed": (BuildLog, _feeding(build_events(fail_at=3))),
    "containers_panel": (lambda: ContainersPanel(CONTAINERS), _page_shown),
    "diff_view": (lambda: DiffView("lt-web-1"), _diff_twice),
    "diff_view_command_running": (lambda: DiffView("lt-web-1"), _command_running),
    "history_table": (lambda: HistoryTable(V1), _history_on_missing_row),
    "push_log": (lambda: PushLog("127.0.0.1:5000/lt-app:v2"), _pushed),
    "files_view": (lambda: FilesView(FILES), _dockerfile_step),
}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("widget", sorted(SNAPSHOTS))
def test_snapshot(widget: str, size: tuple[int, int], snap_compare: Any) -> None:
    make, run_before = SNAPSHOTS[widget]
    assert snap_compare(WidgetHarness(make), terminal_size=size, run_before=run_before)


async def test_a_build_failure_in_a_short_panel_still_shows_the_engines_words() -> None:
    # At 80x24 the Build tab is some ten rows high: the failure box used to end at
    # "The engine said:", with the message cut off below it.
    app = WidgetHarness(lambda: BuildLog())
    async with app.run_test(size=(80, 12)) as pilot:
        log = app.query_one(BuildLog)
        for event in build_events(fail_at=3):
            log.add_event(event)
        await pilot.pause()
        text = app.screen_text()
        assert "The engine said:" in text
        assert "returned a non-zero code: 1" in text


async def test_containers_panel_shows_an_untagged_image_by_its_short_id() -> None:
    # A container of an untagged image carries the whole digest; 71 characters pushed
    # Status and Ports off an 80-column screen.
    digest = "sha256:744fa183ed02d3dd9c4f" + "0" * 38
    untagged = dataclasses.replace(CONTAINERS[0], image=digest)
    app = WidgetHarness(lambda: ContainersPanel([untagged]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = app.screen_text()
        assert "744fa183ed02" in text and "sha256:" not in text
        assert "running" in text and "127.0.0.1:8080→5000" in text


async def test_containers_panel_shows_each_containers_size_as_docker_ps_s() -> None:
    # Lesson 6 asks what three containers cost on disk; `docker ps -s` says it in SIZE.
    sized = [dataclasses.replace(c, ports=(), size_rw=0, size_virtual=195_000_000)
             for c in CONTAINERS]  # fmt: skip
    app = WidgetHarness(lambda: ContainersPanel(sized))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = app.screen_text()
        assert "Size" in text and "0 B" in text and "lt-web-1" in text
        table = app.query_one(ContainersPanel).table
        assert [str(cell) for cell in table.get_row_at(0)][-2:] == ["0 B", "195 MB"]


async def test_images_panel_keeps_size_on_screen_with_a_registrys_long_names() -> None:
    """Lesson 10 tags for a registry (``localhost:5000/...``), and a classroom's names
    carry a namespace: at 80 columns those pushed SIZE and CREATED off the panel."""
    long = "localhost:5000/python-hello-world-t19903d7915"
    lines = (ImageLine(long, "v1", "04ababababab", 0, 195_005_000, named=True),)
    app = WidgetHarness(lambda: ImagesPanel(lines, language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = next(line for line in app.screen_text().splitlines() if "v1" in line)
        assert "195 MB" in row  # SIZE, the last column, is on screen
        shown = row.split()[0]  # both ends kept, the middle left out
        assert shown.startswith("localhost:5000/") and shown.endswith("-t19903d7915")
        assert "…" in shown
        await pilot.resize_terminal(160, 24)
        await pilot.pause(0.3)
        assert long in app.screen_text()  # whole again when there is room


async def test_images_panel_lists_the_images_as_docker_image_ls() -> None:
    lines = (
        ImageLine("python-hello-world", "latest", "04ababababab", 0, 195_005_000, named=True),
        ImageLine("python", "3.8-alpine", "01ababababab", 0, 189_712_384),
    )
    app = WidgetHarness(lambda: ImagesPanel(language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "No images read yet." in app.screen_text()
        app.query_one(ImagesPanel).show_value(lines)
        await pilot.pause()
        text = app.screen_text()
        assert "2 images on the engine, newest first (docker image ls)" in text
        assert "REPOSITORY" in text and "IMAGE ID" in text
        assert "python-hello-world" in text and "3.8-alpine" in text and "190 MB" in text
        app.query_one(ImagesPanel).set_language("pt-BR")
        await pilot.pause()
        assert "2 imagens no engine" in app.screen_text()


async def test_images_panel_sets_its_title_again_only_when_the_count_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The panel reads the images at each engine event (dozens while an image builds);
    a title set again lays the whole screen out again, even to the same words."""
    first = ImageLine("python-hello-world", "latest", "04ababababab", 0, 195_005_000, named=True)
    app = WidgetHarness(lambda: ImagesPanel(language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ImagesPanel)
        panel.show_value((first,))
        await pilot.pause()
        title = panel.query_one("#images-title", Static)
        set_to: list[object] = []
        update = title.update

        def spy(content: Any = "", **how: Any) -> None:
            set_to.append(content)
            update(content, **how)

        monkeypatch.setattr(title, "update", spy)
        panel.show_value((dataclasses.replace(first, tag="v2"),))  # one image still
        await pilot.pause()
        assert set_to == []
        assert "v2" in app.screen_text()
        panel.show_value((first, dataclasses.replace(first, tag="v2")))
        await pilot.pause()
        assert len(set_to) == 1 and "2 images on the engine" in app.screen_text()


async def test_images_panel_keeps_the_cursor_when_a_build_step_replaces_the_newest() -> None:
    """While an image builds, each step's image replaces the last as the newest, a
    read at each engine event: the learner's cursor stays on its row, and the cells
    show the new image (its name, and no longer in bold once it is not the lesson's)."""
    web = ImageLine("python-hello-world", "latest", "04ababababab", 0, 195_005_000, named=True)
    base = ImageLine("python", "3.8-alpine", "01ababababab", 0, 189_712_384)
    other = ImageLine("busybox", "latest", "02ababababab", 0, 4_000_000)
    app = WidgetHarness(lambda: ImagesPanel(language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(ImagesPanel)
        panel.show_value((web, base, other))
        await pilot.pause()
        table = panel.table
        table.move_cursor(row=2)
        step = ImageLine("<none>", "<none>", "05cdcdcdcdcd", 0, 195_005_100)
        panel.show_value((step, base, other))
        await pilot.pause()
        assert table.cursor_row == 2
        text = app.screen_text()
        assert "05cdcdcdcdcd" in text and "python-hello-world" not in text
        named = panel.get_component_rich_style("images-panel--named", partial=True)
        assert table.get_cell_at(Coordinate(0, 0)).style != named
        panel.show_value((web, step, base, other))  # one more: drawn again
        await pilot.pause()
        assert table.row_count == 4 and "python-hello-world" in app.screen_text()
        assert table.get_cell_at(Coordinate(0, 0)).style == named


async def test_step_output_line_by_line_lays_out_again_only_while_it_grows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run's output comes to the step panel line by line (20,000 lines in lesson 7),
    and each part shown or hidden, and each text in other rows, lays the whole screen
    out again (20 ms at 160x48). Every part was set again at each line, some hidden
    then shown: only the output may ask for a layout now, only while it grows to its
    last six lines, and it still shows them. A status in the same rows is drawn in
    place."""
    view = StepView(1, 3, "Build it", "Type the command.", "docker build .", True, (), "~/x")
    app = WidgetHarness(lambda: StepPanel("en"))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(StepPanel)
        panel.show(view)
        await pilot.pause()
        asked: dict[str, int] = {}
        layouts: list[int] = []
        laying_out = [False]
        lay_out = app.screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(1)
            laying_out[0] = True
            try:
                lay_out(*args, **kwargs)
            finally:
                laying_out[0] = False

        monkeypatch.setattr(app.screen, "_refresh_layout", counted)
        for part in panel.query(Static):
            refresh = part.refresh

            def spy(
                *regions: Any, _name: str = part.id or "", _refresh: Any = refresh, **how: Any
            ) -> Any:
                if how.get("layout") and not laying_out[0]:  # not a layout's own resizes
                    asked[_name] = asked.get(_name, 0) + 1
                return _refresh(*regions, **how)

            monkeypatch.setattr(part, "refresh", spy)
        for number in range(1, 11):  # a line a frame, as a run's output comes
            if number == 7:
                assert layouts, "the output grew: the screen was laid out"
                layouts.clear()
            panel.show_output([f"line {n}" for n in range(1, number + 1)])
            panel.set_state(StepState.RUNNING)
            await pilot.pause()
        # Shown (1 line), then one row more at each line until six; none after that.
        assert asked == {"step-output": 1 + 1 + 5}  # shown, its first text, five rows more
        assert not layouts
        text = app.screen_text()
        assert "line 10" in text and "line 4\n" not in text  # the last six lines
        assert "$ docker build ." in text and "~/x" in text
        panel.show_output([])
        await pilot.pause()
        assert "line 10" not in app.screen_text()
        assert not panel.query_one("#step-output").display


REMOVED_AS_THEY_MOUNT: dict[str, Callable[[], Widget]] = {
    "containers": lambda: ContainersPanel(CONTAINERS),
    "files": lambda: FilesView(FILES),
    "history": lambda: HistoryTable(V1),
    "images": lambda: ImagesPanel((ImageLine("python", "3.8-alpine", "01ab", 0, 1, named=True),)),
}


@pytest.mark.parametrize("make", REMOVED_AS_THEY_MOUNT.values(), ids=REMOVED_AS_THEY_MOUNT)
async def test_a_panel_removed_as_it_mounts_shows_nothing_and_raises_nothing(
    make: Callable[[], Widget],
) -> None:
    """A lesson left while its panels are composed removes a panel as it mounts.

    Textual then mounts none of the panel's parts and still sends it Mount; a
    panel that filled its table there ended the tutor with a traceback
    (``tutor.widgets.mounting``). ``run_test`` raises what the app raised.
    """
    app = WidgetHarness(Vertical, footer=False)
    async with app.run_test(size=(80, 24)) as pilot:
        holder, panel = app.query_one(Vertical), make()
        holder.mount(panel)
        await holder.remove()
        await pilot.pause()
        assert not panel.children  # the race this is about: its parts were never mounted
        assert not panel.is_attached
