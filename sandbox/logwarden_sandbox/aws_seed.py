"""Create a :class:`~logwarden_sandbox.aws_zone.LandingZone` through the AWS APIs (moto).

Order: organization, OUs and accounts (management credentials); the log archive (key, buckets)
with credentials from STS AssumeRole on ``OrganizationAccountAccessRole``; then every account
in parallel threads (its Config recorders, its own trail, the organization trail for the
management account); SCPs last. Everything goes through boto3 exactly as a landing-zone
pipeline would, so moto validates what it validates (for example: a trail's bucket must
exist, in any account; a server-access-log target must grant ``logging.s3.amazonaws.com``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from logwarden_sandbox import aws_buckets as buckets
from logwarden_sandbox import aws_policies as pol
from logwarden_sandbox import aws_seed_logging as logging_seed
from logwarden_sandbox import aws_seed_monitoring
from logwarden_sandbox.aws_clients import FAKE_CREDENTIALS, ClientCache, Credentials
from logwarden_sandbox.aws_seed_services import seed_services
from logwarden_sandbox.aws_zone import (
    LOG_ARCHIVE,
    MANAGEMENT,
    ROOT,
    AccountSpec,
    BucketSpec,
    LandingZone,
    TrailSpec,
    World,
)

T = TypeVar("T")
CLOUDWATCH_ROLE = "CloudTrail_CloudWatchLogs_Role"


class Seeder:
    """One seeding run; :meth:`run` returns the :class:`World` (without defect rows)."""

    def __init__(self, zone: LandingZone, clients: ClientCache, *, workers: int = 8) -> None:
        self.zone, self.clients, self.workers = zone, clients, workers
        self.home = zone.home_region
        self.ids: dict[str, str] = {}
        self.creds: dict[str, Credentials] = {MANAGEMENT: FAKE_CREDENTIALS}
        self.ous: dict[str, str] = {}
        self.account_ous: dict[str, str] = {}
        self.policies: dict[str, str] = {}
        self.org: dict[str, Any] = {}
        self.root_id = self.key_arn = self.log_bucket = self.access_log_bucket = ""
        self.config_bucket = self.org_log_group_arn = ""
        self.services: dict[str, str] = {}
        self.lock = threading.Lock()
        self.logging_ids: dict[str, str] = {}

    def _client(self, service: str, account: str, region: str | None = None) -> Any:
        return self.clients.get(service, region or self.home, self.creds[account])

    client_of = _client  # for the seeding modules of other services

    def _name(self, template: str, account: str) -> str:
        return template.format(account=self.ids[account], org=self.org["Id"])

    def run(self) -> World:
        """Seed everything and describe the result."""
        self._organization()
        self._accounts()
        self.creds[LOG_ARCHIVE] = self._assume(LOG_ARCHIVE)
        self._log_archive()
        logging_seed.seed_log_archive(self)
        self._parallel(self._account, self.zone.accounts)
        self._scps()
        return World(
            endpoint_url=self.clients.endpoint_url,
            management_account_id=self.ids[MANAGEMENT],
            log_archive_account_id=self.ids[LOG_ARCHIVE],
            accounts=dict(self.ids),
            ous=dict(self.ous),
            root_id=self.root_id,
            org_id=self.org["Id"],
            org_arn=self.org["Arn"],
            org_trail_arn=self.trail_arn(MANAGEMENT, self.zone.org_trail),
            log_bucket=self.log_bucket,
            access_log_bucket=self.access_log_bucket,
            config_bucket=self.config_bucket,
            log_key_arn=self.key_arn,
            log_group_arn=self.org_log_group_arn,
            regions=tuple(self.zone.regions),
            home_region=self.home,
            policies=dict(self.policies),
            account_ous=dict(self.account_ous),
            services=dict(self.services),
            logging_ids=dict(self.logging_ids),
        )

    def _parallel(self, fn: Callable[[T], object], items: Iterable[T]) -> None:
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="seed") as pool:
            list(pool.map(fn, items))  # re-raises the first failure

    # -- organization ------------------------------------------------------------------------
    def _organization(self) -> None:
        org = self._client("organizations", MANAGEMENT)
        self.org = org.create_organization(FeatureSet="ALL")["Organization"]
        self.ids[MANAGEMENT] = self.org["MasterAccountId"]
        self.account_ous[self.ids[MANAGEMENT]] = ""
        root = org.list_roots()["Roots"][0]
        self.root_id = root["Id"]
        enabled = {p["Type"] for p in root.get("PolicyTypes", []) if p["Status"] == "ENABLED"}
        if "SERVICE_CONTROL_POLICY" not in enabled:
            org.enable_policy_type(RootId=self.root_id, PolicyType="SERVICE_CONTROL_POLICY")
        for name in self.zone.ous:
            ou = org.create_organizational_unit(ParentId=self.root_id, Name=name)
            self.ous[name] = ou["OrganizationalUnit"]["Id"]

    def _accounts(self) -> None:
        org = self._client("organizations", MANAGEMENT)
        for spec in self.zone.accounts:
            if spec.name == MANAGEMENT:
                continue
            status = org.create_account(AccountName=spec.name, Email=spec.email)
            status = status["CreateAccountStatus"]
            deadline = time.monotonic() + 60
            while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
                time.sleep(0.2)
                status = org.describe_create_account_status(CreateAccountRequestId=status["Id"])
                status = status["CreateAccountStatus"]
            if status["State"] != "SUCCEEDED":
                raise RuntimeError(f"account {spec.name} not created: {status}")
            self.ids[spec.name] = status["AccountId"]
            self.account_ous[status["AccountId"]] = spec.ou
            if spec.ou:
                org.move_account(
                    AccountId=status["AccountId"],
                    SourceParentId=self.root_id,
                    DestinationParentId=self.ous[spec.ou],
                )

    def _assume(self, account: str) -> Credentials:
        sts = self._client("sts", MANAGEMENT)
        answer = sts.assume_role(
            RoleArn=f"arn:aws:iam::{self.ids[account]}:role/OrganizationAccountAccessRole",
            RoleSessionName="logwarden-sandbox-seed",
        )
        return Credentials.from_sts(answer["Credentials"])

    def _scps(self) -> None:
        org = self._client("organizations", MANAGEMENT)
        targets = {ROOT: self.root_id, **self.ous, **self.ids}
        for spec in self.zone.scps:
            document = pol.fill_placeholders(dict(spec.document), self.log_bucket)
            policy = org.create_policy(
                Content=json.dumps(document),
                Description=spec.description,
                Name=spec.name,
                Type="SERVICE_CONTROL_POLICY",
            )["Policy"]["PolicySummary"]
            self.policies[spec.name] = policy["Id"]
            for target in spec.targets:
                org.attach_policy(PolicyId=policy["Id"], TargetId=targets[target])

    # -- log archive -------------------------------------------------------------------------
    def trail_arn(self, account: str, spec: TrailSpec) -> str:
        """The ARN a trail spec gets in ``account`` (known before the trail exists)."""
        return f"arn:aws:cloudtrail:{self.home}:{self.ids[account]}:trail/{spec.name}"

    def _central_writers(self) -> list[str]:
        arns = [self.trail_arn(MANAGEMENT, self.zone.org_trail)]
        arns += [
            self.trail_arn(a.name, a.trail)
            for a in self.zone.accounts
            if a.trail and not a.trail.bucket
        ]
        return arns

    def _log_archive(self) -> None:
        kms = self._client("kms", LOG_ARCHIVE)
        policy = pol.log_key_policy(self.ids[LOG_ARCHIVE], self.org["Id"])
        key = kms.create_key(
            Policy=json.dumps(policy),
            Description="logwarden sandbox: CloudTrail logs and the log bucket",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
        )["KeyMetadata"]
        self.key_arn = key["Arn"]
        kms.create_alias(AliasName=self.zone.log_key.alias, TargetKeyId=key["KeyId"])
        if self.zone.log_key.rotation:
            kms.enable_key_rotation(KeyId=key["KeyId"])
        spec = self.zone.log_bucket
        self.log_bucket = self._name(spec.name, LOG_ARCHIVE)
        bucket_policy = pol.log_bucket_policy(
            self.log_bucket,
            org_id=self.org["Id"],
            trail_arns=self._central_writers(),
            tls_deny=spec.tls_deny,
            public_read=spec.public_read,
        )
        self._bucket(LOG_ARCHIVE, spec, self.log_bucket, bucket_policy)
        if spec.access_logging:
            self.access_log_bucket = self._name(spec.access_log_bucket, LOG_ARCHIVE)
        self.config_bucket = self._name(self.zone.config_bucket, LOG_ARCHIVE)
        buckets.plain_bucket(self._client("s3", LOG_ARCHIVE), self.config_bucket, self.home)

    def _bucket(self, account: str, spec: BucketSpec, name: str, policy: dict[str, Any]) -> None:
        """A trail bucket of ``account`` (and its access-log bucket when the spec logs)."""
        s3 = self._client("s3", account)
        target = None
        if spec.access_logging:
            target = self._name(spec.access_log_bucket, account)
            log_policy = pol.access_log_bucket_policy(target, name, self.ids[account])
            buckets.plain_bucket(s3, target, self.home, log_policy)
        buckets.trail_bucket(
            s3,
            spec,
            name,
            self.home,
            policy=policy,
            key_arn=self.key_arn,
            access_log_target=target,
        )

    # -- per account -------------------------------------------------------------------------
    def _account(self, spec: AccountSpec) -> None:
        if spec.name not in self.creds:
            self.creds[spec.name] = self._assume(spec.name)
        self._recorders(spec)
        # the service workloads first: their VPC gets its flow logs with the account's others
        self.services.update(seed_services(self, spec))
        logging_seed.seed_account(self, spec)
        if spec.name == MANAGEMENT:
            self._trail(MANAGEMENT, self.zone.org_trail)
            aws_seed_monitoring.seed_for(self)
        if spec.trail is not None:
            self._trail(spec.name, spec.trail)

    def _recorders(self, spec: AccountSpec) -> None:
        if not spec.recorders:
            return
        iam = self._client("iam", spec.name)
        role = iam.create_service_linked_role(AWSServiceName="config.amazonaws.com")
        for region, recorder in spec.recorders.items():
            config = self._client("config", spec.name, region)
            group = {
                "allSupported": recorder.all_supported,
                "includeGlobalResourceTypes": recorder.include_global,
            }
            config.put_configuration_recorder(
                ConfigurationRecorder={
                    "name": "default",
                    "roleARN": role["Role"]["Arn"],
                    "recordingGroup": group,
                }
            )
            config.put_delivery_channel(
                DeliveryChannel={
                    "name": "default",
                    "s3BucketName": self.config_bucket,
                    "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"},
                }
            )
            config.start_configuration_recorder(ConfigurationRecorderName="default")
            if not recorder.recording:
                config.stop_configuration_recorder(ConfigurationRecorderName="default")

    def _trail(self, account: str, spec: TrailSpec) -> None:
        kwargs: dict[str, Any] = {
            "Name": spec.name,
            "S3BucketName": self.log_bucket,
            "IncludeGlobalServiceEvents": spec.global_events,
            "IsMultiRegionTrail": spec.multi_region,
            "EnableLogFileValidation": spec.log_validation,
            "IsOrganizationTrail": spec.organization,
        }
        if spec.bucket is not None:
            kwargs["S3BucketName"] = self._name(spec.bucket.name, account)
            policy = pol.account_trail_bucket_policy(
                kwargs["S3BucketName"], self.ids[account], spec.bucket.tls_deny
            )
            self._bucket(account, spec.bucket, kwargs["S3BucketName"], policy)
        if spec.kms:
            kwargs["KmsKeyId"] = self.key_arn
        if spec.log_group is not None:
            group_arn = self._log_group(
                account, self._name(spec.log_group.name, account), spec.log_group.retention_days
            )
            kwargs["CloudWatchLogsLogGroupArn"] = f"{group_arn}:*"
            kwargs["CloudWatchLogsRoleArn"] = self._cloudwatch_role(account, group_arn)
            if spec.organization:
                self.org_log_group_arn = group_arn
        cloudtrail = self._client("cloudtrail", account)
        cloudtrail.create_trail(**kwargs)
        selectors: list[dict[str, Any]] = [
            {"ReadWriteType": spec.read_write, "IncludeManagementEvents": True, "DataResources": []}
        ]
        if spec.s3_data_events:
            selectors.append(logging_seed.s3_data_selector(spec.s3_data_events))
        cloudtrail.put_event_selectors(TrailName=spec.name, EventSelectors=selectors)
        cloudtrail.start_logging(Name=spec.name)
        if not spec.logging:
            cloudtrail.stop_logging(Name=spec.name)

    def _log_group(self, account: str, name: str, retention_days: int | None) -> str:
        logs = self._client("logs", account)
        logs.create_log_group(logGroupName=name)
        if retention_days is not None:
            logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)
        return f"arn:aws:logs:{self.home}:{self.ids[account]}:log-group:{name}"

    def _cloudwatch_role(self, account: str, group_arn: str) -> str:
        iam = self._client("iam", account)
        trust = pol.service_trust_policy(pol.CLOUDTRAIL)
        role = iam.create_role(RoleName=CLOUDWATCH_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName=CLOUDWATCH_ROLE,
            PolicyName="cloudtrail-delivery",
            PolicyDocument=json.dumps(pol.cloudwatch_delivery_policy(group_arn)),
        )
        return str(role["Role"]["Arn"])
