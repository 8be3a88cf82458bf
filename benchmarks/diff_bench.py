"""How fast the copy-on-write lesson answers, measured on the real engine.

Run ``python benchmarks/diff_bench.py`` (fixture images from
``tests/provision.py`` must exist). It starts one labelled busybox container
that creates 20,000 files and changes some image files, times ``diff()`` cold
(layers not yet indexed) and warm (the UI's one-second poll), indexes the
Python fixture image (first read, again in the same process, again from the
cache folder after a restart), times attribution of 20,000 paths, and removes
everything it made. It prints figures only: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import docker.errors

from tutor.engine.connection import Engine, connect
from tutor.engine.diff import changes_since, diff, image_layers
from tutor.engine.labels import label_filters, labels_for
from tutor.engine.layer_index import LayerIndex

FILES = 20_000
# Busybox sh builtins only (no fork per file), then copy-ups of image files:
# symlinks from the install layer, the binary from the COPY layer, a delete.
SCRIPT = f"""
mkdir -p /bench && cd /bench && i=0
while [ $i -lt {FILES} ]; do : > f$i; i=$((i+1)); done
for f in /bin/a* /bin/c* /bin/d*; do ln -sf busybox "$f"; done
touch /bin/busybox && rm -f /bin/vi && touch /ready && sleep 3600
"""


def timed(action: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs of ``action``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def make_container(engine: Engine, image: str, namespace: str) -> str:
    """Start the benchmark container and wait until its script has finished writing."""
    container = engine.client.containers.run(
        image,
        ["sh", "-c", SCRIPT],
        name=f"{namespace}-diff-bench",
        labels=labels_for(namespace, "bench"),
        detach=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        container.reload()
        if container.status != "running":
            raise SystemExit(f"the benchmark container stopped: {container.logs().decode()}")
        if container.exec_run(["test", "-e", "/ready"]).exit_code == 0:
            return str(container.id)
        time.sleep(0.2)
    raise SystemExit("the benchmark container did not finish its script in 5 minutes")


def bench_diff(engine: Engine, cid: str, rows: list[tuple[str, float, str]]) -> None:
    """Raw ``docker diff``, then our diff() cold, warm, and the new-entries step."""
    seconds, raw = timed(lambda: engine.api.diff(cid), repeat=3)
    rows.append(("docker diff (engine only)", seconds, f"{len(raw)} entries"))
    index = LayerIndex()
    seconds, first = timed(lambda: diff(engine, cid, index))
    note = f"{len(first.changes)} entries, indexed {index.layers_read} layers"
    rows.append(("diff() cold", seconds, note))
    seconds, second = timed(lambda: diff(engine, cid, index), repeat=5)
    rows.append(("diff() warm (one UI poll)", seconds, f"fetches still {index.fetches}"))
    seconds, new = timed(lambda: changes_since(first, second), repeat=5)
    rows.append(("changes_since()", seconds, f"{len(new)} new entries"))
    sourced = [c for c in second.changes if c.source_layer is not None]
    rows.append(("  attributed paths", 0.0, f"{len(sourced)} (rw size {second.rw_size} B)"))


def bench_index(engine: Engine, image: str, rows: list[tuple[str, float, str]]) -> None:
    """Index the big image: first read, same process again, a restart with the cache."""
    attrs = engine.api.inspect_image(image)
    diff_ids = attrs["RootFS"]["Layers"]
    size_mb = int(attrs.get("Size") or 0) / 1e6
    with tempfile.TemporaryDirectory(prefix="layer-index-") as folder:
        index = LayerIndex(folder)
        seconds, _ = timed(lambda: index.index_image(engine, image, diff_ids))
        paths = sum(len(f.paths) for d in diff_ids if (f := index.files(d)) is not None)
        rows.append((f"index {image} first", seconds, f"{size_mb:.0f} MB, {paths} paths"))
        seconds, _ = timed(lambda: index.index_image(engine, image, diff_ids), repeat=5)
        rows.append(("index again (in memory)", seconds, f"fetches still {index.fetches}"))
        restarted = LayerIndex(folder)
        seconds, _ = timed(lambda: restarted.index_image(engine, image, diff_ids))
        rows.append(("index after restart (disk)", seconds, f"fetches {restarted.fetches}"))
        bench_attribution(engine, restarted, attrs["Id"], diff_ids, rows)


def bench_attribution(
    engine: Engine,
    index: LayerIndex,
    image_id: str,
    diff_ids: list[str],
    rows: list[tuple[str, float, str]],
) -> None:
    """Attribute 20,000 paths: every path of the image, topped up with absent ones."""
    stack = image_layers(engine, image_id)
    held = sorted({p for d in diff_ids if (f := index.files(d)) is not None for p in f.paths})
    paths = (held + [f"/bench/f{i}" for i in range(FILES)])[:FILES]
    seconds, found = timed(lambda: index.sources(stack, paths))
    hits = sum(layer is not None for layer in found.values())
    rows.append((f"attribute {len(paths)} paths cold", seconds, f"{hits} found in a layer"))
    seconds, _ = timed(lambda: index.sources(stack, paths), repeat=5)
    rows.append((f"attribute {len(paths)} paths warm", seconds, "remembered per stack"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table of figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--busybox", default="layers-tutor-test/busybox:latest")
    parser.add_argument("--python", default="layers-tutor-test/python:3-bookworm")
    args = parser.parse_args(argv)
    engine = connect()
    title = f"diff benchmark on Docker {engine.facts().server_version} ({engine.host})"
    for image in (args.busybox, args.python):
        try:
            engine.api.inspect_image(image)
        except docker.errors.ImageNotFound:
            print(f"missing image {image}: run `python tests/provision.py` first", file=sys.stderr)
            return 2
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    rows: list[tuple[str, float, str]] = []
    try:
        seconds, cid = timed(lambda: make_container(engine, args.busybox, namespace))
        rows.append((f"container writes {FILES} files", seconds, "setup, not the tutor"))
        bench_diff(engine, cid, rows)
        bench_index(engine, args.python, rows)
    finally:  # remove exactly what this run labelled, even after a failure
        mine = engine.api.containers(all=True, filters={"label": label_filters(namespace)})
        for found in mine:
            with contextlib.suppress(docker.errors.APIError):
                engine.api.remove_container(found["Id"], force=True)
        engine.close()
    print(title)
    print(f"{'what':<52} {'seconds':>9}  note")
    for what, seconds, note in rows:
        print(f"{what:<52} {seconds:>9.4f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
