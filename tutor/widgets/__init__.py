"""Self-contained panels that draw what the engine layer returns; none of them calls Docker.

Each widget takes the engine's dataclasses through its methods and posts
messages for what the learner asks; the app does the engine work in workers.
"""

from tutor.widgets.build_log import BuildLog
from tutor.widgets.containers_panel import ContainersPanel
from tutor.widgets.diff_view import DiffView, ExecInput
from tutor.widgets.files_view import FilesView
from tutor.widgets.history_table import HistoryTable
from tutor.widgets.layer_stack import LayerStack
from tutor.widgets.push_log import PushLog

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
