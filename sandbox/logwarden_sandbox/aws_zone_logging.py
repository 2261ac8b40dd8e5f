"""The part of the landing zone the logging controls read (the w3-aws-logging slice): which
account-regions have Security Hub, which VPCs have flow logs. Data only, like ``aws_zone``;
places are ``(account name, region)`` pairs."""

from __future__ import annotations

from dataclasses import dataclass, field

Place = tuple[str, str]


@dataclass
class LoggingSpec:
    """What the logging controls see; every set names the exceptions to a compliant zone."""

    # False: no Security Hub and no flow logs in any region (a lean zone, for scale benchmarks
    # of the controls that do not read them: moto builds an EC2 backend per account-region)
    per_region: bool = True
    security_hub_off: set[Place] = field(default_factory=set)
    unlogged_vpcs: set[Place] = field(default_factory=set)
    flow_log_traffic: str = "ALL"
    # every workload account has one customer-managed application key, rotating unless named
    unrotated_keys: set[str] = field(default_factory=set)
    # the log bucket policy also lets this account outside the organization read the logs
    outside_reader: str | None = None
    # the organization aggregator covers only the home region (default: all regions)
    aggregator_home_only: bool = False
    # accounts whose home-region recorder delivers to a bucket of their own
    local_config_delivery: set[str] = field(default_factory=set)
