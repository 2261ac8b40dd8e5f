"""A small, compliant AWS organization as normalized documents (docs/resource-kinds.md).

Tests take ``compliant_world()``, change one field, and evaluate the real catalogue over it
offline: the checks are pure functions of these documents.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.models import Organization, Resource, Tenant
from tests import aws_docs_logging, aws_monitoring_docs
from tests.aws_docs_services import service_kinds

ORG_ID = "o-abc123def4"
MGMT = "111111111111"
LOG = "222222222222"
WORK = "333333333333"
ROOT = "r-root"
OU_SECURITY = "ou-root-security"
OU_WORKLOADS = "ou-root-workloads"
REGIONS = ("us-east-1", "eu-west-1")
BUCKET = "org-trail-logs-222222222222"
KEY_ARN = f"arn:aws:kms:us-east-1:{LOG}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{MGMT}:trail/org-trail"
LOG_GROUP_ARN = f"arn:aws:logs:us-east-1:{MGMT}:log-group:org-trail"
# An hour ago, so "the last delivery is recent" holds whenever the tests run.
RECENT = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(timespec="seconds")


def trail_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "Name": "org-trail",
        "TrailARN": TRAIL_ARN,
        "HomeRegion": "us-east-1",
        "S3BucketName": BUCKET,
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "IsOrganizationTrail": True,
        "LogFileValidationEnabled": True,
        "KmsKeyId": KEY_ARN,
        "CloudWatchLogsLogGroupArn": LOG_GROUP_ARN + ":*",
        "HasCustomEventSelectors": True,
        "HasInsightSelectors": False,
        "Status": {
            "IsLogging": True,
            "LatestDeliveryTime": RECENT,
            "LatestCloudWatchLogsDeliveryTime": RECENT,
        },
        "EventSelectors": [
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
                "ExcludeManagementEventSources": [],
            }
        ],
        "ManagementEvents": {"Read": True, "Write": True, "ExcludedSources": []},
        "S3DataEvents": {"Read": True, "Write": True},
        "Shadow": False,
    }
    doc.update(changes)
    return doc


def bucket_policy() -> dict[str, Any]:
    arn = f"arn:aws:s3:::{BUCKET}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/AWSLogs/*",
                "Condition": {"StringEquals": {"aws:SourceOrgID": ORG_ID}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def bucket_doc() -> dict[str, Any]:
    pab = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    return {
        "Name": BUCKET,
        "Region": "us-east-1",
        "WrittenBy": [TRAIL_ARN],
        "LogKeyPrefixes": ["AWSLogs/"],
        "Encryption": {
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": KEY_ARN,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
        "DefaultSSEAlgorithm": "aws:kms",
        "DefaultKmsKeyId": KEY_ARN,
        "PublicAccessBlock": dict(pab),
        "EffectivePublicAccessBlock": dict(pab),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "ObjectOwnership": "BucketOwnerEnforced",
        "Policy": bucket_policy(),
        "Acl": {
            "Owner": {"ID": "abc"},
            "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}
            ],
        },
        "Lifecycle": {
            "Rules": [
                {
                    "ID": "archive",
                    "Status": "Enabled",
                    "Filter": {},
                    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
                    "Expiration": {"Days": 2555},
                }
            ]
        },
        "LogLifecycle": {
            "ArchiveAfterDays": 90,
            "ArchiveStorageClass": "GLACIER",
            "ExpireAfterDays": 2555,
        },
        "Logging": {"TargetBucket": "access-logs-222222222222", "TargetPrefix": f"{BUCKET}/"},
        "Versioning": {"Status": "Enabled"},
        "ObjectLock": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}},
        },
    }


def scp(
    policy_id: str, name: str, statements: list[dict[str, Any]], targets: list[str]
) -> dict[str, Any]:
    return {
        "Id": policy_id,
        "Arn": f"arn:aws:organizations::{MGMT}:policy/{ORG_ID}/service_control_policy/{policy_id}",
        "Name": name,
        "Type": "SERVICE_CONTROL_POLICY",
        "AwsManaged": False,
        "Content": {"Version": "2012-10-17", "Statement": statements},
        "Targets": [{"TargetId": t} for t in targets],
    }


def standard_scps() -> list[dict[str, Any]]:
    return [
        scp(
            "p-fullaccess",
            "FullAWSAccess",
            [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            [ROOT],
        ),
        scp(
            "p-cloudtrail",
            "protect-cloudtrail",
            [
                {
                    "Sid": "DenyTrailChanges",
                    "Effect": "Deny",
                    "Action": [
                        "cloudtrail:StopLogging",
                        "cloudtrail:DeleteTrail",
                        "cloudtrail:UpdateTrail",
                        "cloudtrail:PutEventSelectors",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}
                    },
                }
            ],
            [OU_SECURITY, OU_WORKLOADS],
        ),
        scp(
            "p-config",
            "protect-config",
            [
                {
                    "Effect": "Deny",
                    "Action": [
                        "config:DeleteConfigurationRecorder",
                        "config:StopConfigurationRecorder",
                        "config:DeleteDeliveryChannel",
                        "config:DeleteConfigRule",
                    ],
                    "Resource": "*",
                }
            ],
            [ROOT],
        ),
        scp(
            "p-logbucket",
            "protect-log-bucket",
            [
                {
                    "Effect": "Deny",
                    "Action": [
                        "s3:PutBucketPolicy",
                        "s3:PutLifecycleConfiguration",
                        "s3:DeleteBucket*",
                    ],
                    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                }
            ],
            [OU_SECURITY],
        ),
    ]


def recorder_doc(
    account: str,
    region: str,
    *,
    recording: bool = True,
    all_supported: bool = True,
    global_types: bool | None = None,
) -> Resource:
    include_global = (region == REGIONS[0]) if global_types is None else global_types
    data = {
        "name": "default",
        "roleARN": f"arn:aws:iam::{account}:role/config",
        "recordingGroup": {
            "allSupported": all_supported,
            "includeGlobalResourceTypes": include_global,
            "resourceTypes": [],
        },
        "Status": {"name": "default", "recording": recording, "lastStatus": "SUCCESS"},
    }
    return Resource(
        "aws.config.recorder",
        f"arn:aws:config:{region}:{account}:config-recorder/default",
        account,
        region,
        data,
    )


@dataclass
class World:
    """Documents per kind: ``org`` for the organization, ``tenants[account][kind]``."""

    org: dict[str, list[Resource]] = field(default_factory=dict)
    tenants: dict[str, dict[str, list[Resource]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    ous: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def doc(self, account: str | None, kind: str, index: int = 0) -> dict[str, Any]:
        """The mutable data of one resource (account None = organization level)."""
        items = self.org[kind] if account is None else self.tenants[account][kind]
        return items[index].data  # type: ignore[return-value]


def compliant_world() -> World:
    """Management, log-archive and one workload account; every AWS control passes."""
    w = World(names={MGMT: "management", LOG: "log-archive", WORK: "workload"})
    w.ous = {MGMT: (ROOT,), LOG: (ROOT, OU_SECURITY), WORK: (ROOT, OU_WORKLOADS)}
    ou_names = {ROOT: "Root", OU_SECURITY: "Security", OU_WORKLOADS: "Workloads"}
    scps = standard_scps()
    accounts = []
    for account, parents in w.ous.items():
        effective = [
            p["Id"] for p in scps if any(t["TargetId"] in (*parents, account) for t in p["Targets"])
        ]
        path = [
            {"Id": p, "Type": "ROOT" if p == ROOT else "ORGANIZATIONAL_UNIT", "Name": ou_names[p]}
            for p in parents
        ]
        data = {
            "Id": account,
            "Arn": f"arn:aws:organizations::{MGMT}:account/{ORG_ID}/{account}",
            "Name": w.names[account],
            "Status": "ACTIVE",
            "ParentPath": path,
            "IsManagementAccount": account == MGMT,
            "EffectivePolicyIds": effective,
        }
        accounts.append(Resource("aws.organizations.account", data["Arn"], account, "", data))
    org_doc = {
        "Id": ORG_ID,
        "Arn": f"arn:aws:organizations::{MGMT}:organization/{ORG_ID}",
        "MasterAccountId": MGMT,
        "FeatureSet": "ALL",
        "Roots": [
            {"Id": ROOT, "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}
        ],
        "ScpEnabled": True,
    }
    w.org = {
        "aws.organizations.organization": [
            Resource("aws.organizations.organization", org_doc["Arn"], MGMT, "", org_doc)
        ],
        "aws.organizations.account": accounts,
        "aws.organizations.policy": [
            Resource("aws.organizations.policy", p["Arn"], MGMT, "", p) for p in scps
        ],
        "aws.cloudtrail.org_trail": [
            Resource("aws.cloudtrail.org_trail", TRAIL_ARN, MGMT, "us-east-1", trail_doc())
        ],
        aws_docs_logging.AGGREGATOR: [aws_docs_logging.aggregator(MGMT, REGIONS[0])],
    }
    for account in w.names:
        trail = trail_doc(Shadow=account != MGMT)
        kinds: dict[str, list[Resource]] = {
            "aws.cloudtrail.trail": [
                Resource("aws.cloudtrail.trail", TRAIL_ARN, MGMT, "us-east-1", trail)
            ],
            "aws.s3.bucket": [],
            "aws.kms.key": [],
            "aws.logs.log_group": [],
            "aws.config.recorder": [recorder_doc(account, r) for r in REGIONS],
            "aws.config.regions": [
                Resource(
                    "aws.config.regions",
                    f"arn:aws:config::{account}:regions",
                    account,
                    "",
                    {"Regions": list(REGIONS)},
                )
            ],
        }
        kinds |= service_kinds(account, account == WORK, REGIONS)
        kinds.update(aws_docs_logging.tenant_kinds(account, REGIONS))
        kinds[aws_docs_logging.CHANNEL] = [
            aws_docs_logging.channel(account, r, LOG) for r in REGIONS
        ]
        w.tenants[account] = kinds
    w.tenants[LOG]["aws.s3.bucket"] = [
        Resource("aws.s3.bucket", f"arn:aws:s3:::{BUCKET}", LOG, "us-east-1", bucket_doc())
    ]
    key = {
        "KeyId": KEY_ARN.split("/")[-1],
        "Arn": KEY_ARN,
        "KeyManager": "CUSTOMER",
        "KeyState": "Enabled",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyRotationEnabled": True,
        "RotationPeriodInDays": 365,
        "UsedBy": [TRAIL_ARN, f"arn:aws:s3:::{BUCKET}"],
    }
    w.tenants[LOG]["aws.kms.key"] = [Resource("aws.kms.key", KEY_ARN, LOG, "us-east-1", key)]
    w.tenants[LOG][aws_docs_logging.ACCESS] = [
        aws_docs_logging.access_resource(LOG, ORG_ID, BUCKET, KEY_ARN, bucket_policy())
    ]
    for account in (MGMT, WORK):
        w.tenants[account][aws_docs_logging.ACCESS] = []
    group = {
        "logGroupName": "org-trail",
        "arn": LOG_GROUP_ARN,
        "retentionInDays": 365,
        "UsedBy": [TRAIL_ARN],
    }
    w.tenants[MGMT]["aws.logs.log_group"] = [
        Resource("aws.logs.log_group", LOG_GROUP_ARN, MGMT, "us-east-1", group)
    ]
    aws_monitoring_docs.add_alerts(w, LOG_GROUP_ARN, MGMT, BUCKET, REGIONS)
    return w


def organization() -> Organization:
    return Organization(cloud="aws", id=ORG_ID, name=ORG_ID, management_tenant_id=MGMT)


def tenants(world: World) -> list[Tenant]:
    return [
        Tenant(
            cloud="aws",
            id=a,
            name=world.names[a],
            organization_id=ORG_ID,
            parents=world.ous.get(a, ()),
            regions=REGIONS,
            is_management=a == MGMT,
        )
        for a in world.tenants
    ]


def copy_world(world: World) -> World:
    return copy.deepcopy(world)
