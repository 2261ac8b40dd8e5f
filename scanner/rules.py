"""Load and validate rules files (the built-in ``rules.yaml`` and the user's own).

Every problem in every file is collected with its file, line and fix; only then is one
``InputError`` raised. A valid file becomes ``Check`` objects, identical in shape whether
the control is declarative or implemented in Python.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from logwarden.scanner import yamlsrc
from logwarden.scanner.declarative import DeclarativeSpec, Expect, make_runner
from logwarden.scanner.errors import InputError, Problem
from logwarden.scanner.filters import compile_filter
from logwarden.scanner.frameworks import FrameworkCatalogue, builtin_frameworks, parse_claims
from logwarden.scanner.models import (
    Check,
    Implementation,
    PythonCheck,
    Remediation,
    ResourceKind,
    Scope,
    Severity,
)
from logwarden.scanner.schema import Field, check_fields
from logwarden.scanner.yamlsrc import line_of

CONTROL_ID = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9_]+\.[a-z0-9_]+$")
TOP_LEVEL = {
    "version": Field(int, True),
    "parameters": Field(dict),
    "controls": Field(list),
    "overrides": Field(list),
}
CONTROL_FIELDS = {
    "id": Field(str, True),
    "title": Field(str, True),
    "severity": Field(str, True),
    "scope": Field(str),
    "resource": Field(str),
    "resources": Field(list),
    "where": Field((dict, list)),
    "expect": Field(str),
    "assert": Field((dict, list)),
    "implementation": Field(str),
    "rationale": Field(str, True),
    "remediation": Field(dict, True),
    "references": Field(list),
    "frameworks": Field(dict),
    "parameters": Field(dict),
    "enabled": Field(bool),
}
REMEDIATION_FIELDS = {"text": Field(str, True), "cli": Field(str), "terraform": Field(str)}
OVERRIDE_FIELDS = {
    "id": Field(str, True),
    "enabled": Field(bool),
    "severity": Field(str),
    "parameters": Field(dict),
}


def builtin_rules_path() -> Path:
    """The catalogue shipped with logwarden (``rules.yaml`` inside the package)."""
    return Path(str(resources.files("logwarden.scanner").joinpath("rules.yaml")))


@dataclass
class Catalogue:
    """The controls in force and the parameters they use."""

    parameters: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)

    def enabled_checks(self, clouds: set[str] | None = None) -> list[Check]:
        """Enabled checks, optionally only those of some clouds, in id order."""
        return sorted(
            (
                c
                for i, c in self.checks.items()
                if i not in self.disabled and (clouds is None or c.cloud in clouds)
            ),
            key=lambda c: c.id,
        )


@dataclass
class _Context:
    kinds: Mapping[str, ResourceKind]
    python_checks: Mapping[str, PythonCheck]
    frameworks: FrameworkCatalogue | None
    clouds: Collection[str]  # the clouds whose controls are loaded
    known_clouds: Collection[str]  # every installed cloud
    disabled: Collection[str]  # plugins disabled with -p no:NAME
    problems: list[Problem] = field(default_factory=list)


def load_catalogue(
    files: list[Path | str],
    *,
    kinds: Mapping[str, ResourceKind],
    python_checks: Mapping[str, PythonCheck],
    clouds: Collection[str],
    known_clouds: Collection[str] = (),
    disabled: Collection[str] = (),
    parameters: tuple[str, Mapping[str, Any]] | None = None,
    overrides: list[tuple[str, Mapping[str, Any]]] | None = None,
    frameworks: FrameworkCatalogue | None = None,
) -> Catalogue:
    """Load rules files in order (built-in first); later files add controls and overrides.

    :param kinds: the resource kinds of ``clouds`` (``Registry.kinds``).
    :param python_checks: the Python controls of ``clouds`` (``Registry.python_checks``).
    :param clouds: the clouds whose controls are loaded. The controls of the other
        ``known_clouds`` (every installed cloud) and of ``disabled`` plugins (``-p no:azure``:
        a built-in cloud's plugin has the cloud's name) are skipped; a control of any other
        cloud is an error (its id is a typo, or its cloud is not installed).
    :param parameters: ``(file, mapping)`` from the scan config, applied over the defaults.
    :param overrides: ``(file, override mapping)`` pairs from the scan config, applied last.
    :param frameworks: the framework catalogue claims are checked against (default: the
        built-in ``frameworks.yaml``).
    :raises InputError: with every problem found.
    """
    ctx = _Context(
        kinds=kinds,
        python_checks=python_checks,
        frameworks=frameworks or builtin_frameworks(),
        clouds=clouds,
        known_clouds=sorted({*clouds, *known_clouds}),
        disabled=disabled,
    )
    cat = Catalogue()
    pending_overrides: list[tuple[str, Mapping[str, Any]]] = []
    docs: list[tuple[str, Any]] = []
    for path in files:
        name = str(path)
        try:
            doc = yamlsrc.load_file(path)
        except InputError as exc:
            ctx.problems.extend(exc.problems)
            continue
        if not isinstance(doc, dict):
            ctx.problems.append(
                Problem(
                    name,
                    None,
                    "a rules file must be a mapping with version and controls",
                    "start the file with 'version: 1'",
                )
            )
            continue
        check_fields(doc, TOP_LEVEL, name, "rules file", ctx.problems)
        if doc.get("version", 1) != 1:
            ctx.problems.append(
                Problem(
                    name,
                    line_of(doc, "version"),
                    f"unsupported rules version {doc.get('version')!r}",
                    "use 'version: 1'",
                )
            )
        params = doc.get("parameters")
        if isinstance(params, dict):
            # a rules file may declare new parameters for its own controls; redefining a
            # known one must keep its type
            known = {k: v for k, v in params.items() if k in cat.parameters}
            cat.parameters.update({k: v for k, v in params.items() if k not in cat.parameters})
            cat.parameters.update(
                _valid_parameters(yamlsrc.subset(params, known), name, cat, ctx.problems)
            )
        docs.append((name, doc))
        pending_overrides.extend((name, o) for o in _list(doc.get("overrides")))
    if parameters is not None:
        param_file, values = parameters
        cat.parameters.update(_valid_parameters(values, param_file, cat, ctx.problems))
    for name, doc in docs:
        for index, node in enumerate(_list(doc.get("controls"))):
            if _unloaded_cloud(node, ctx):
                continue
            line = line_of(doc["controls"], index)
            check = _load_control(node, name, line, cat, ctx)
            if check is None:
                continue
            if check.id in cat.checks:
                ctx.problems.append(
                    Problem(
                        name,
                        line,
                        f"duplicate control id {check.id!r} (first defined at {cat.checks[check.id].source})",
                        "give the control a new id, or use 'overrides:' to change the existing one",
                    )
                )
                continue
            cat.checks[check.id] = check
            if node.get("enabled") is False:
                cat.disabled.add(check.id)
    for name, node in [*pending_overrides, *(overrides or [])]:
        _apply_override(node, name, cat, ctx)
    for check_id in sorted(set(python_checks) - set(cat.checks)):
        ctx.problems.append(
            Problem(
                "rules.yaml",
                None,
                f"a plugin implements control {check_id!r} but no rules file declares it",
                f"declare {check_id} with 'implementation: python'",
            )
        )
    if ctx.problems:
        raise InputError(ctx.problems)
    return cat


def _unloaded_cloud(node: Any, ctx: _Context) -> bool:
    """A control of an installed cloud this run does not scan: ``--cloud aws`` skips the
    Azure and GCP controls of the catalogue instead of rejecting their unknown kinds."""
    check_id = node.get("id") if isinstance(node, dict) else None
    if not isinstance(check_id, str):
        return False
    cloud = check_id.split(".")[0]
    return cloud not in ctx.clouds and (cloud in ctx.known_clouds or cloud in ctx.disabled)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _load_control(
    node: Any, file: str, line: int | None, cat: Catalogue, ctx: _Context
) -> Check | None:
    problems = ctx.problems
    before = len(problems)
    if not isinstance(node, dict):
        problems.append(
            Problem(
                file,
                line,
                "a control must be a mapping",
                "see the controls in the built-in rules.yaml",
            )
        )
        return None
    line = line_of(node) or line
    check_fields(node, CONTROL_FIELDS, file, "control", problems)
    check_id = node.get("id")
    if isinstance(check_id, str) and not CONTROL_ID.match(check_id):
        problems.append(
            Problem(
                file,
                line_of(node, "id"),
                f"control id {check_id!r} is not of the form <cloud>.<service>.<snake_name>",
                "use lower case, e.g. aws.cloudtrail.log_file_validation",
            )
        )
    elif isinstance(check_id, str) and check_id.split(".")[0] not in ctx.known_clouds:
        # the first part names the cloud the control is evaluated for; another prefix would
        # load and then never run
        problems.append(
            Problem(
                file,
                line_of(node, "id"),
                f"control id {check_id!r} does not start with a known cloud",
                f"start it with the cloud it checks, one of: "
                f"{', '.join(c + '.' for c in ctx.known_clouds)} (e.g. aws.cloudtrail.my_control)",
            )
        )
    severity = _enum(node, "severity", Severity, file, problems)
    scope = _enum(node, "scope", Scope, file, problems) or Scope.RESOURCE
    remediation = node.get("remediation")
    if isinstance(remediation, dict):
        check_fields(remediation, REMEDIATION_FIELDS, file, "remediation", problems)
    claims = parse_claims(node.get("frameworks"), file, ctx.frameworks, problems)
    control_params = node.get("parameters") or {}
    if isinstance(control_params, dict):
        _valid_parameters(control_params, file, cat, problems)
    python = node.get("implementation")
    kinds_line = line_of(node, "resources" if "resources" in node else "resource")
    if python is not None:
        kinds = _kinds_list(node, file, problems)
        runner = _python_runner(node, python, file, ctx)
        for key in ("where", "assert", "expect", "resource"):
            if key in node:
                problems.append(
                    Problem(
                        file,
                        line_of(node, key),
                        f"'{key}' does not apply to a Python control",
                        "remove it; the Python implementation decides",
                    )
                )
    else:
        kind = node.get("resource")
        kinds = (kind,) if isinstance(kind, str) else ()
        if not kinds:
            problems.append(
                Problem(
                    file,
                    line,
                    "a declarative control needs 'resource: <kind>'",
                    "name the resource kind it evaluates, e.g. aws.cloudtrail.trail",
                )
            )
        runner = _declarative_runner(node, kinds[0] if kinds else "", scope, file, cat, ctx)
    cloud = str(check_id).split(".")[0]
    own_kinds = sorted(k for k, spec in ctx.kinds.items() if spec.cloud == cloud)
    for kind in kinds:
        if kind not in ctx.kinds:
            problems.append(
                Problem(
                    file,
                    kinds_line,
                    f"unknown resource kind {kind!r}",
                    f"use one of: {', '.join(own_kinds or sorted(ctx.kinds))}",
                )
            )
        elif ctx.kinds[kind].cloud != cloud and cloud in ctx.known_clouds:
            problems.append(
                Problem(
                    file,
                    kinds_line,
                    f"control {check_id!r} checks {cloud} but {kind!r} is a resource kind "
                    f"of {ctx.kinds[kind].cloud}",
                    f"use a kind of {cloud} ({', '.join(own_kinds)}), or start the control "
                    f"id with {ctx.kinds[kind].cloud}.",
                )
            )
    if len(problems) > before:
        return None
    assert isinstance(remediation, dict) and severity is not None and isinstance(check_id, str)
    return Check(
        id=check_id,
        title=node["title"],
        severity=severity,
        cloud=check_id.split(".")[0],
        scope=scope,
        kinds=tuple(kinds),
        rationale=node["rationale"].strip(),
        remediation=Remediation(
            remediation["text"].strip(),
            _strip(remediation.get("cli")),
            _strip(remediation.get("terraform")),
        ),
        references=tuple(str(r) for r in node.get("references") or ()),
        frameworks=claims.all,
        partial_frameworks=claims.partial,
        parameters=dict(control_params),
        run=runner,
        source=f"{file}:{line}",
        implementation=Implementation.DECLARATIVE if python is None else Implementation.PYTHON,
    )


def _strip(text: str | None) -> str | None:
    return text.strip() if text else None


def _enum(
    node: Mapping[str, Any], key: str, enum_type: Any, file: str, problems: list[Problem]
) -> Any:
    value = node.get(key)
    if value is None:
        return None
    try:
        return enum_type(value)
    except ValueError:
        problems.append(
            Problem(
                file,
                line_of(node, key),
                f"unknown {key} {value!r}",
                f"use one of: {', '.join(e.value for e in enum_type)}",
            )
        )
        return None


def _kinds_list(node: Mapping[str, Any], file: str, problems: list[Problem]) -> tuple[str, ...]:
    kinds = node.get("resources")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        problems.append(
            Problem(
                file,
                line_of(node, "resources") or line_of(node),
                "a Python control needs 'resources: [kind, ...]' listing every kind it reads",
                "list the resource kinds, e.g. [aws.organizations.account]",
            )
        )
        return ()
    return tuple(kinds)


def _python_runner(node: Mapping[str, Any], value: Any, file: str, ctx: _Context) -> Any:
    if value != "python":
        ctx.problems.append(
            Problem(
                file,
                line_of(node, "implementation"),
                f"unknown implementation {value!r}",
                "use 'implementation: python' or remove the key",
            )
        )
        return None
    impl = ctx.python_checks.get(node.get("id", ""))
    if impl is None:
        ctx.problems.append(
            Problem(
                file,
                line_of(node, "implementation"),
                f"no installed plugin implements Python control {node.get('id')!r}",
                "install the plugin that provides it, or make the control declarative",
            )
        )
        return None
    return impl.run


def _declarative_runner(
    node: Mapping[str, Any], kind: str, scope: Scope, file: str, cat: Catalogue, ctx: _Context
) -> Any:
    problems = ctx.problems
    default = Expect.EACH if scope is Scope.RESOURCE else Expect.ANY
    expect = _enum(node, "expect", Expect, file, problems) or default
    if scope is Scope.RESOURCE and expect is not Expect.EACH:
        problems.append(
            Problem(
                file,
                line_of(node, "expect"),
                f"'expect: {expect.value}' needs a tenant or organization scope",
                "use 'expect: each' or set 'scope: tenant'",
            )
        )
    elif scope is not Scope.RESOURCE and expect is Expect.EACH:
        # one row per tenant cannot say which resource failed; 'each' is one row per resource
        problems.append(
            Problem(
                file,
                line_of(node, "expect"),
                f"'expect: each' needs scope 'resource', not '{scope.value}'",
                "set 'scope: resource' (one row per resource), or use 'expect: any' / "
                "'expect: none' for one row per tenant",
            )
        )
    if expect is Expect.EACH and "assert" not in node:
        problems.append(
            Problem(
                file,
                line_of(node),
                "'expect: each' needs an 'assert:' filter",
                "state what every resource must satisfy under 'assert:'",
            )
        )
    known = set(cat.parameters)
    where = assertion = None
    if "where" in node:
        where = compile_filter(
            node["where"],
            file=file,
            line=line_of(node, "where") or 0,
            known_params=known,
            problems=problems,
        )
    if "assert" in node:
        assertion = compile_filter(
            node["assert"],
            file=file,
            line=line_of(node, "assert") or 0,
            known_params=known,
            problems=problems,
        )
    return make_runner(DeclarativeSpec(kind=kind, expect=expect, where=where, assertion=assertion))


def _valid_parameters(
    values: Mapping[str, Any], file: str, cat: Catalogue, problems: list[Problem]
) -> dict[str, Any]:
    """The known parameters of ``values`` whose type matches the default; problems for the rest."""
    valid: dict[str, Any] = {}
    for key, value in values.items():
        line = line_of(values, key)
        if key not in cat.parameters:
            problems.append(
                Problem(
                    file,
                    line,
                    f"unknown parameter {key!r}",
                    f"use one of: {', '.join(sorted(cat.parameters))}",
                )
            )
            continue
        default = cat.parameters[key]
        expected: type = (
            int if isinstance(default, int) and not isinstance(default, bool) else type(default)
        )
        # a default read from YAML is a line-tracking list (or dict): any list (dict) will do
        expected = next((t for t in (list, dict) if isinstance(default, t)), expected)
        if (
            default is not None
            and value is not None
            and (
                not isinstance(value, expected)
                or isinstance(value, bool) is not isinstance(default, bool)
            )
        ):
            problems.append(
                Problem(
                    file,
                    line,
                    f"parameter {key!r} must be {_TYPE_WORDS.get(expected, expected.__name__)}, not {value!r}",
                    f"write e.g. {key}: {default!r}",
                )
            )
            continue
        valid[key] = value
    return valid


_TYPE_WORDS = {int: "a whole number", str: "a string", bool: "true or false", list: "a list"}


def _apply_override(node: Any, file: str, cat: Catalogue, ctx: _Context) -> None:
    problems = ctx.problems
    if not isinstance(node, dict):
        problems.append(
            Problem(
                file,
                None,
                "an override must be a mapping with 'id'",
                "write '- id: <control id>' then the fields to change",
            )
        )
        return
    if not check_fields(node, OVERRIDE_FIELDS, file, "override", problems):
        return
    check = cat.checks.get(node["id"])
    if check is None and _unloaded_cloud(node, ctx):
        return  # an override of a control of a cloud that is not scanned
    if check is None:
        problems.append(
            Problem(
                file,
                line_of(node, "id"),
                f"override of unknown control {node['id']!r}",
                "use an id from 'logwarden controls list'",
            )
        )
        return
    changes: dict[str, Any] = {}
    if "severity" in node:
        severity = _enum(node, "severity", Severity, file, problems)
        if severity is not None:
            changes["severity"] = severity
    params = _valid_parameters(node.get("parameters") or {}, file, cat, problems)
    if params:
        changes["parameters"] = {**check.parameters, **params}
    cat.checks[check.id] = replace(check, **changes)
    if node.get("enabled") is False:
        cat.disabled.add(check.id)
    elif node.get("enabled") is True:
        cat.disabled.discard(check.id)
