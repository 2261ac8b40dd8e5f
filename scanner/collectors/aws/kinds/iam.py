"""``aws.iam.log_archive_access``: everything that decides who can read the log archive.

Stage 4, in the account that owns a log bucket: the bucket policy (already read), the policy of
the bucket's KMS key (``GetKeyPolicy``, in the key's account) and the identity policies of the
account's roles (``GetAccountAuthorizationDetails``: roles, customer and AWS managed policies). ``checks/aws/log_readers.py`` evaluates it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError

from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    BUCKET,
    KMS_KEY,
    NAME,
    failure,
    incomplete,
    problem,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.collectors.aws.session import AwsSession
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

LOG_ARCHIVE_ACCESS = "aws.iam.log_archive_access"


def collect_access(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """One document per log bucket this account owns; an error (never a partial document)
    when the key policy or the roles cannot be read."""
    me = viewer_id(inv)
    session = session_of(inv)
    # Only this account's own bucket gaps matter here: a bucket's key that was not read (by
    # whichever account reads it) is an error of that bucket below, never a document without it.
    gaps = source_errors(inv, BUCKET)
    if gaps:
        yield incomplete(me, LOG_ARCHIVE_ACCESS, "the log buckets and keys of this account", gaps)
        return
    buckets = [b for b in inv.get(BUCKET).resources if b.tenant_id == me]
    if not buckets:
        return
    keys = [k for _, k in inv.peer_resources(KMS_KEY)]
    try:
        roles = _roles(session)
    except AWS_ERRORS as exc:
        yield failure(me, LOG_ARCHIVE_ACCESS, "", exc, "reading the roles and their policies")
        return
    for bucket in buckets:
        data: dict[str, Any] = {
            "Bucket": bucket.data.get("Name"),
            "BucketArn": bucket.id,
            "Account": me,
            "BucketPolicy": bucket.data.get("Policy"),
            "Roles": roles,
        }
        key_doc = next((k for k in keys if bucket.id in (k.data.get("UsedBy") or ())), None)
        if key_doc is not None:
            try:
                owner = (
                    session
                    if key_doc.tenant_id == me
                    else session.pool.for_account(key_doc.tenant_id)
                )
                client = owner.client("kms", key_doc.region)
                text = client.get_key_policy(KeyId=key_doc.id, PolicyName="default")["Policy"]
            except AWS_ERRORS as exc:
                yield failure(
                    me,
                    LOG_ARCHIVE_ACCESS,
                    key_doc.region,
                    exc,
                    f"reading the policy of {key_doc.id}",
                )
                continue
            data |= {
                "Key": key_doc.id,
                "KeyAccount": key_doc.tenant_id,
                "KeyPolicy": json.loads(text),
            }
        elif bucket.data.get("DefaultKmsKeyId"):
            yield problem(
                me,
                LOG_ARCHIVE_ACCESS,
                bucket.region,
                "LogKeyNotFound",
                f"the KMS key {bucket.data['DefaultKmsKeyId']} of {bucket.id} was not read "
                "(see the errors of aws.kms.key), so who can decrypt the logs is unknown",
            )
            continue
        yield resource(LOG_ARCHIVE_ACCESS, f"{bucket.id}#readers", me, bucket.region, data)


def _roles(session: AwsSession) -> list[dict[str, Any]]:
    """Every role of the account with the documents of its inline and attached policies, from
    one paginated ``GetAccountAuthorizationDetails`` (roles, customer and AWS managed
    policies). A policy attached to a role but absent from the answer cannot be evaluated:
    that is an error, never a role without it."""
    iam = session.client("iam")
    pages = iam.get_paginator("get_account_authorization_details").paginate(
        Filter=["Role", "LocalManagedPolicy", "AWSManagedPolicy"]
    )
    answer = pages.build_full_result()
    documents = {
        p["Arn"]: next(
            (v["Document"] for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")),
            None,
        )
        for p in answer.get("Policies", [])
    }
    roles = []
    for role in answer["RoleDetailList"]:
        policies = [
            {"Name": p["PolicyName"], "Document": p["PolicyDocument"]}
            for p in role.get("RolePolicyList", [])
        ]
        for attached in role.get("AttachedManagedPolicies", []):
            arn = attached["PolicyArn"]
            if documents.get(arn) is None:
                raise MissingPolicy(
                    f"policy {arn} attached to {role['Arn']} is not in the answer of "
                    "GetAccountAuthorizationDetails"
                )
            policies.append({"Name": arn, "Document": documents[arn]})
        roles.append({"Arn": role["Arn"], "RoleName": role["RoleName"], "Policies": policies})
    return roles


class MissingPolicy(BotoCoreError):
    """An attached managed policy whose document the answer does not carry."""

    fmt = "{reason}"

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)


KINDS = [
    ResourceKind(
        name=LOG_ARCHIVE_ACCESS,
        reads=(BUCKET, KMS_KEY),
        cloud=NAME,
        description="Who can read a log bucket: its policy, its key's policy, the owner's roles.",
        collect=collect_access,
        stage=4,
    ),
]
