"""Changes to the seeded AWS landing zone, made as an administrator would, and recorded in
CloudTrail as AWS records them.

Each change is made through boto3 against the sandbox server at ``world.endpoint_url``, as
the management account or, for the log archive, through ``OrganizationAccountAccessRole`` as
the seeder does. (moto alone, under ``mock_aws()``, refuses object writes to the central
bucket under its policy: the server's :mod:`logwarden_sandbox.aws_bucket_policy` fills that
gap.) Then the CloudTrail record of that API call is written where AWS would put it:

- **the organization trail's archive**: a gzipped log file ``{"Records": [record]}`` in the
  trail's bucket under ``[prefix/]AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/
  <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 characters>.json.gz`` (written by the
  log-archive account, which owns the bucket), only when the trail was logging at the time of
  the call and covers its region. ``StopLogging`` itself is delivered (the trail logged until
  it stopped); a change made after the trail stopped is not;
- **event history**: always (:mod:`logwarden_sandbox.aws_journal`, served as ``LookupEvents``).

``principal`` may contain ``{account}``: the account that makes the change.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import secrets
import string
import uuid
from typing import Any

from botocore.exceptions import ClientError

from logwarden_sandbox import aws_journal
from logwarden_sandbox.aws_clients import FAKE_CREDENTIALS, ClientCache, Credentials
from logwarden_sandbox.aws_zone import LOG_ARCHIVE, World

ADMIN = "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_AdministratorAccess/alice@example.com"
LOG_ADMIN = "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_LogArchiveAdmin/bob@example.com"
USER_AGENT = "aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 lang/python#3.11.9 md/command#{}"
_ALNUM = string.ascii_letters + string.digits


def stop_org_trail(
    world: World, *, principal: str = ADMIN, source_ip: str = "203.0.113.10"
) -> dict[str, Any]:
    """Stop the organization trail (``StopLogging`` by name, in its home region, as the
    management account); returns the CloudTrail record written."""
    clients = ClientCache(world.endpoint_url)
    account, region = world.management_account_id, world.home_region
    name = world.org_trail_arn.rsplit("/", 1)[-1]
    delivery = _org_trail_delivery(clients, world)
    clients.get("cloudtrail", region).stop_logging(Name=name)
    event = cloudtrail_record(
        principal=principal.format(account=account),
        account=account,
        region=region,
        source="cloudtrail.amazonaws.com",
        name="StopLogging",
        params={"name": name},
        source_ip=source_ip,
        user_agent=USER_AGENT.format("cloudtrail.stop-logging"),
    )
    _deliver(clients, world, event, delivery, [("AWS::CloudTrail::Trail", world.org_trail_arn)])
    return event


def shorten_log_bucket_lifecycle(
    world: World,
    *,
    expire_days: int = 30,
    principal: str = LOG_ADMIN,
    source_ip: str = "198.51.100.23",
) -> dict[str, Any]:
    """Replace the central log bucket's lifecycle with one rule that expires every log after
    ``expire_days`` (archive transitions at or after that day are dropped, as S3 requires),
    as the log-archive account; returns the CloudTrail record written."""
    clients = ClientCache(world.endpoint_url)
    account, region, bucket = world.log_archive_account_id, world.home_region, world.log_bucket
    delivery = _org_trail_delivery(clients, world)
    s3 = clients.get("s3", region, _assume(clients, world, LOG_ARCHIVE))
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchLifecycleConfiguration":
            raise
        rules = []
    transitions = [
        t for r in rules for t in r.get("Transitions", []) if t.get("Days", 0) < expire_days
    ]
    rule: dict[str, Any] = {
        "ID": "logs",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "Expiration": {"Days": expire_days},
    }
    if transitions:
        rule["Transitions"] = transitions[:1]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    host = f"{bucket}.s3.{region}.amazonaws.com"
    xml_rule = {k: v for k, v in rule.items() if k != "Transitions"}
    if transitions:
        xml_rule["Transition"] = transitions[0]
    event = cloudtrail_record(
        principal=principal.format(account=account),
        account=account,
        region=region,
        source="s3.amazonaws.com",
        name="PutBucketLifecycle",
        params={
            "bucketName": bucket,
            "Host": host,
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": xml_rule,
            },
        },
        source_ip=source_ip,
        user_agent=f"[{USER_AGENT.format('s3api.put-bucket-lifecycle-configuration')}]",
        resources=[
            {"accountId": account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}
        ],
        extra={
            "additionalEventData": {
                "SignatureVersion": "SigV4",
                "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": 312,
                "AuthenticationMethod": "AuthHeader",
                "x-amz-id-2": secrets.token_urlsafe(48),
                "bytesTransferredOut": 0,
            },
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            },
        },
    )
    _deliver(clients, world, event, delivery, [("AWS::S3::Bucket", bucket)])
    return event


def user_identity(principal: str, account: str) -> dict[str, Any]:
    """The ``userIdentity`` CloudTrail writes for ``principal`` (an assumed-role session, an
    IAM user or the root user ARN)."""
    parts = principal.split(":", 5)
    owner = parts[4] if len(parts) == 6 and parts[4] else account
    resource = parts[5] if len(parts) == 6 else principal
    key = "ASIA" + _token(principal + "key", 16)
    if resource.startswith("assumed-role/"):
        _, role, session = resource.split("/", 2)
        role_path = "aws-reserved/sso.amazonaws.com/" if role.startswith("AWSReservedSSO_") else ""
        role_id = "AROA" + _token(f"{owner}/{role}", 17)
        created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": principal,
            "accountId": owner,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{owner}:role/{role_path}{role}",
                    "accountId": owner,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "mfaAuthenticated": "false",
                },
            },
        }
    if resource == "root":
        return {"type": "Root", "principalId": owner, "arn": principal, "accountId": owner}
    return {
        "type": "IAMUser",
        "principalId": "AIDA" + _token(principal, 17),
        "arn": principal,
        "accountId": owner,
        "accessKeyId": "AKIA" + _token(principal + "key", 16),
        "userName": resource.rsplit("/", 1)[-1],
    }


def cloudtrail_record(
    *,
    principal: str,
    account: str,
    region: str,
    source: str,
    name: str,
    params: dict[str, Any],
    source_ip: str,
    user_agent: str,
    resources: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    when: dt.datetime | None = None,
) -> dict[str, Any]:
    """A CloudTrail management-event record of a successful write call made now."""
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    event: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": user_identity(principal, account),
        "eventTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": params,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if resources:
        event["resources"] = resources
    event.update(extra or {})
    return event


def log_file_key(
    *, prefix: str, org_id: str, account: str, region: str, delivered: dt.datetime
) -> str:
    """Where CloudTrail delivers a log file of ``account`` in ``region`` at ``delivered``."""
    head = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    org = f"{org_id}/" if org_id else ""
    stamp = delivered.astimezone(dt.UTC)
    unique = "".join(secrets.choice(_ALNUM) for _ in range(16))
    return (
        f"{head}AWSLogs/{org}{account}/CloudTrail/{region}/{stamp:%Y/%m/%d}/"
        f"{account}_CloudTrail_{region}_{stamp:%Y%m%dT%H%MZ}_{unique}.json.gz"
    )


def _token(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest().upper()
    return digest[:length]


def _assume(clients: ClientCache, world: World, account: str) -> Credentials:
    sts = clients.get("sts", world.home_region)
    answer = sts.assume_role(
        RoleArn=world.role_arn(account), RoleSessionName="logwarden-sandbox-change"
    )
    return Credentials.from_sts(answer["Credentials"])


def _org_trail_delivery(clients: ClientCache, world: World) -> dict[str, Any] | None:
    """The organization trail's delivery settings if it is logging now, else None."""
    cloudtrail = clients.get("cloudtrail", world.home_region, FAKE_CREDENTIALS)
    if not cloudtrail.get_trail_status(Name=world.org_trail_arn).get("IsLogging"):
        return None
    return dict(cloudtrail.get_trail(Name=world.org_trail_arn)["Trail"])


def _deliver(
    clients: ClientCache,
    world: World,
    event: dict[str, Any],
    trail: dict[str, Any] | None,
    resources: list[tuple[str, str]],
) -> None:
    aws_journal.record(event, resources)
    region = str(event["awsRegion"])
    if trail is None or not (trail.get("IsMultiRegionTrail") or trail.get("HomeRegion") == region):
        return
    key = log_file_key(
        prefix=str(trail.get("S3KeyPrefix") or ""),
        org_id=world.org_id,
        account=str(event["recipientAccountId"]),
        region=region,
        delivered=dt.datetime.now(dt.UTC),
    )
    body = gzip.compress(json.dumps({"Records": [event]}).encode())
    s3 = clients.get("s3", world.home_region, _assume(clients, world, LOG_ARCHIVE))
    s3.put_object(
        Bucket=str(trail["S3BucketName"]), Key=key, Body=body, ContentType="application/json"
    )
