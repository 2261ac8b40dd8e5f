"""What an AWS answer must be before a collector reads it, through botocore's own parsers.

Each case feeds an HTTP answer (status, body) to the parser botocore builds for the operation's
protocol, wrapped by ``logwarden.scanner.collectors.aws.responses``, with the operation's real output
shape from botocore's service model: no network, no moto.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import BotoCoreError
from botocore.model import ServiceModel, Shape

from logwarden.scanner.collectors.aws.answers import ANSWERS, JSON_OBJECT, operations
from logwarden.scanner.collectors.aws.common import error_code
from logwarden.scanner.collectors.aws.responses import CheckedParserFactory, MalformedResponse
from logwarden.scanner.collectors.aws.session import shared_loader

TRAIL = '{"Name": "t", "TrailARN": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t"}'
POLICY = '{"Version": "2012-10-17", "Statement": []}'
STS_IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/u</Arn>"
    b"<UserId>U</UserId><Account>111111111111</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


def model(service: str) -> ServiceModel:
    return ServiceModel(shared_loader().load_service_model(service, "service-2"), service)


def parse(service: str, operation: str, body: bytes, status: int = 200) -> Any:
    """Parse one answer exactly as a logwarden client does."""
    service_model = model(service)
    parser = CheckedParserFactory(service).create_parser(service_model.resolved_protocol)
    response = {
        "status_code": status,
        "headers": {},
        "body": body,
        "context": {"operation_name": operation},
    }
    return parser.parse(response, service_model.operation_model(operation).output_shape)


@pytest.mark.parametrize(
    ("service", "operation", "body", "reason"),
    [
        # JSON protocol: botocore alone would return {} and the collector "no trails"
        ("cloudtrail", "DescribeTrails", b'{"trailList": [' + TRAIL[:20].encode(), "not JSON"),
        ("cloudtrail", "DescribeTrails", b"<html>gateway</html>", "not JSON"),
        ("cloudtrail", "DescribeTrails", b'{"trailList": []}\xe9', "not UTF-8"),
        ("cloudtrail", "DescribeTrails", b"[]", "JSON list, not an object"),
        ("cloudtrail", "DescribeTrails", b"{}", "trailList is missing"),
        ("cloudtrail", "DescribeTrails", b'{"trailList": [{"Name": "t"}]}', "TrailARN is missing"),
        ("cloudtrail", "DescribeTrails", b'{"trailList": {"a": 1}}', "botocore cannot parse"),
        ("cloudtrail", "GetTrailStatus", b'{"IsLogging": "yes"}', "not a boolean"),
        (
            "cloudtrail",
            "GetEventSelectors",
            b'{"TrailARN": "arn"}',
            "none of EventSelectors, AdvancedEventSelectors",
        ),
        ("organizations", "DescribeOrganization", b'{"Organization": {"Id": "o-1"', "not JSON"),
        (
            "organizations",
            "DescribePolicy",
            b'{"Policy": {"PolicySummary": {}, "Content": "{\\"Version\\": "}}',
            "Policy.Content is not a JSON object",
        ),
        # XML protocols: botocore raises its own parse error, or UnicodeDecodeError
        ("sts", "GetCallerIdentity", STS_IDENTITY[:90], "botocore cannot parse"),
        ("sts", "GetCallerIdentity", STS_IDENTITY.replace(b"<Account>", b"<Account>\xe9"), "parse"),
        ("s3", "GetBucketPolicy", POLICY[:25].encode(), "Policy is not a JSON object"),
        ("s3", "GetBucketPolicy", POLICY.encode() + b"\xe9", "botocore cannot parse"),
        ("s3", "ListBuckets", b"<ListAllMyBucketsResult><Buckets>", "botocore cannot parse"),
    ],
)
def test_an_unusable_answer_is_malformed_and_names_what_was_wrong(
    service: str, operation: str, body: bytes, reason: str
) -> None:
    with pytest.raises(MalformedResponse) as caught:
        parse(service, operation, body)
    message = str(caught.value)
    assert message.startswith(f"{service} {operation} answered HTTP 200"), message
    assert reason in message
    assert isinstance(caught.value, BotoCoreError)  # AWS_ERRORS: a collection error
    assert error_code(caught.value)[0] == "MalformedResponse"


def test_an_error_answer_that_is_not_utf8_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedResponse, match="kms DescribeKey answered HTTP 500"):
        parse("kms", "DescribeKey", b'{"__type": "InternalFailure\xe9"}', status=500)


@pytest.mark.parametrize(
    ("service", "operation", "body", "expected"),
    [
        ("cloudtrail", "DescribeTrails", f'{{"trailList": [{TRAIL}]}}'.encode(), "trailList"),
        (
            "cloudtrail",
            "GetEventSelectors",
            b'{"AdvancedEventSelectors": []}',
            "AdvancedEventSelectors",
        ),
        ("s3", "GetBucketPolicy", POLICY.encode(), "Policy"),
        ("s3", "GetBucketVersioning", b"<VersioningConfiguration/>", "ResponseMetadata"),
        ("sts", "GetCallerIdentity", STS_IDENTITY, "Account"),
    ],
)
def test_a_good_answer_is_parsed_as_botocore_parses_it(
    service: str, operation: str, body: bytes, expected: str
) -> None:
    assert expected in parse(service, operation, body)


def test_an_error_answer_is_left_to_botocore() -> None:
    answer = parse("cloudtrail", "DescribeTrails", b"<html>bad gateway</html>", status=502)
    assert answer["Error"]["Code"] == "502"


def _shape_at(shape: Shape, path: str) -> Shape:
    for segment in path.split("."):
        name = segment.removesuffix("[]")
        assert name in shape.members, f"{shape.name} has no member {name!r}"  # type: ignore[attr-defined]
        shape = shape.members[name]  # type: ignore[attr-defined]
        if segment.endswith("[]"):
            assert shape.type_name == "list", f"{name} is a {shape.type_name}, not a list"
            shape = shape.member  # type: ignore[attr-defined]
    return shape


TYPES = {list: "list", dict: "structure", str: "string", bool: "boolean", JSON_OBJECT: "string"}


@pytest.mark.parametrize(("service", "operation"), operations())
def test_every_declared_key_is_in_botocores_model_with_that_type(
    service: str, operation: str
) -> None:
    output = model(service).operation_model(operation).output_shape
    for need in ANSWERS[service][operation]:
        for path in need.paths:
            shape = _shape_at(output, path)
            if need.kind in TYPES:
                assert shape.type_name == TYPES[need.kind], (path, shape.type_name)
