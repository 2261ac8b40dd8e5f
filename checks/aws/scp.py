"""aws.org.scp_protects_*: is a Deny in effect for the account through its OU path?

SCPs never apply to the management account, and only when the SCP policy type is enabled on
the root. The effective SCPs are those attached to the root, to each OU on the account's path
and to the account itself (collected as ``EffectivePolicyIds``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from logwarden.checks.aws.iam_policy import deny_coverage
from logwarden.scanner.declarative import subject_id
from logwarden.scanner.models import CheckContext, Outcome, Resource, Status

CLOUDTRAIL_ACTIONS = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
)
CONFIG_ACTIONS = (
    "config:DeleteConfigurationRecorder",
    "config:StopConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "config:DeleteConfigRule",
)
LOG_BUCKET_ACTIONS = ("s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:DeleteBucket*")


def _account(ctx: CheckContext) -> Resource | None:
    assert ctx.tenant is not None
    return next(
        (
            a
            for a in ctx.resources("aws.organizations.account")
            if a.data.get("Id") == ctx.tenant.id
        ),
        None,
    )


def _evaluate(
    ctx: CheckContext, actions: Sequence[str], resource_arns: Sequence[str], what: str
) -> Outcome:
    subject = subject_id(ctx)
    organization = ctx.resources("aws.organizations.organization")
    if ctx.tenant is not None and ctx.tenant.is_management:
        return Outcome(
            Status.SKIPPED, "not applicable: SCPs do not apply to the management account", subject
        )
    account = _account(ctx)
    if account is None:
        return Outcome(
            Status.ERROR,
            "could not be evaluated: the account is not listed in the organization",
            subject,
        )
    if not organization or not organization[0].data.get("ScpEnabled"):
        return Outcome(
            Status.FAIL,
            "the SERVICE_CONTROL_POLICY type is not enabled on the root: no SCP is in effect",
            subject,
            evidence={"ScpEnabled": False},
        )
    effective = list(account.data.get("EffectivePolicyIds") or ())
    policies = [
        p.data for p in ctx.resources("aws.organizations.policy") if p.data.get("Id") in effective
    ]
    coverage = deny_coverage(policies, actions, resource_arns)
    path = " > ".join(
        str(p.get("Name") or p.get("Id")) for p in account.data.get("ParentPath") or ()
    )
    evidence = {
        "ParentPath": path,
        "EffectivePolicies": [f"{p.get('Name')} ({p.get('Id')})" for p in policies],
        "DeniedBy": coverage.covered,
        "NotDenied": list(coverage.missing),
        "Notes": list(coverage.notes),
        "ResourceArns": list(resource_arns) or ["*"],
    }
    if coverage.complete:
        return Outcome(
            Status.PASS, f"{what} protected by SCPs on path {path}", subject, evidence=evidence
        )
    notes = f" ({'; '.join(coverage.notes)})" if coverage.notes else ""
    return Outcome(
        Status.FAIL,
        f"no SCP in effect on path {path} denies {', '.join(coverage.missing)}{notes}",
        subject,
        evidence=evidence,
    )


def protects_cloudtrail(ctx: CheckContext) -> Iterator[Outcome]:
    """The CloudTrail actions are denied for the organization trail(s), or for all trails."""
    trail_arns = [t.id for t in ctx.resources("aws.cloudtrail.org_trail")]
    yield _evaluate(ctx, CLOUDTRAIL_ACTIONS, trail_arns, "CloudTrail is")


def protects_config(ctx: CheckContext) -> Iterator[Outcome]:
    """The AWS Config actions are denied on every resource."""
    yield _evaluate(ctx, CONFIG_ACTIONS, [], "AWS Config is")


def protects_log_bucket(ctx: CheckContext) -> Iterator[Outcome]:
    """In the account that owns log buckets, bucket-policy/lifecycle/deletion are denied on them."""
    assert ctx.tenant is not None
    buckets = [b for b in ctx.resources("aws.s3.bucket") if b.tenant_id == ctx.tenant.id]
    if not buckets:
        yield Outcome(
            Status.SKIPPED, "not applicable: this account holds no log bucket", subject_id(ctx)
        )
        return
    arns = [b.id for b in buckets]
    if ctx.tenant.is_management:
        yield Outcome(
            Status.FAIL,
            f"log bucket(s) {', '.join(arns)} live in the management account, where no SCP applies; move them to a log-archive account",
            subject_id(ctx),
            evidence={"LogBuckets": arns},
        )
        return
    yield _evaluate(ctx, LOG_BUCKET_ACTIONS, arns, f"log bucket {', '.join(arns)} is")
