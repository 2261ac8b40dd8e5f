"""Unit tests for checks.aws.iam_policy (SCP deny coverage, public bucket policy / ACL, TLS-only)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from logwarden.checks.aws.iam_policy import (
    DenyCoverage,
    action_matches,
    denies_insecure_transport,
    deny_coverage,
    parse_policy,
    public_acl_grants,
    public_policy_statements,
    resource_matches,
)

TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"
OTHER_TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/other"
CT_ACTIONS = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
)
ADMIN_EXEMPT = {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}


def scp(*statements: dict[str, Any], name: str = "protect-trail", pid: str = "p-abc12345"):
    return {
        "Id": pid,
        "Name": name,
        "Content": {"Version": "2012-10-17", "Statement": list(statements)},
    }


def deny(action: Any = "cloudtrail:*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, **extra}


# --- glob matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("*", "cloudtrail:StopLogging", True),
        ("cloudtrail:*", "cloudtrail:StopLogging", True),
        ("cloudtrail:Stop*", "cloudtrail:StopLogging", True),
        ("CLOUDTRAIL:stoplogging", "cloudtrail:StopLogging", True),
        ("cloudtrail:?topLogging", "cloudtrail:StopLogging", True),
        ("cloudtrail:Delete*", "cloudtrail:StopLogging", False),
        ("cloudtrail:Stop", "cloudtrail:StopLogging", False),
        ("config:*", "cloudtrail:StopLogging", False),
        ("s3:Delete*", "s3:DeleteBucket*", True),  # wildcard target: pattern covers all of it
        ("s3:DeleteBucket", "s3:DeleteBucket*", False),  # ... only one of DeleteBucket*
        ("s3:DeleteBucket?olicy", "s3:DeleteBucket*", False),
    ],
)
def test_action_matches(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("*", TRAIL, True),
        ("arn:aws:cloudtrail:*:*:trail/*", TRAIL, True),
        ("arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trai?", TRAIL, True),
        ("arn:aws:cloudtrail:us-east-1:111111111111:trail/ORG-TRAIL", TRAIL, False),
        (OTHER_TRAIL, TRAIL, False),
        ("arn:aws:s3:::logs/*", "arn:aws:s3:::logs", False),
        ("arn:aws:s3:::logs*", "arn:aws:s3:::logs/*", True),
        ("arn:aws:s3:::logs/?", "arn:aws:s3:::logs/*", False),  # one char is not every key
        ("arn:aws:s3:::${aws:username}", "arn:aws:s3:::logs", False),
        ("arn:aws:s3:::a${*}b", "arn:aws:s3:::a${*}b", True),  # ${*} is a literal '*'
        ("arn:aws:s3:::a${*}b", "arn:aws:s3:::a*b", False),  # a target '*' is a wildcard
        ("arn:aws:s3:::a${*}b", "arn:aws:s3:::axb", False),
    ],
)
def test_resource_matches(pattern: str, arn: str, expected: bool) -> None:
    assert resource_matches(pattern, arn) is expected


# --- deny_coverage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "complete"),
    [
        pytest.param(deny("cloudtrail:*"), True, id="service-wildcard"),
        pytest.param(deny("*"), True, id="star"),
        pytest.param(deny(list(CT_ACTIONS)), True, id="listed"),
        pytest.param(
            deny(
                ["cloudtrail:Stop*", "cloudtrail:Delete*", "cloudtrail:Update*", "cloudtrail:Put*"]
            ),
            True,
            id="prefix-wildcards",
        ),
        pytest.param({"Effect": "Deny", "NotAction": "iam:*"}, True, id="notaction-other-service"),
        pytest.param({"Effect": "Deny", "NotAction": ["cloudtrail:*"]}, False, id="notaction-ct"),
        pytest.param(
            {"Effect": "Deny", "NotAction": "cloudtrail:Get*"}, True, id="notaction-reads"
        ),
        pytest.param(deny(Condition=ADMIN_EXEMPT), True, id="admin-exempt"),
        pytest.param(
            deny(
                Condition={
                    "StringNotEqualsIfExists": {"aws:PrincipalTag/team": "platform"},
                    "stringnotequals": {"aws:PrincipalAccount": ["111111111111"]},
                }
            ),
            True,
            id="principal-tag-and-account-exempt",
        ),
        pytest.param(deny(Condition={}), True, id="empty-condition"),
        pytest.param(
            deny(Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}),
            False,
            id="region-condition",
        ),
        pytest.param(
            deny(Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            False,
            id="mfa-condition",
        ),
        pytest.param(
            deny(Condition={"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::1:role/x"}}),
            False,
            id="deny-only-some-principals",
        ),
        pytest.param(
            deny(Condition={"ArnNotLike": {"aws:PrincipalArn": "*"}}),
            False,
            id="exempts-everyone",
        ),
        pytest.param(
            deny(Condition={"ForAnyValue:StringNotLike": {"aws:PrincipalTag/t": "x"}}),
            False,
            id="set-operator",
        ),
        pytest.param(deny(Resource="*"), True, id="resource-star"),
        pytest.param(deny(Resource=[OTHER_TRAIL, TRAIL]), True, id="resource-lists-trail"),
        pytest.param(deny(Resource=OTHER_TRAIL), False, id="resource-other-trail"),
        pytest.param(deny(NotResource=OTHER_TRAIL), True, id="notresource-other"),
        pytest.param(
            deny(NotResource="arn:aws:cloudtrail:*:*:trail/org-*"), False, id="notres-excl"
        ),
        pytest.param({"Effect": "Allow", "Action": "cloudtrail:*"}, False, id="allow"),
        pytest.param(deny(Principal={"AWS": "arn:aws:iam::1:root"}), False, id="one-principal"),
        pytest.param(deny(NotPrincipal={"AWS": "arn:aws:iam::1:root"}), True, id="notprincipal"),
    ],
)
def test_deny_coverage_single_statement(statement: dict[str, Any], complete: bool) -> None:
    result = deny_coverage([scp(statement)], CT_ACTIONS, [TRAIL])
    assert result.complete is complete
    assert set(result.missing) == (set() if complete else set(CT_ACTIONS))


def test_deny_coverage_where_and_missing() -> None:
    policies = [
        scp(deny(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], Sid="DenyStop")),
        scp(deny("cloudtrail:UpdateTrail"), name="protect-more", pid="p-def67890"),
    ]
    result = deny_coverage(policies, CT_ACTIONS, [TRAIL])
    assert result.covered == {
        "cloudtrail:StopLogging": "protect-trail (p-abc12345) statement DenyStop",
        "cloudtrail:DeleteTrail": "protect-trail (p-abc12345) statement DenyStop",
        "cloudtrail:UpdateTrail": "protect-more (p-def67890) statement #0",
    }
    assert result.missing == ("cloudtrail:PutEventSelectors",)
    assert not result.complete


def test_deny_coverage_split_across_policies_is_complete() -> None:
    policies = [
        scp(deny(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"])),
        scp(deny(["cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"]), pid="p-2"),
    ]
    assert deny_coverage(policies, CT_ACTIONS, [TRAIL]) == DenyCoverage(
        covered={
            "cloudtrail:StopLogging": "protect-trail (p-abc12345) statement #0",
            "cloudtrail:DeleteTrail": "protect-trail (p-abc12345) statement #0",
            "cloudtrail:UpdateTrail": "protect-trail (p-2) statement #0",
            "cloudtrail:PutEventSelectors": "protect-trail (p-2) statement #0",
        },
        missing=(),
        notes=(),
    )


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        (
            deny(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
            "statement #0: condition StringEquals on aws:RequestedRegion limits the deny",
        ),
        (
            deny(Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}),
            "condition aws:RequestedRegion (StringNotEquals) limits the deny",
        ),
        (deny(Resource=OTHER_TRAIL), f"Resource {OTHER_TRAIL} does not include {TRAIL}"),
        (deny(NotResource=TRAIL), f"NotResource {TRAIL} excludes {TRAIL}"),
    ],
)
def test_deny_coverage_notes_explain(statement: dict[str, Any], fragment: str) -> None:
    (note,) = deny_coverage([scp(statement)], CT_ACTIONS, [TRAIL]).notes
    assert note.startswith("protect-trail (p-abc12345) statement #0: ")
    assert fragment in note


def test_deny_coverage_no_note_for_unrelated_statements() -> None:
    result = deny_coverage([scp(deny("iam:*", Resource=OTHER_TRAIL))], CT_ACTIONS, [TRAIL])
    assert result.notes == ()
    assert result.covered == {}


def test_deny_coverage_raw_json_content_and_single_statement_dict() -> None:
    content = json.dumps({"Version": "2012-10-17", "Statement": deny("cloudtrail:*")})
    policy = {"Id": "p-1", "Name": "x", "Content": content}
    assert deny_coverage([policy], CT_ACTIONS, [TRAIL]).complete


def test_deny_coverage_invalid_content_is_a_note() -> None:
    result = deny_coverage([{"Id": "p-1", "Name": "x", "Content": "{nope"}], CT_ACTIONS, [TRAIL])
    assert result.missing == CT_ACTIONS
    assert result.notes[0].startswith("x (p-1): content could not be read")


@pytest.mark.parametrize(
    ("statement", "complete"),
    [
        (deny("s3:*", Resource="arn:aws:s3:::logs"), True),
        (deny("s3:*", Resource="arn:aws:s3:::logs/*"), False),  # objects, not the bucket
        (deny("s3:*", Resource="arn:aws:s3:::*"), True),
        (deny(["s3:Put*", "s3:DeleteBucket"], Resource="*"), False),  # not every DeleteBucket*
        (deny(["s3:Put*", "s3:DeleteBucket*"], Resource="*"), True),
        ({"Effect": "Deny", "NotAction": "s3:DeleteBucketPolicy", "Resource": "*"}, False),
    ],
)
def test_deny_coverage_log_bucket(statement: dict[str, Any], complete: bool) -> None:
    actions = ["s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:DeleteBucket*"]
    result = deny_coverage([scp(statement)], actions, ["arn:aws:s3:::logs"])
    assert result.complete is complete


@pytest.mark.parametrize(
    ("statement", "complete"),
    [
        (deny(), True),  # absent Resource means "*"
        (deny(Resource="*"), True),
        (deny(Resource="arn:aws:cloudtrail:*:*:trail/*"), False),
        (deny(NotResource=OTHER_TRAIL), False),
    ],
)
def test_deny_coverage_empty_resources_means_any(statement: dict[str, Any], complete: bool) -> None:
    assert deny_coverage([scp(statement)], CT_ACTIONS, []).complete is complete


# --- public_policy_statements ----------------------------------------------------------------

GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}


@pytest.mark.parametrize(
    ("extra", "public"),
    [
        ({"Principal": "*"}, True),
        ({"Principal": {"AWS": "*"}}, True),
        ({"Principal": {"AWS": ["arn:aws:iam::111111111111:root", "*"]}}, True),
        ({"Principal": {"CanonicalUser": "*"}}, True),
        ({"NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}}, True),
        ({"Principal": {"Service": "cloudtrail.amazonaws.com"}}, False),
        ({"Principal": {"AWS": "arn:aws:iam::111111111111:role/reader"}}, False),
        (
            {
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}},
            },
            False,
        ),
        ({"Principal": "*", "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}}}, False),
        ({"Principal": "*", "Condition": {"ArnLike": {"AWS:SOURCEARN": TRAIL}}}, False),
        ({"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-x"}}}, False),
        ({"Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, False),
        ({"Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}, True),
        ({"Principal": "*", "Condition": {"StringLike": {"aws:SourceArn": "*"}}}, True),
        ({"Principal": "*", "Condition": {"StringLike": {"aws:SourceArn": ["*", TRAIL]}}}, True),
        ({"Principal": "*", "Condition": {"StringEqualsIfExists": {"aws:SourceArn": TRAIL}}}, True),
        (
            {"Principal": "*", "Condition": {"StringNotEquals": {"aws:SourceAccount": "1"}}},
            True,
        ),
        ({"Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, True),
    ],
)
def test_public_policy_statements(extra: dict[str, Any], public: bool) -> None:
    stmt = {**GET, **extra}
    policy = {"Version": "2012-10-17", "Statement": [stmt]}
    assert public_policy_statements(policy) == ([stmt] if public else [])


def test_public_policy_statements_ignores_deny_and_returns_copies() -> None:
    allow = {**GET, "Principal": "*", "Sid": "Open"}
    policy = {"Statement": [{**GET, "Effect": "Deny", "Principal": "*"}, allow]}
    (found,) = public_policy_statements(json.dumps(policy))
    assert found == allow
    found["Sid"] = "changed"
    assert allow["Sid"] == "Open"
    assert public_policy_statements(None) == []


# --- public_acl_grants -----------------------------------------------------------------------


def _grant(uri: str | None = None, permission: str = "READ", **grantee: str) -> dict[str, Any]:
    g = {"Type": "Group", "URI": uri} if uri else {"Type": "CanonicalUser", **grantee}
    return {"Grantee": g, "Permission": permission}


@pytest.mark.parametrize(
    ("grant", "public"),
    [
        (_grant("http://acs.amazonaws.com/groups/global/AllUsers"), True),
        (_grant("https://acs.amazonaws.com/groups/global/AllUsers"), True),
        (_grant("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "WRITE"), True),
        (_grant("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE"), False),
        (_grant(ID="abc123", permission="FULL_CONTROL"), False),
    ],
)
def test_public_acl_grants(grant: dict[str, Any], public: bool) -> None:
    acl = {"Owner": {"ID": "abc123"}, "Grants": [_grant(ID="abc123"), grant]}
    assert public_acl_grants(acl) == ([grant] if public else [])


def test_public_acl_grants_empty() -> None:
    assert public_acl_grants(None) == []
    assert public_acl_grants({"Owner": {"ID": "x"}}) == []


# --- denies_insecure_transport ---------------------------------------------------------------

TLS = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, True, id="canonical"),
        pytest.param({"Principal": {"AWS": "*"}}, True, id="aws-star"),
        pytest.param({"Action": "*"}, True, id="action-star"),
        pytest.param({"Action": ["s3:GetObject", "s3:PutObject"]}, True, id="both-listed"),
        pytest.param({"Resource": "arn:aws:s3:::logs*"}, True, id="resource-pattern"),
        pytest.param(
            {"Resource": ["arn:*:s3:::logs", "arn:*:s3:::logs/*"]}, True, id="any-partition"
        ),
        pytest.param(
            {"Condition": {"BoolIfExists": {"AWS:SecureTransport": False}}}, True, id="json-bool"
        ),
        pytest.param({"Effect": "Allow"}, False, id="allow"),
        pytest.param({"Resource": None}, False, id="no-resource"),
        pytest.param({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False, id="true"),
        pytest.param({"Resource": "arn:aws:s3:::logs/*"}, False, id="objects-only"),
        pytest.param({"Resource": "arn:aws:s3:::other/*"}, False, id="other-bucket"),
        pytest.param({"Action": "s3:GetObject"}, False, id="get-only"),
        pytest.param({"Principal": {"AWS": "arn:aws:iam::1:root"}}, False, id="one-principal"),
        pytest.param(
            {"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}, False, id="tls-version"
        ),
        pytest.param(
            {
                "Condition": {
                    "Bool": {"aws:SecureTransport": "false"},
                    "StringEquals": {"aws:PrincipalArn": "arn:aws:iam::1:role/x"},
                }
            },
            False,
            id="narrowed",
        ),
    ],
)
def test_denies_insecure_transport(changes: dict[str, Any], expected: bool) -> None:
    stmt = {k: v for k, v in {**TLS, **changes}.items() if v is not None}
    policy = {"Version": "2012-10-17", "Statement": [stmt]}
    assert denies_insecure_transport(policy, "logs") is expected


def test_denies_insecure_transport_json_text_and_none() -> None:
    assert denies_insecure_transport(json.dumps({"Statement": TLS}), "logs")
    assert not denies_insecure_transport(None, "logs")


# --- parse_policy ----------------------------------------------------------------------------


def test_parse_policy_normalises_statement() -> None:
    assert parse_policy('{"Statement": {"Effect": "Deny"}}') == {"Statement": [{"Effect": "Deny"}]}
    assert parse_policy({"Version": "2012-10-17"}) == {"Version": "2012-10-17", "Statement": []}
    encoded = "%7B%22Statement%22%3A%5B%5D%7D"
    assert parse_policy(encoded) == {"Statement": []}


@pytest.mark.parametrize("empty", [None, "", "   ", "null", {}])
def test_parse_policy_empty(empty: Any) -> None:
    assert parse_policy(empty) is None


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", '{"Statement": ["x"]}'])
def test_parse_policy_invalid(bad: str) -> None:
    with pytest.raises(ValueError, match="policy"):
        parse_policy(bad)
