"""Parameter values take the type of their default, whatever container the default was read
into: a list or mapping read from YAML is a position-keeping subclass, and a value given from
Python (a plain list) must still match it; a number default takes a whole number too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from logwarden.scanner.errors import InputError
from tests.catalogue import load_rules

RULES = """\
version: 1
parameters:
  names: [a, b]
  ratio: 1.0
  count: 3
  labels: {team: x}
"""


def load(tmp_path: Path, values: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    catalogue = load_rules([path], [], parameters=("scan.yaml", values))
    return dict(catalogue.parameters)


def test_plain_python_values_of_the_default_types_are_accepted(tmp_path: Path) -> None:
    values = {"names": ["c"], "ratio": 0.5, "count": 4, "labels": {"team": "y"}}
    assert load(tmp_path, values) == values


def test_a_whole_number_is_a_number(tmp_path: Path) -> None:
    assert load(tmp_path, {"ratio": 1})["ratio"] == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"names": "c"}, "parameter 'names' must be a list"),
        ({"ratio": True}, "parameter 'ratio' must be a number"),
        ({"ratio": "1"}, "parameter 'ratio' must be a number"),
        ({"count": 1.5}, "parameter 'count' must be a whole number"),
        ({"labels": ["x"]}, "parameter 'labels' must be a mapping"),
    ],
)
def test_other_types_are_refused(tmp_path: Path, values: dict, message: str) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path, values)
    assert [p.message.split(",")[0] for p in info.value.problems] == [message]
