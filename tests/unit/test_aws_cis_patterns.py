"""Metric-filter patterns against the CIS AWS v6.0.0 monitoring requirements (5.1-5.15).

The benchmark's printed patterns are copied verbatim from two transcriptions of the v6.0.0 text
(see checks/aws/monitoring_requirements.py for the URLs): each must cover its requirement.
Then every requirement is put through the same variations: ones that only change the writing
(whitespace, order, parentheses, quoting) or widen the match must cover; ones that drop an
event, narrow the match, negate a test or leave the JSON form must not, and say what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from logwarden.checks.aws.alert_coverage import covers
from logwarden.checks.aws.filter_pattern import Comparison, Junction, Node, parse
from logwarden.checks.aws.monitoring_requirements import (
    CIS_AWS_V6_MONITORING,
    cis_requirement,
)

# Prowler, prowler/compliance/aws/cis_6.0_aws.json: AuditProcedure (and RemediationProcedure
# where it differs).
PROWLER = {
    "5.1": ["{ ($.errorCode =*UnauthorizedOperation) || ($.errorCode =AccessDenied*) && ($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }"],
    "5.2": [
        "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }",
        "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) && ($.userIdentity.type = IAMUser) && ($.responseElements.ConsoleLogin = Success) }",
    ],
    "5.3": ["{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }"],
    "5.4": ["{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"],
    "5.5": ["{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"],
    "5.6": ["{ ($.eventName = ConsoleLogin) && ($.errorMessage = Failed authentication) }"],
    "5.7": ["{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"],
    "5.8": ["{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"],
    "5.9": ["{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"],
    "5.10": ["{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }"],
    "5.11": ["{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"],
    "5.12": ["{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"],
    "5.13": [
        "{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
        "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    ],
    "5.14": ["{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"],
    "5.15": ["{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"],
}  # fmt: skip

# Steampipe, cis_v600/docs/cis_v600_5_N.md (remediation). Its 5.15 opens with
# `($.eventName = AcceptHandshake")`, a stray quote: corrected here, kept in STEAMPIPE_TYPO.
STEAMPIPE = {
    "5.1": ['{ ($.errorCode="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'],
    "5.2": [
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed !="Yes") }',
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed !=\n"Yes") && ($.userIdentity.type = "IAMUser") &&\n($.responseElements.ConsoleLogin = "Success") }',
    ],
    "5.3": ['{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent"}'],
    "5.4": PROWLER["5.4"],
    "5.5": PROWLER["5.5"],
    "5.6": ['{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'],
    "5.7": PROWLER["5.7"],
    "5.8": PROWLER["5.8"],
    "5.9": PROWLER["5.9"],
    "5.10": PROWLER["5.10"],
    "5.11": PROWLER["5.11"],
    "5.12": PROWLER["5.12"],
    "5.13": PROWLER["5.13"][1:],
    "5.14": PROWLER["5.14"],
    "5.15": ['{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }'],
}  # fmt: skip
STEAMPIPE_TYPO = STEAMPIPE["5.15"][0].replace('= "AcceptHandshake"', '= AcceptHandshake"')

IDS = [requirement.id for requirement in CIS_AWS_V6_MONITORING]
PRINTED = [
    pytest.param(source, cis_id, text, id=f"{source}-{cis_id}-{n}")
    for source, table in (("prowler", PROWLER), ("steampipe", STEAMPIPE))
    for cis_id, texts in table.items()
    for n, text in enumerate(texts)
]


def test_both_sources_cover_every_requirement() -> None:
    assert set(PROWLER) == set(STEAMPIPE) == set(IDS)


@pytest.mark.parametrize(("source", "cis_id", "text"), PRINTED)
def test_the_printed_cis_pattern_covers(source: str, cis_id: str, text: str) -> None:
    result = covers(text, cis_requirement(cis_id))
    assert result.covered, result.reason
    assert result.missing == ()


def test_a_stray_quote_in_a_transcription_is_a_parse_error_not_a_pass() -> None:
    result = covers(STEAMPIPE_TYPO, cis_requirement("5.15"))
    assert not result.covered
    assert "cannot be parsed" in result.reason and "quote the value" in result.reason


# --- Variations on the printed pattern, for every requirement --------------------------------


def render(node: Node, sep: str = " ", reverse: bool = False, wrap: bool = False, quote: bool = False) -> str:  # fmt: skip
    """Write a parsed pattern back out (without braces), one way or another."""
    if isinstance(node, Comparison):
        selector = "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in node.selector)
        if node.kind == "test":
            text = f"{selector} {node.op}"
        else:
            value = json.dumps(node.value) if quote and node.kind == "string" else node.value
            text = f"{selector}{sep}{node.op}{sep}{value}"
        return f"(({text}))" if wrap else text
    items = reversed(node.items) if reverse else node.items
    parts = [f"({render(i, sep, reverse, wrap, quote)})" if isinstance(i, Junction) else render(i, sep, reverse, wrap, quote) for i in items]  # fmt: skip
    return f"{sep}{node.op}{sep}".join(parts)


def printed(cis_id: str) -> Node:
    node = parse(PROWLER[cis_id][-1])
    assert isinstance(node, Comparison | Junction)
    return node


COVERING: dict[str, Callable[[Node], str]] = {
    "whitespace squeezed": lambda n: "{" + render(n, sep="") + "}",
    "spread over lines": lambda n: "{\n\t" + render(n, sep="\n\t  ") + "\n}",
    "reordered": lambda n: "{ " + render(n, reverse=True) + " }",
    "redundant parentheses": lambda n: "{ (" + render(n, wrap=True) + ") }",
    "values quoted": lambda n: "{ " + render(n, quote=True) + " }",
    "widened by an extra event": lambda n: '{ $.eventName = "GetCallerIdentity" || (' + render(n) + ") }",
    "widened by a wildcard": lambda n: '{ (' + render(n) + ') || $.eventName = "Delete*" }',
}  # fmt: skip


@pytest.mark.parametrize("variation", list(COVERING))
@pytest.mark.parametrize("cis_id", IDS)
def test_variations_that_keep_or_widen_the_match_cover(cis_id: str, variation: str) -> None:
    text = COVERING[variation](printed(cis_id))
    result = covers(text, cis_requirement(cis_id))
    assert result.covered, f"{text}\n{result.reason}"


def _first(node: Node, want: Callable[[Comparison], bool]) -> Comparison:
    if isinstance(node, Comparison):
        if want(node):
            return node
        raise LookupError
    for item in node.items:
        try:
            return _first(item, want)
        except LookupError:
            continue
    raise LookupError


def _swap(node: Node, old: Node, new: Node | None) -> Node:
    """``node`` with the part ``old`` replaced by ``new`` (or removed)."""
    if isinstance(node, Comparison):
        return new if node is old and new is not None else node
    items = [_swap(i, old, new) for i in node.items if not (i is old and new is None)]
    return items[0] if len(items) == 1 else Junction(node.op, tuple(items))


def _is_equality(c: Comparison) -> bool:
    return c.op == "=" and c.kind == "string"


def negated(node: Node) -> tuple[str, str]:
    first = _first(node, _is_equality)
    return "{ " + render(_swap(node, first, replace(first, op="!="))) + " }", first.value


def changed(node: Node) -> tuple[str, str]:
    first = _first(node, _is_equality)
    other = _swap(node, first, replace(first, value="X" + first.value))
    return "{ " + render(other) + " }", first.value


def _alternatives(node: Node) -> Junction | None:
    """The (last) list of alternatives: the pattern itself, or an || inside its top &&."""
    if isinstance(node, Junction) and node.op == "||":
        return node
    inner = [i for i in node.items if isinstance(i, Junction)] if isinstance(node, Junction) else []
    return inner[-1] if inner and inner[-1].op == "||" else None


def dropped(node: Node) -> tuple[str, str]:
    """The last alternative removed; returns the pattern and the value it was about."""
    alternatives = _alternatives(node)
    assert alternatives is not None
    last = alternatives.items[-1]
    victim = last if isinstance(last, Comparison) else _first(last, _is_equality)
    return "{ " + render(_swap(node, last, None)) + " }", victim.value


NOT_COVERING: dict[str, Callable[[Node], tuple[str, str]]] = {
    "an extra narrowing condition": lambda n: (
        "{ (" + render(n) + ') && $.awsRegion = "us-east-1" }',
        '$.awsRegion = "us-east-1"',
    ),
    "= turned into !=": negated,
    "a value changed": changed,
}


@pytest.mark.parametrize("variation", list(NOT_COVERING))
@pytest.mark.parametrize("cis_id", IDS)
def test_variations_that_lose_events_do_not_cover_and_say_what_is_missing(cis_id: str, variation: str) -> None:  # fmt: skip
    text, named = NOT_COVERING[variation](printed(cis_id))
    result = covers(text, cis_requirement(cis_id))
    assert not result.covered, text
    assert result.missing, result.reason
    assert named in result.reason, result.reason


@pytest.mark.parametrize("cis_id", [i for i in IDS if _alternatives(printed(i)) is not None])
def test_dropping_one_event_does_not_cover_and_names_it(cis_id: str) -> None:
    text, named = dropped(printed(cis_id))
    result = covers(text, cis_requirement(cis_id))
    assert not result.covered, text
    assert len(result.missing) == 1 and named in result.missing[0], result.reason


@pytest.mark.parametrize("cis_id", IDS)
@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("space-delimited", "[version, account, eventName=CreateTrail, ...]"),
        ("terms", "?CreateTrail ?UpdateTrail ?DeleteTrail ?StartLogging ?StopLogging"),
        ("empty", ""),
        ("empty", None),
    ],
)
def test_non_json_forms_do_not_cover(cis_id: str, form: str, text: str | None) -> None:
    result = covers(text, cis_requirement(cis_id))
    assert not result.covered
    assert form in result.reason or "every log event" in result.reason
