"""The command line's JSON is exactly what json.dumps(indent=2, sort_keys=True) writes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.cli import stable_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
        | st.dictionaries(st.integers(), children, max_size=2)  # json turns these keys to text
        | st.tuples(children, children)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(JSON)
def test_stable_json_is_json_dumps_indented_and_sorted(data: object) -> None:
    assert stable_json(data) == json.dumps(data, indent=2, sort_keys=True)


def test_a_diff_of_many_paths() -> None:
    data = {
        "changes": [
            {"kind": "A", "path": f"/bench/é{i}", "source_layer": i % 3 or None} for i in range(50)
        ],
        "rw_size": 0,
        "exec_outside": False,
    }
    assert stable_json(data) == json.dumps(data, indent=2, sort_keys=True)


RECORD = st.dictionaries(st.sampled_from(["path", "kind", "é", "a\nb"]), SCALARS, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(RECORD | JSON, min_size=9, max_size=14), st.booleans())
def test_long_lists_of_records_are_laid_out_as_json_does(items: list[object], wrap: bool) -> None:
    """Lists of nine or more take the one-pass record layout when they can, else the walk."""
    data: object = {"changes": items} if wrap else items
    assert stable_json(data) == json.dumps(data, indent=2, sort_keys=True)


def test_records_of_one_shape_with_a_stray() -> None:
    same = [{"kind": "A", "path": f"/f{i}", "n": i, "ok": i % 2 == 0} for i in range(12)]
    for stray in ({"kind": "A", "path": "/x", "n": 1.5, "ok": True}, {"other": 1}, [1], "s"):
        data = {"changes": [*same, stray]}
        assert stable_json(data) == json.dumps(data, indent=2, sort_keys=True)
    assert stable_json(same) == json.dumps(same, indent=2, sort_keys=True)
