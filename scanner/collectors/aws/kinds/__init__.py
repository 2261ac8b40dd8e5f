"""The AWS resource kinds, one module per service: ``aws.<service>.<thing>`` lives in
``kinds/<service>.py`` (documented in docs/resource-kinds.md)."""

from __future__ import annotations

from logwarden.scanner.collectors.aws.kinds import (
    cloudtrail,
    cloudwatch,
    config,
    config_central,
    ec2,
    eks,
    elbv2,
    events,
    iam,
    kms,
    logs,
    organizations,
    rds,
    route53resolver,
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
    # service audit logs (issue 13, item 3)
    *eks.KINDS,
    *rds.KINDS,
    *elbv2.KINDS,
    *route53resolver.KINDS,
    *securityhub.KINDS,
    *ec2.KINDS,
    *iam.KINDS,
    *config_central.KINDS,
    *cloudwatch.KINDS,
    *events.KINDS,
    *sns.KINDS,
]
