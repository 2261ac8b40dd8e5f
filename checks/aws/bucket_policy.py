"""aws.s3.log_bucket_not_public and aws.s3.log_bucket_tls_only: bucket policy and ACL analysis."""

from __future__ import annotations

import json
from collections.abc import Iterator

from logwarden.checks.aws.iam_policy import (
    denies_insecure_transport,
    public_acl_grants,
    public_policy_statements,
)
from logwarden.scanner.models import CheckContext, Outcome, Resource, Status


def _owned_buckets(ctx: CheckContext) -> list[Resource]:
    owner = ctx.tenant.id if ctx.tenant is not None else None
    return [b for b in ctx.resources("aws.s3.bucket") if owner is None or b.tenant_id == owner]


def _unreadable(bucket: Resource, exc: ValueError) -> Outcome:
    name = bucket.data.get("Name", bucket.id)
    message = f"{name}: could not be evaluated: the bucket policy is unreadable: {exc}"
    return Outcome(Status.ERROR, message, bucket.id, bucket.region)


def not_public(ctx: CheckContext) -> Iterator[Outcome]:
    """No ACL grant to AllUsers/AuthenticatedUsers; no unconditioned Allow to everyone."""
    for bucket in _owned_buckets(ctx):
        name = bucket.data.get("Name", bucket.id)
        try:
            statements = public_policy_statements(bucket.data.get("Policy"))
        except ValueError as exc:
            yield _unreadable(bucket, exc)
            continue
        grants = public_acl_grants(bucket.data.get("Acl"))
        evidence = {"PublicPolicyStatements": statements, "PublicAclGrants": grants}
        if not statements and not grants:
            yield Outcome(
                Status.PASS,
                f"{name}: no public ACL grant and no public policy statement",
                bucket.id,
                bucket.region,
                evidence,
            )
            continue
        parts = []
        if statements:
            parts.append(
                "bucket policy allows everyone: "
                + "; ".join(json.dumps(s, sort_keys=True) for s in statements)
            )
        if grants:
            parts.append(
                "ACL grants to "
                + ", ".join(
                    f"{g.get('Grantee', {}).get('URI')} ({g.get('Permission')})" for g in grants
                )
            )
        yield Outcome(
            Status.FAIL, f"{name}: " + "; ".join(parts), bucket.id, bucket.region, evidence
        )


def tls_only(ctx: CheckContext) -> Iterator[Outcome]:
    """The bucket policy denies every request made without TLS, on the bucket and its objects."""
    for bucket in _owned_buckets(ctx):
        name = bucket.data.get("Name", bucket.id)
        policy = bucket.data.get("Policy")
        try:
            ok = denies_insecure_transport(policy, name)
        except ValueError as exc:
            yield _unreadable(bucket, exc)
            continue
        evidence = {"Policy": policy}
        if ok:
            yield Outcome(
                Status.PASS,
                f"{name}: the policy denies aws:SecureTransport=false",
                bucket.id,
                bucket.region,
                evidence,
            )
        elif policy is None:
            yield Outcome(
                Status.FAIL,
                f"{name}: the bucket has no policy, so plain-HTTP requests are not denied",
                bucket.id,
                bucket.region,
                evidence,
            )
        else:
            yield Outcome(
                Status.FAIL,
                f"{name}: no Deny statement for aws:SecureTransport=false covering the bucket and its objects",
                bucket.id,
                bucket.region,
                evidence,
            )
