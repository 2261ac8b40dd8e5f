"""Hand-picked metric-filter patterns against the monitoring requirements, with the reason.

Each row: requirement, filter pattern, covered?, and a fragment the answer must contain (the
missing event when not covered). Then the log-storage requirements of issue 13, and the two
primitives the decision rests on (string sets and atom implication).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from logwarden.checks.aws.alert_coverage import covers
from logwarden.checks.aws.event_conditions import Match, Number, Opaque, Presence, implies
from logwarden.checks.aws.monitoring_requirements import (
    TRAIL_CHANGES,
    Requirement,
    cis_requirement,
    log_bucket_changes,
)
from logwarden.checks.aws.string_sets import Glob, disjoint, within

CIS_1_2_UNAUTHORIZED = (
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
)
TRAIL_NAMES = "$.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging"  # fmt: skip

ROWS = [
    # 5.1: the wildcard values and the two exclusions.
    ("5.1", CIS_1_2_UNAUTHORIZED, True, "matches every event"),
    ("5.1", '{ $.errorCode = "*" }', True, "matches every event"),
    (
        "5.1",
        '{ $.errorCode = "AccessDenied" || $.errorCode = "*UnauthorizedOperation" }',
        False,
        '$.errorCode = "AccessDenied*"',
    ),
    (
        "5.1",
        '{ $.errorCode = "Access*Denied*" || $.errorCode = "*UnauthorizedOperation" }',
        False,
        "cannot decide",
    ),
    (
        "5.1",
        '{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && $.eventName != "Head*" }',
        False,
        '$.eventName != "Head*"',
    ),
    # 5.2: MFAUsed != Yes is not "MFAUsed = No"; values are case-sensitive.
    ("5.2", '{ $.eventName = "ConsoleLogin" }', True, "matches every event"),
    (
        "5.2",
        '{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed = "No" }',
        False,
        "MFAUsed",
    ),
    (
        "5.2",
        '{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed != "yes" }',
        False,
        '$.additionalEventData.MFAUsed != "yes"',
    ),
    (
        "5.2",
        "{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed NOT EXISTS }",
        False,
        "NOT EXISTS",
    ),
    # 5.3: widening is fine, swapping the exclusion for a narrower type is not.
    ("5.3", '{ $.userIdentity.type = "Root" }', True, "matches every event"),
    (
        "5.3",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
        True,
        "matches every event",
    ),
    (
        "5.3",
        '{ $.userIdentity.type = "Root" && $.eventType = "AwsApiCall" }',
        False,
        '$.eventType = "AwsApiCall"',
    ),
    (
        "5.3",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy IS NULL }',
        False,
        "IS NULL",
    ),
    ("5.3", '{ $.userIdentity.type = "root" }', False, '$.userIdentity.type = "root"'),
    # 5.4 / 5.5: scoping to the right service passes, to the wrong one fails.
    ("5.5", "{ $.eventSource = cloudtrail.amazonaws.com }", True, "matches every event"),
    (
        "5.5",
        '{ $.eventSource = cloudtrail.amazonaws.com && $.eventName != "LookupEvents" }',
        True,
        "matches every event",
    ),
    ("5.5", '{ $.eventName = "*Trail" || $.eventName = "*Logging" }', True, "matches every event"),
    ("5.5", '{ $.eventName = "Create*" }', False, '$.eventName = "UpdateTrail"'),
    (
        "5.5",
        '{ $.eventSource = cloudtrail.amazonaws.com || $.eventName = Foo && $.awsRegion = "x" }',
        True,
        "matches every event",
    ),
    (
        "5.5",
        "{ $.eventSource = cloudtrail.amazonaws.com && ($.eventName = *Trail) }",
        False,
        '$.eventName = "StartLogging"',
    ),
    ("5.5", f"{{ $.eventType = AwsApiCall && ({TRAIL_NAMES}) }}", True, "matches every event"),
    (
        "5.5",
        f"{{ $.eventType = AwsConsoleAction && ({TRAIL_NAMES}) }}",
        False,
        '$.eventType = "AwsConsoleAction"',
    ),
    ("5.5", f"{{ ({TRAIL_NAMES}) && $.readOnly IS FALSE }}", False, "$.readOnly IS FALSE"),
    ("5.5", f"{{ ({TRAIL_NAMES}) && $.latency > 5 }}", False, "$.latency > 5"),
    (
        "5.5",
        f"{{ ({TRAIL_NAMES}) || $.eventName = %^Put.*Selectors$% }}",
        True,
        "matches every event",
    ),
    (
        "5.5",
        "{ $.eventName = %^(Create|Update|Delete)Trail$% || $.eventName = StartLogging || $.eventName = StopLogging }",
        False,
        "cannot decide $.eventName = %^(Create|Update|Delete)Trail$%",
    ),
    (
        "5.4",
        '{ $.eventSource = "iam.amazonaws.com" && ($.eventName = "*Policy" || $.eventName = "*PolicyVersion") }',
        True,
        "matches every event",
    ),
    (
        "5.4",
        '{ $.eventSource = "organizations.amazonaws.com" && $.eventName = "*Policy*" }',
        False,
        '"DeleteGroupPolicy"',
    ),
    # 5.6: a wider message passes, another casing does not.
    (
        "5.6",
        '{ $.eventName = ConsoleLogin && $.errorMessage = "Failed*" }',
        True,
        "matches every event",
    ),
    (
        "5.6",
        '{ $.eventName = ConsoleLogin && $.errorMessage = "failed authentication" }',
        False,
        "Failed authentication",
    ),
    # 5.7 / 5.13: scoping is optional, the right scope passes.
    (
        "5.7",
        "{ $.eventName = DisableKey || $.eventName = ScheduleKeyDeletion }",
        True,
        "matches every event",
    ),
    (
        "5.7",
        "{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey }",
        False,
        '$.eventName = "ScheduleKeyDeletion"',
    ),
    (
        "5.13",
        '{ $.eventSource = "ec2.amazonaws.com" && ($.eventName = "*Route" || $.eventName = "*RouteTable" || $.eventName = "*Association") }',
        True,
        "matches every event",
    ),
    (
        "5.13",
        '{ $.eventSource = "apigateway.amazonaws.com" && $.eventName = "*Route*" }',
        False,
        '"CreateRoute"',
    ),
]


@pytest.mark.parametrize(
    ("cis_id", "pattern", "expected", "fragment"),
    ROWS,
    ids=[f"{r[0]}-{'covers' if r[2] else 'fails'}-{n}" for n, r in enumerate(ROWS)],
)
def test_hand_picked_patterns(cis_id: str, pattern: str, expected: bool, fragment: str) -> None:
    result = covers(pattern, cis_requirement(cis_id))
    assert result.covered is expected, result.reason
    assert fragment in result.reason, result.reason
    assert bool(result.missing) is not expected


LOG_BUCKET_EVENTS = '$.eventName = "PutBucketPolicy" || $.eventName = "DeleteBucketPolicy" || $.eventName = "PutBucketLifecycle" || $.eventName = "DeleteBucketLifecycle" || $.eventName = "PutObjectLockConfiguration" || $.eventName = "PutBucketEncryption" || $.eventName = "DeleteBucketEncryption"'  # fmt: skip
CIS_5_5 = f"{{ {TRAIL_NAMES} }}"
CIS_5_8 = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"  # fmt: skip
LOG_STORAGE_ROWS = [
    ("bucket", f"{{ {LOG_BUCKET_EVENTS} }}", ()),
    (
        "bucket",
        f'{{ $.requestParameters.bucketName = "org-cloudtrail-*" && ({LOG_BUCKET_EVENTS}) }}',
        (),
    ),
    (
        "bucket",
        f'{{ $.requestParameters.bucketName = "org-cloudtrail-logs" && ({LOG_BUCKET_EVENTS}) }}',
        (),
    ),
    (
        "bucket",
        f'{{ $.requestParameters.bucketName = "other-bucket" && ({LOG_BUCKET_EVENTS}) }}',
        ("PutBucketPolicy",),
    ),
    (
        "bucket",
        CIS_5_8,
        ("PutObjectLockConfiguration", "PutBucketEncryption", "DeleteBucketEncryption"),
    ),
    (
        "trail",
        "{ $.eventName = StopLogging || $.eventName = DeleteTrail || $.eventName = UpdateTrail || $.eventName = PutEventSelectors }",
        (),
    ),
    ("trail", "{ $.eventSource = cloudtrail.amazonaws.com }", ()),
    ("trail", CIS_5_5, ("PutEventSelectors",)),
]


@pytest.mark.parametrize(("which", "pattern", "missing"), LOG_STORAGE_ROWS)
def test_detective_controls_on_the_log_storage(which: str, pattern: str, missing: tuple[str, ...]) -> None:  # fmt: skip
    requirement = log_bucket_changes("org-cloudtrail-logs") if which == "bucket" else TRAIL_CHANGES
    result = covers(pattern, requirement)
    assert result.covered is not missing, result.reason
    for name in missing:
        assert any(name in item for item in result.missing), result.missing


def test_a_bucket_name_that_would_change_the_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="not an S3 bucket name"):
        log_bucket_changes('logs" || $.x = "y')


def test_a_broken_requirement_is_not_covered_and_blames_logwarden() -> None:
    broken = Requirement("x", "broken", "{ $.eventName = }")
    result = covers("{ $.eventName = * }", broken)
    assert not result.covered and "a logwarden bug" in result.reason


# --- The primitives ----------------------------------------------------------------------------

EX, PRE, SUF = Glob.exact, Glob.prefix, Glob.suffix
SETS = [
    (EX("AccessDeniedException"), PRE("AccessDenied"), True, False),
    (PRE("AccessDenied"), PRE("Access"), True, False),
    (PRE("Access"), PRE("AccessDenied"), False, False),
    (SUF("UnauthorizedOperation"), Glob(("", "Operation")), True, False),
    (Glob(("", "")), PRE("a"), False, False),
    (PRE("a"), Glob(("", "")), True, False),
    (EX("Yes"), EX("yes", True), True, False),
    (EX("yes", True), EX("Yes"), False, False),
    (EX("CreateTrail"), EX("DeleteTrail"), False, True),
    (PRE("abc"), PRE("abd"), False, True),
    (PRE("a"), SUF("b"), False, False),
    (Glob(("", "x", "")), EX("yx"), False, False),
    (EX("HeadBucket"), EX("headbucket", True), True, False),
]


@pytest.mark.parametrize(("inner", "outer", "is_within", "is_disjoint"), SETS)
def test_string_sets(inner: Glob, outer: Glob, is_within: bool, is_disjoint: bool) -> None:
    assert within(inner, outer) is is_within
    assert disjoint(inner, outer) is is_disjoint
    assert disjoint(outer, inner) is is_disjoint


F = ("f",)
LOGS_NOT_X = Match(F, EX("x"), negated=True)
EVENTS_NOT_X = Match(F, EX("x"), negated=True, dialect="events")
IMPLIES = [
    ("= implies a wider =", Match(F, EX("ab")), Match(F, PRE("a")), True),
    ("= does not imply a narrower =", Match(F, PRE("a")), Match(F, EX("ab")), False),
    ("= implies != of a disjoint set", Match(F, EX("a")), Match(F, EX("b"), negated=True), True),
    (
        "= does not imply != of an overlapping set",
        Match(F, PRE("a")),
        Match(F, SUF("b"), negated=True),
        False,
    ),
    ("CloudWatch != implies the field exists", LOGS_NOT_X, Presence(F, True, "events"), True),
    ("CloudWatch != implies anything-but", LOGS_NOT_X, EVENTS_NOT_X, True),
    ("anything-but does not imply CloudWatch !=", EVENTS_NOT_X, LOGS_NOT_X, False),
    ("!= x implies != of a subset", Match(F, PRE("x"), negated=True), LOGS_NOT_X, True),
    ("!= x does not imply != of a superset", LOGS_NOT_X, Match(F, PRE("x"), negated=True), False),
    ("NOT EXISTS implies exists:false", Presence(F, False), Presence(F, False, "events"), True),
    ("NOT EXISTS does not imply !=", Presence(F, False), LOGS_NOT_X, False),
    ("another field implies nothing", Match(("g",), EX("a")), Match(F, Glob(("", ""))), False),
    ("opaque only implies itself", Opaque(F, "%a%"), Opaque(F, "%a%"), True),
    ("opaque implies nothing else", Opaque(F, "%a%"), Match(F, Glob(("", ""))), False),
    ("number range inclusion", Number(F, ">", Decimal(10)), Number(F, ">=", Decimal(5)), True),
    ("number range overreach", Number(F, ">", Decimal(1)), Number(F, ">", Decimal(5)), False),
    ("number implies != outside it", Number(F, "<", Decimal(3)), Number(F, "!=", Decimal(3)), True),
    (
        "numbers of different dialects",
        Number(F, "=", Decimal(3)),
        Number(F, "=", Decimal(3), "events"),
        False,
    ),
]


@pytest.mark.parametrize(("given", "wanted", "expected"), [r[1:] for r in IMPLIES], ids=[r[0] for r in IMPLIES])  # fmt: skip
def test_implies(given: Match, wanted: Match, expected: bool) -> None:
    assert implies(given, wanted) is expected
