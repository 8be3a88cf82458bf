"""Self-contained panels that draw what the engine layer returns; none of them calls Docker.

Each widget takes the engine's dataclasses through its methods and posts
messages for what the learner asks; the app does the engine work in workers.

The panels are imported when first named (``from tutor.widgets import
BuildLog``), not with the package: the course screen uses two small banners
from here, and importing every panel with them (pygments, the Dockerfile
parser, the diff model) made the tutor's first frame wait for all of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.widgets.build_log import BuildLog
    from tutor.widgets.containers_panel import ContainersPanel
    from tutor.widgets.diff_view import DiffView, ExecInput
    from tutor.widgets.files_view import FilesView
    from tutor.widgets.history_table import HistoryTable
    from tutor.widgets.layer_stack import LayerStack
    from tutor.widgets.push_log import PushLog

#: Each panel's class, and the module that defines it.
_HOMES = {
    "BuildLog": "build_log",
    "ContainersPanel": "containers_panel",
    "DiffView": "diff_view",
    "ExecInput": "diff_view",
    "FilesView": "files_view",
    "HistoryTable": "history_table",
    "LayerStack": "layer_stack",
    "PushLog": "push_log",
}

__all__ = [
    "BuildLog",
    "ContainersPanel",
    "DiffView",
    "ExecInput",
    "FilesView",
    "HistoryTable",
    "LayerStack",
    "PushLog",
]


def __getattr__(name: str) -> object:
    """Import a panel's module the first time the panel is named (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
