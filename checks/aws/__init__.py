"""Built-in Python checks for AWS: the controls whose logic the filter language cannot say.

Their metadata is in rules.yaml (``implementation: python``); the ``aws`` plugin
(``logwarden.scanner.collectors.aws``) registers ``CHECKS``.
"""

from __future__ import annotations

from logwarden.checks.aws import (
    bucket_policy,
    config_central,
    config_recorder,
    key_rotation,
    log_readers,
    monitoring,
    scp,
)
from logwarden.scanner.models import PythonCheck

CHECKS: tuple[PythonCheck, ...] = (
    PythonCheck("aws.org.scp_protects_cloudtrail", scp.protects_cloudtrail),
    PythonCheck("aws.org.scp_protects_config", scp.protects_config),
    PythonCheck("aws.org.scp_protects_log_bucket", scp.protects_log_bucket),
    PythonCheck("aws.s3.log_bucket_not_public", bucket_policy.not_public),
    PythonCheck("aws.s3.log_bucket_tls_only", bucket_policy.tls_only),
    PythonCheck("aws.config.recorder_on", config_recorder.recorder_on),
    PythonCheck("aws.kms.key_rotation", key_rotation.key_rotation),
    PythonCheck("aws.s3.log_archive_readers", log_readers.log_archive_readers),
    PythonCheck("aws.config.central_delivery", config_central.central_delivery),
    *monitoring.CHECKS,
)
