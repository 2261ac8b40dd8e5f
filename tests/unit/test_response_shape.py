"""The fields an API answer must carry (``logwarden.scanner.collectors.shape``), table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from logwarden.scanner.collectors.shape import problems, summary

SETTINGS = {"value": [{"name": "a", "properties": {"logs": [{"enabled": True}]}}]}
CASES: list[tuple[str, Any, tuple[str, ...], list[str]]] = [
    ("all-there", SETTINGS, ("value[].name", "value[].properties.logs[].enabled"), []),
    ("empty-list-is-an-answer", {"value": []}, ("value[].properties",), []),
    ("absent-list", {}, ("value[].properties",), ["value is missing"]),
    ("null-field", {"id": None}, ("id",), ["id is missing"]),
    ("not-a-list", {"value": {"a": 1}}, ("value[].name",), ["value is not a list"]),
    ("not-an-object", {"value": ["x"]}, ("value[].name",), ["value[0] is not an object"]),
    (
        "missing-in-one-item",
        {"value": [{"name": "a"}, {"properties": {}}]},
        ("value[].name",),
        ["value[1].name is missing"],
    ),
    (
        "deep",
        {"value": [{"properties": {"logs": [{"enabled": False}, {}]}}]},
        ("value[].properties.logs[].enabled",),
        ["value[0].properties.logs[1].enabled is missing"],
    ),
    ("top-level-list", [{"name": "s"}, {}], ("[].name",), ["[1].name is missing"]),
    ("not-json-object", "<html>", ("name",), ["the answer is not an object"]),
    ("false-and-zero-are-values", {"a": False, "b": 0}, ("a", "b"), []),
    (
        "typed",
        {"a": 1, "b": "x", "c": True, "d": [], "e": {}},
        ("a:int", "b:str", "c:bool", "d:list", "e:object"),
        [],
    ),
    ("wrong-type", {"days": "ninety"}, ("days:int",), ["days is not an int"]),
    ("a-bool-is-not-an-int", {"days": True}, ("days:int",), ["days is not an int"]),
    (
        "typed-in-a-list",
        {"value": [{"on": True}, {"on": "yes"}]},
        ("value[].on:bool",),
        ["value[1].on is not a bool"],
    ),
    ("optional-absent", {}, ("notScopes?:list",), []),
    ("optional-null", {"notScopes": None}, ("notScopes?:list",), []),
    ("optional-mistyped", {"notScopes": "x"}, ("notScopes?:list",), ["notScopes is not a list"]),
    ("optional-parent", {}, ("retentionPolicy?.retentionPeriod:int64",), []),
    (
        "below-an-optional-parent",
        {"retentionPolicy": {}},
        ("retentionPolicy?.retentionPeriod:int64",),
        ["retentionPolicy.retentionPeriod is missing"],
    ),
    ("int64-as-digits", {"n": "31536000", "m": 7}, ("n:int64", "m:int64"), []),
    ("int64-not-digits", {"n": "a year"}, ("n:int64",), ["n is not an int64"]),
]


@pytest.mark.parametrize(
    ("doc", "paths", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_problems(doc: Any, paths: tuple[str, ...], expected: list[str]) -> None:
    assert problems(doc, paths) == expected


def test_summary_names_the_first_problems_and_counts_the_rest() -> None:
    found = [f"[{i}].name is missing" for i in range(5)]
    assert (
        summary(found)
        == "[0].name is missing; [1].name is missing; [2].name is missing (and 2 more)"
    )
    assert summary(found[:1]) == "[0].name is missing"


def test_an_unknown_type_is_a_bug_in_the_table() -> None:
    with pytest.raises(ValueError, match="unknown type"):
        problems({}, ["a:float"])
