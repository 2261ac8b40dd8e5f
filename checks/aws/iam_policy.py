"""Pure analysis of SCPs, S3 bucket policies and S3 ACLs (no I/O).

Used by aws.org.scp_protects_*, aws.s3.log_bucket_not_public and aws.s3.log_bucket_tls_only.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from logwarden.checks.aws.policy_match import (
    action_matches,
    as_list,
    as_strings,
    effect_is,
    is_wildcard_only,
    parse_policy,
    principal_is_everyone,
    resource_gap,
    resource_matches,
    statement_matches_action,
)

__all__ = [
    "DenyCoverage",
    "action_matches",
    "denies_insecure_transport",
    "deny_coverage",
    "parse_policy",
    "public_acl_grants",
    "public_policy_statements",
    "resource_matches",
]

# A Deny conditioned only on these operators and keys still applies to everyone except the
# exempted principals (e.g. a break-glass role), so it still protects.
_EXEMPTING_OPERATORS = frozenset({"stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike"})
_WILDCARD_OPERATORS = frozenset({"stringnotlike", "arnnotequals", "arnnotlike"})
_PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principaltype",
        "aws:userid",
        "aws:username",
        "aws:principalisawsservice",
        "aws:principalservicename",
    }
)

# An Allow to everyone is not public when one of these keys is pinned to a concrete value.
_RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:sourceip",
        "aws:userid",
        "aws:principalservicename",
    }
)
# Positive operators only: negated ones allow everyone else, and ...IfExists / ForAllValues:
# pass when the key is absent, which it is for an anonymous or direct caller.
_RESTRICTING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)

_PUBLIC_GROUPS = frozenset(
    {
        "acs.amazonaws.com/groups/global/allusers",
        "acs.amazonaws.com/groups/global/authenticatedusers",
    }
)
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


@dataclass(frozen=True)
class DenyCoverage:
    """Which required actions an SCP set denies, and why some Deny statements did not count."""

    covered: dict[str, str]
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when every required action is denied."""
        return not self.missing


def _policy_label(policy: Mapping[str, Any], index: int) -> str:
    name, pid = policy.get("Name"), policy.get("Id")
    if name and pid:
        return f"{name} ({pid})"
    return str(name or pid or f"policy #{index}")


def _condition_gap(condition: Any) -> str | None:
    """Why a Deny's Condition limits it beyond exempting principals, or None when it does not."""
    if condition in (None, {}):
        return None
    if not isinstance(condition, Mapping):
        return "its Condition is not a JSON object"
    for operator, block in condition.items():
        op = str(operator).casefold()
        base = op.removesuffix("ifexists")
        if not isinstance(block, Mapping):
            return f"condition operator {operator} has no key/value block"
        for key, value in block.items():
            k = str(key).casefold()
            if base not in _EXEMPTING_OPERATORS:
                return f"condition {operator} on {key} limits the deny"
            if k not in _PRINCIPAL_KEYS and not k.startswith("aws:principaltag/"):
                return f"condition {key} ({operator}) limits the deny"
            if base in _WILDCARD_OPERATORS and any(is_wildcard_only(v) for v in as_strings(value)):
                return f"condition {operator} {key} with a wildcard-only value exempts everyone"
    return None


def _principal_gap(stmt: Mapping[str, Any]) -> str | None:
    # SCPs have no Principal; a Deny with NotPrincipal only exempts principals, so it counts.
    if "Principal" in stmt and not principal_is_everyone(stmt["Principal"]):
        return "its Principal limits the deny to specific principals"
    return None


def deny_coverage(
    policies: Sequence[Mapping[str, Any]],
    actions: Sequence[str],
    resource_arns: Sequence[str],
) -> DenyCoverage:
    """Which of ``actions`` the Deny statements of ``policies`` block for every resource given.

    ``policies`` items are Organizations policies (``{"Id", "Name", "Content"}``; Content may be
    JSON text or a dict; a bare policy document is accepted too). An action counts as covered
    when some Deny statement matches it (Action glob, or NotAction that does not match it),
    applies to every ARN of ``resource_arns`` (absent Resource = "*"; an empty
    ``resource_arns`` demands a statement that applies to "*", i.e. Resource "*" and no
    NotResource), and has no Condition other than negated string/ARN operators on
    principal-identity keys (exempting e.g. an admin role). Required actions and ARNs may
    contain wildcards: the statement must then cover all they stand for. The union over all
    statements of all policies counts; ``notes`` explains each Deny statement that matched a
    required action but did not count.
    """
    required = list(dict.fromkeys(actions))
    covered: dict[str, str] = {}
    notes: list[str] = []
    for p_index, policy in enumerate(policies):
        label = _policy_label(policy, p_index)
        raw = policy.get("Content") if "Content" in policy else policy
        try:
            doc = parse_policy(raw)
        except ValueError as exc:
            notes.append(f"{label}: content could not be read ({exc})")
            continue
        for s_index, stmt in enumerate(doc["Statement"] if doc else []):
            if not effect_is(stmt, "Deny"):
                continue
            matched = [a for a in required if statement_matches_action(stmt, a)]
            if not matched:
                continue
            sid = stmt.get("Sid")
            where = f"{label} statement {sid if sid else f'#{s_index}'}"
            gap = (
                _principal_gap(stmt)
                or resource_gap(stmt, resource_arns)
                or _condition_gap(stmt.get("Condition"))
            )
            if gap:
                notes.append(f"{where}: {gap}")
                continue
            for action in matched:
                covered.setdefault(action, where)
    return DenyCoverage(
        covered={a: covered[a] for a in required if a in covered},
        missing=tuple(a for a in required if a not in covered),
        notes=tuple(dict.fromkeys(notes)),
    )


def _restricts_caller(condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        return False
    for operator, block in condition.items():
        if str(operator).casefold() not in _RESTRICTING_OPERATORS or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            if str(key).casefold() not in _RESTRICTING_KEYS:
                continue
            values = as_strings(value)
            if values and not any(is_wildcard_only(v) or _is_any_network(v) for v in values):
                return True
    return False


def _is_any_network(value: str) -> bool:
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def public_policy_statements(policy: Mapping[str, Any] | str | None) -> list[dict[str, Any]]:
    """Allow statements of a bucket policy that grant to everyone without a restricting condition.

    Everyone is ``Principal: "*"``, ``{"AWS": "*"}`` (or a list containing "*"),
    ``{"CanonicalUser": "*"}``, or any ``NotPrincipal`` with Allow. A condition restricts when a
    positive operator (StringEquals/Like, ArnEquals/Like, IpAddress; not ...IfExists, not
    ForAnyValue/ForAllValues) pins a source/caller key such as aws:SourceArn or
    aws:PrincipalOrgID to a value that is not only wildcards (nor a /0 network).
    aws:SecureTransport does not restrict who. Returns copies of the original statements.
    Raises ValueError when ``policy`` is text that is not valid JSON.
    """
    doc = parse_policy(policy)
    found: list[dict[str, Any]] = []
    for stmt in doc["Statement"] if doc else []:
        if not effect_is(stmt, "Allow"):
            continue
        if "NotPrincipal" not in stmt and not principal_is_everyone(stmt.get("Principal")):
            continue
        if not _restricts_caller(stmt.get("Condition")):
            found.append(copy.deepcopy(stmt))
    return found


def public_acl_grants(acl: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Grants of a GetBucketAcl response to the AllUsers or AuthenticatedUsers groups (copies)."""
    found: list[dict[str, Any]] = []
    for grant in as_list((acl or {}).get("Grants")):
        grantee = grant.get("Grantee") if isinstance(grant, Mapping) else None
        if not isinstance(grantee, Mapping):
            continue
        uri = str(grantee.get("URI") or "").strip().casefold().rstrip("/")
        uri = uri.removeprefix("https://").removeprefix("http://")
        if uri in _PUBLIC_GROUPS:
            found.append(copy.deepcopy(dict(grant)))
    return found


def _is_insecure_transport_condition(condition: Any) -> bool:
    # Exactly one condition, Bool[IfExists] aws:SecureTransport = false: any other key would
    # narrow the deny. s3:TlsVersion conditions are about the TLS version, not TLS-only.
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return False
    (operator, block), *_ = condition.items()
    if str(operator).casefold() not in ("bool", "boolifexists"):
        return False
    if not isinstance(block, Mapping) or len(block) != 1:
        return False
    (key, value), *_ = block.items()
    values = [v.strip().casefold() for v in as_strings(value)]
    return str(key).casefold() == "aws:securetransport" and "false" in values


def denies_insecure_transport(policy: Mapping[str, Any] | str | None, bucket_name: str) -> bool:
    """Whether the bucket policy denies every non-TLS request to the bucket and its objects.

    Needs one Deny statement with Principal everyone, an Action (or NotAction) covering
    s3:GetObject and s3:PutObject, a Resource covering both ``arn:<partition>:s3:::NAME`` and
    ``arn:<partition>:s3:::NAME/*`` (patterns allowed, partition aws, aws-cn or aws-us-gov),
    and as its only condition ``Bool``/``BoolIfExists`` ``aws:SecureTransport`` = false.
    A ``NumericLessThan s3:TlsVersion`` deny enforces a TLS version, not TLS-only: not counted.
    Raises ValueError when ``policy`` is text that is not valid JSON.
    """
    doc = parse_policy(policy)
    for stmt in doc["Statement"] if doc else []:
        if not effect_is(stmt, "Deny") or "NotPrincipal" in stmt:
            continue
        if not principal_is_everyone(stmt.get("Principal")):
            continue
        if not all(statement_matches_action(stmt, a) for a in ("s3:GetObject", "s3:PutObject")):
            continue
        if not _is_insecure_transport_condition(stmt.get("Condition")):
            continue
        # A bucket policy must name its resources: no Resource means no match, not "*".
        if "Resource" not in stmt and "NotResource" not in stmt:
            continue
        for part in _PARTITIONS:
            bucket_arn = f"arn:{part}:s3:::{bucket_name}"
            if resource_gap(stmt, [bucket_arn, f"{bucket_arn}/*"]) is None:
                return True
    return False
