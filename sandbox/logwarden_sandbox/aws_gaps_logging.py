"""Where moto (5.2) lacks what the logging controls read, fill the gap (the w3-aws-logging
slice; see ``aws_gaps`` for the CloudTrail fills).

1. AWS Config's organization aggregators are delegated to a member account with the service
   principal ``config.amazonaws.com`` (``RegisterDelegatedAdministrator``, then
   ``ListDelegatedAdministrators --service-principal config.amazonaws.com``). moto accepts
   only ``config-multiaccountsetup.amazonaws.com`` for delegation and answers
   ``InvalidInputException`` ("unrecognized service principal") for the other. The fill adds
   the principal to moto's list of services that support a delegated administrator.

Applied process-wide (moto's state is): by the sandbox server when it starts and by the test
suite for in-process ``mock_aws`` tests. Product code never knows about it.
"""

from __future__ import annotations

CONFIG_PRINCIPAL = "config.amazonaws.com"


def allow_config_delegated_administrators() -> None:
    """Let moto register and list delegated administrators of ``config.amazonaws.com``."""
    from moto.organizations.models import FakeDelegatedAdministrator

    if CONFIG_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(CONFIG_PRINCIPAL)
