"""The image drawn as a stack of read-only layers, oldest at the bottom.

A running container adds its thin read-write layer on top. Two images are
drawn side by side on the layers they share, which are stored only once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tutor.engine.printed import human_size
from tutor.i18n import say
from tutor.widgets.after_refresh import after_refresh
from tutor.widgets.layer_bands import ContainerBand, LayerBand, LayerPlace, places_for

if TYPE_CHECKING:  # the widget only reads these; no engine code runs here
    from tutor.engine.layers import LayerStack as ImageLayers
    from tutor.engine.sharing import Sharing

SIDE_BY_SIDE_MIN_WIDTH = 100
"""Below this many columns two images are drawn one after the other."""


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
    LayerStack #base { height: auto; }
    LayerStack .base-title { text-style: bold; margin-top: 1; color: $success; }
    LayerStack:focus LayerBand.-cursor { background: $primary; color: $text; }
    LayerStack .saved { margin-top: 1; text-style: bold; }
    LayerStack #detail { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Newer layer", show=True),
        Binding("down,j", "move(1)", "Older layer", show=True),
        Binding("home", "jump(0)", "Newest layer", show=False),
        Binding("end", "jump(-1)", "Base layer", show=False),
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
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language the stack's words are said in."""
        self._image = image
        self._sharing: Sharing | None = None
        self._container: str | None = None
        self._rw_size: int | None = None
        self._places: list[LayerPlace] = []
        self._cursor = 0
        self._lit: tuple[int, str | None] | None = None
        self._places = places_for(image, None)

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
        self._places = places_for(self._image, self._sharing)
        self.refresh(recompose=True)

    def show_sharing(self, sharing: Sharing) -> None:
        """Draw two images side by side on the base layers they share.

        Args:
            sharing: The engine's comparison of the images' layers by chain id.
        """
        self._image, self._sharing, self._container = None, sharing, None
        self._cursor = 0
        self._places = places_for(self._image, self._sharing)
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
            first = lit.first()
            after_refresh(self, lambda: self.scroll_to_widget(first, animate=False))

    def set_language(self, language: str) -> None:
        """Say the stack's words in ``language``: the bands are drawn again, cursor kept."""
        self.language = language
        if self.is_mounted:
            self.refresh(recompose=True)

    @property
    def selected(self) -> LayerPlace | None:
        """The layer under the cursor, or None when there are no layers."""
        return self._places[self._cursor] if self._places else None

    # -- keys -----------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Move to the newer layer above (-1) or the older one below (1)."""
        self._move_to(self._cursor + step)

    def action_jump(self, where: int) -> None:
        """Go to the newest layer (0) or the base (-1)."""
        self._move_to(where if where >= 0 else len(self._places) - 1)

    @on(LayerBand.Clicked)
    def _band_clicked(self, event: LayerBand.Clicked) -> None:
        event.stop()
        self.focus()
        if event.place in self._places:
            self._move_to(self._places.index(event.place))

    # -- drawing --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Build the bands from the current image(s)."""
        if self._sharing is not None:
            yield from self._compose_sharing(self._sharing)
        elif self._image is not None:
            yield from self._compose_single(self._image)
        else:
            yield Static(say(self.language, "layers.empty"), classes="caption", markup=False)

    def _compose_single(self, image: ImageLayers) -> ComposeResult:
        lang = self.language
        if self._container is not None:
            yield ContainerBand(self._container, self._rw_size, language=lang)
        yield from (self._band(place) for place in self._places)
        fs = sum(1 for layer in image.layers if layer.is_filesystem)
        meta = len(image.layers) - fs
        summary = say(
            lang,
            "layers.summary",
            image=image.image,
            count=len(image.layers),
            files=fs,
            meta=meta,
            size=human_size(image.total_size),
        )
        yield Static(summary, classes="caption", markup=False)
        yield Static(say(lang, "layers.order"), classes="caption", markup=False)
        yield Static(self._detail(), id="detail", markup=False)

    def _compose_sharing(self, sharing: Sharing) -> ComposeResult:
        own = {
            name: [p for p in self._places if p.image == name and not p.shared]
            for name in sharing.images
        }
        base = [place for place in self._places if place.shared]
        tallest = max((len(places) for places in own.values()), default=0)
        lang = self.language
        with Horizontal(id="columns"):
            for name in sharing.images:
                with Vertical(classes="column"):
                    title = say(lang, "layers.only_in", image=name, count=len(own[name]))
                    yield Static(title, classes="column-title", markup=False)
                    # Pad the shorter column so both sit on the shared base.
                    spacer = Static(classes="spacer")
                    spacer.styles.height = tallest - len(own[name])
                    yield spacer
                    yield from (self._band(place) for place in own[name])
        with Vertical(id="base"):
            images = f" {say(lang, 'layers.and')} ".join(sharing.images)
            fs = sum(1 for place in base if place.layer.is_filesystem)
            title = say(lang, "layers.shared", images=images, count=fs)
            if not base:
                title = say(lang, "layers.nothing_shared", images=images)
            yield Static(title, classes="base-title", markup=False)
            yield from (self._band(place) for place in base)
        saved = say(
            lang,
            "layers.saved",
            stored=human_size(sharing.bytes_stored),
            without=human_size(sharing.bytes_without_sharing),
            saved=human_size(sharing.bytes_saved),
        )
        yield Static(saved, classes="saved", markup=False)
        yield Static(self._detail(), id="detail", markup=False)

    def _band(self, place: LayerPlace) -> LayerBand:
        band = LayerBand(place, classes="-shared" if place.shared else "", language=self.language)
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
        for detail in self.query("#detail").results(Static):
            detail.update(self._detail())
        self.post_message(self.LayerSelected(self, place.layer.index, place.image, place.shared))

    def _detail(self) -> str:
        """The selected layer in full (bands cut long instructions)."""
        place = self.selected
        if place is None:
            return ""
        lang = self.language
        if place.shared:
            where = say(lang, "layers.shared_base")
        else:
            where = say(lang, "layers.of_image", image=place.image)
        return say(
            lang,
            "layers.detail",
            index=place.layer.index,
            where=where,
            instruction=place.layer.instruction,
        )

    def on_resize(self, event: events.Resize) -> None:
        """Side by side when there is room, else one stack after the other."""
        self.set_class(event.size.width < SIDE_BY_SIDE_MIN_WIDTH, "-narrow")
