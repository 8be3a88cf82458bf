"""What the command line prints: readable tables and stable JSON.

The JSON shapes are a documented interface (README, "JSON output"): keys are
only ever added, never renamed or removed, so teachers' scripts keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tutor.engine.printed import human_size, short_id

if TYPE_CHECKING:  # each command imports only the engine modules it runs (issue 13)
    from tutor.engine.diff import ContainerDiff
    from tutor.engine.layers import Layer, LayerStack
    from tutor.engine.sharing import Sharing


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with columns as wide as their widest cell."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def layer_json(layer: Layer) -> dict[str, object]:
    """One layer as JSON."""
    import datetime as dt  # here: `tutor diff` never needs it

    return {
        "index": layer.index,
        "id": layer.image_id,
        "instruction": layer.instruction,
        "created_by": layer.created_by,
        "created": dt.datetime.fromtimestamp(layer.created, dt.timezone.utc).isoformat()
        if layer.created
        else None,
        "size": layer.size,
        "filesystem": layer.is_filesystem,
        "diff_id": layer.diff_id,
        "chain_id": layer.chain_id,
        "missing_reason": layer.missing_reason,
        "tags": list(layer.tags),
        "comment": layer.comment,
    }


def stack_json(stack: LayerStack) -> dict[str, object]:
    """A layer stack as JSON: ``layers`` oldest first."""
    return {
        "image": stack.image,
        "image_id": stack.image_id,
        "containerd_store": stack.containerd_store,
        "total_size": stack.total_size,
        "layers": [layer_json(layer) for layer in stack.layers],
    }


def stack_table(stack: LayerStack) -> str:
    """A layer stack as a table, oldest at the bottom like the tutor draws it."""
    rows = []
    for layer in reversed(stack.layers):
        kind = "filesystem" if layer.is_filesystem else "metadata"
        rows.append(
            [
                str(layer.index),
                short_id(layer.image_id) if layer.image_id else "<missing>",
                human_size(layer.size),
                kind,
                _clip(layer.instruction, 60),
            ]
        )
    head = f"{stack.image} ({short_id(stack.image_id)}), {len(stack.filesystem_layers)} "
    head += f"filesystem layers, {human_size(stack.total_size)}"
    notes = sorted({f"<missing>: {x.missing_reason}" for x in stack.layers if x.missing_reason})
    body = table(["#", "IMAGE", "SIZE", "KIND", "INSTRUCTION"], rows)
    return "\n".join([head, body, *notes])


def diff_json(result: ContainerDiff) -> dict[str, object]:
    """A container diff as JSON; ``kind`` is ``A``, ``C`` or ``D``."""
    return {
        "container": result.container,
        "image_id": result.image_id,
        "rw_size": result.rw_size,
        "exec_outside": result.exec_outside,
        "changes": [
            {
                "path": c.path,
                "kind": c.kind._value_,  # Enum.value is a slow descriptor: 20,000 calls
                "source_layer": c.source_layer,
                "source_instruction": c.source_instruction,
            }
            for c in result.changes
        ],
    }


def diff_table(result: ContainerDiff) -> str:
    """A container diff as ``docker diff`` prints it, plus where each file came from."""
    rows = []
    for c in result.changes:
        source = "" if c.source_layer is None else f"layer {c.source_layer}: "
        source += _clip(c.source_instruction or "", 50)
        rows.append([c.kind.value, c.path, source])
    summary = (
        f"{len(result.added)} added, {len(result.changed)} changed, "
        f"{len(result.deleted)} deleted; read-write layer {human_size(result.rw_size)}"
    )
    lines = [table(["", "PATH", "FROM LAYER"], rows), summary]
    if result.exec_outside:
        from tutor.engine.profile import EXEC_OUTSIDE

        lines.append(EXEC_OUTSIDE)
    return "\n".join(lines)


def sharing_json(sharing: Sharing) -> dict[str, object]:
    """Shared layers as JSON (chain ids of the common layers, bytes)."""
    return {
        "images": list(sharing.images),
        "shared_chain_ids": list(sharing.shared_chain_ids),
        "bytes_stored": sharing.bytes_stored,
        "bytes_without_sharing": sharing.bytes_without_sharing,
        "bytes_saved": sharing.bytes_saved,
        "stacks": [stack_json(s) for s in sharing.stacks],
    }


def sharing_table(sharing: Sharing) -> str:
    """Which layers are shared, per image, and what sharing saves."""
    shared = set(sharing.shared_chain_ids)
    rows = []
    for name, stack in zip(sharing.images, sharing.stacks, strict=True):
        for layer in stack.filesystem_layers:
            mark = "shared" if layer.chain_id in shared else ""
            rows.append(
                [name, str(layer.index), human_size(layer.size), mark, _clip(layer.instruction, 50)]
            )
    summary = (
        f"{len(shared)} shared layer(s); stored {human_size(sharing.bytes_stored)} "
        f"instead of {human_size(sharing.bytes_without_sharing)} "
        f"(saved {human_size(sharing.bytes_saved)})"
    )
    return "\n".join([table(["IMAGE", "#", "SIZE", "", "INSTRUCTION"], rows), summary])


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
