"""What each AWS answer that logwarden reads must contain: the declared table.

Every operation the collectors and the drift-attribution readers call is listed here, with
the parts of a successful (2xx) answer they rely on. ``logwarden.scanner.collectors.aws.responses``
checks every answer against this table as botocore parses it: an answer without a required
key, or with a value of the wrong type, is a ``MalformedResponse`` (a collection error, so an
ERROR row), never "nothing configured". An operation listed with no requirement is one whose
answer legitimately omits every field (``GetBucketLogging`` when logging is off).

Sources: the botocore service models (shapes and types), the AWS API references (what every
answer carries, such as ``trailList`` in ``DescribeTrails`` even when it is empty), and the
answers of moto (what the sandbox and the tests see). The tests fail when a clean scan of the
sandbox calls an operation missing here, so the table cannot go stale.

Paths: ``Key``, ``Key.Sub`` (a nested object's key), ``List[].Key`` (a key of every element).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

#: The kind of a policy document carried as a string: it must parse as a JSON object.
JSON_OBJECT = "a JSON object in a string"

Kind = type | str


@dataclass(frozen=True)
class Need:
    """One requirement: one of ``paths`` is present with a value of ``kind``.

    ``optional``: the first key of the path may be absent (a list AWS omits when it is
    empty); when it is present, the rest of the path is required.
    """

    paths: tuple[str, ...]
    kind: Kind
    optional: bool = False


def key(path: str, kind: Kind) -> Need:
    """``path`` must be present with a value of ``kind``."""
    return Need((path,), kind)


def either(paths: tuple[str, ...], kind: Kind) -> Need:
    """At least one of ``paths`` must be present; each that is present must be of ``kind``."""
    return Need(paths, kind)


def optional(path: str, kind: Kind) -> Need:
    """``path`` may be absent from its first key on; when present it must be of ``kind``."""
    return Need((path,), kind, optional=True)


ANSWERS: Mapping[str, Mapping[str, tuple[Need, ...]]] = {
    "sts": {
        "GetCallerIdentity": (key("Account", str), key("Arn", str)),
        "AssumeRole": (
            key("Credentials.AccessKeyId", str),
            key("Credentials.SecretAccessKey", str),
            key("Credentials.SessionToken", str),
            key("Credentials.Expiration", dt.datetime),
        ),
    },
    "iam": {
        "GetAccountAuthorizationDetails": (
            key("RoleDetailList", list),
            key("RoleDetailList[].Arn", str),
            key("IsTruncated", bool),
            optional("Policies[].Arn", str),
        ),
    },
    "ec2": {
        "DescribeRegions": (key("Regions", list), key("Regions[].RegionName", str)),
        "DescribeVpcs": (
            key("Vpcs", list),
            key("Vpcs[].VpcId", str),
            key("Vpcs[].OwnerId", str),
        ),
        "DescribeFlowLogs": (key("FlowLogs", list), key("FlowLogs[].FlowLogId", str)),
    },
    "securityhub": {
        # An account that never enabled Security Hub gets InvalidAccessException instead.
        "DescribeHub": (key("HubArn", str),),
    },
    "organizations": {
        "DescribeOrganization": (
            key("Organization.Id", str),
            key("Organization.Arn", str),
            key("Organization.MasterAccountId", str),
        ),
        "ListRoots": (key("Roots", list), key("Roots[].Id", str)),
        "ListOrganizationalUnitsForParent": (
            key("OrganizationalUnits", list),
            key("OrganizationalUnits[].Id", str),
        ),
        "ListAccountsForParent": (
            key("Accounts", list),
            key("Accounts[].Id", str),
            key("Accounts[].Arn", str),
        ),
        "ListPolicies": (key("Policies", list), key("Policies[].Id", str)),
        "ListTargetsForPolicy": (key("Targets", list), key("Targets[].TargetId", str)),
        "ListDelegatedAdministrators": (
            key("DelegatedAdministrators", list),
            optional("DelegatedAdministrators[].Id", str),
        ),
        "DescribePolicy": (
            key("Policy.PolicySummary", dict),
            key("Policy.Content", JSON_OBJECT),
        ),
    },
    "cloudtrail": {
        "DescribeTrails": (key("trailList", list), key("trailList[].TrailARN", str)),
        "GetTrailStatus": (key("IsLogging", bool),),
        # A trail has basic or advanced selectors (AWS returns the default basic selector
        # when none was ever set); neither means the answer was not read.
        "GetEventSelectors": (either(("EventSelectors", "AdvancedEventSelectors"), list),),
        "LookupEvents": (key("Events", list),),
    },
    "config": {
        "DescribeConfigurationRecorders": (
            key("ConfigurationRecorders", list),
            key("ConfigurationRecorders[].name", str),
        ),
        "DescribeConfigurationAggregators": (
            key("ConfigurationAggregators", list),
            key("ConfigurationAggregators[].ConfigurationAggregatorArn", str),
            key("ConfigurationAggregators[].ConfigurationAggregatorName", str),
        ),
        "DescribeDeliveryChannels": (
            key("DeliveryChannels", list),
            key("DeliveryChannels[].name", str),
        ),
        "DescribeConfigurationRecorderStatus": (
            key("ConfigurationRecordersStatus", list),
            key("ConfigurationRecordersStatus[].name", str),
        ),
    },
    "kms": {
        "DescribeKey": (key("KeyMetadata.Arn", str), key("KeyMetadata.KeyId", str)),
        "GetKeyRotationStatus": (key("KeyRotationEnabled", bool),),
        "ListKeys": (key("Keys", list), key("Keys[].KeyId", str)),
        "GetKeyPolicy": (key("Policy", JSON_OBJECT),),
    },
    "logs": {
        "DescribeLogGroups": (key("logGroups", list), key("logGroups[].logGroupName", str)),
        "DescribeMetricFilters": (
            key("metricFilters", list),
            key("metricFilters[].filterName", str),
        ),
    },
    "cloudwatch": {
        "DescribeAlarms": (key("MetricAlarms", list), key("MetricAlarms[].AlarmArn", str)),
    },
    "events": {
        "ListRules": (key("Rules", list), key("Rules[].Name", str), key("Rules[].Arn", str)),
        "ListTargetsByRule": (
            key("Targets", list),
            key("Targets[].Id", str),
            key("Targets[].Arn", str),
        ),
    },
    "sns": {
        "ListSubscriptionsByTopic": (
            key("Subscriptions", list),
            key("Subscriptions[].SubscriptionArn", str),
        ),
    },
    "s3": {
        "ListBuckets": (key("Buckets", list), key("Buckets[].Name", str)),
        # Absent (or null) for us-east-1: nothing to require.
        "GetBucketLocation": (),
        "GetBucketEncryption": (key("ServerSideEncryptionConfiguration.Rules", list),),
        "GetPublicAccessBlock": (key("PublicAccessBlockConfiguration", dict),),
        "GetBucketOwnershipControls": (key("OwnershipControls.Rules", list),),
        "GetBucketPolicy": (key("Policy", JSON_OBJECT),),
        "GetBucketAcl": (key("Owner", dict), key("Grants", list)),
        "GetBucketLifecycleConfiguration": (key("Rules", list),),
        # Logging off and versioning never enabled are answers without any field.
        "GetBucketLogging": (),
        "GetBucketVersioning": (),
        "GetObjectLockConfiguration": (key("ObjectLockConfiguration", dict),),
        "ListObjectsV2": (key("IsTruncated", bool), optional("Contents[].Key", str)),
        "GetObject": (),  # a stream: the reader checks what it reads
    },
    "eks": {
        "ListClusters": (key("clusters", list),),
        "DescribeCluster": (
            key("cluster.name", str),
            key("cluster.arn", str),
            # AWS answers every log type, enabled or not: without it nothing is known.
            key("cluster.logging.clusterLogging", list),
            key("cluster.logging.clusterLogging[].types", list),
            key("cluster.logging.clusterLogging[].enabled", bool),
        ),
    },
    "rds": {
        # EnabledCloudwatchLogsExports is omitted when nothing is exported.
        "DescribeDBInstances": (
            key("DBInstances", list),
            key("DBInstances[].DBInstanceIdentifier", str),
            key("DBInstances[].DBInstanceArn", str),
            key("DBInstances[].Engine", str),
        ),
        "DescribeDBClusters": (
            key("DBClusters", list),
            key("DBClusters[].DBClusterIdentifier", str),
            key("DBClusters[].DBClusterArn", str),
            key("DBClusters[].Engine", str),
        ),
    },
    "elbv2": {
        "DescribeLoadBalancers": (
            key("LoadBalancers", list),
            key("LoadBalancers[].LoadBalancerArn", str),
            key("LoadBalancers[].LoadBalancerName", str),
            key("LoadBalancers[].Type", str),
        ),
        # Whether access_logs.s3.enabled is among them is checked by the collector.
        "DescribeLoadBalancerAttributes": (key("Attributes", list), key("Attributes[].Key", str)),
    },
    "route53resolver": {
        "ListResolverQueryLogConfigAssociations": (
            key("ResolverQueryLogConfigAssociations", list),
            key("ResolverQueryLogConfigAssociations[].ResolverQueryLogConfigId", str),
            key("ResolverQueryLogConfigAssociations[].ResourceId", str),
            key("ResolverQueryLogConfigAssociations[].Status", str),
        ),
        "ListResolverQueryLogConfigs": (
            key("ResolverQueryLogConfigs", list),
            key("ResolverQueryLogConfigs[].Id", str),
            key("ResolverQueryLogConfigs[].DestinationArn", str),
        ),
    },
    "s3control": {
        "GetPublicAccessBlock": (key("PublicAccessBlockConfiguration", dict),),
    },
}


def declared(service: str, operation: str) -> tuple[Need, ...] | None:
    """The requirements of one operation; ``None`` when the table does not list it."""
    return ANSWERS.get(service, {}).get(operation)


def operations() -> list[tuple[str, str]]:
    """Every declared ``(service, operation)``, sorted."""
    return sorted((s, op) for s, ops in ANSWERS.items() for op in ops)
