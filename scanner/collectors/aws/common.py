"""Helpers shared by the AWS kinds: normalisation, error values, ARNs, regions and peers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from logwarden.scanner.collectors.aws import NAME
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.models import CollectionError, Resource

if TYPE_CHECKING:
    from logwarden.scanner.collectors.aws.session import AwsSession
    from logwarden.scanner.inventory import Inventory


ORGANIZATION = "aws.organizations.organization"
ACCOUNT = "aws.organizations.account"
POLICY = "aws.organizations.policy"
ORG_TRAIL = "aws.cloudtrail.org_trail"
TRAIL = "aws.cloudtrail.trail"
BUCKET = "aws.s3.bucket"
KMS_KEY = "aws.kms.key"
CONFIG_RECORDER = "aws.config.recorder"
CONFIG_REGIONS = "aws.config.regions"
LOG_GROUP = "aws.logs.log_group"
EKS_CLUSTER = "aws.eks.cluster"
RDS_DATABASE = "aws.rds.database"
LOAD_BALANCER = "aws.elbv2.load_balancer"
RESOLVER_VPC = "aws.route53resolver.vpc"

#: The code of the error for a log bucket that no scanned account owns.
LOG_BUCKET_NOT_FOUND = "LogBucketNotFound"

# What one region (or one bucket, key, trail) can fail with; ParamValidationError is a
# logwarden bug and must surface as an internal error instead.
AWS_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError, SessionUnavailable)


def normalise(value: Any) -> Any:
    """Canonical JSON: no ``ResponseMetadata``, datetimes as ISO 8601 UTC strings, lists for tuples."""
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # botocore always returns aware datetimes; be safe anyway
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def error_code(exc: BaseException) -> tuple[str, str]:
    """The (code, message) of an AWS failure, for a ``CollectionError``."""
    if isinstance(exc, ParamValidationError):
        raise exc  # a bug in logwarden: let the inventory report it as internal
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(
            err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        )
        return code, str(err.get("Message") or exc)
    if isinstance(exc, SessionUnavailable):
        return exc.code, exc.message
    return type(exc).__name__, str(exc)


def failure(
    tenant_id: str, kind: str, region: str, exc: BaseException, context: str = ""
) -> CollectionError:
    """Turn an AWS exception into a ``CollectionError`` value."""
    code, message = error_code(exc)
    if context:
        message = f"{context}: {message}"
    return CollectionError(
        cloud=NAME, tenant_id=tenant_id, kind=kind, region=region, code=code, message=message
    )


def problem(tenant_id: str, kind: str, region: str, code: str, message: str) -> CollectionError:
    """A ``CollectionError`` that logwarden itself detected (not an API answer)."""
    return CollectionError(
        cloud=NAME, tenant_id=tenant_id, kind=kind, region=region, code=code, message=message
    )


def resource(kind: str, rid: str, tenant_id: str, region: str, data: Mapping[str, Any]) -> Resource:
    """A ``Resource`` whose data is normalised."""
    return Resource(kind=kind, id=rid, tenant_id=tenant_id, region=region, data=normalise(data))


@dataclass(frozen=True)
class Arn:
    """The parts of an ARN (``arn:partition:service:region:account:resource``)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        """Parse an ARN; ``None`` when ``text`` is not one."""
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])


def viewer_id(inv: Inventory) -> str:
    """The account whose inventory this is (the management account for the organization)."""
    if inv.tenant is not None:
        return inv.tenant.id
    org = inv.organization
    return (org.management_tenant_id or "") if org else ""


def session_of(inv: Inventory) -> AwsSession:
    """The inventory's session, typed."""
    return inv.session


def scan_regions(inv: Inventory) -> tuple[str, ...]:
    """The regions to scan for this inventory's account.

    A configured list is on the tenant since discovery; ``regions: enabled`` is resolved by the
    session on first use (one ``ec2:DescribeRegions`` per account). Raises an AWS error.
    """
    if inv.tenant is not None and inv.tenant.regions:
        return inv.tenant.regions
    return session_of(inv).regions()


def all_trails(inv: Inventory) -> list[Resource]:
    """Every trail of the organization, each once: all peers' trails plus the org trails.

    The same for every tenant of the scan: computed once (``Inventory.scope_memo``)."""
    return list(inv.scope_memo.get("aws:all_trails", lambda: _all_trails(inv)))


def _all_trails(inv: Inventory) -> list[Resource]:
    seen: dict[str, Resource] = {}
    for _, res in inv.peer_resources(TRAIL):
        # Prefer the owner's own (non-shadow) copy of a trail when several peers list it.
        if res.id not in seen or not res.data.get("Shadow"):
            seen[res.id] = res
    for res in inv.org_kind(ORG_TRAIL)[0]:
        seen.setdefault(res.id, res)
    return [seen[k] for k in sorted(seen)]


def source_errors(inv: Inventory, *kinds: str) -> list[CollectionError]:
    """The errors this account met collecting ``kinds``: facts derived from them may be missing.

    Derived kinds read their sources across the organization (every trail names a log bucket,
    a key, a log group), but only this account's own sources are taken as gaps of this
    account: its trail listing includes the organization trails (with their errors), and an
    account whose trails cannot be read has ERROR rows of its own, as an account outside the
    scan would have none.
    """
    return [err for kind in kinds for err in inv.get(kind).errors]


def incomplete(
    tenant_id: str, kind: str, what: str, sources: Sequence[CollectionError]
) -> CollectionError:
    """The error of a derived kind whose sources had errors: ``what`` cannot all be known."""
    shown = "; ".join(
        f"{e.kind}{f' in {e.region}' if e.region else ''}: {e.code}: {e.message}"
        for e in sources[:3]
    )
    more = f" (and {len(sources) - 3} more)" if len(sources) > 3 else ""
    return problem(
        tenant_id,
        kind,
        "",
        "SourceUnavailable",
        f"{what} cannot all be known, because what names them could not be read: {shown}{more}",
    )


def unique(items: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated, without empty strings."""
    return sorted({i for i in items if i})


def regions_or_error(inv: Inventory, kind: str) -> tuple[tuple[str, ...], CollectionError | None]:
    """:func:`scan_regions`, or the error of ``kind`` for the whole account when they cannot
    be listed (for per-region collectors)."""
    try:
        return tuple(scan_regions(inv)), None
    except AWS_ERRORS as exc:
        return (), failure(viewer_id(inv), kind, "", exc, "listing the enabled regions")


def all_pages(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    """Every item under ``key`` of a paginated listing (all pages, or the AWS error)."""
    return list(client.get_paginator(operation).paginate().build_full_result()[key])
