"""S3 buckets of the sandbox, built through the S3 API exactly as a bucket spec says.

moto applies no defaults to a new bucket, while AWS (since 2023) gives every new bucket SSE-S3,
ObjectOwnership BucketOwnerEnforced and all four Block Public Access settings; buckets made
here get those explicitly unless the spec (a defect) says otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from logwarden_sandbox.aws_zone import BucketSpec

OBJECT_LOCK_DAYS = 365
PAB_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def create_bucket(s3: Any, name: str, region: str, *, object_lock: bool = False) -> None:
    """CreateBucket in ``region`` (no LocationConstraint for us-east-1, as AWS requires)."""
    kwargs: dict[str, Any] = {"Bucket": name, "ObjectLockEnabledForBucket": object_lock}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)


def plain_bucket(s3: Any, name: str, region: str, policy: dict[str, Any] | None = None) -> None:
    """A bucket with AWS's defaults for new buckets (SSE-S3, owner enforced, all four public
    access blocks) and an optional policy."""
    create_bucket(s3, name, region)
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    if policy is not None:
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB_ON)


def trail_bucket(
    s3: Any,
    spec: BucketSpec,
    name: str,
    region: str,
    *,
    policy: dict[str, Any],
    key_arn: str,
    access_log_target: str | None,
) -> None:
    """A bucket that receives trail logs, as ``spec`` says. The policy goes on before the
    public access block: AWS refuses a public policy once BlockPublicPolicy is on, but keeps
    one that was there before (the ``bucket_public_policy`` defect needs that order).
    ``access_log_target`` must already exist and let ``logging.s3.amazonaws.com`` write."""
    create_bucket(s3, name, region, object_lock=spec.object_lock)
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": spec.object_ownership}]}
    )
    rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": spec.sse}}
    if spec.sse.startswith("aws:kms"):
        rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = key_arn
        rule["BucketKeyEnabled"] = True
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    if spec.versioning or spec.object_lock:  # Object Lock implies versioning
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if spec.object_lock:
        retention = {"Mode": "COMPLIANCE", "Days": OBJECT_LOCK_DAYS}
        s3.put_object_lock_configuration(
            Bucket=name,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": retention},
            },
        )
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    if spec.public_access_block:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB_ON)
    lifecycle: dict[str, Any] = {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": ""}}
    if spec.archive_days is not None:
        lifecycle["Transitions"] = [{"Days": spec.archive_days, "StorageClass": spec.archive_class}]
    if spec.expire_days is not None:
        lifecycle["Expiration"] = {"Days": spec.expire_days}
    if len(lifecycle) > 3:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration={"Rules": [lifecycle]}
        )
    if access_log_target is not None:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": access_log_target, "TargetPrefix": f"{name}/"}
            },
        )
