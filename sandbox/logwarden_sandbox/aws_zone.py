"""The data of the AWS sandbox: a declarative landing zone, and the world seeded from it.

A :class:`LandingZone` says *what* exists (accounts, OUs, trails, buckets, keys, recorders,
SCPs) without any ids; :func:`logwarden_sandbox.aws_world.seed_landing_zone` creates it and
returns a :class:`World` with the ids moto assigned and, per defect, which check must FAIL
where. Names may contain ``{account}`` (the owning account id) and ``{org}`` (the
organization id), filled in at seeding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logwarden_sandbox.aws_monitoring_spec import MonitoringSpec
from logwarden_sandbox.aws_zone_logging import LoggingSpec
from logwarden_sandbox.aws_zone_services import ServicesSpec

MANAGEMENT = "management"
LOG_ARCHIVE = "log-archive"
ROOT = "ROOT"  # SCP target: the organization root


@dataclass
class KeySpec:
    """The customer-managed KMS key that encrypts the trail and the log bucket."""

    alias: str = "alias/logwarden-logs"
    rotation: bool = True


@dataclass
class BucketSpec:
    """An S3 bucket that receives trail logs (in the account that owns the trail spec)."""

    name: str = "logwarden-cloudtrail-{account}"
    sse: str = "aws:kms"  # "aws:kms" = the log key; "AES256" = SSE-S3
    object_lock: bool = True  # created with ObjectLockEnabledForBucket + a default retention
    versioning: bool = True
    public_access_block: bool = True  # all four settings on the bucket
    object_ownership: str = "BucketOwnerEnforced"
    tls_deny: bool = True  # policy denies aws:SecureTransport=false
    public_read: bool = False  # policy also allows {"AWS": "*"} s3:GetObject
    archive_days: int | None = 90  # lifecycle transition (None = no transition)
    archive_class: str = "GLACIER"
    expire_days: int | None = 2555  # lifecycle expiration (None = never)
    access_logging: bool = True  # server access logs go to access_log_bucket (same account)
    access_log_bucket: str = "logwarden-access-logs-{account}"


@dataclass
class LogGroupSpec:
    """The CloudWatch Logs group a trail delivers to (same account and home region)."""

    name: str = "aws-cloudtrail-logs-{account}"
    retention_days: int | None = 365  # None = never expire


@dataclass
class TrailSpec:
    """A CloudTrail trail, created in the home region of the account that owns the spec."""

    name: str
    organization: bool = False
    multi_region: bool = True
    global_events: bool = True
    log_validation: bool = True
    kms: bool = True  # KmsKeyId = the log key
    logging: bool = True
    read_write: str = "All"
    # S3 object-level data events of every bucket: "All", "ReadOnly", "WriteOnly" or None
    s3_data_events: str | None = "All"
    log_group: LogGroupSpec | None = field(default_factory=LogGroupSpec)
    bucket: BucketSpec | None = None  # None = the central log bucket


@dataclass
class RecorderSpec:
    """The AWS Config recorder ``default`` of one region (with a delivery channel)."""

    all_supported: bool = True
    include_global: bool = False
    recording: bool = True


@dataclass
class AccountSpec:
    """One account: its OU (``""`` = the root, for the management account), its recorders
    per region and, optionally, a trail of its own."""

    name: str
    ou: str
    recorders: dict[str, RecorderSpec] = field(default_factory=dict)
    trail: TrailSpec | None = None

    @property
    def email(self) -> str:
        """The account's (fake) root e-mail address."""
        return f"aws+{self.name}@example.com"


@dataclass
class ScpSpec:
    """A service control policy and where it is attached (``ROOT``, OU names, account names).
    Strings in ``document`` may use :data:`logwarden_sandbox.aws_policies.LOG_BUCKET`."""

    name: str
    description: str
    document: dict[str, object]
    targets: list[str] = field(default_factory=list)


@dataclass
class LandingZone:
    """Everything the sandbox organization holds, without ids."""

    regions: tuple[str, ...] = ("us-east-1", "eu-west-1")
    home_region: str = "us-east-1"
    ous: tuple[str, ...] = ("Security", "Workloads", "Sandbox")
    accounts: list[AccountSpec] = field(default_factory=list)  # management first
    org_trail: TrailSpec = field(
        default_factory=lambda: TrailSpec(name="org-trail", organization=True)
    )
    log_bucket: BucketSpec = field(default_factory=BucketSpec)
    log_key: KeySpec = field(default_factory=KeySpec)
    config_bucket: str = "logwarden-config-{account}"
    scps: list[ScpSpec] = field(default_factory=list)
    monitoring: MonitoringSpec = field(default_factory=MonitoringSpec)
    defects: tuple[str, ...] = ()
    services: ServicesSpec = field(default_factory=ServicesSpec)
    logging: LoggingSpec = field(default_factory=LoggingSpec)

    def account(self, name: str) -> AccountSpec:
        """The account spec called ``name`` (KeyError if none)."""
        for spec in self.accounts:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def scp(self, name: str) -> ScpSpec:
        """The SCP spec called ``name`` (KeyError if none)."""
        for spec in self.scps:
            if spec.name == name:
                return spec
        raise KeyError(name)


@dataclass(frozen=True)
class Expectation:
    """One result row a defect causes: ``check_id`` gets ``status`` for ``account_id`` on
    ``resource_id`` (ids as docs/resource-kinds.md defines them; the account id for tenant-
    scope checks, the organization id for organization-scope checks)."""

    check_id: str
    account_id: str
    resource_id: str
    status: str = "FAIL"


@dataclass(frozen=True)
class DefectInfo:
    """What a named defect flipped and which rows it makes FAIL (first = the one it is for)."""

    name: str
    description: str
    rows: tuple[Expectation, ...]

    @property
    def check_id(self) -> str:
        """Check id of the main expected row."""
        return self.rows[0].check_id

    @property
    def account_id(self) -> str:
        """Account (tenant) of the main expected row."""
        return self.rows[0].account_id

    @property
    def resource_id(self) -> str:
        """Resource id of the main expected row."""
        return self.rows[0].resource_id


@dataclass
class World:
    """What exists after seeding: ids the tests and benchmarks need."""

    endpoint_url: str | None
    management_account_id: str
    log_archive_account_id: str
    accounts: dict[str, str]  # account name -> id ("management" included)
    ous: dict[str, str]  # OU name -> id
    root_id: str
    org_id: str
    org_arn: str
    org_trail_arn: str
    log_bucket: str
    access_log_bucket: str  # "" when the log bucket has no access logging
    config_bucket: str
    log_key_arn: str
    log_group_arn: str  # the org trail's log group, without ":*"
    regions: tuple[str, ...]
    home_region: str
    policies: dict[str, str]  # SCP name -> policy id
    defects: dict[str, DefectInfo] = field(default_factory=dict)
    account_ous: dict[str, str] = field(default_factory=dict)  # account id -> OU name ("" = root)
    services: dict[str, str] = field(default_factory=dict)  # "<kind>:<name>" -> id (services)
    # ids the logging slice's defects name (e.g. "unlogged_vpc" -> the VPC's resource id)
    logging_ids: dict[str, str] = field(default_factory=dict)

    @property
    def member_account_ids(self) -> list[str]:
        """Every account but the management account."""
        return [i for n, i in self.accounts.items() if n != MANAGEMENT]

    def role_arn(self, account: str) -> str:
        """ARN of the role the management account assumes in ``account`` (name or id)."""
        account_id = self.accounts.get(account, account)
        return f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"

    def account_arn(self, account: str) -> str:
        """The organizations ARN of an account (name or id)."""
        account_id = self.accounts.get(account, account)
        return f"arn:aws:organizations::{self.management_account_id}:account/{self.org_id}/{account_id}"

    def recorder_arn(self, account: str, region: str) -> str:
        """Resource id of the Config recorder ``default`` of an account (name or id) in a region."""
        account_id = self.accounts.get(account, account)
        return f"arn:aws:config:{region}:{account_id}:config-recorder/default"
