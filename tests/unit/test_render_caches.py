"""What drawing leaves in Textual's and Rich's caches is emptied at a lesson switch."""

from __future__ import annotations

import rich._unicode_data
import rich.cells
from rich.style import Style
from textual.geometry import Region

from tutor.screens.render_caches import forget_drawing_caches


def test_the_drawing_caches_are_emptied_and_nothing_else() -> None:
    Region(0, 0, 10, 10).overlaps(Region(5, 5, 10, 10))
    Region(0, 0, 10, 10).union(Region(5, 5, 10, 10))
    rich.cells.cached_cell_len("copy-on-write")
    _ = Style(bold=True) + Style(italic=True)
    # Rich's Unicode width tables: rich.cells imports their loader, which a module of
    # its own caches. Loading them again would cost far more than it frees.
    rich._unicode_data.load()
    loaded = rich._unicode_data.load.cache_info().currsize
    assert loaded >= 1

    assert forget_drawing_caches() >= 10

    assert Region.overlaps.cache_info().currsize == 0
    assert Region.union.cache_info().currsize == 0
    assert rich.cells.cached_cell_len.cache_info().currsize == 0
    assert Style._add.cache_info().currsize == 0
    assert rich._unicode_data.load.cache_info().currsize == loaded
