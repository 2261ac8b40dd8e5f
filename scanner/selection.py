"""Run-time selection of the controls a scan evaluates (``--checks``, ``--exclude-checks``,
``--severity``, ``--framework``, ``--services``) and of the regions it reports (``--regions``).

The control options narrow the catalogue before anything is collected, so the kinds collected,
and the calls made, shrink with the selection (``engine.needed_kinds``). Every option value must
select something: the catalogue is known before the scan, so a glob, a severity, a framework or a
service that matches no control of the scanned clouds is a typo, refused with exit 2 and the fix.
Tenants are selected after discovery, in ``tenant_selection``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from logwarden.scanner.errors import InputError, Problem
from logwarden.scanner.frameworks import FrameworkCatalogue
from logwarden.scanner.models import Check, CheckResult, CollectionError, Severity
from logwarden.scanner.rules import Catalogue

OPTION = "argv"


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


_CONTROL_OPTIONS = (
    ("--checks", "GLOB", "only the controls whose id matches one of these globs"),
    ("--exclude-checks", "GLOB", "leave out the controls whose id matches one of these globs"),
    (
        "--severity",
        "LEVEL",
        "only the controls of these severities (critical, high, medium, low, info)",
    ),
    (
        "--framework",
        "ID",
        "only the controls mapped to this framework (an id of frameworks.yaml, e.g. cis-aws-6.0)",
    ),
    (
        "--services",
        "NAME",
        "only the controls of these services (the middle of the id: cloudtrail, s3, monitor, ...)",
    ),
)


def add_control_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--checks``, ``--exclude-checks``, ``--severity``, ``--framework``, ``--services``."""
    for flag, metavar, text in _CONTROL_OPTIONS:
        parser.add_argument(
            flag,
            action="append",
            type=_csv,
            default=[],
            metavar=metavar,
            help=f"{text}; repeatable or a comma list",
        )


def add_tenant_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--tenants``, ``--exclude-tenants``, ``--ous``, ``--regions``."""
    parser.add_argument(
        "--tenants",
        action="append",
        type=_csv,
        default=[],
        metavar="GLOB",
        help="only the tenants (accounts, subscriptions, projects) whose id or name matches "
        "one of these globs",
    )
    parser.add_argument(
        "--exclude-tenants",
        action="append",
        type=_csv,
        default=[],
        metavar="GLOB",
        help="leave out the tenants whose id or name matches these globs",
    )
    parser.add_argument(
        "--ous",
        action="append",
        type=_csv,
        default=[],
        metavar="OU",
        help="only the tenants below one of these AWS OUs (ou-..., r-...), Azure management "
        "groups or GCP folders (folders/N or N), anywhere on their parent chain",
    )
    parser.add_argument(
        "--regions",
        action="append",
        type=_csv,
        default=[],
        metavar="REGION",
        help="only these regions: AWS reads only them (replacing clouds.aws.regions), and "
        "only rows of these regions or of no region are reported",
    )


def _flat(values: Iterable[Iterable[str]] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for group in values or () for v in group))


@dataclass(frozen=True)
class Selection:
    """What the selection options of one run ask for; empty tuples select everything."""

    checks: tuple[str, ...] = ()
    exclude_checks: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    exclude_tenants: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Selection:
        """The selection of parsed options (missing options select everything)."""
        return cls(**{name: _flat(getattr(args, _OPTION_OF.get(name, name), ())) for name in _KEYS})

    @property
    def narrows_controls(self) -> bool:
        return bool(
            self.checks
            or self.exclude_checks
            or self.severities
            or self.frameworks
            or self.services
        )

    @property
    def narrows_tenants(self) -> bool:
        return bool(self.tenants or self.exclude_tenants or self.ous)

    def label(self) -> str:
        """The selection as text (``checks=aws.s3.*;regions=us-east-1``), empty for none: a
        narrowed scan is compared in history only with scans of the same selection."""
        parts = [f"{name}={','.join(getattr(self, name))}" for name in _KEYS if getattr(self, name)]
        return ";".join(parts)


_KEYS = (
    "checks",
    "exclude_checks",
    "severities",
    "frameworks",
    "services",
    "tenants",
    "exclude_tenants",
    "ous",
    "regions",
)
_OPTION_OF = {"severities": "severity", "frameworks": "framework"}


def select_controls(
    catalogue: Catalogue,
    clouds: Sequence[str],
    selection: Selection,
    frameworks: FrameworkCatalogue,
) -> Catalogue:
    """The catalogue with every control outside ``selection`` disabled.

    :raises InputError: a value that selects no control of ``clouds`` (the fix says what
        would), or a selection that leaves no control at all.
    """
    if not selection.narrows_controls:
        return catalogue
    checks = catalogue.enabled_checks(set(clouds))
    where = f"of the scanned clouds ({', '.join(clouds)})"
    problems: list[Problem] = []
    for option, values, test, known in (
        ("--checks", selection.checks, _id_matches, ()),
        ("--exclude-checks", selection.exclude_checks, _id_matches, ()),
        ("--services", selection.services, _in_service, _services(checks)),
        ("--framework", selection.frameworks, _claims, _frameworks(checks, frameworks)),
        ("--severity", selection.severities, _of_severity, [s.value for s in Severity]),
    ):
        for value in values:
            if known and value not in known:
                problems.append(
                    Problem(
                        OPTION,
                        None,
                        f"{option} {value!r} is unknown",
                        f"use one of: {', '.join(known)}",
                    )
                )
            elif not any(test(c, value) for c in checks):
                problems.append(
                    Problem(
                        OPTION,
                        None,
                        f"{option} {value!r} matches no control {where}",
                        "see the controls with: logwarden controls list --cloud all",
                    )
                )
    kept = [
        c
        for c in checks
        if all(
            not values or any(test(c, v) for v in values)
            for values, test in (
                (selection.checks, _id_matches),
                (selection.services, _in_service),
                (selection.frameworks, _claims),
                (selection.severities, _of_severity),
            )
        )
        and not any(_id_matches(c, g) for g in selection.exclude_checks)
    ]
    if not problems and not kept:
        problems.append(
            Problem(
                OPTION,
                None,
                f"the selection leaves no control to evaluate {where}",
                "widen --checks/--severity/--framework/--services (try them with "
                "'logwarden controls list')",
            )
        )
    if problems:
        raise InputError(problems)
    dropped = {c.id for c in checks} - {c.id for c in kept}
    return replace(catalogue, disabled=set(catalogue.disabled) | dropped)


def _id_matches(check: Check, glob: str) -> bool:
    return fnmatchcase(check.id, glob)


def _in_service(check: Check, service: str) -> bool:
    return check.id.split(".")[1] == service


def _claims(check: Check, framework: str) -> bool:
    return framework in check.frameworks


def _of_severity(check: Check, severity: str) -> bool:
    return check.severity.value == severity


def _services(checks: Sequence[Check]) -> list[str]:
    return sorted({c.id.split(".")[1] for c in checks})


def _frameworks(checks: Sequence[Check], frameworks: FrameworkCatalogue) -> list[str]:
    """Every framework id a ``--framework`` may name: catalogued, or claimed by a control."""
    return sorted(
        {*frameworks.frameworks, *frameworks.mappings, *(f for c in checks for f in c.frameworks)}
    )


def in_regions(regions: Sequence[str], region: str) -> bool:
    """Whether a row of ``region`` is reported under ``--regions`` (rows of no region are)."""
    return not regions or not region or region in regions


def keep_regions(
    results: Iterable[CheckResult], errors: Iterable[CollectionError], regions: Sequence[str]
) -> tuple[tuple[CheckResult, ...], tuple[CollectionError, ...]]:
    """The rows and collection errors of ``regions`` and of no region."""
    return (
        tuple(r for r in results if in_regions(regions, r.region)),
        tuple(e for e in errors if in_regions(regions, e.region)),
    )
