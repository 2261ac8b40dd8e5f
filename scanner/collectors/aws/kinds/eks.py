"""``aws.eks.cluster``: EKS clusters with the control-plane log types they send to CloudWatch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    EKS_CLUSTER,
    NAME,
    failure,
    resource,
)
from logwarden.scanner.collectors.aws.regional import Item, collect_by_region
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import ResourceKind


def enabled_log_types(logging: dict[str, Any]) -> list[str]:
    """The control-plane log types an EKS ``logging`` setting enables, sorted.

    ``clusterLogging`` is a list of ``{types, enabled}`` entries; a type counts when an
    enabled entry names it.
    """
    return sorted(
        {
            str(kind)
            for entry in logging.get("clusterLogging") or []
            if entry.get("enabled") is True
            for kind in entry.get("types") or []
        }
    )


def _read_region(session: AwsSession, me: str, region: str) -> Iterator[Item]:
    client = session.client("eks", region)
    names = [
        name
        for page in client.get_paginator("list_clusters").paginate()
        for name in page["clusters"]
    ]
    for name in sorted(names):
        try:
            cluster = client.describe_cluster(name=name)["cluster"]
        except AWS_ERRORS as exc:
            yield failure(me, EKS_CLUSTER, region, exc, f"describing EKS cluster {name}")
            continue
        data = {
            key: cluster[key]
            for key in ("name", "arn", "version", "status", "platformVersion", "logging")
            if key in cluster
        }
        data["EnabledLogTypes"] = enabled_log_types(cluster["logging"])
        yield resource(EKS_CLUSTER, cluster["arn"], me, region, data)


def collect_clusters(inv: Inventory) -> Iterator[Item]:
    """ListClusters per region, DescribeCluster per cluster; ``NotApplicable`` without any."""
    return collect_by_region(inv, EKS_CLUSTER, "EKS clusters", _read_region)


KINDS = [
    ResourceKind(
        name=EKS_CLUSTER,
        reads=(),
        cloud=NAME,
        description="EKS clusters with their control-plane logging, per region.",
        collect=collect_clusters,
        stage=1,
        volatile=("status", "platformVersion"),  # AWS moves both during upgrades
    ),
]
