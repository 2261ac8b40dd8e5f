"""Seeding for the logging controls of CIS AWS 4.6-4.9 and 5.16, the log archive's readers and
central AWS Config aggregation (the w3-aws-logging slice), kept apart from ``aws_seed``."""

from __future__ import annotations

from typing import Any


def s3_data_selector(read_write: str) -> dict[str, Any]:
    """A basic event selector logging S3 object events of every bucket (``read_write``)."""
    return {
        "ReadWriteType": read_write,
        "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
    }
