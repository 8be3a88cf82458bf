"""``tutor diff --json`` writes exactly what json.dumps(report.diff_json(...)) would."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.cli import diff_json_text
from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange
from tutor.report import diff_json

CHANGES = st.builds(
    PathChange,
    path=st.text(),
    kind=st.sampled_from(list(ChangeKind)),
    source_layer=st.none() | st.integers(min_value=0, max_value=200),
    source_instruction=st.none() | st.text(),
)
DIFFS = st.builds(
    ContainerDiff,
    container=st.text(alphabet="0123456789abcdef", min_size=1),
    changes=st.lists(CHANGES, max_size=12).map(tuple),
    rw_size=st.none() | st.integers(min_value=0),
    image_id=st.text(),
    exec_outside=st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(DIFFS)
def test_the_diff_text_is_json_dumps_of_the_diff_json(result: ContainerDiff) -> None:
    assert diff_json_text(result) == json.dumps(diff_json(result), indent=2, sort_keys=True)


def test_a_diff_of_many_paths_with_sources_and_odd_text() -> None:
    changes = tuple(
        PathChange(f'/bench/é"{i}\n', ChangeKind.CHANGED, i % 3 or None, "RUN x" if i % 2 else None)
        for i in range(50)
    )
    result = ContainerDiff("abc", changes, 12, "sha256:\x00changes\x00", False)
    assert diff_json_text(result) == json.dumps(diff_json(result), indent=2, sort_keys=True)
