"""``aws.config.aggregator`` and ``aws.config.delivery_channel``: configuration changes captured
centrally (an organization-wide aggregator; every recorder delivering to the central bucket).

Lives beside ``kinds/config.py`` (same service) to keep each module small.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    BUCKET,
    CONFIG_RECORDER,
    NAME,
    failure,
    incomplete,
    problem,
    regions_or_error,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.collectors.aws.kinds.organizations import require_org
from logwarden.scanner.collectors.aws.kinds.s3 import owned_buckets
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

AGGREGATOR = "aws.config.aggregator"
DELIVERY_CHANNEL = "aws.config.delivery_channel"
CONFIG_PRINCIPAL = "config.amazonaws.com"


def collect_aggregators(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """The aggregators of the management account and of the delegated administrators of AWS
    Config (``ListDelegatedAdministrators``), in every scanned region, once per organization."""
    require_org(inv)
    me = viewer_id(inv)
    session = session_of(inv)
    regions, error = regions_or_error(inv, AGGREGATOR)
    if error is not None:
        yield error
        return
    try:
        pages = session.client("organizations").get_paginator("list_delegated_administrators")
        listed = pages.paginate(ServicePrincipal=CONFIG_PRINCIPAL).build_full_result()
        delegated = sorted(a["Id"] for a in listed["DelegatedAdministrators"])
    except AWS_ERRORS as exc:
        yield failure(me, AGGREGATOR, "", exc, "listing the delegated administrators of AWS Config")
        return
    for account in [me, *(a for a in delegated if a != me)]:
        try:
            owner = session if account == me else session.pool.for_account(account)
        except AWS_ERRORS as exc:
            yield failure(
                account, AGGREGATOR, "", exc, "opening a session in the delegated administrator"
            )
            continue
        for region in regions:
            try:
                client = owner.client("config", region)
                pages = client.get_paginator("describe_configuration_aggregators").paginate()
                found = pages.build_full_result()["ConfigurationAggregators"]
            except AWS_ERRORS as exc:
                yield failure(
                    account, AGGREGATOR, region, exc, "describing configuration aggregators"
                )
                continue
            for aggregator in found:
                yield resource(
                    AGGREGATOR,
                    aggregator["ConfigurationAggregatorArn"],
                    account,
                    region,
                    _aggregator(aggregator, account, delegated, regions),
                )


def _aggregator(
    answer: dict[str, Any], account: str, delegated: list[str], regions: tuple[str, ...]
) -> dict[str, Any]:
    org_source = answer.get("OrganizationAggregationSource")
    if org_source is not None:
        covered = set(org_source.get("AwsRegions") or [])
        all_regions = bool(org_source.get("AllAwsRegions"))
    else:
        covered, all_regions = set(), False
    return {
        "Name": answer["ConfigurationAggregatorName"],
        "ConfigurationAggregatorArn": answer["ConfigurationAggregatorArn"],
        "Account": account,
        "DelegatedAdministrator": account in delegated,
        "OrganizationAggregationSource": org_source,
        "AccountAggregationSources": answer.get("AccountAggregationSources") or [],
        "OrganizationWide": org_source is not None,
        "CoversScannedRegions": all_regions or set(regions) <= covered,
    }


def collect_channels(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """``DescribeDeliveryChannels`` in each region that has a recorder, with whether the bucket
    is a bucket of the log-archive account (the accounts that own log buckets, or
    ``log_archive_account``)."""
    me = viewer_id(inv)
    session = session_of(inv)
    recorders = inv.get(CONFIG_RECORDER).resources
    gaps = source_errors(inv, CONFIG_RECORDER)
    # Which buckets are central depends on every account's log buckets. A bucket known to be
    # central stays central whatever could not be read (a gap can only add archives), but a
    # channel to any other bucket is unknown, not "not central", while a gap remains.
    bucket_gaps = [e for peer in inv.scanned() for e in peer.get(BUCKET).errors]
    archives = sorted({b.tenant_id for _, b in inv.peer_resources(BUCKET)})
    if session.settings.log_archive_account:
        archives = sorted({*archives, session.settings.log_archive_account})
    central: set[str] = set()
    peers = {p.tenant.id: p for p in inv.scanned() if p.tenant is not None}
    for account in archives:
        try:
            owner = (
                session_of(peers[account])
                if account in peers
                else session.pool.for_account(account)
            )
            central |= set(owned_buckets(owner))
        except AWS_ERRORS as exc:
            yield failure(
                me, DELIVERY_CHANNEL, "", exc, f"listing the buckets of log archive {account}"
            )
            return
    for region in sorted({r.region for r in recorders}):
        try:
            channels = session.client("config", region).describe_delivery_channels()[
                "DeliveryChannels"
            ]
        except AWS_ERRORS as exc:
            yield failure(me, DELIVERY_CHANNEL, region, exc, "describing delivery channels")
            continue
        for channel in channels:
            bucket = channel.get("s3BucketName")
            if bucket_gaps and not (bucket and bucket in central):
                cause = bucket_gaps[0]
                yield problem(
                    me,
                    DELIVERY_CHANNEL,
                    region,
                    "SourceUnavailable",
                    f"delivery channel {channel['name']} delivers to {bucket or 'no bucket'}, "
                    "which is not a known bucket of the log archive, and the log buckets of "
                    f"{len({e.tenant_id for e in bucket_gaps})} account(s) could not be read "
                    f"(first: {cause.tenant_id} {cause.kind}: {cause.code}: {cause.message})",
                )
                continue
            data = {
                **channel,
                "LogArchiveAccounts": archives,
                "CentralBucket": bool(bucket) and bucket in central,
            }
            rid = f"arn:{session.partition}:config:{region}:{me}:delivery-channel/{channel['name']}"
            yield resource(DELIVERY_CHANNEL, rid, me, region, data)
    if gaps:
        yield incomplete(me, DELIVERY_CHANNEL, "the delivery channels of this account", gaps)


KINDS = [
    ResourceKind(
        name=AGGREGATOR,
        reads=(),
        cloud=NAME,
        description="AWS Config aggregators of the management account and Config's delegated administrators.",
        collect=collect_aggregators,
        organization=True,
    ),
    ResourceKind(
        name=DELIVERY_CHANNEL,
        reads=(CONFIG_RECORDER, BUCKET),
        cloud=NAME,
        description="AWS Config delivery channels of the regions with a recorder.",
        collect=collect_channels,
        stage=3,
    ),
]
