"""Removing what the tutor made, and nothing else.

Only objects whose labels :func:`~tutor.engine.labels.is_ours` accepts are
touched: a learner's own ``python-hello-world`` container or image, made with
the docker command and so without our labels, survives every clean-up.
Containers go first (they hold images, networks and volumes), then images
(children before parents), networks and volumes. Objects that vanish while we
work are fine; objects held by something that is not ours are left and named
in :attr:`CleanReport.kept`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import docker.errors

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.labels import is_ours, label_filters
from tutor.engine.printed import short_id


@dataclass
class CleanReport:
    """What a clean-up removed (or, in a dry run, would remove).

    Attributes:
        containers: Container names.
        images: Image tags (an image without a tag by its registry digests,
            else its short id).
        networks: Network names.
        volumes: Volume names.
        kept: Our objects that had to stay, each with the reason.
    """

    containers: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many objects were removed."""
        return len(self.containers) + len(self.images) + len(self.networks) + len(self.volumes)


def clean(engine: Engine, namespace: str | None, *, dry_run: bool = False) -> CleanReport:
    """Remove the containers, images, networks and volumes the tutor made.

    Args:
        engine: The engine.
        namespace: Only this learner's objects; None for every learner's
            (``python -m tutor clean --all``).
        dry_run: List what would go, remove nothing.

    Returns:
        What was removed and what had to stay.
    """
    report = CleanReport()
    filters = {"label": label_filters(namespace)}
    with engine_errors(engine.host):
        for row in engine.api.containers(all=True, filters=filters):
            if is_ours(row.get("Labels"), namespace):
                name = (row.get("Names") or [short_id(row["Id"])])[0].lstrip("/")
                remove = partial(engine.api.remove_container, row["Id"], force=True, v=True)
                _remove(report, report.containers, name, dry_run, remove)
        _clean_images(engine, namespace, report, dry_run)
        for net in engine.api.networks(filters=filters):
            if not is_ours(net.get("Labels"), namespace):
                continue
            # The engine would remove a network that a stopped container of someone
            # else's names; that container could then never start again.
            users = _network_users(engine, net)
            if users and not dry_run:
                names = ", ".join(u["Names"][0].lstrip("/") for u in users if u.get("Names"))
                report.kept.append(f"{net['Name']}: used by {names}, not the tutor's")
                continue
            remove = partial(engine.api.remove_network, net["Id"])
            _remove(report, report.networks, net["Name"], dry_run, remove)
        volumes = engine.api.volumes(filters=filters).get("Volumes") or []
        for vol in volumes:
            if is_ours(vol.get("Labels"), namespace):
                remove = partial(engine.api.remove_volume, vol["Name"])
                _remove(report, report.volumes, vol["Name"], dry_run, remove)
    return report


def _network_users(engine: Engine, net: dict[str, Any]) -> list[dict[str, Any]]:
    # Running containers match the network id; created ones only its name.
    found: dict[str, dict[str, Any]] = {}
    for key in (net["Id"], net["Name"]):
        for row in engine.api.containers(all=True, filters={"network": key}):
            joined = (row.get("NetworkSettings") or {}).get("Networks") or {}
            if net["Name"] in joined or any(
                n.get("NetworkID") == net["Id"] for n in joined.values()
            ):
                found[row["Id"]] = row
    return list(found.values())


def _remove_container(engine: Engine, cid: str) -> None:
    engine.api.remove_container(cid, force=True, v=True)


def _gone_after(action: Any) -> bool:
    try:
        action()
    except docker.errors.NotFound:
        return False  # someone else removed it first: not ours to report
    except docker.errors.APIError as exc:
        if "already in progress" in str(exc):
            return True
        raise
    return True


def _remove(report: CleanReport, into: list[str], name: str, dry_run: bool, action: Any) -> None:
    if dry_run:
        into.append(name)
        return
    try:
        if _gone_after(action):
            into.append(name)
    except docker.errors.APIError as exc:
        # In use by a container that is not ours: we do not stop other people's work.
        report.kept.append(f"{name}: {exc.explanation or exc}")


def _clean_images(
    engine: Engine, namespace: str | None, report: CleanReport, dry_run: bool
) -> None:
    """Remove our images, children before parents, until a pass removes nothing.

    The list asks for every image (``all=True``): without it the engine hides
    an untagged image that has a child, and a labelled one hidden like that
    (say its child went with ``--no-prune``, by another client, while we
    worked) was never seen, so it outlived the clean-up. Each pass lists
    again, so what changed meanwhile is seen as it is now; what is still
    blocked when a pass removes nothing is reported as kept.
    """
    for _pass in range(_MAX_PASSES):
        rows = _our_images(engine, namespace)
        if dry_run:
            report.images.extend(_label(row) for row in rows)
            return
        removed_before = len(report.images)
        blocked: list[tuple[dict[str, Any], str]] = []
        for row in rows:
            names = [t for t in row.get("RepoTags") or [] if t != "<none>:<none>"]
            why = _remove_image(engine, row, names, namespace, report)
            if why:
                blocked.append((row, why))
        if len(report.images) == removed_before:
            report.kept.extend(f"{_label(r)}: {why}" for r, why in blocked)
            return


#: A bound on clean-up passes, for an engine that keeps changing under us.
_MAX_PASSES = 20


def _our_images(engine: Engine, namespace: str | None) -> list[dict[str, Any]]:
    """Our images now, hidden intermediates included, every child before its parent."""
    rows = [
        row
        for row in engine.api.images(all=True, filters={"label": label_filters(namespace)})
        if is_ours(row.get("Labels"), namespace)
    ]
    parent = {row["Id"]: row.get("ParentId") or "" for row in rows}

    def depth(image_id: str) -> int:  # how many of these images lie below it
        count, seen = 0, {image_id}
        while parent.get(image_id) in parent and parent[image_id] not in seen:
            image_id = parent[image_id]
            seen.add(image_id)
            count += 1
        return count

    # Deepest first; among equals the newest first (a child is newer than its parent).
    rows.sort(key=lambda r: (depth(r["Id"]), r.get("Created", 0), r["Id"]), reverse=True)
    return rows


def _remove_image(
    engine: Engine,
    row: dict[str, Any],
    names: list[str],
    namespace: str | None,
    report: CleanReport,
) -> str:
    """Remove every tag of one image (the last removal deletes it); "" or why not.

    An untagged image that still has registry digests goes by each digest:
    the engine refuses to delete by id an image that digests of several
    repositories name.
    """
    digests = [d for d in row.get("RepoDigests") or [] if not d.startswith("<none>")]
    for ref in names or digests or [row["Id"]]:
        try:
            engine.api.remove_image(ref)
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError as exc:
            text = str(exc.explanation or exc)
            holder = _holding_container(engine, text)
            if holder is not None and is_ours(holder.get("Labels"), namespace):
                # Our own (stopped) container still uses it: forcing is safe here.
                _gone_after(lambda h=holder: _remove_container(engine, h["Id"]))
                engine.api.remove_image(ref, force=True)
            else:
                return text  # dependent child images, or someone else's container
        report.images.append(ref if ref != row["Id"] else short_id(row["Id"]))
    return ""


def _holding_container(engine: Engine, text: str) -> dict[str, Any] | None:
    # "... - container 1a2b3c4d5e6f is using its referenced image 9f8e..."
    match = re.search(r"container ([0-9a-f]{12,64})", text)
    rows = engine.api.containers(all=True, filters={"id": match.group(1)}) if match else []
    return rows[0] if rows else None


def _label(row: dict[str, Any]) -> str:
    tags = [t for t in row.get("RepoTags") or [] if t != "<none>:<none>"]
    return tags[0] if tags else short_id(row["Id"])
