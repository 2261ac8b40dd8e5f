"""Derived fields of the AWS documents (pure functions) and the plugin's registration."""

from __future__ import annotations

import datetime as dt

import pluggy
import pytest

import logwarden.scanner.collectors.aws as aws_plugin
from logwarden.scanner import hookspecs
from logwarden.scanner.collectors.aws import s3_derive
from logwarden.scanner.collectors.aws.common import normalise
from logwarden.scanner.collectors.aws.kinds.organizations import parse_policy
from logwarden.scanner.collectors.aws.trails import management_events


def test_plugin_registers_with_pluggy_and_declares_every_documented_kind() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(aws_plugin)
    pm.check_pending()
    (cloud,) = [c for batch in pm.hook.logwarden_register_clouds() for c in batch]
    assert (cloud.name, cloud.label, cloud.tenant_word) == ("aws", "AWS", "account")
    kinds = list(cloud.kinds())
    stages = {k.name: (k.stage, k.organization) for k in kinds}
    assert stages == {
        "aws.organizations.organization": (0, True),
        "aws.organizations.account": (0, True),
        "aws.organizations.policy": (0, True),
        "aws.cloudtrail.org_trail": (0, True),
        "aws.cloudtrail.trail": (1, False),
        "aws.config.recorder": (1, False),
        "aws.config.regions": (1, False),
        "aws.s3.bucket": (2, False),
        "aws.logs.log_group": (2, False),
        "aws.kms.key": (3, False),
        "aws.kms.account_key": (1, False),
        "aws.ec2.vpc": (1, False),
        "aws.securityhub.hub": (1, False),
        "aws.iam.log_archive_access": (4, False),
        "aws.config.aggregator": (0, True),
        "aws.config.delivery_channel": (3, False),
        "aws.logs.metric_filter": (3, False),
        "aws.cloudwatch.alarm": (4, False),
        "aws.sns.topic": (5, False),
        "aws.events.default_bus": (0, False),
        "aws.eks.cluster": (1, False),
        "aws.rds.database": (1, False),
        "aws.elbv2.load_balancer": (1, False),
        "aws.route53resolver.vpc": (2, False),  # reads aws.ec2.vpc
    }
    assert all(k.cloud == "aws" and k.description for k in kinds)


def test_normalise() -> None:
    when = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    got = normalise({"ResponseMetadata": {}, "A": [when, (1, b"x")], "B": {"C": None}})
    assert got == {"A": ["2024-05-01T10:00:00Z", [1, "x"]], "B": {"C": None}}


ALL = {"Read": True, "Write": True, "ExcludedSources": []}
NONE = {"Read": False, "Write": False, "ExcludedSources": []}


@pytest.mark.parametrize(
    ("basic", "advanced", "expected"),
    [
        # AWS answers a trail created without selectors with its default selector, so an
        # answer without any selector is a trail that logs nothing (moto leaves both empty)
        (None, None, NONE),
        ([], [], NONE),
        ([{"ReadWriteType": "All", "IncludeManagementEvents": True}], None, ALL),
        (
            [
                {
                    "ReadWriteType": "WriteOnly",
                    "ExcludeManagementEventSources": ["kms.amazonaws.com"],
                }
            ],
            None,
            {"Read": False, "Write": True, "ExcludedSources": ["kms.amazonaws.com"]},
        ),
        (
            [
                {"ReadWriteType": "ReadOnly"},
                {
                    "ReadWriteType": "WriteOnly",
                    "ExcludeManagementEventSources": ["kms.amazonaws.com"],
                },
            ],
            None,
            {"Read": True, "Write": True, "ExcludedSources": []},
        ),
        (
            [{"ReadWriteType": "All", "IncludeManagementEvents": False}],
            None,
            {"Read": False, "Write": False, "ExcludedSources": []},
        ),
        (
            None,
            [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}],
            ALL,
        ),
        (
            None,
            [
                {
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "readOnly", "NotEquals": ["false"]},
                        {"Field": "eventSource", "NotStartsWith": ["rds"]},
                    ]
                }
            ],
            {"Read": True, "Write": False, "ExcludedSources": ["rds*"]},
        ),
        (  # logs only one source: does not count as management events coverage
            None,
            [
                {
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "eventSource", "Equals": ["s3.amazonaws.com"]},
                    ]
                }
            ],
            {"Read": False, "Write": False, "ExcludedSources": []},
        ),
        (  # data events only
            None,
            [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}],
            {"Read": False, "Write": False, "ExcludedSources": []},
        ),
    ],
)
def test_management_events(basic: list | None, advanced: list | None, expected: dict) -> None:
    assert management_events(basic, advanced) == expected


def rule(prefix_filter: dict | None, **extra: object) -> dict:
    out: dict = {"Status": "Enabled", **extra}
    if prefix_filter is not None:
        out["Filter"] = prefix_filter
    return out


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([], (None, None, None)),
        (
            [
                rule(
                    {},
                    Transitions=[
                        {"Days": 30, "StorageClass": "STANDARD_IA"},
                        {"Days": 90, "StorageClass": "DEEP_ARCHIVE"},
                    ],
                )
            ],
            (90, "DEEP_ARCHIVE", None),
        ),
        ([rule({"Prefix": "AWSLogs/"}, Expiration={"Days": 400})], (None, None, 400)),
        ([rule({"Prefix": "other/"}, Expiration={"Days": 1})], (None, None, None)),
        ([rule({"Tag": {"Key": "k", "Value": "v"}}, Expiration={"Days": 1})], (None, None, None)),
        ([rule({"And": {"Prefix": "AWS"}}, Expiration={"Days": 7})], (None, None, 7)),
        ([rule(None, Prefix="", Expiration={"Date": "2030-01-01T00:00:00Z"})], (None, None, 0)),
        ([{**rule({}, Expiration={"Days": 1}), "Status": "Disabled"}], (None, None, None)),
        (
            [
                rule(
                    {},
                    Transitions=[{"Days": 200, "StorageClass": "GLACIER"}],
                    Expiration={"Days": 900},
                ),
                rule(
                    {"Prefix": "AWSLogs/"},
                    Transitions=[{"Days": 60, "StorageClass": "GLACIER_IR"}],
                    Expiration={"Days": 365},
                ),
            ],
            (60, "GLACIER_IR", 365),
        ),
    ],
)
def test_log_lifecycle(rules: list, expected: tuple) -> None:
    got = s3_derive.log_lifecycle({"Rules": rules}, ["AWSLogs/"])
    assert (got["ArchiveAfterDays"], got["ArchiveStorageClass"], got["ExpireAfterDays"]) == expected


def test_bucket_helpers() -> None:
    assert s3_derive.log_key_prefixes([None, "", "org", "org/", "/x/"]) == [
        "AWSLogs/",
        "org/AWSLogs/",
        "x/AWSLogs/",
    ]
    assert s3_derive.default_encryption(None) == (None, None)
    enc = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    assert s3_derive.default_encryption(enc) == ("AES256", None)
    assert s3_derive.effective_public_access_block(
        {"BlockPublicAcls": True}, {"IgnorePublicAcls": True}
    ) == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    assert (
        s3_derive.object_ownership({"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        == "ObjectWriter"
    )


def test_policy_statement_is_always_a_list() -> None:
    doc = parse_policy('{"Version": "2012-10-17", "Statement": {"Effect": "Deny"}}')
    assert doc == {"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]}
