"""The pieces a layer stack is drawn with: one band per layer, shared bases.

Pure helpers and two one-line widgets, used by :mod:`tutor.widgets.layer_stack`
(sizes are said by :func:`tutor.engine.printed.human_size`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.message import Message
from textual.widget import Widget

from tutor.engine.labels import is_tutor_labels
from tutor.engine.printed import human_size
from tutor.i18n import say

if TYPE_CHECKING:  # the widgets only read these; no engine code runs here
    from tutor.engine.layers import Layer
    from tutor.engine.layers import LayerStack as ImageLayers
    from tutor.engine.sharing import Sharing

KIND_WIDTH = 22
"""Cells for "filesystem, read-only", "metadata only" or "read-write" (and their translations)."""
SHORT_KIND_WIDTH = 10
"""Cells for the short words ("files", "metadata") of a band below :data:`FULL_KIND_FROM`."""
FULL_KIND_FROM = 64
"""From this many cells a band says its kind in full; a half-width panel of the wide layout
cut every instruction to a few letters (``LABEL o…``) to keep the long words."""


def kind_key(key: str, width: int) -> str:
    """The catalog key of a band's kind words at ``width``: ``band.filesystem`` or its short one."""
    return key if width >= FULL_KIND_FROM else f"{key}.short"


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, marking a cut with "…".

    Args:
        text: One line of text.
        width: The cells it must take.

    Returns:
        The text padded with spaces, or cut with a final "…".
    """
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def band_line(marker: str, text: str, size: int | None, kind: str, width: int) -> str:
    """Lay out one band so that sizes and kinds line up down the stack.

    Args:
        marker: Two cells: "▶ " cursor, "● " lit, or spaces.
        text: The instruction (cut with "…" to fit).
        size: Bytes, right-aligned in human units.
        kind: "filesystem, read-only", "metadata only" or "read-write".
        width: The band's width in cells.

    Returns:
        The band's text, ``width`` cells wide.
    """
    width = width or 80
    kind_width = KIND_WIDTH if width >= FULL_KIND_FROM else SHORT_KIND_WIDTH
    room = width - len(marker) - 9 - 1 - kind_width
    return f"{marker}{fit(text, room)}{human_size(size):>9} {fit(kind, kind_width)}"


@dataclass(frozen=True)
class LayerPlace:
    """A selectable layer and where it is drawn: an image's column, or the shared base."""

    layer: Layer
    image: str
    shared: bool


def places_for(image: ImageLayers | None, sharing: Sharing | None) -> list[LayerPlace]:
    """The selectable layers top to bottom, in the order the stack draws them.

    Args:
        image: One image to draw, or None.
        sharing: Two images to draw on their shared base (wins over ``image``).

    Returns:
        Newest first; with two images, each image's own layers, then the shared base.
    """
    if sharing is not None:
        stacks, names = sharing.stacks, sharing.images
        shared = shared_prefix(stacks, set(sharing.shared_chain_ids))
        places: list[LayerPlace] = []
        for name, stack in zip(names, stacks, strict=False):
            places += [LayerPlace(layer, name, False) for layer in reversed(stack.layers[shared:])]
        if stacks and names:
            base = stacks[0].layers[:shared]
            places += [LayerPlace(layer, names[0], True) for layer in reversed(base)]
        return places
    if image is not None:
        return [LayerPlace(layer, image.image, False) for layer in reversed(image.layers)]
    return []


def shared_prefix(stacks: tuple[ImageLayers, ...], shared_chain_ids: set[str]) -> int:
    """How many bottom layers all the images have in common.

    Filesystem layers count as common when they have the same chain id and the
    engine found that chain id shared; metadata-only rows (the base image's CMD,
    ENV...) when their instructions match and they sit on a common base.

    Args:
        stacks: The images' layers, oldest first.
        shared_chain_ids: Chain ids the engine found in more than one image.

    Returns:
        The number of history rows, from the bottom, that are the same in all.
    """
    if not stacks:
        return 0
    count = 0
    for rows in zip(*(stack.layers for stack in stacks), strict=False):
        first = rows[0]
        if first.is_filesystem:
            same = first.chain_id in shared_chain_ids and all(
                row.is_filesystem and row.chain_id == first.chain_id for row in rows
            )
        else:
            same = all(not row.is_filesystem and row.created_by == first.created_by for row in rows)
        if not same:
            break
        count += 1
    return count


class LayerBand(Widget):
    """One layer of the stack, one line high, sized to the width it is given."""

    DEFAULT_CSS = """
    LayerBand { height: 1; }
    LayerBand.-filesystem { background: $panel; }
    LayerBand.-metadata { color: $text-muted; text-style: italic; }
    LayerBand.-shared { background: $success 25%; }
    LayerBand.-lit { background: $accent 40%; text-style: bold; }
    LayerBand.-cursor { background: $primary 60%; text-style: bold; }
    """

    class Clicked(Message):
        """The learner clicked this band."""

        def __init__(self, place: LayerPlace) -> None:
            self.place = place
            super().__init__()

    def __init__(self, place: LayerPlace, *, classes: str = "", language: str = "en") -> None:
        kind = "-filesystem" if place.layer.is_filesystem else "-metadata"
        super().__init__(classes=f"{kind} {classes}".strip())
        self.place = place
        self.language = language

    def render(self) -> str:
        """Marker (▶ cursor, ● lit), instruction, size and what kind of layer this is."""
        layer = self.place.layer
        marker = "▶ " if self.has_class("-cursor") else "● " if self.has_class("-lit") else "  "
        kind = "band.filesystem" if layer.is_filesystem else "band.metadata"
        if is_tutor_labels(layer.instruction):
            kind = "band.labels"
        width = self.size.width
        text = say(self.language, kind_key(kind, width))
        return band_line(marker, layer.instruction, layer.size, text, width)

    def on_click(self, event: events.Click) -> None:
        """A click selects the layer, as the cursor keys do."""
        self.post_message(self.Clicked(self.place))


class ContainerBand(Widget):
    """The container's thin read-write layer, drawn on top of the image's layers."""

    DEFAULT_CSS = "ContainerBand { height: 1; background: $warning 30%; text-style: bold; }"

    def __init__(self, container: str, rw_size: int | None, *, language: str = "en") -> None:
        super().__init__()
        self.container = container
        self.rw_size = rw_size
        self.language = language

    def render(self) -> str:
        """Same columns as the layer bands."""
        lang = self.language
        text = say(lang, "band.container", name=self.container)
        width = self.size.width
        kind = say(lang, kind_key("band.read_write", width))
        return band_line("  ", text, self.rw_size, kind, width)
