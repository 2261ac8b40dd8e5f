"""Named defects of the logging controls (CIS AWS 4.6-4.9, 5.16, log archive readers, central
Config aggregation): merged into :data:`logwarden_sandbox.aws_defects.DEFECTS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from logwarden_sandbox.aws_zone import Expectation, LandingZone, World

if TYPE_CHECKING:
    from logwarden_sandbox.aws_defects import Defect

Rows = Callable[[LandingZone, World], list[Expectation]]

S3_WRITE = "aws.cloudtrail.s3_data_events_write"
S3_READ = "aws.cloudtrail.s3_data_events_read"
SECURITY_HUB = "aws.securityhub.enabled"
FLOW_LOGS = "aws.ec2.vpc_flow_logs"
KEY_ROTATION = "aws.kms.key_rotation"
READERS = "aws.s3.log_archive_readers"
AGGREGATOR = "aws.config.org_aggregator"
CENTRAL_DELIVERY = "aws.config.central_delivery"
W1 = "workload-1"


def every_account(check: str) -> Rows:
    """One tenant-scope FAIL row of ``check`` per account of the zone."""

    def rows(zone: LandingZone, world: World) -> list[Expectation]:
        return [
            Expectation(check, world.accounts[a.name], world.accounts[a.name])
            for a in zone.accounts
        ]

    return rows


def uncovered_data_events(zone: LandingZone, world: World) -> list[Expectation]:
    """The data-event rows of a stopped organization trail: accounts without a logging
    multi-region trail of their own that logs S3 object events."""
    rows = []
    for spec in zone.accounts:
        own = spec.trail
        covered = own is not None and own.multi_region and own.logging
        events = own.s3_data_events if own is not None and covered else None
        account_id = world.accounts[spec.name]
        if events not in ("All", "WriteOnly"):
            rows.append(Expectation(S3_WRITE, account_id, account_id))
        if events not in ("All", "ReadOnly"):
            rows.append(Expectation(S3_READ, account_id, account_id))
    return rows


def _org_trail_s3_events(value: str | None) -> Callable[[LandingZone], None]:
    def apply(zone: LandingZone) -> None:
        zone.org_trail.s3_data_events = value

    return apply


def defects() -> dict[str, Defect]:
    """The defects of this slice (called by ``aws_defects`` once ``Defect`` exists)."""
    from logwarden_sandbox.aws_defects import Defect

    return {
        "org_trail_s3_reads_only": Defect(
            "the organization trail logs S3 object read events only (no write data events)",
            _org_trail_s3_events("ReadOnly"),
            every_account(S3_WRITE),
        ),
        "org_trail_s3_writes_only": Defect(
            "the organization trail logs S3 object write events only (no read data events)",
            _org_trail_s3_events("WriteOnly"),
            every_account(S3_READ),
        ),
        "security_hub_off": Defect(
            "workload-1 has not enabled Security Hub in the second region",
            lambda z: z.logging.security_hub_off.add((W1, z.regions[1])),
            lambda z, w: [
                Expectation(
                    SECURITY_HUB,
                    w.accounts[W1],
                    f"arn:aws:securityhub:{z.regions[1]}:{w.accounts[W1]}:hub/default",
                )
            ],
            members=1,
            regions=2,
        ),
        "vpc_no_flow_logs": Defect(
            "workload-1's default VPC in the home region has no flow log",
            lambda z: z.logging.unlogged_vpcs.add((W1, z.home_region)),
            lambda z, w: [
                Expectation(
                    FLOW_LOGS, w.accounts[W1], w.logging_ids[f"unlogged_vpc:{W1}:{z.home_region}"]
                )
            ],
            members=1,
        ),
        "app_key_rotation_off": Defect(
            "workload-1's application key (customer-managed, symmetric) does not rotate",
            lambda z: z.logging.unrotated_keys.add(W1),
            lambda z, w: [
                Expectation(KEY_ROTATION, w.accounts[W1], w.logging_ids[f"app_key:{W1}"])
            ],
            members=1,
        ),
        "log_reader_outside_org": Defect(
            "the log bucket policy lets account 999999999999 (outside the organization) read the logs",
            _outside_reader,
            lambda z, w: archive_reader_rows(w),
        ),
        "config_aggregator_home_only": Defect(
            "the organization's Config aggregator covers only the home region",
            _aggregator_home_only,
            lambda z, w: [Expectation(AGGREGATOR, w.org_id, w.org_id)],  # organization row
            regions=2,
        ),
        "config_local_delivery": Defect(
            "workload-1's home-region recorder delivers to a bucket of workload-1",
            lambda z: z.logging.local_config_delivery.add(W1),
            lambda z, w: [Expectation(CENTRAL_DELIVERY, w.accounts[W1], w.accounts[W1])],
            members=1,
        ),
    }


def _aggregator_home_only(zone: LandingZone) -> None:
    zone.logging.aggregator_home_only = True


def _outside_reader(zone: LandingZone) -> None:
    zone.logging.outside_reader = "999999999999"


def log_key_rows(world: World) -> list[Expectation]:
    """The log key without rotation also fails the every-key control, in the log archive."""
    return [Expectation(KEY_ROTATION, world.log_archive_account_id, world.log_key_arn)]


def archive_reader_rows(world: World) -> list[Expectation]:
    """The log archive's readers row: a grant to a principal that may not read the logs."""
    return [
        Expectation(
            READERS, world.log_archive_account_id, f"arn:aws:s3:::{world.log_bucket}#readers"
        )
    ]
