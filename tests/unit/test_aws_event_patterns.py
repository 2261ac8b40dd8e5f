"""EventBridge rules against the monitoring requirements: pattern, rule state, unreadable rules.

CloudTrail records reach EventBridge wrapped in an envelope: ``source`` ``aws.<service>``,
``detail-type`` "AWS API Call via CloudTrail" (or "AWS Console Sign In via CloudTrail", ...),
the record under ``detail``. A rule in state ENABLED misses read-only (Get/List/Describe)
management events.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from logwarden.checks.aws.alert_coverage import ALL_MANAGEMENT_EVENTS, rule_covers
from logwarden.checks.aws.event_pattern import EventPatternError, parse_event_pattern
from logwarden.checks.aws.monitoring_requirements import (
    TRAIL_CHANGES,
    cis_requirement,
    log_bucket_changes,
)

API = "AWS API Call via CloudTrail"
SIGN_IN = "AWS Console Sign In via CloudTrail"
IAM_NAMES = ["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"]  # fmt: skip
TRAIL_NAMES = ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]
S3_NAMES = ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"]  # fmt: skip
BUCKET_NAMES = ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketLifecycle", "DeleteBucketLifecycle", "PutObjectLockConfiguration", "PutBucketEncryption", "DeleteBucketEncryption"]  # fmt: skip
ALL = ALL_MANAGEMENT_EVENTS


def iam_rule(**detail: Any) -> dict[str, Any]:
    return {
        "source": ["aws.iam"],
        "detail-type": [API],
        "detail": {"eventName": IAM_NAMES, **detail},
    }


COVERING = [
    ("5.4 source, detail-type and every name", "5.4", iam_rule(), "ENABLED"),
    ("5.4 and the event source", "5.4", iam_rule(eventSource=["iam.amazonaws.com"]), "ENABLED"),
    (
        "5.4 without detail-type",
        "5.4",
        {"source": ["aws.iam"], "detail": {"eventName": IAM_NAMES}},
        "ENABLED",
    ),
    (
        "5.4 prefixes",
        "5.4",
        {
            "source": ["aws.iam"],
            "detail": {
                "eventName": [
                    {"prefix": p} for p in ("Delete", "Put", "Create", "Attach", "Detach")
                ]
            },
        },
        "ENABLED",
    ),
    (
        "5.4 wildcard",
        "5.4",
        {"detail": {"eventSource": ["iam.amazonaws.com"], "eventName": [{"wildcard": "*Policy*"}]}},
        "ENABLED",
    ),
    (
        "5.5 split over $or",
        "5.5",
        {
            "source": ["aws.cloudtrail"],
            "$or": [
                {"detail": {"eventName": TRAIL_NAMES[:3]}},
                {"detail": {"eventName": TRAIL_NAMES[3:]}},
            ],
        },
        "ENABLED",
    ),
    ("5.5 every CloudTrail call", "5.5", {"source": ["aws.cloudtrail"]}, "ENABLED"),
    (
        "5.5 source prefix",
        "5.5",
        {"source": [{"prefix": "aws."}], "detail": {"eventName": TRAIL_NAMES}},
        "ENABLED",
    ),
    (
        "5.7 anything-but other names",
        "5.7",
        {
            "source": ["aws.kms"],
            "detail": {"eventName": [{"anything-but": ["Decrypt", "Encrypt", "GenerateDataKey"]}]},
        },
        "ENABLED",
    ),
    (
        "5.8 names ignoring case",
        "5.8",
        {
            "source": ["aws.s3"],
            "detail": {"eventName": [{"equals-ignore-case": n.lower()} for n in S3_NAMES]},
        },
        "ENABLED",
    ),
    (
        "5.2 sign-in without MFA",
        "5.2",
        {
            "detail-type": [SIGN_IN],
            "detail": {
                "eventName": ["ConsoleLogin"],
                "additionalEventData": {"MFAUsed": [{"anything-but": "Yes"}]},
            },
        },
        "ENABLED",
    ),
    (
        "5.6 failed sign-ins",
        "5.6",
        {
            "source": ["aws.signin"],
            "detail-type": [SIGN_IN],
            "detail": {"errorMessage": ["Failed authentication"]},
        },
        "ENABLED",
    ),
    (
        "5.3 root, all management events",
        "5.3",
        {"detail": {"userIdentity": {"type": ["Root"]}}},
        ALL,
    ),
    (
        "5.3 root, three detail-types",
        "5.3",
        {
            "detail-type": [API, SIGN_IN, "AWS Console Action via CloudTrail"],
            "detail": {
                "userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]},
                "eventType": [{"anything-but": "AwsServiceEvent"}],
            },
        },
        ALL,
    ),
    (
        "5.1 error codes",
        "5.1",
        {
            "detail": {
                "errorCode": [{"suffix": "UnauthorizedOperation"}, {"prefix": "AccessDenied"}]
            }
        },
        ALL,
    ),
    (
        "5.1 with the two exclusions",
        "5.1",
        {
            "detail": {
                "errorCode": [{"suffix": "UnauthorizedOperation"}, {"prefix": "AccessDenied"}],
                "sourceIPAddress": [{"anything-but": "delivery.logs.amazonaws.com"}],
                "eventName": [{"anything-but": "HeadBucket"}],
            }
        },
        ALL,
    ),
    (
        "log bucket changes",
        "bucket",
        {
            "source": ["aws.s3"],
            "detail": {
                "eventName": BUCKET_NAMES,
                "requestParameters": {"bucketName": ["org-logs"]},
            },
        },
        "ENABLED",
    ),
    (
        "trail changes",
        "trail",
        {
            "source": ["aws.cloudtrail"],
            "detail-type": [API],
            "detail": {
                "eventName": ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"]
            },
        },
        "ENABLED",
    ),
]

NOT_COVERING = [
    (
        "5.4 missing one name",
        "5.4",
        iam_rule(eventName=IAM_NAMES[:-1]),
        "ENABLED",
        '$.eventName = "DetachGroupPolicy"',
    ),
    (
        "5.4 wrong source",
        "5.4",
        {**iam_rule(), "source": ["aws.organizations"]},
        "ENABLED",
        'source = "aws.organizations"',
    ),
    (
        "5.5 wrong detail-type",
        "5.5",
        {"source": ["aws.cloudtrail"], "detail-type": ["AWS Service Event via CloudTrail"]},
        "ENABLED",
        "detail-type",
    ),
    (
        "5.7 narrowing content filter",
        "5.7",
        {
            "source": ["aws.kms"],
            "detail": {
                "eventName": ["DisableKey", "ScheduleKeyDeletion"],
                "userIdentity": {"type": ["IAMUser"]},
            },
        },
        "ENABLED",
        'detail.userIdentity.type = "IAMUser"',
    ),
    (
        "5.7 anything-but the event",
        "5.7",
        {"source": ["aws.kms"], "detail": {"eventName": [{"anything-but": "DisableKey"}]}},
        "ENABLED",
        '$.eventName = "DisableKey"',
    ),
    (
        "5.5 a prefix too narrow",
        "5.5",
        {"source": ["aws.cloudtrail"], "detail": {"eventName": [{"prefix": "Create"}]}},
        "ENABLED",
        '$.eventName = "StopLogging"',
    ),
    (
        "5.2 anything-but ignoring case",
        "5.2",
        {
            "detail-type": [SIGN_IN],
            "detail": {
                "eventName": ["ConsoleLogin"],
                "additionalEventData": {
                    "MFAUsed": [{"anything-but": {"equals-ignore-case": "yes"}}]
                },
            },
        },
        "ENABLED",
        'MFAUsed != "yes" (ignoring case)',
    ),
    (
        "5.1 undecidable numeric filter",
        "5.1",
        {
            "detail": {
                "errorCode": [{"suffix": "UnauthorizedOperation"}, {"prefix": "AccessDenied"}],
                "latency": [{"numeric": [">", 5]}],
            }
        },
        ALL,
        "cannot decide",
    ),
    (
        "5.3 read-only events not received",
        "5.3",
        {"detail": {"userIdentity": {"type": ["Root"]}}},
        "ENABLED",
        ALL,
    ),
    (
        "5.1 read-only events not received",
        "5.1",
        {
            "detail": {
                "errorCode": [{"prefix": "AccessDenied"}, {"suffix": "UnauthorizedOperation"}]
            }
        },
        "ENABLED",
        ALL,
    ),
    (
        "5.3 API calls only",
        "5.3",
        {"detail-type": [API], "detail": {"userIdentity": {"type": ["Root"]}}},
        ALL,
        "AWS Console Action via CloudTrail",
    ),
    (
        "5.15 one account only",
        "5.15",
        {"source": ["aws.organizations"], "account": ["111122223333"]},
        "ENABLED",
        'account = "111122223333"',
    ),
    ("disabled rule", "5.5", {"source": ["aws.cloudtrail"]}, "DISABLED", "the rule is disabled"),
    ("unknown state", "5.5", {"source": ["aws.cloudtrail"]}, "PAUSED", "'PAUSED'"),
    (
        "another bucket",
        "bucket",
        {
            "source": ["aws.s3"],
            "detail": {"eventName": BUCKET_NAMES, "requestParameters": {"bucketName": ["other"]}},
        },
        "ENABLED",
        "requestParameters.bucketName",
    ),
    (
        "5.5's names for trail changes",
        "trail",
        {"source": ["aws.cloudtrail"], "detail": {"eventName": TRAIL_NAMES}},
        "ENABLED",
        '$.eventName = "PutEventSelectors"',
    ),
]


def _requirement(key: str) -> Any:
    return {"bucket": log_bucket_changes("org-logs"), "trail": TRAIL_CHANGES}.get(key) or cis_requirement(key)  # fmt: skip


@pytest.mark.parametrize(("key", "pattern", "state"), [r[1:] for r in COVERING], ids=[r[0] for r in COVERING])  # fmt: skip
def test_rules_that_cover(key: str, pattern: dict[str, Any], state: str) -> None:
    result = rule_covers(json.dumps(pattern), _requirement(key), state)
    assert result.covered, result.reason


@pytest.mark.parametrize(("key", "pattern", "state", "fragment"), [r[1:] for r in NOT_COVERING], ids=[r[0] for r in NOT_COVERING])  # fmt: skip
def test_rules_that_do_not_cover_say_why(key: str, pattern: dict[str, Any], state: str, fragment: str) -> None:  # fmt: skip
    result = rule_covers(json.dumps(pattern), _requirement(key), state)
    assert not result.covered
    assert fragment in result.reason, result.reason


UNREADABLE = [
    ("not JSON", '{"source": [', "not valid JSON", "character 13"),
    ("an array", '["aws.iam"]', "must be a non-empty JSON object", "top"),
    ("empty object", "{}", "must be a non-empty JSON object", "top"),
    ("a bare string value", '{"source": "aws.iam"}', "an array of values", "source"),
    ("an empty array", '{"source": []}', "matches nothing", "source"),
    (
        "an unknown filter",
        '{"detail": {"eventName": [{"starts-with": "Put"}]}}',
        "unknown filter 'starts-with'",
        "detail.eventName[0]",
    ),
    (
        "a two-key filter",
        '{"detail": {"eventName": [{"prefix": "a", "suffix": "b"}]}}',
        "one-key filter",
        "detail.eventName[0]",
    ),
    (
        "exists not a boolean",
        '{"detail": {"x": [{"exists": "yes"}]}}',
        '"exists" takes true or false',
        "detail.x[0]",
    ),
    ("$or not a list", '{"$or": {"source": ["aws.iam"]}}', '"$or" takes a non-empty array', "$or"),
    ("detail as a leaf", '{"detail": ["x"]}', '"detail" must be an object', "detail"),
    ("prefix of a number", '{"source": [{"prefix": 3}]}', '"prefix" takes a string', "source[0]"),
    (
        "anything-but of nothing",
        '{"source": [{"anything-but": []}]}',
        '"anything-but" takes',
        "source[0]",
    ),
    ("too long", json.dumps({"source": ["x" * 5000]}), "at most 4096 characters", "top"),
    ("deep arrays", "[" * 2000 + "]" * 2000, "nests deeper than 32 levels", "top"),
    (
        "deep objects",
        '{"a":' * 40 + '["x"]' + "}" * 40,
        "nests deeper than 32 levels",
        "a" + ".a" * 31,
    ),
    (
        "deep $or",
        '{"$or": [' * 40 + '{"a": ["x"]}' + "]}" * 40,
        "nests deeper than 32 levels",
        "top",
    ),
    ("no pattern (a scheduled rule)", None, "no event pattern", "top"),
]


@pytest.mark.parametrize(("text", "message", "where"), [r[1:] for r in UNREADABLE], ids=[r[0] for r in UNREADABLE])  # fmt: skip
def test_unreadable_patterns_are_errors_with_a_place_and_never_cover(text: str | None, message: str, where: str) -> None:  # fmt: skip
    parsed = parse_event_pattern(text)
    assert isinstance(parsed, EventPatternError), parsed
    assert message in parsed.message and parsed.where == where
    result = rule_covers(text, cis_requirement("5.5"), "ENABLED")
    assert not result.covered and "cannot be read" in result.reason
