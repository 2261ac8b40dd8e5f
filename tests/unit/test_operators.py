"""The operator table of the rules language: every row is validated at load, evaluated, and
true to what it declares (the value it needs, the observed values it can hold for)."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.errors import Problem
from logwarden.scanner.filters import compile_filter
from logwarden.scanner.operators import ANY, OPERATORS, VALUE_TYPES, Operator, kind, render
from logwarden.scanner.rules import builtin_rules_path
from logwarden.scanner.yamlsrc import load_file, loads

# One or more values of every JSON type (kind() names), absent (None) included.
SAMPLES: dict[str, list[Any]] = {
    "null": [None],
    "boolean": [True, False],
    "number": [0, 1, 365, 2.5, -3],
    "string": ["", "a", "org-trail-1", "365", "*", ".*"],
    "list": [[], ["a"], [1, "a"], [None]],
    "mapping": [{}, {"a": 1}],
}
EVERY_SAMPLE = [value for values in SAMPLES.values() for value in values]


def _compile(node: Any, known: tuple[str, ...] = ()) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    compiled = compile_filter(node, file="t.yaml", line=1, known_params=known, problems=problems)
    return compiled, problems


def _candidates(observed: Any) -> list[Any]:
    """Values a rule could compare ``observed`` with: itself, lists around it, the samples."""
    return [observed, [observed], *EVERY_SAMPLE]


@pytest.mark.parametrize("op", OPERATORS.values(), ids=list(OPERATORS))
def test_every_operator_refuses_at_load_the_values_its_row_refuses(op: Operator) -> None:
    for value in EVERY_SAMPLE:
        compiled, problems = _compile({"key": "v", "op": op.name, "value": value})
        refused = not op.value.accepts(value) or op.value_problem(value) is not None
        assert (compiled is None) == refused, (op.name, value, problems)
        if not op.value.accepts(value):
            assert problems == [
                Problem(
                    "t.yaml",
                    1,
                    f"operator '{op.name}' needs a {op.value.noun} value, "
                    f"got {kind(value)} {render(value)}",
                    op.value.fix,
                )
            ]


@pytest.mark.parametrize("op", OPERATORS.values(), ids=list(OPERATORS))
def test_every_operator_can_hold_only_for_the_observed_types_it_declares(op: Operator) -> None:
    declared = set(SAMPLES) if op.observed == ("any",) else set(op.observed)
    assert declared <= set(SAMPLES), op.observed
    for type_name, values in SAMPLES.items():
        held = [
            (observed, expected)
            for observed in values
            for expected in _candidates(observed)
            if op.value.accepts(expected) and op.value_problem(expected) is None
            if op.decide(observed, expected) is True
        ]
        if type_name in declared:
            assert held, f"{op.name} never holds for a {type_name}"
        else:
            assert held == [], f"{op.name} holds for a {type_name}: {held[:3]}"


@pytest.mark.parametrize("op", OPERATORS.values(), ids=list(OPERATORS))
def test_a_parameter_of_the_wrong_shape_cannot_be_compared(op: Operator) -> None:
    refused = [value for value in EVERY_SAMPLE if not op.value.accepts(value)]
    assert bool(refused) == (op.value is not ANY)
    for value in refused:
        compiled, problems = _compile({"key": "v", "op": op.name, "param": "p"}, ("p",))
        assert problems == [] and compiled is not None
        verdict = compiled.evaluate({"v": value}, {"p": value})
        assert verdict.ok is False
        assert verdict.reasons[0].endswith(f"(cannot compare with {render(value)})")


@pytest.mark.parametrize("op", OPERATORS.values(), ids=list(OPERATORS))
def test_every_operator_example_compiles_against_the_built_in_parameters(op: Operator) -> None:
    parameters = load_file(builtin_rules_path())["parameters"]
    node = loads(op.example, "example")
    assert node["op"] == op.name
    compiled, problems = _compile(node, tuple(parameters))
    assert problems == [] and compiled is not None


def test_value_types_name_operators_of_the_table_and_compile_their_example() -> None:
    for value_type in VALUE_TYPES.values():
        assert value_type.operators, value_type.name
        assert set(value_type.operators) <= set(OPERATORS)
        node = loads(value_type.example, "example")
        assert node["value_type"] == value_type.name
        assert _compile(node)[1] == []
        for name in set(OPERATORS) - set(value_type.operators):
            _, problems = _compile({**node, "op": name})
            assert problems[0].message == (
                f"operator '{name}' cannot be used with value_type '{value_type.name}'"
            )


def test_an_operator_that_is_not_a_string_is_an_unknown_operator() -> None:
    for op in (["eq"], {"eq": 1}, None, 3):
        _, problems = _compile({"key": "v", "op": op, "value": 1})
        assert problems[0].message.startswith("unknown operator"), op
    _, problems = _compile({"key": "v", "value_type": ["age"], "op": "le", "value": 1})
    assert problems[0].message.startswith("unknown value_type"), problems
