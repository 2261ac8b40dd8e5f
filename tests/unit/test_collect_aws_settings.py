"""Validation of the ``clouds.aws`` configuration section (no AWS calls)."""

from __future__ import annotations

import pytest

from logwarden.scanner.collectors.aws import CLOUD, parse_settings
from logwarden.scanner.collectors.aws.settings import AccountTarget, AwsSettings
from logwarden.scanner.errors import InputError
from logwarden.scanner.yamlsrc import loads


def section(text: str) -> dict:
    return loads(text, "logwarden.yaml")["clouds"]["aws"]


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        parse_settings(section(text), "logwarden.yaml")
    return [(p.line, p.message, p.fix) for p in info.value.problems]


def test_defaults_from_an_empty_section() -> None:
    s = parse_settings({}, "logwarden.yaml")
    assert (s.mode, s.role_name, s.session_name, s.max_attempts, s.retry_mode) == (
        "organization",
        "OrganizationAccountAccessRole",
        "logwarden",
        8,
        "standard",
    )
    assert s.regions is None  # "enabled": resolved per account by its session
    assert s.role_arn("aws", "111122223333") == (
        "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
    )
    assert s.endpoint_url is None and s.log_archive_account is None


def test_a_full_section() -> None:
    s = parse_settings(
        section(
            """
clouds:
  aws:
    mode: accounts
    profile: audit
    accounts:
      - {id: "012345678901", name: prod}
      - id: 123456789012
      - "210987654321"
    role_name: Auditor
    role_arn_template: "arn:{partition}:iam::{account_id}:role/security/{role_name}"
    external_id: secret-id
    session_name: logwarden-ci
    regions: [us-east-1, eu-west-1, us-east-1]
    exclude_accounts: ["210987654321"]
    endpoint_url: http://127.0.0.1:5000
    max_attempts: 3
    retry_mode: adaptive
    log_archive_account: "222222222222"
"""
        ),
        "logwarden.yaml",
    )
    assert s.accounts == (
        AccountTarget("012345678901", "prod"),
        AccountTarget("123456789012", ""),
        AccountTarget("210987654321", ""),
    )
    assert s.regions == ("us-east-1", "eu-west-1")
    assert s.exclude_accounts == frozenset({"210987654321"})
    assert (
        s.role_arn("aws-cn", "012345678901") == "arn:aws-cn:iam::012345678901:role/security/Auditor"
    )
    assert (s.profile, s.external_id, s.session_name) == ("audit", "secret-id", "logwarden-ci")
    assert (s.endpoint_url, s.max_attempts, s.retry_mode) == (
        "http://127.0.0.1:5000",
        3,
        "adaptive",
    )
    assert s.log_archive_account == "222222222222"


def test_every_problem_is_reported_with_its_line() -> None:
    found = problems(
        """
clouds:
  aws:
    mode: accounts
    regoins: [us-east-1]
    role_arn_template: "arn:aws:iam::{account}:role/x"
    regions: [us-east-1, Europe]
    max_attempts: many
    exclude_accounts: ["1234"]
    log_archive_account: 12345
"""
    )
    lines = {line for line, _, _ in found}
    assert lines == {4, 5, 6, 7, 8, 9, 10}
    text = "\n".join(f"{line}: {msg} | {fix}" for line, msg, fix in found)
    assert "5: unknown key clouds.aws.regoins | did you mean 'regions'? allowed keys: mode," in text
    assert "4: clouds.aws.mode is 'accounts' but no accounts are listed" in text
    assert "6: clouds.aws.role_arn_template uses unknown placeholder(s) account" in text
    assert "7: clouds.aws.regions[1]: 'Europe' is not a region name" in text
    assert "8: clouds.aws.max_attempts 'many' is not valid" in text
    assert "9: clouds.aws.exclude_accounts[0]: '1234' is not an AWS account id" in text
    assert "10: clouds.aws.log_archive_account: 12345 is not an AWS account id" in text


def test_account_entries_are_checked_one_by_one() -> None:
    found = problems(
        """
clouds:
  aws:
    mode: accounts
    accounts:
      - id: "123456789012"
        owner: me
      - id: "123456789012"
      - id: 0123
      - name: no-id
"""
    )
    messages = [(line, msg) for line, msg, _ in found]
    assert messages == [
        (7, "clouds.aws.accounts[0]: unknown key 'owner'"),
        (8, "clouds.aws.accounts[1]: account 123456789012 is listed twice"),
        (9, "clouds.aws.accounts[2].id: 83 is not an AWS account id"),
        (10, "clouds.aws.accounts[3].id: None is not an AWS account id"),
    ]
    assert all("quoted string" in fix for _, _, fix in found[2:])


def test_mode_specific_keys() -> None:
    found = problems(
        """
clouds:
  aws:
    mode: current
    accounts: [{id: "123456789012"}]
    include_ous: [ou-abcd-12345678]
"""
    )
    assert [(line, msg.split(" (")[0]) for line, msg, _ in found] == [
        (5, "clouds.aws.accounts is only used with mode: accounts"),
        (6, "clouds.aws.include_ous only applies to mode: organization"),
    ]
    assert problems("clouds:\n  aws:\n    mode: everything\n")[0][:2] == (
        3,
        "clouds.aws.mode 'everything' is not valid",
    )
    bad_ou = problems("clouds:\n  aws:\n    include_ous: [Security]\n")
    assert bad_ou[0][0] == 3 and "organizational unit ids" in bad_ou[0][2]


def test_plain_dicts_work_without_line_numbers() -> None:
    with pytest.raises(InputError) as info:
        parse_settings({"mode": "accounts", "colour": "blue"}, "<cli>")
    assert [p.line for p in info.value.problems] == [None, None]
    assert str(info.value).startswith("<cli>: unknown key clouds.aws.colour")


def test_the_cloud_reads_its_section_through_its_descriptor() -> None:
    parsed = CLOUD.settings({"regions": ["us-east-1"]}, "x", None)
    assert isinstance(parsed, AwsSettings) and parsed.regions == ("us-east-1",)
    with pytest.raises(InputError):
        CLOUD.settings({"mode": 3}, "x.yaml", None)
