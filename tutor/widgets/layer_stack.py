"""The image drawn as a stack of read-only layers, oldest at the bottom.

A running container adds its thin read-write layer on top. Two images are
drawn side by side on the layers they share, which are stored only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:  # the widgets only read these; no engine code runs here
    from tutor.engine.layers import Layer
    from tutor.engine.layers import LayerStack as ImageLayers
    from tutor.engine.sharing import Sharing

SIDE_BY_SIDE_MIN_WIDTH = 100
"""Below this many columns two images are drawn one after the other."""

_UNITS = ("kB", "MB", "GB", "TB")


def human_size(size: int | None) -> str:
    """Say a byte count the way ``docker images`` does (decimal units).

    Args:
        size: Bytes, or None when the engine did not say.

    Returns:
        "0 B", "512 B", "1.23 kB", "45.6 MB"...; "?" for None.
    """
    if size is None:
        return "?"
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1000
        if value < 999.5 or unit == _UNITS[-1]:
            digits = 2 if value < 10 else 1 if value < 100 else 0
            return f"{value:.{digits}f} {unit}"
    raise AssertionError("unreachable")


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, marking a cut with "…"."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


@dataclass(frozen=True)
class LayerPlace:
    """A selectable layer and where it is drawn: an image's column, or the shared base."""

    layer: Layer
    image: str
    shared: bool


KIND_WIDTH = 22


def band_line(marker: str, text: str, size: int | None, kind: str, width: int) -> str:
    """One band: marker, text (cut to fit), size and kind in fixed columns."""
    room = (width or 80) - len(marker) - 9 - 1 - KIND_WIDTH
    return f"{marker}{fit(text, room)}{human_size(size):>9} {fit(kind, KIND_WIDTH)}"


class LayerBand(Widget):
    """One layer of the stack, one line high, sized to the width it is given."""

    def __init__(self, place: LayerPlace, *, classes: str = "") -> None:
        kind = "-filesystem" if place.layer.is_filesystem else "-metadata"
        super().__init__(classes=f"{kind} {classes}".strip())
        self.place = place

    def render(self) -> str:
        """Marker, instruction, size and what kind of layer this is."""
        layer = self.place.layer
        if self.has_class("-cursor"):
            marker = "▶ "
        elif self.has_class("-lit"):
            marker = "● "
        else:
            marker = "  "
        kind = "filesystem, read-only" if layer.is_filesystem else "metadata only"
        return band_line(marker, layer.instruction, layer.size, kind, self.size.width)

    def on_click(self, event: events.Click) -> None:
        """A click selects the layer, as the cursor keys do."""
        stack = next((a for a in self.ancestors if isinstance(a, LayerStack)), None)
        if stack is not None:
            stack.select_place(self.place)


class ContainerBand(Widget):
    """The container's thin read-write layer, drawn on top of the image's layers."""

    def __init__(self, container: str, rw_size: int | None) -> None:
        super().__init__(classes="read-write")
        self.container = container
        self.rw_size = rw_size

    def render(self) -> str:
        """Same columns as the layer bands."""
        text = f"container {self.container}: its own layer"
        return band_line("  ", text, self.rw_size, "read-write", self.size.width)


class LayerStack(VerticalScroll):
    """An image's layers as a stack, or two images' stacks joined on their shared base."""

    DEFAULT_CSS = """
    LayerStack { height: 1fr; padding: 0 1; }
    LayerStack > .caption { color: $text-muted; }
    LayerStack .column-title { text-style: bold; margin-top: 1; }
    LayerStack #columns { height: auto; }
    LayerStack .column { width: 1fr; height: auto; margin-right: 1; }
    LayerStack.-narrow #columns { layout: vertical; }
    LayerStack.-narrow .column { width: 1fr; margin-right: 0; }
    LayerStack.-narrow .spacer { display: none; }
    LayerStack .spacer { height: auto; }
    LayerStack #base { height: auto; }
    LayerStack .base-title { text-style: bold; margin-top: 1; color: $success; }
    LayerBand { height: 1; }
    LayerBand.-filesystem { background: $panel; }
    LayerBand.-metadata { color: $text-muted; text-style: italic; }
    LayerBand.-shared { background: $success 25%; }
    LayerBand.-lit { background: $accent 40%; text-style: bold; }
    LayerBand.-cursor { background: $primary 60%; text-style: bold; }
    LayerStack:focus LayerBand.-cursor { background: $primary; color: $text; }
    ContainerBand { height: 1; background: $warning 30%; text-style: bold; }
    LayerStack .saved { margin-top: 1; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Newer layer", show=True),
        Binding("down,j", "cursor_down", "Older layer", show=True),
        Binding("home", "cursor_first", "Newest layer", show=False),
        Binding("end", "cursor_last", "Base layer", show=False),
    ]

    class LayerSelected(Message):
        """The learner put the cursor on a layer."""

        def __init__(self, stack: LayerStack, layer_index: int, image: str, shared: bool) -> None:
            self.stack = stack
            self.layer_index = layer_index
            """0 = the oldest (base) layer, as in the engine's Layer.index."""
            self.image = image
            """The image whose column holds the layer (the first image for a shared one)."""
            self.shared = shared
            """True when both images use this very layer."""
            super().__init__()

        @property
        def control(self) -> LayerStack:
            """The stack the layer was selected in."""
            return self.stack

    def __init__(
        self,
        image: ImageLayers | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._image = image
        self._sharing: Sharing | None = None
        self._container: str | None = None
        self._rw_size: int | None = None
        self._places: list[LayerPlace] = []
        self._cursor = 0
        self._lit: tuple[int, str | None] | None = None
        self._rebuild_places()

    # -- what the app calls ---------------------------------------------------

    def show_image(
        self, image: ImageLayers, *, container: str | None = None, rw_size: int | None = None
    ) -> None:
        """Draw one image's stack, with a container's read-write layer on top if given.

        Args:
            image: The image's layers as the engine read them.
            container: Name of a container running this image, or None.
            rw_size: Bytes in that container's read-write layer (None: not known yet).
        """
        same = self._image is not None and self._image.image_id == image.image_id
        self._image, self._sharing = image, None
        self._container, self._rw_size = container, rw_size
        self._cursor = self._cursor if same else 0  # a re-read keeps the learner's place
        self._rebuild_places()
        self.refresh(recompose=True)

    def show_sharing(self, sharing: Sharing) -> None:
        """Draw two images side by side on the base layers they share.

        Args:
            sharing: The engine's comparison of the images' layers by chain id.
        """
        self._image, self._sharing, self._container = None, sharing, None
        self._cursor = 0
        self._rebuild_places()
        self.refresh(recompose=True)

    def set_container(self, container: str | None, rw_size: int | None) -> None:
        """Show (or, with None, drop) the container's thin read-write layer on top.

        Args:
            container: The container's name, or None when no container runs.
            rw_size: Bytes the container has written so far (None: not known yet).
        """
        bands = self.query(ContainerBand)
        if bands and container is not None and self._container is not None:
            # Polled while the learner works: update the band, do not rebuild the stack.
            band = bands.first()
            band.container, band.rw_size = container, rw_size
            band.refresh()
        else:
            self.refresh(recompose=True)
        self._container, self._rw_size = container, rw_size

    def highlight_layer(self, index: int | None, image: str | None = None) -> None:
        """Light a layer (e.g. the one a Dockerfile line built), or none.

        Args:
            index: The layer's index (0 = base), or None to clear the light.
            image: With two images, which image's column; None lights both.
        """
        self._lit = None if index is None else (index, image)
        self._paint()
        lit = self.query(".-lit")
        if lit:
            self.call_after_refresh(self.scroll_to_widget, lit.first(), animate=False)

    @property
    def selected(self) -> LayerPlace | None:
        """The layer under the cursor, or None when there are no layers."""
        return self._places[self._cursor] if self._places else None

    # -- keys -----------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Move to the newer layer above."""
        self._move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """Move to the older layer below."""
        self._move_to(self._cursor + 1)

    def action_cursor_first(self) -> None:
        """Move to the top (newest) layer."""
        self._move_to(0)

    def action_cursor_last(self) -> None:
        """Move to the base layer."""
        self._move_to(len(self._places) - 1)

    def select_place(self, place: LayerPlace) -> None:
        """Put the cursor on a layer band (used by clicks)."""
        if place in self._places:
            self._move_to(self._places.index(place))

    # -- drawing --------------------------------------------------------------

    def _rebuild_places(self) -> None:
        """List the selectable layers top to bottom, in the order they are drawn."""
        places: list[LayerPlace] = []
        if self._sharing is not None:
            stacks, names = self._sharing.stacks, self._sharing.images
            shared = _shared_prefix(stacks, set(self._sharing.shared_chain_ids))
            for name, stack in zip(names, stacks, strict=False):
                own = stack.layers[shared:]
                places += [LayerPlace(layer, name, False) for layer in reversed(own)]
            if stacks and names:
                base = stacks[0].layers[:shared]
                places += [LayerPlace(layer, names[0], True) for layer in reversed(base)]
        elif self._image is not None:
            name = self._image.image
            places = [LayerPlace(layer, name, False) for layer in reversed(self._image.layers)]
        self._places = places

    def compose(self) -> ComposeResult:
        """Build the bands from the current image(s)."""
        if self._sharing is not None:
            yield from self._compose_sharing(self._sharing)
        elif self._image is not None:
            yield from self._compose_single(self._image)
        else:
            yield Static("No image yet: build one to see its layers.", classes="caption")

    def _compose_single(self, image: ImageLayers) -> ComposeResult:
        if self._container is not None:
            yield ContainerBand(self._container, self._rw_size)
        yield from (self._band(place) for place in self._places)
        fs = sum(1 for layer in image.layers if layer.is_filesystem)
        meta = len(image.layers) - fs
        yield Static(
            f"{image.image}: {len(image.layers)} layers ({fs} filesystem, {meta} metadata only), "
            f"{human_size(image.total_size)}",
            classes="caption",
            markup=False,
        )
        yield Static("Newest on top, base at the bottom.", classes="caption")

    def _compose_sharing(self, sharing: Sharing) -> ComposeResult:
        own = {
            name: [p for p in self._places if p.image == name and not p.shared]
            for name in sharing.images
        }
        base = [place for place in self._places if place.shared]
        tallest = max((len(places) for places in own.values()), default=0)
        with Horizontal(id="columns"):
            for name in sharing.images:
                with Vertical(classes="column"):
                    yield Static(
                        f"only in {name} ({len(own[name])} layers)", classes="column-title"
                    )
                    # Pad the shorter column so both sit on the shared base.
                    spacer = Static(classes="spacer")
                    spacer.styles.height = tallest - len(own[name])
                    yield spacer
                    yield from (self._band(place) for place in own[name])
        with Vertical(id="base"):
            images = " and ".join(sharing.images)
            fs = sum(1 for place in base if place.layer.is_filesystem)
            yield Static(f"shared by {images} ({fs} layers, stored once)", classes="base-title")
            yield from (self._band(place) for place in base)
        yield Static(
            f"Stored: {human_size(sharing.bytes_stored)}; without sharing: "
            f"{human_size(sharing.bytes_without_sharing)}; "
            f"saved: {human_size(sharing.bytes_saved)}.",
            classes="saved",
        )

    def _band(self, place: LayerPlace) -> LayerBand:
        band = LayerBand(place, classes="-shared" if place.shared else "")
        self._paint_band(band)
        return band

    def _paint_band(self, band: LayerBand) -> None:
        place = band.place
        band.set_class(self.selected == place, "-cursor")
        lit = (
            self._lit is not None
            and place.layer.index == self._lit[0]
            and (place.shared or self._lit[1] in (None, place.image))
        )
        band.set_class(lit, "-lit")
        band.refresh()

    def _paint(self) -> None:
        for band in self.query(LayerBand):
            self._paint_band(band)

    def _move_to(self, cursor: int) -> None:
        if not self._places:
            return
        cursor = max(0, min(cursor, len(self._places) - 1))
        self._cursor = cursor
        self._paint()
        bands = [b for b in self.query(LayerBand) if b.place == self._places[cursor]]
        if bands:
            self.scroll_to_widget(bands[0], animate=False)
        place = self._places[cursor]
        self.post_message(self.LayerSelected(self, place.layer.index, place.image, place.shared))

    def on_resize(self, event: events.Resize) -> None:
        """Side by side when there is room, else one stack after the other."""
        self.set_class(event.size.width < SIDE_BY_SIDE_MIN_WIDTH, "-narrow")


def _shared_prefix(stacks: tuple[ImageLayers, ...], shared_chain_ids: set[str]) -> int:
    """How many bottom layers all the images have in common.

    Filesystem layers count as common when they have the same chain id and the
    engine found that chain id shared; metadata-only rows (the base image's CMD,
    ENV...) when their instructions match and they sit on a common base.
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
