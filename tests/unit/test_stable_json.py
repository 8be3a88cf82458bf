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
