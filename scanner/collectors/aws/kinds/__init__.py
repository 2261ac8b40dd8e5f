"""The AWS resource kinds, one module per service: ``aws.<service>.<thing>`` lives in
``kinds/<service>.py`` (documented in docs/resource-kinds.md)."""

from __future__ import annotations

from logwarden.scanner.collectors.aws.kinds import (
    cloudtrail,
    cloudwatch,
    config,
    config_central,
    ec2,
    events,
    iam,
    kms,
    logs,
    organizations,
    s3,
    securityhub,
    sns,
)
from logwarden.scanner.models import ResourceKind

KINDS: list[ResourceKind] = [
    *organizations.KINDS,
    *cloudtrail.KINDS,
    *s3.KINDS,
    *kms.KINDS,
    *config.KINDS,
    *logs.KINDS,
    *securityhub.KINDS,
    *ec2.KINDS,
    *iam.KINDS,
    *config_central.KINDS,
    *cloudwatch.KINDS,
    *events.KINDS,
    *sns.KINDS,
]
