"""The botocore operation name of a request to the sandbox (``DescribeTrails``, ``GetBucketPolicy``).

JSON and query protocols name the operation themselves (``X-Amz-Target``, ``Action``). S3,
S3 Control and EKS name it by method, path and sub-resource; only the read requests a scan or an
attribution makes are named here (``""`` for the others): the fault proxy of the tests uses
the name to fault one operation at a time.
"""

from __future__ import annotations

from collections.abc import Mapping

#: GET /BUCKET?<sub-resource>
S3_BUCKET_READS: Mapping[str, str] = {
    "accelerate": "GetBucketAccelerateConfiguration",
    "acl": "GetBucketAcl",
    "cors": "GetBucketCors",
    "encryption": "GetBucketEncryption",
    "lifecycle": "GetBucketLifecycleConfiguration",
    "location": "GetBucketLocation",
    "logging": "GetBucketLogging",
    "notification": "GetBucketNotificationConfiguration",
    "object-lock": "GetObjectLockConfiguration",
    "ownershipControls": "GetBucketOwnershipControls",
    "policy": "GetBucketPolicy",
    "policyStatus": "GetBucketPolicyStatus",
    "publicAccessBlock": "GetPublicAccessBlock",
    "replication": "GetBucketReplication",
    "requestPayment": "GetBucketRequestPayment",
    "tagging": "GetBucketTagging",
    "uploads": "ListMultipartUploads",
    "versioning": "GetBucketVersioning",
    "versions": "ListObjectVersions",
    "website": "GetBucketWebsite",
}
#: GET /BUCKET/KEY?<sub-resource>
S3_OBJECT_READS: Mapping[str, str] = {
    "acl": "GetObjectAcl",
    "attributes": "GetObjectAttributes",
    "legal-hold": "GetObjectLegalHold",
    "retention": "GetObjectRetention",
    "tagging": "GetObjectTagging",
}
#: REST-JSON reads other than S3's, by (service, method, path): they carry no action name.
REST_JSON_READS: Mapping[tuple[str, str, str], str] = {
    ("securityhub", "GET", "/accounts"): "DescribeHub",
}
#: GET /v20180820/.../<last segment>
S3CONTROL_READS: Mapping[str, str] = {"publicAccessBlock": "GetPublicAccessBlock"}


def operation_name(
    method: str, service: str, action: str, path: str, query: Mapping[str, list[str]]
) -> str:
    """The operation of a request, given what ``describe_request`` found (see the module)."""
    if service == "s3control":
        return S3CONTROL_READS.get(action, "") if method == "GET" else ""
    if service == "eks":
        return _eks_operation(method, path)
    if service != "s3":
        return action or REST_JSON_READS.get((service, method, path.rstrip("/")), "")
    bucket, _, key = path.lstrip("/").partition("/")
    if method == "HEAD":
        return "HeadObject" if key else ("HeadBucket" if bucket else "")
    if method != "GET":
        return ""
    if not bucket:
        return "ListBuckets"
    if key:
        return S3_OBJECT_READS.get(action, "") if action else "GetObject"
    if action:
        return S3_BUCKET_READS.get(action, "")
    return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"


def _eks_operation(method: str, path: str) -> str:
    """EKS (rest-json) names its reads by path: ``GET /clusters``, ``GET /clusters/NAME``."""
    parts = [p for p in path.split("/") if p]
    if method != "GET" or not parts or parts[0] != "clusters":
        return ""
    return {1: "ListClusters", 2: "DescribeCluster"}.get(len(parts), "")
