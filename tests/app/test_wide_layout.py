"""The wide layout (160x48) shows at least what each panel's tab shows at 80x24.

At 160x48 the Layers panel was 7 rows high with its instructions cut to
``LABEL o…``, the Diff panel dropped the "from layer" column (provenance,
the point of the panel) and History showed one row (issue 12, finding 8).
The panels are filled with the recorded engine answers of the snapshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from tests.app.conftest import MakeTutor, screen_text
from tests.app.test_app_snapshots import (
    SHOWN_WORKSPACE,
    prepared,
    save_midway,
    show_recording,
    write_fixed_course,
)
from tutor.app import TutorApp
from tutor.widgets import DiffView, HistoryTable
from tutor.widgets import LayerStack as LayerStackView

#: What the learner must read in each panel: every layer's instruction, every
#: changed path with the layer it came from, every history row.
MUST_SHOW: dict[str, tuple[type[Widget], list[str]]] = {
    "layers": (LayerStackView, ["COPY app.py /app.py", 'CMD ["python","app.py"]',
                                "RUN pip install flask", 'CMD ["python3"]', "ADD rootfs.tar /"]),
    "diff": (DiffView, ["/app.py", "from layer 4: COPY app.py", "/notes.txt",
                        "new in the container", "from layer 0: ADD rootfs.ta"]),
    "history": (HistoryTable, ["04ababababab", "03ababababab", "02ababababab",
                               "ADD rootfs.tar /", 'CMD ["python3"]']),
}  # fmt: skip


def panel_text(app: TutorApp, widget: Widget) -> str:
    """The characters on screen inside ``widget``'s region."""
    region = widget.region
    lines = screen_text(app).splitlines()[region.y : region.y + region.height]
    return "\n".join(line[region.x : region.x + region.width] for line in lines)


async def shown(make_tutor: MakeTutor, course: Path, size: tuple[int, int], pane: str) -> str:
    app = make_tutor(course_root=course, workspace_root=SHOWN_WORKSPACE)
    number = {"layers": "3", "diff": "6", "history": "7"}[pane]
    async with app.run_test(size=size) as pilot:
        await prepared(show_recording, keys=("c", number))(pilot)
        return panel_text(app, app.screen.query_one(MUST_SHOW[pane][0]))


@pytest.mark.parametrize("pane", sorted(MUST_SHOW))
async def test_the_wide_layout_shows_what_a_tab_shows_at_80x24(
    make_tutor: MakeTutor, tmp_path: Path, progress_root: Path, pane: str
) -> None:
    course = write_fixed_course(tmp_path / "course")
    save_midway(course, progress_root)
    narrow = await shown(make_tutor, course, (80, 24), pane)
    wide = await shown(make_tutor, course, (160, 48), pane)
    for text in MUST_SHOW[pane][1]:
        assert text in narrow, narrow
        assert text in wide, wide
