"""Log-based metric filters against the CIS GCP v3.0.0 2.4-2.11 filters: a metric qualifies when
it counts every entry the CIS filter selects, however it is written.

Each row is a filter as someone might write it, the requirement, and either ``OK`` or the text
the reason must name (the missing case, the narrowing or undecided term, the parse error).
Sources of the variants: the CIS text itself, Prowler's one-line copies, Steampipe's and older
CIS versions (2.6 without parentheses, 2.9 with exact ``beta.``/``v1.`` names, 2.11 with create
and delete), and KICS's narrowed 2.6.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator

import pytest

from logwarden.checks.gcp.cis_metric_filters import BY_CIS_ID, REQUIREMENTS, MetricRequirement
from logwarden.checks.gcp.metric_filters import qualifies
from logwarden.scanner.collectors.gcp.logging_query import (
    And,
    Comparison,
    Expr,
    Field,
    Not,
    Or,
    ParseError,
    Restriction,
    Value,
    parse,
    source_of,
)

OK = None
BINDING = "protoPayload.serviceData.policyDelta.bindingDeltas"
CRM = 'protoPayload.serviceName="cloudresourcemanager.googleapis.com"'
FIREWALLS = (
    'protoPayload.methodName:"compute.firewalls.patch" '
    'OR protoPayload.methodName:"compute.firewalls.insert" '
    'OR protoPayload.methodName:"compute.firewalls.delete"'
)
NETWORK_METHODS = ("insert", "patch", "delete", "removePeering", "addPeering")


def networks(*methods: str) -> str:
    return " OR ".join(f'protoPayload.methodName:"compute.networks.{m}"' for m in methods)


ROLES = " OR ".join(
    f'protoPayload.methodName="google.iam.admin.v1.{m}Role"' for m in ("Create", "Delete", "Update")
)

ROWS: list[tuple[str, str, str | None]] = [
    # 2.4 project ownership: (serviceName) AND ((PO OR POI) OR (REMOVE AND owner) OR (ADD AND owner))
    (
        "2.4",
        f'({CRM}) AND (ProjectOwnership OR projectOwnerInvitee) OR ({BINDING}.action="REMOVE" '
        f'AND {BINDING}.role="roles/owner") OR ({BINDING}.action="ADD" AND '
        f'{BINDING}.role="roles/owner")',
        OK,
    ),
    (
        "2.4",
        f'(projectOwnerInvitee OR ProjectOwnership OR ({BINDING}.role="roles/owner" AND '
        f'{BINDING}.action=("ADD" OR "REMOVE"))) AND {CRM}',
        OK,
    ),
    (  # the reading people expect, serviceName on the first case only: wider than CIS's
        "2.4",
        f'(({CRM} AND (ProjectOwnership OR projectOwnerInvitee)) OR ({BINDING}.action="REMOVE" '
        f'AND {BINDING}.role="roles/owner") OR ({BINDING}.action="ADD" AND '
        f'{BINDING}.role="roles/owner"))',
        OK,
    ),
    (
        "2.4",
        f'{CRM} AND (ProjectOwnership OR projectOwnerInvitee OR {BINDING}.role="roles/owner")',
        OK,
    ),
    (
        "2.4",
        'protoPayload.serviceName:"cloudresourcemanager" AND (ProjectOwnership OR '
        f'projectOwnerInvitee OR {BINDING}.role:"owner")',
        OK,
    ),
    (
        "2.4",
        f'{CRM} AND (ProjectOwnership OR ({BINDING}.action="REMOVE" AND {BINDING}.role="roles/owner")'
        f' OR ({BINDING}.action="ADD" AND {BINDING}.role="roles/owner"))',
        f"{CRM} AND projectOwnerInvitee",
    ),
    (
        "2.4",
        f'{CRM} AND (ProjectOwnership OR projectOwnerInvitee OR ({BINDING}.action="ADD" AND '
        f'{BINDING}.role="roles/owner"))',
        f'{BINDING}.action="REMOVE"',
    ),
    ("2.4", f"{CRM} AND (ProjectOwnership OR projectOwnerInvitee)", f'{BINDING}.action="ADD"'),
    (
        "2.4",
        f'{BY_CIS_ID["2.4"].filter} AND resource.labels.project_id="prod-1"',
        'resource.labels.project_id="prod-1" (not implied',
    ),
    (
        "2.4",
        f'{CRM} AND (ProjectOwnership OR projectOwnerInvitee OR {BINDING}.role="roles/owner") '
        f'AND -{BINDING}.action="REMOVE"',
        f'-{BINDING}.action="REMOVE" (excludes them)',
    ),
    # 2.5 audit configuration changes
    (
        "2.5",
        'protoPayload.serviceData.policyDelta.auditConfigDeltas:*   protoPayload.methodName="SetIamPolicy"',
        OK,
    ),
    ("2.5", 'protoPayload.methodName:"SetIamPolicy" protoPayload.serviceData.policyDelta:*', OK),
    ("2.5", 'protoPayload.methodName="SetIamPolicy"', OK),
    ("2.5", "protoPayload.serviceData:*", OK),
    (
        "2.5",
        f'protoPayload.methodName="SetIamPolicy" AND {BINDING}:*',
        f"{BINDING}:* (not implied",
    ),
    (
        "2.5",
        'protoPayload.methodName="SetIamPolicy" AND '
        'protoPayload.serviceData.policyDelta.auditConfigDeltas.action="ADD"',
        'auditConfigDeltas.action="ADD" (not implied',
    ),
    (  # whether '=' ignores case is not spelled out: never assumed
        "2.5",
        'protoPayload.methodName="setIamPolicy" AND '
        "protoPayload.serviceData.policyDelta.auditConfigDeltas:*",
        'protoPayload.methodName="setIamPolicy" (not implied',
    ),
    ("2.5", "protoPayload.serviceData.policyDelta.auditConfigDeltas:", "expected a term"),
    # 2.6 custom role changes
    ("2.6", f'resource.type="iam_role" AND ({ROLES})', OK),
    ("2.6", f'resource.type="iam_role" AND {ROLES}', OK),  # CIS v1: OR binds tighter
    (
        "2.6",
        'resource.type="iam_role" protoPayload.methodName=("google.iam.admin.v1.UpdateRole" OR '
        '"google.iam.admin.v1.CreateRole" OR "google.iam.admin.v1.DeleteRole")',
        OK,
    ),
    (
        "2.6",
        f'resource.type="iam_role" AND ({ROLES} OR '
        'protoPayload.methodName="google.iam.admin.v1.UndeleteRole")',
        OK,
    ),
    ("2.6", 'protoPayload.methodName:"google.iam.admin.v1." AND resource.type=iam_role', OK),
    (
        "2.6",
        'resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" '
        'OR protoPayload.methodName="google.iam.admin.v1.DeleteRole")',
        'protoPayload.methodName="google.iam.admin.v1.UpdateRole" that CIS 2.6',
    ),
    (  # KICS's narrowed variant
        "2.6",
        f'resource.type="iam_role" AND ({ROLES}) AND {BINDING}.role="roles/editor"',
        f'{BINDING}.role="roles/editor" (not implied',
    ),
    (
        "2.6",
        'resource.type="iam_role" AND protoPayload.methodName:"Role" '
        'AND NOT protoPayload.methodName:"DeleteRole"',
        'NOT protoPayload.methodName:"DeleteRole" (excludes them)',
    ),
    (
        "2.6",
        f'resource.type="iam_roles" AND ({ROLES})',
        'resource.type="iam_roles" (excludes them)',
    ),
    # 2.7 VPC firewall rule changes
    ("2.7", f'resource.type="gce_firewall_rule" AND ({FIREWALLS})', OK),
    (
        "2.7",
        "-- firewall rules\nresource.type = gce_firewall_rule\n  AND (\n"
        '    protoPayload.methodName : "compute.firewalls.delete" OR\n'
        '    protoPayload.methodName : "compute.firewalls.insert" OR  -- creation\n'
        '    protoPayload.methodName : "compute.firewalls.patch"\n  )\n',
        OK,
    ),
    (
        "2.7",
        'protoPayload.methodName:("compute.firewalls.patch" OR "compute.firewalls.insert" OR '
        '"compute.firewalls.delete") resource.type="gce_firewall_rule"',
        OK,
    ),
    (
        "2.7",
        'resource.type="gce_firewall_rule" AND protoPayload.methodName:"compute.firewalls."',
        OK,
    ),
    (
        "2.7",
        f'(resource.type="gce_firewall_rule" AND ({FIREWALLS})) OR resource.type="gce_route"',
        OK,
    ),
    ("2.7", f'((((resource.type="gce_firewall_rule"))) AND ((({FIREWALLS}))))', OK),
    (
        "2.7",
        'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.patch" '
        'OR protoPayload.methodName:"compute.firewalls.insert")',
        'protoPayload.methodName:"compute.firewalls.delete" that CIS 2.7',
    ),
    (
        "2.7",
        'resource.type="gce_firewall_rule" AND (protoPayload.methodName="v1.compute.firewalls.patch"'
        ' OR protoPayload.methodName="v1.compute.firewalls.insert" OR '
        'protoPayload.methodName="v1.compute.firewalls.delete")',
        'protoPayload.methodName="v1.compute.firewalls.patch" (not implied',
    ),
    (
        "2.7",
        f'resource.type="gce_firewall_rule" AND ({FIREWALLS}) AND '
        'resource.labels.project_id="my-project"',
        'resource.labels.project_id="my-project" (not implied',
    ),
    (
        "2.7",
        f'resource.type="gce_firewall_rule" AND ({FIREWALLS}) -protoPayload.methodName:"delete"',
        '-protoPayload.methodName:"delete"',
    ),
    ("2.7", f'resource.type="gce_firewall_rule" AND ({FIREWALLS}', "expected ')'"),
    # 2.8 VPC route changes
    (
        "2.8",
        'resource.type="gce_route" AND protoPayload.methodName:("compute.routes.insert" OR '
        '"compute.routes.delete")',
        OK,
    ),
    ("2.8", 'resource.type="gce_route"', OK),
    (
        "2.8",
        '(resource.type="gce_route" AND protoPayload.methodName:"compute.routes.delete") OR '
        '(protoPayload.methodName:"compute.routes.insert" AND resource.type="gce_route")',
        OK,
    ),
    (  # a split on a term the CIS filter says nothing about
        "2.8",
        f"{BY_CIS_ID['2.8'].filter} AND (severity>=ERROR OR NOT severity>=ERROR)",
        OK,
    ),
    (
        "2.8",
        'resource.type="gce_route" AND protoPayload.methodName:"compute.routes.insert"',
        'protoPayload.methodName:"compute.routes.delete" that CIS 2.8',
    ),
    (
        "2.8",
        'resource.type="gce_routes" AND (protoPayload.methodName:"compute.routes.delete" OR '
        'protoPayload.methodName:"compute.routes.insert")',
        'resource.type="gce_routes" (excludes them)',
    ),
    (
        "2.8",
        f'{BY_CIS_ID["2.8"].filter} AND timestamp>="2024-01-01T00:00:00Z"',
        'timestamp>="2024-01-01T00:00:00Z" (not implied',
    ),
    # 2.9 VPC network changes
    ("2.9", f"resource.type=gce_network AND ({networks(*NETWORK_METHODS)})", OK),
    (
        "2.9",
        f'resource.type="gce_network" AND ({networks(*NETWORK_METHODS, "updatePeering")})',
        OK,
    ),
    ("2.9", 'resource.type="gce_network" AND protoPayload.methodName:"compute.networks"', OK),
    ("2.9", f'({networks(*reversed(NETWORK_METHODS))}) AND resource.type="gce_network"', OK),
    (  # CIS v2.0.0's exact names miss beta./v1. variants of the others
        "2.9",
        'resource.type=gce_network AND (protoPayload.methodName="beta.compute.networks.insert" '
        'OR protoPayload.methodName="beta.compute.networks.patch" '
        'OR protoPayload.methodName="v1.compute.networks.delete" '
        'OR protoPayload.methodName="v1.compute.networks.removePeering" '
        'OR protoPayload.methodName="v1.compute.networks.addPeering")',
        'protoPayload.methodName="beta.compute.networks.insert" (not implied',
    ),
    (
        "2.9",
        f'resource.type="gce_network" AND ({networks("insert", "patch", "delete", "removePeering")})',
        'protoPayload.methodName:"compute.networks.addPeering" that CIS 2.9',
    ),
    (
        "2.9",
        f"{BY_CIS_ID['2.9'].filter} AND severity>=ERROR",
        "may miss any entry that CIS 2.9 (VPC network changes) counts: severity>=ERROR",
    ),
    ("2.9", f'resource.type="gce_network" AND {networks(*NETWORK_METHODS)})', "unexpected ')'"),
    # 2.10 Cloud Storage IAM permission changes
    ("2.10", 'protoPayload.methodName="storage.setIamPermissions" resource.type="gcs_bucket"', OK),
    ("2.10", 'protoPayload.methodName:"setIamPermissions"', OK),
    (
        "2.10",
        'resource.type="gcs_bucket" AND (protoPayload.methodName="storage.setIamPermissions" OR '
        'protoPayload.methodName="storage.buckets.update")',
        OK,
    ),
    (  # a widening term inside a conjunct
        "2.10",
        'resource.type="gcs_bucket" AND (protoPayload.methodName="storage.setIamPermissions" '
        "OR severity>=ERROR)",
        OK,
    ),
    (
        "2.10",
        'resource.type="gcs_bucket" AND protoPayload.methodName="storage.setIamPermissions" '
        'AND resource.labels.bucket_name="audit-logs"',
        'resource.labels.bucket_name="audit-logs" (not implied',
    ),
    (
        "2.10",
        'resource.type="gcs_bucket" AND protoPayload.methodName="storage.setIamPermission"',
        'protoPayload.methodName="storage.setIamPermission" (excludes them)',
    ),
    (
        "2.10",
        'resource.type="gcs_bucket" AND protoPayload.methodName:"storage.setIamPermissionsV2"',
        'protoPayload.methodName:"storage.setIamPermissionsV2" (excludes them)',
    ),
    (
        "2.10",
        'resource.type="gcs_bucket" AND protoPayload.methodName!="storage.setIamPermissions"',
        'protoPayload.methodName!="storage.setIamPermissions" (excludes them)',
    ),
    # 2.11 SQL instance configuration changes
    (
        "2.11",
        " OR ".join(
            f'protoPayload.methodName="cloudsql.instances.{m}"'
            for m in ("update", "create", "delete")
        ),
        OK,
    ),
    ("2.11", 'protoPayload.methodName:"cloudsql.instances"', OK),
    ("2.11", 'protoPayload.methodName : "CLOUDSQL.INSTANCES.UPDATE"', OK),
    ("2.11", 'protoPayload.methodName!="cloudsql.instances.create"', OK),
    ("2.11", "", OK),  # the empty filter counts every entry
    (
        "2.11",
        'protoPayload.methodName="cloudsql.instances.create"',
        'protoPayload.methodName="cloudsql.instances.create" (excludes them)',
    ),
    (
        "2.11",
        'protoPayload.methodName="cloudsql.instances.update" AND resource.type="cloudsql_database"',
        'resource.type="cloudsql_database" (not implied',
    ),
    (
        "2.11",
        'protoPayload.methodName="cloudsql.instances.update" '
        'log_id("cloudaudit.googleapis.com/activity")',
        'log_id("cloudaudit.googleapis.com/activity") (not implied',
    ),
    (
        "2.11",
        'NOT protoPayload.methodName="cloudsql.instances.update"',
        'NOT protoPayload.methodName="cloudsql.instances.update" (excludes them)',
    ),
    (
        "2.11",
        r'protoPayload.methodName=~"^cloudsql\.instances\.update$"',
        r'protoPayload.methodName=~"^cloudsql\.instances\.update$" (not implied',
    ),
    ("2.11", '"cloudsql.instances.update"', '"cloudsql.instances.update" (not implied'),
    ("2.11", "protoPayload.methodName=cloudsql.instances.update", "double-quote it"),
]


@pytest.mark.parametrize(("cis_id", "metric_filter", "missing"), ROWS)
def test_a_metric_filter_qualifies_only_when_it_counts_every_entry_cis_selects(
    cis_id: str, metric_filter: str, missing: str | None
) -> None:
    verdict = qualifies(metric_filter, BY_CIS_ID[cis_id])
    assert verdict.ok is (missing is None), verdict.reason
    assert (missing or "matches every entry") in verdict.reason


def test_every_requirement_has_passing_and_failing_rows() -> None:
    for requirement in REQUIREMENTS:
        verdicts = {missing is None for cis_id, _, missing in ROWS if cis_id == requirement.cis_id}
        assert verdicts == {True, False}, requirement.cis_id


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.cis_id)
def test_each_cis_filter_parses_and_qualifies_for_itself(requirement: MetricRequirement) -> None:
    assert not isinstance(parse(requirement.filter), ParseError)
    one_line = " ".join(requirement.filter.split())
    assert qualifies(one_line, requirement).ok
    assert qualifies(requirement.filter, requirement) == qualifies(one_line, requirement)


@pytest.mark.parametrize(
    ("metric", "requirement"),
    [(a, b) for a, b in itertools.permutations(REQUIREMENTS, 2)],
    ids=lambda r: r.cis_id,
)
def test_no_cis_filter_qualifies_for_another_requirement(
    metric: MetricRequirement, requirement: MetricRequirement
) -> None:
    verdict = qualifies(metric.filter, requirement)
    assert not verdict.ok
    assert f"CIS {requirement.cis_id} ({requirement.title})" in verdict.reason


def test_a_long_reason_names_a_few_cases_and_terms_and_counts_the_rest() -> None:
    requirement = BY_CIS_ID["2.9"]
    verdict = qualifies('resource.type="gce_network" AND protoPayload.methodName:"x"', requirement)
    assert not verdict.ok
    assert verdict.reason.startswith("may miss any entry that CIS 2.9")
    many = " OR ".join(f"a{n}=b" for n in range(8))
    verdict = qualifies(f"{requirement.filter} AND ({many})", requirement)
    assert verdict.reason.endswith("a4=b (not implied by the CIS filter), 3 more")


# A small model of the language, to check every qualifying row on concrete entries: an entry is
# a map from field path to string; ':' is a case-insensitive substring test, '=' is tried both
# case-sensitive and not (Google documents neither way for it), a bare word is searched in every
# value. Entries are built from each value the two filters name, as named, in upper case, inside
# a longer value, or absent.
SEVERITIES = ("INFO", "ERROR")
TEXT = ("__text__",)


def model_holds(node: Expr, entry: dict[tuple[str, ...], str], fold: bool) -> bool:
    if isinstance(node, And | Or):
        results = (model_holds(item, entry, fold) for item in node.items)
        return all(results) if isinstance(node, And) else any(results)
    if isinstance(node, Not):
        return not model_holds(node.item, entry, fold)
    if isinstance(node, Restriction) and isinstance(node.value, Value):
        return any(node.value.text.casefold() in value.casefold() for value in entry.values())
    assert isinstance(node, Comparison) and isinstance(node.left, Field), node
    path, op = node.left.path, node.op
    return model_values(node.right, lambda value: model_compare(entry, path, op, value, fold))


def model_values(node: Expr, test: Callable[[Value], bool]) -> bool:
    if isinstance(node, And | Or):
        results = (model_values(item, test) for item in node.items)
        return all(results) if isinstance(node, And) else any(results)
    assert isinstance(node, Value), node
    return test(node)


def model_compare(
    entry: dict[tuple[str, ...], str], path: tuple[str, ...], op: str, value: Value, fold: bool
) -> bool:
    if value.kind == "any":
        return any(key[: len(path)] == path for key in entry)
    actual = entry.get(path)
    if actual is None:
        return op == "!="
    if op == ">=":
        return SEVERITIES.index(actual) >= SEVERITIES.index(value.text)
    equal = actual.casefold() == value.text.casefold() if fold else actual == value.text
    return {"=": equal, "!=": not equal, ":": value.text.casefold() in actual.casefold()}[op]


def model_values_named(node: Expr, into: dict[tuple[str, ...], set[str]]) -> None:
    if isinstance(node, And | Or):
        for item in node.items:
            model_values_named(item, into)
    elif isinstance(node, Not):
        model_values_named(node.item, into)
    elif isinstance(node, Restriction) and isinstance(node.value, Value):
        into.setdefault(TEXT, set()).add(node.value.text)
    elif isinstance(node, Comparison) and isinstance(node.left, Field):
        values: list[Value] = []
        model_flatten(node.right, values)
        named = into.setdefault(node.left.path, set())
        for value in values:
            if node.left.path == ("severity",):
                named.update(SEVERITIES)
            elif value.kind == "any":
                named.add("present")
            else:
                named.update({value.text, value.text.upper(), f"v1.{value.text}X"})


def model_flatten(node: Expr, into: list[Value]) -> None:
    if isinstance(node, And | Or):
        for item in node.items:
            model_flatten(item, into)
    elif isinstance(node, Value):
        into.append(node)


def model_entries(*trees: Expr) -> Iterator[dict[tuple[str, ...], str]]:
    named: dict[tuple[str, ...], set[str]] = {}
    for tree in trees:
        model_values_named(tree, named)
    words = sorted(named.pop(TEXT, set()))
    texts = [" ".join(c) for n in range(len(words) + 1) for c in itertools.combinations(words, n)]
    paths = sorted(named)
    choices = [[None, *sorted(named[path])] for path in paths] + [[t or None for t in texts]]
    for combo in itertools.product(*choices):
        entry = {
            path: value
            for path, value in zip([*paths, TEXT], combo, strict=True)
            if value is not None
        }
        yield entry


@pytest.mark.parametrize(("cis_id", "metric_filter"), [(c, text) for c, text, _ in ROWS])
def test_a_filter_that_qualifies_matches_each_modelled_entry_the_cis_filter_matches(
    cis_id: str, metric_filter: str
) -> None:
    if not qualifies(metric_filter, BY_CIS_ID[cis_id]).ok:
        return
    cis, metric = parse(BY_CIS_ID[cis_id].filter), parse(metric_filter)
    assert not isinstance(cis, ParseError) and not isinstance(metric, ParseError)
    checked = 0
    for entry in model_entries(cis, metric):
        for fold in (False, True):
            if model_holds(cis, entry, fold):
                checked += 1
                assert model_holds(metric, entry, fold), (entry, fold)
    assert checked


def test_the_model_finds_what_a_dropped_method_name_misses() -> None:
    cis = parse(BY_CIS_ID["2.8"].filter)
    metric = parse('resource.type="gce_route" AND protoPayload.methodName:"compute.routes.insert"')
    assert not isinstance(cis, ParseError) and not isinstance(metric, ParseError)
    missed = [
        entry
        for entry in model_entries(cis, metric)
        if model_holds(cis, entry, False) and not model_holds(metric, entry, False)
    ]
    assert missed
    assert all("routes.delete" in e[("protoPayload", "methodName")].lower() for e in missed)


EXTRA_TERMS = (
    "severity>=ERROR",
    'resource.type="gce_route"',
    'resource.type:"gce"',
    'protoPayload.methodName:"delete"',
    'protoPayload.methodName:"compute"',
    'protoPayload.methodName!="storage.setIamPermissions"',
    "protoPayload.serviceData:*",
    'protoPayload.serviceName:"googleapis.com"',
    f'{BINDING}.role:"owner"',
    "ProjectOwnership",
)


def terms_of(node: Expr, text: str) -> list[str]:
    if isinstance(node, And | Or):
        return [t for item in node.items for t in terms_of(item, text)]
    if isinstance(node, Not):
        return terms_of(node.item, text)
    return [source_of(text, node)]


def random_filter(rng: random.Random, pieces: list[str], depth: int = 3) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(pieces)
    joiner = rng.choice([" OR ", " OR ", " AND ", "NOT"])
    if joiner == "NOT":
        return f"NOT ({random_filter(rng, pieces, depth - 1)})"
    items = [random_filter(rng, pieces, depth - 1) for _ in range(rng.randint(2, 3))]
    return "(" + joiner.join(items) + ")"


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.cis_id)
def test_random_filters_qualify_only_when_the_model_agrees(requirement: MetricRequirement) -> None:
    rng = random.Random(f"metric-filters-{requirement.cis_id}")
    cis = parse(requirement.filter)
    assert not isinstance(cis, ParseError)
    pieces = [requirement.filter, *terms_of(cis, requirement.filter), *EXTRA_TERMS]
    outcomes = set()
    for _ in range(40):
        text = random_filter(rng, pieces)
        ok = qualifies(text, requirement).ok
        outcomes.add(ok)
        if ok:
            metric = parse(text)
            assert not isinstance(metric, ParseError)
            for entry in model_entries(cis, metric):
                for fold in (False, True):
                    if model_holds(cis, entry, fold):
                        assert model_holds(metric, entry, fold), (text, entry, fold)
    assert outcomes == {True, False}
