"""The course's containers: name, status and ports, with keys to open, read or stop one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from tutor.engine.container_info import ContainerInfo
from tutor.engine.printed import human_size, short_id
from tutor.engine.published import PortMapping
from tutor.i18n import say
from tutor.widgets.mounting import being_removed
from tutor.widgets.new_text import set_text
from tutor.widgets.scrolling import Table

#: The table's columns: (key, words key).
COLUMNS = (
    ("name", "containers.col.name"),
    ("image", "containers.col.image"),
    ("status", "containers.col.status"),
    ("ports", "containers.col.ports"),
    # docker ps -s: the read-write layer, then with the image (lesson 6 asks about them).
    ("size", "containers.col.size"),
    ("virtual", "containers.col.virtual"),
)


def image_text(image: str) -> str:
    """Say the image a container runs as ``docker ps`` does.

    A container made from an untagged image carries its whole digest
    (``sha256:`` and 64 hex digits), which pushed Status and Ports off an
    80-column screen; ``docker ps`` shows its short id instead.

    Args:
        image: The image as the engine named it when the container was made.

    Returns:
        The name, or the image's short id.
    """
    return short_id(image) if image.startswith("sha256:") else image


def port_text(port: PortMapping) -> str:
    """Say one published port the way the learner would open it.

    Args:
        port: The engine's mapping.

    Returns:
        E.g. "127.0.0.1:8080→5000" ("*" for every address).
    """
    host = port.host_ip if port.host_ip not in ("", "0.0.0.0", "::") else "*"
    return f"{host}:{port.host_port}→{port.container_port}"


class ContainersPanel(Vertical):
    """A table of containers; the app answers its requests with the engine."""

    DEFAULT_CSS = """
    ContainersPanel { height: 1fr; }
    ContainersPanel > DataTable { height: auto; min-height: 4; max-height: 70%; }
    ContainersPanel > #empty { color: $text-muted; padding: 0 1; }
    ContainersPanel > #output-title { background: $panel; text-style: bold; padding: 0 1; }
    ContainersPanel > #output { height: 1fr; padding: 0 1; }
    ContainersPanel .containers-panel--running { color: $success; text-style: bold; }
    ContainersPanel .containers-panel--exited { color: $error; }
    ContainersPanel .containers-panel--created { color: $warning; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "containers-panel--running",
        "containers-panel--exited",
        "containers-panel--created",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "fetch", "Open page", show=True),
        # L, not l: l switches the language everywhere, this panel included.
        Binding("L", "logs", "Logs", show=True),
        Binding("s", "stop", "Stop", show=True),
    ]

    class _ContainerMessage(Message):
        def __init__(self, panel: ContainersPanel, container: ContainerInfo) -> None:
            self.panel = panel
            self.container = container
            """The container under the cursor when the key was pressed."""
            super().__init__()

        @property
        def control(self) -> ContainersPanel:
            """The panel the request came from."""
            return self.panel

    class FetchRequested(_ContainerMessage):
        """The learner asked to see the page the container serves (key o)."""

    class LogsRequested(_ContainerMessage):
        """The learner asked for the container's logs (key l)."""

    class StopRequested(_ContainerMessage):
        """The learner asked to stop the container (key s)."""

    def __init__(
        self,
        containers: Sequence[ContainerInfo] = (),
        *,
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language of the panel's words (the engine's status words stay)."""
        self._containers: list[ContainerInfo] = list(containers)
        self._output: tuple[str, str, str] | None = None
        """What the output area shows: (``page`` or ``logs``, container name, text)."""

    def compose(self) -> ComposeResult:
        """The table, an empty-state hint, and room for a page or logs."""
        table: DataTable[Text] = Table(cursor_type="row", zebra_stripes=True)
        self._add_columns(table)
        yield table
        yield Static(say(self.language, "containers.empty"), id="empty")
        yield Static("", id="output-title")
        with VerticalScroll(id="output"):
            yield Static("", id="output-text", markup=False)

    def on_mount(self) -> None:
        """Fill the table with the containers given to the constructor."""
        if not being_removed(self):
            self.update(self._containers)

    @property
    def table(self) -> DataTable[Text]:
        """The table of containers."""
        return self.query_one(DataTable)

    @property
    def containers(self) -> tuple[ContainerInfo, ...]:
        """The containers shown, in table order."""
        return tuple(self._containers)

    @property
    def selected(self) -> ContainerInfo | None:
        """The container under the cursor, or None when there is none."""
        row = self.table.cursor_row
        return self._containers[row] if 0 <= row < len(self._containers) else None

    def set_language(self, language: str) -> None:
        """Say the column names, the empty state and the output's title in ``language``."""
        self.language = language
        if not self.is_mounted:
            return
        table, row = self.table, self.table.cursor_row
        table.clear(columns=True)  # a column's name fixes its width: add them again
        self._add_columns(table)
        self.update(self._containers)
        if 0 <= row < table.row_count:
            table.move_cursor(row=row, animate=False)
        self._say_empty()
        self._say_output()

    def _say_empty(self) -> None:
        """Say under the column names that there is no container, or leave the line blank.

        The table stays, at its smallest height, and the line keeps its row:
        a build's container that comes and goes (one per RUN) then changes
        no size on the screen, which is not laid out again for it.
        """
        words = " " if self._containers else say(self.language, "containers.empty")
        set_text(self.query_one("#empty", Static), words)

    def _add_columns(self, table: DataTable[Text]) -> None:
        for key, words in COLUMNS:
            table.add_column(say(self.language, words), key=key)

    def update(self, containers: Sequence[ContainerInfo]) -> None:
        """Show these containers, keeping the cursor on the same container if it is still there.

        Args:
            containers: The course's containers as the engine listed them.
        """
        previous = self.selected
        self._containers = list(containers)
        table = self.table
        table.clear()
        for info in self._containers:
            ports = ", ".join(port_text(p) for p in info.ports)
            ports = ports or say(self.language, "containers.no_ports")
            status = self._status(info.status)
            sizes = tuple(
                "" if n is None else human_size(n) for n in (info.size_rw, info.size_virtual)
            )
            cells: tuple[str | Text, ...] = (
                info.name,
                image_text(info.image),
                status,
                ports,
                *sizes,
            )
            table.add_row(
                *(Text(cell) if isinstance(cell, str) else cell for cell in cells), key=info.id
            )
        self._say_empty()
        if previous is not None:
            ids = [info.id for info in self._containers]
            if previous.id in ids:
                table.move_cursor(row=ids.index(previous.id), animate=False)

    def show_page(self, container: ContainerInfo | str, text: str) -> None:
        """Show the page a container served (the app fetched it through the engine).

        Args:
            container: The container (or its name) the page came from.
            text: The response body.
        """
        self._output = ("page", _name(container), text)
        self._say_output()

    def show_logs(self, container: ContainerInfo | str, text: str) -> None:
        """Show a container's recent logs.

        Args:
            container: The container (or its name) the logs came from.
            text: The log text.
        """
        self._output = ("logs", _name(container), text)
        self._say_output()

    def _status(self, status: str) -> Text:
        """The engine's status word, coloured too (the word alone carries the meaning)."""
        name = f"containers-panel--{status}"
        if name not in self.COMPONENT_CLASSES:
            return Text(status)
        return Text(status, self.get_component_rich_style(name, partial=True))

    def _say_output(self) -> None:
        if self._output is None:
            return
        kind, name, text = self._output
        if kind == "logs" and not text:
            text = say(self.language, "containers.no_output")
        self.query_one("#output-title", Static).update(
            say(self.language, f"containers.{kind}", name=name)
        )
        self.query_one("#output-text", Static).update(text)

    def _request(self, message_type: type[_ContainerMessage]) -> None:
        container = self.selected
        if container is None:
            self.notify(say(self.language, "containers.none_selected"), severity="warning")
            return
        self.post_message(message_type(self, container))

    def action_fetch(self) -> None:
        """Ask the app to fetch the page the selected container serves."""
        self._request(self.FetchRequested)

    def action_logs(self) -> None:
        """Ask the app for the selected container's logs."""
        self._request(self.LogsRequested)

    def action_stop(self) -> None:
        """Ask the app to stop the selected container."""
        self._request(self.StopRequested)


def _name(container: ContainerInfo | str) -> str:
    return container if isinstance(container, str) else container.name
