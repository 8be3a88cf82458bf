"""What the ``docker exec`` probe found for a container, kept between command-line runs.

:func:`tutor.engine.profile.exec_reaches_container` runs one small exec per
engine connection. The app connects once; ``tutor diff`` connects every run,
and the engine runs that exec only after it has walked the container's
read-write layer (both hold the container's lock), so it came after the walk
every time: 50-250 ms of a command the ``docker diff`` CLI answers without it.
The answer depends on how the engine runs execs, which holds while the
container keeps running, so it is kept per container start (id and
``State.StartedAt``) in one small JSON file in a folder of the layer-index
cache; a damaged file only means the probe runs again.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

FILE = "answers.json"
KEEP = 64  # container starts remembered


def folder_in(cache_dir: Path | None) -> Path | None:
    """Where the answers are kept beside a layer index's files (None: nowhere)."""
    return None if cache_dir is None else cache_dir / "exec-probe"


def _key(info: dict[str, Any]) -> str | None:
    started = (info.get("State") or {}).get("StartedAt")
    return f"{info.get('Id')}@{started}" if info.get("Id") and started else None


def _read(folder: Path) -> dict[str, bool]:
    try:
        data = json.loads((folder / FILE).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, bool)}


def recall(folder: Path | None, info: dict[str, Any]) -> bool | None:
    """The probe's answer for this start of the container, if a run found it before.

    Args:
        folder: The cache folder (None: nothing is kept).
        info: The container's ``inspect``.

    Returns:
        Whether exec reaches the container, or None when not known.
    """
    key = _key(info)
    return None if folder is None or key is None else _read(folder).get(key)


def remember(folder: Path | None, info: dict[str, Any], reaches: bool) -> None:
    """Keep the probe's answer for this start of the container (best effort)."""
    key = _key(info)
    if folder is None or key is None:
        return
    known = _read(folder)
    known.pop(key, None)
    known[key] = reaches
    kept = dict(list(known.items())[-KEEP:])
    tmp = folder / f"{FILE}.{os.getpid()}.tmp"
    with contextlib.suppress(OSError):  # an unwritable cache only costs the probe again
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(kept), "utf-8")
        os.replace(tmp, folder / FILE)
