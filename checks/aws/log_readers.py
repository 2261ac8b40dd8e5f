"""aws.s3.log_archive_readers: who can read the log archive, and whether each may.

Read = ``s3:GetObject`` on the log bucket's objects, or ``kms:Decrypt`` with its key (wider
actions and wildcards count: ``s3:Get*``, ``s3:*``, ``*``, ``NotAction``). Readers come from the
bucket policy, the key policy and the identity policies of the roles of the log-archive account
(which count for S3 always, and for KMS where the key policy delegates to the account). A reader
is allowed when it is not a wildcard, is inside the organization (``aws:PrincipalOrgID``,
``aws:SourceOrgID``, ``aws:SourceAccount``, ``aws:PrincipalAccount``, ``kms:CallerAccount`` and
``aws:PrincipalArn`` conditions narrow a statement's principals) and matches
``log_archive_readers`` (ARN globs; when unset, only the log-archive account's own principals
may read). Deny statements are not subtracted: a reader a Deny would stop is still listed, so an
unusual policy can make the control FAIL, never PASS wrongly.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from logwarden.checks.aws.policy_match import (
    as_list,
    as_strings,
    effect_is,
    parse_policy,
    resource_matches,
    resource_overlaps,
    statement_matches_action,
)
from logwarden.scanner.models import CheckContext, Outcome, Status

ACCESS = "aws.iam.log_archive_access"
S3_READ, KMS_READ = "s3:GetObject", "kms:Decrypt"
_POSITIVE = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)


@dataclass(frozen=True)
class Reader:
    """One principal that a statement lets read, and the verdict on it ("" = allowed)."""

    principal: str
    action: str
    via: str
    problem: str = ""


@dataclass(frozen=True)
class Scope:
    """What the check knows: the organization, its accounts, the archive, the allow-list."""

    org_id: str
    accounts: frozenset[str]
    archive: str
    allow: tuple[str, ...] | None

    def verdict(self, principal: str, account: str) -> str:
        """ "" when ``principal`` of ``account`` may read, else why not."""
        if account not in self.accounts:
            return f"account {account} is outside the organization"
        if self.allow is None:
            if account == self.archive:
                return ""
            return "not a principal of the log-archive account (log_archive_readers is not set)"
        if any(fnmatch.fnmatchcase(principal, glob) for glob in self.allow):
            return ""
        return "not in log_archive_readers"


def _conditions(stmt: Mapping[str, Any]) -> dict[str, list[str]]:
    """Values of the positive (not IfExists, not ForAnyValue) conditions, by lower-case key."""
    found: dict[str, list[str]] = {}
    condition = stmt.get("Condition")
    if not isinstance(condition, Mapping):
        return found
    for operator, block in condition.items():
        if str(operator).casefold() not in _POSITIVE or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            found.setdefault(str(key).casefold(), []).extend(as_strings(value))
    return found


def _account_of(principal: str) -> str:
    if principal.isdigit():
        return principal
    parts = principal.split(":")
    return parts[4] if len(parts) > 5 else ""


def _is_root(principal: str) -> bool:
    return principal.isdigit() or principal.endswith(":root")


def grants(policy: Any, action: str, target: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, statement) of every Allow statement of ``policy`` letting ``action`` reach an
    ARN ``target`` stands for. Raises ValueError for a policy that is not JSON."""
    doc = parse_policy(policy)
    for index, stmt in enumerate(doc["Statement"] if doc else []):
        if not effect_is(stmt, "Allow") or not statement_matches_action(stmt, action):
            continue
        if "NotResource" in stmt:
            if any(resource_matches(str(p), target) for p in as_list(stmt["NotResource"])):
                continue
        elif not any(resource_overlaps(str(p), target) for p in as_list(stmt.get("Resource", "*"))):
            continue
        yield str(stmt.get("Sid") or f"statement #{index + 1}"), stmt


def resource_readers(
    policy: Any, action: str, target: str, where: str, owner: str, scope: Scope
) -> tuple[list[Reader], bool]:
    """Readers a resource policy names, and whether it delegates to ``owner``'s own IAM."""
    readers: list[Reader] = []
    delegates = False
    for label, stmt in grants(policy, action, target):
        via = f"{where} ({label})"
        cond = _conditions(stmt)
        for kind, principal in _principals(stmt):
            if kind == "*":
                narrowed = cond.get("aws:principalarn") or [
                    f"arn:aws:iam::{a}:root"
                    for a in cond.get("aws:principalaccount", [])
                    + cond.get("kms:calleraccount", [])
                ]
                if not narrowed:
                    readers.append(Reader("*", action, via, _wildcard(cond, scope)))
                    continue
                principals = narrowed
            elif kind == "Service":
                readers.append(Reader(principal, action, via, _service(principal, cond, scope)))
                continue
            elif kind != "AWS":
                readers.append(Reader(principal, action, via, f"{kind} principal"))
                continue
            else:
                principals = [principal]
            for arn in principals:
                account = _account_of(arn)
                if _is_root(arn) and account == owner == scope.archive:
                    delegates = True  # expanded into the identity policies of the account
                    continue
                readers.append(Reader(arn, action, via, scope.verdict(arn, account)))
    return readers, delegates


def _principals(stmt: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "NotPrincipal" in stmt:
        return [("*", "*")]
    principal = stmt.get("Principal")
    if isinstance(principal, str):
        return [("*", "*")] if principal.strip() == "*" else [("AWS", principal)]
    out: list[tuple[str, str]] = []
    for kind, values in (principal or {}).items():
        for value in as_strings(values):
            out.append(
                ("*", "*")
                if value.strip() == "*" and kind in ("AWS", "CanonicalUser")
                else (str(kind), value)
            )
    return out


def _wildcard(cond: Mapping[str, list[str]], scope: Scope) -> str:
    orgs = cond.get("aws:principalorgid", [])
    if orgs and set(orgs) == {scope.org_id}:
        return f"wildcard principal (any principal of the organization {scope.org_id})"
    if orgs:
        return f"wildcard principal of organization(s) {', '.join(orgs)}, outside the organization"
    return "wildcard principal: anyone"


def _service(service: str, cond: Mapping[str, list[str]], scope: Scope) -> str:
    orgs = set(cond.get("aws:sourceorgid", []))
    accounts = set(cond.get("aws:sourceaccount", [])) | {
        _account_of(a) for a in cond.get("aws:sourcearn", [])
    }
    scoped = (orgs and orgs == {scope.org_id}) or (accounts and accounts <= scope.accounts)
    if not scoped:
        return "service principal not restricted to the organization (aws:SourceOrgID / aws:SourceAccount)"
    if scope.allow is not None and not any(fnmatch.fnmatchcase(service, g) for g in scope.allow):
        return "not in log_archive_readers"
    return ""


def identity_readers(
    roles: list[dict[str, Any]], action: str, target: str, scope: Scope
) -> list[Reader]:
    """Roles of the log-archive account whose identity policies allow ``action`` on ``target``."""
    readers = []
    for role in roles:
        for policy in role.get("Policies", []):
            for label, _ in grants(policy.get("Document"), action, target):
                via = f"identity policy {policy.get('Name')} ({label})"
                arn = str(role["Arn"])
                readers.append(Reader(arn, action, via, scope.verdict(arn, _account_of(arn))))
    return readers


def all_readers(data: Mapping[str, Any], scope: Scope) -> list[Reader]:
    """Every reader of one ``aws.iam.log_archive_access`` document."""
    objects = f"{data['BucketArn']}/*"
    account = str(data["Account"])
    readers, _ = resource_readers(
        data.get("BucketPolicy"), S3_READ, objects, "bucket policy", account, scope
    )
    roles = data.get("Roles") or []
    readers += identity_readers(roles, S3_READ, objects, scope)
    if data.get("Key"):
        key_readers, delegates = resource_readers(
            data.get("KeyPolicy"),
            KMS_READ,
            data["Key"],
            "key policy",
            str(data["KeyAccount"]),
            scope,
        )
        readers += key_readers
        if delegates:
            readers += identity_readers(roles, KMS_READ, data["Key"], scope)
    return readers


def log_archive_readers(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per log bucket: every reader listed, FAIL when one may not read."""
    orgs = ctx.resources("aws.organizations.organization")
    accounts = frozenset(str(a.data.get("Id")) for a in ctx.resources("aws.organizations.account"))
    allow = ctx.parameters.get("log_archive_readers")
    for doc in ctx.resources(ACCESS):
        data = doc.data
        name = data.get("Bucket", doc.id)
        if not orgs or not accounts:
            yield Outcome(
                Status.ERROR,
                f"{name}: could not be evaluated: the organization and its accounts are not known "
                "(scan the organization from its management account)",
                doc.id,
                doc.region,
            )
            continue
        scope = Scope(
            org_id=str(orgs[0].data.get("Id")),
            accounts=accounts,
            archive=str(data["Account"]),
            allow=tuple(str(a) for a in allow) if allow is not None else None,
        )
        try:
            readers = all_readers(data, scope)
        except ValueError as exc:
            yield Outcome(
                Status.ERROR, f"{name}: could not be evaluated: {exc}", doc.id, doc.region
            )
            continue
        evidence = {
            "Readers": [asdict(r) for r in readers],
            "AllowList": list(scope.allow) if scope.allow is not None else None,
        }
        bad = [r for r in readers if r.problem]
        shown = sorted({r.principal for r in readers})
        if not bad:
            who = ", ".join(shown) if shown else "nobody"
            yield Outcome(
                Status.PASS, f"{name}: the logs can be read by {who}", doc.id, doc.region, evidence
            )
            continue
        text = "; ".join(f"{r.principal} via {r.via}: {r.problem}" for r in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        yield Outcome(
            Status.FAIL,
            f"{name}: {len(bad)} grant(s) of read access that should not exist: {text}{more}",
            doc.id,
            doc.region,
            evidence,
        )
