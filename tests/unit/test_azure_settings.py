"""Validation of the ``clouds.azure`` configuration section, and credentials (no Azure calls)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.scanner.collectors.azure import CLOUD, AzureSettings, parse_settings, settings
from logwarden.scanner.collectors.azure.credentials import StaticTokenCredential, make_credential
from logwarden.scanner.collectors.azure.settings import SubscriptionTarget
from logwarden.scanner.errors import InputError
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.yamlsrc import loads

SUB_A = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
SUB_B = "7f9c6d3e-2a1b-4c5d-8e7f-901234567890"


def section(text: str) -> dict:
    return loads(text, "logwarden.yaml")["clouds"]["azure"]


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        parse_settings(section(text), "logwarden.yaml")
    return [(p.line, p.message, p.fix) for p in info.value.problems]


def test_defaults_from_an_empty_section() -> None:
    s = parse_settings({}, "logwarden.yaml")
    assert (s.mode, s.credential, s.arm_endpoint, s.retry_total) == (
        "subscriptions-visible",
        "default",
        "https://management.azure.com",
        5,
    )
    assert s.scope == "https://management.azure.com/.default"
    assert s.ca_bundle is None and s.subscriptions == ()


def test_a_full_section(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    s = parse_settings(
        section(
            f"""
clouds:
  azure:
    mode: subscriptions
    subscriptions:
      - {{id: "{SUB_A.upper()}", name: prod}}
      - "{SUB_B}"
    exclude_subscriptions: ["{SUB_B}"]
    credential: client-secret
    tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47"
    client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
    client_secret_env: LOGWARDEN_SECRET
    arm_endpoint: https://management.usgovcloudapi.net/
    authority_host: https://login.microsoftonline.us
    ca_bundle: {ca}
    retry_total: 2
    retry_backoff_factor: 0.5
    retry_backoff_max: 10
"""
        ),
        "logwarden.yaml",
    )
    assert s.subscriptions == (SubscriptionTarget(SUB_A, "prod"), SubscriptionTarget(SUB_B, ""))
    assert s.exclude_subscriptions == frozenset({SUB_B})
    assert s.arm_endpoint == "https://management.usgovcloudapi.net"
    assert s.scope == "https://management.usgovcloudapi.net/.default"
    assert (s.retry_total, s.retry_backoff_factor, s.retry_backoff_max) == (2, 0.5, 10.0)
    options = s.pool.client_options()
    assert options["base_url"] == s.arm_endpoint and options["connection_verify"] == str(ca)
    assert options["credential_scopes"] == [s.scope] and options["retry_total"] == 2


def test_every_problem_is_reported_with_its_line() -> None:
    found = problems(
        """
clouds:
  azure:
    mode: management-group
    credentail: cli
    credential: client-secret
    client_id: not-a-guid
    token_env: TOKEN
    expected_workspace_id: /subscriptions/x
    retry_total: 99
    ca_bundle: /nonexistent/ca.pem
    arm_endpoint: http://insecure.example.com
"""
    )
    assert [line for line, _, _ in found] == sorted(line or 0 for line, _, _ in found)
    expected = [
        (4, "no management_group_id is set", "tenant id scans the tenant root group"),
        (5, "unknown key clouds.azure.credentail", "did you mean 'credential'?"),
        (6, "'client-secret' needs tenant_id", "set clouds.azure.tenant_id"),
        (6, "'client-secret' needs client_secret_env", "set clouds.azure.client_secret_env"),
        (7, "client_id 'not-a-guid' is not valid", "GUID"),
        (8, "token_env does not apply to credential 'client-secret'", "(static-token)"),
        (9, "expected_workspace_id is a rules parameter", "'parameters:' block"),
        (10, "retry_total 99 is not valid", "from 0 to 20"),
        (11, "ca_bundle '/nonexistent/ca.pem' is not a file", "PEM file"),
        (12, "arm_endpoint 'http://insecure.example.com' is not valid", "https URL"),
    ]
    assert len(found) == len(expected)
    for (line, message, fix), (want_line, want_message, want_fix) in zip(
        found, expected, strict=True
    ):
        assert (line, want_message in message, want_fix in fix) == (want_line, True, True)


def test_subscription_list_problems() -> None:
    found = problems(
        f"""
clouds:
  azure:
    mode: subscriptions
    subscriptions:
      - "{SUB_A}"
      - "{SUB_A}"
      - 12345
      - {{id: "{SUB_B}", owner: me}}
"""
    )
    messages = [m for _, m, _ in found]
    assert any("listed twice" in m for m in messages)
    assert any("12345 is not a subscription id" in m for m in messages)
    assert any("unknown key 'owner'" in m for m in messages)
    assert problems("clouds:\n  azure:\n    mode: subscriptions\n")[0][1].endswith(
        "no subscriptions are listed"
    )
    wrong_mode = problems(f'clouds:\n  azure:\n    subscriptions: ["{SUB_A}"]\n')
    assert "only used with mode: subscriptions" in wrong_mode[0][1]


def test_static_token_needs_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    s = parse_settings({"credential": "static-token", "token_env": "LW_TEST_TOKEN"})
    monkeypatch.delenv("LW_TEST_TOKEN", raising=False)
    with pytest.raises(SessionUnavailable) as info:
        make_credential(s)
    assert info.value.code == "CredentialUnavailable" and "LW_TEST_TOKEN" in info.value.message
    monkeypatch.setenv("LW_TEST_TOKEN", "abc")
    credential = make_credential(s)
    assert isinstance(credential, StaticTokenCredential)
    assert credential.get_token("https://management.azure.com/.default").token == "abc"
    assert problems("clouds:\n  azure:\n    credential: static-token\n")[0][1].endswith(
        "needs token_env"
    )


def test_client_secret_credential_is_built_without_calling_azure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = parse_settings(
        {
            "credential": "client-secret",
            "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "client_secret_env": "LW_TEST_SECRET",
        }
    )
    monkeypatch.setenv("LW_TEST_SECRET", "s3cret")
    credential = make_credential(s)
    assert type(credential).__name__ == "ClientSecretCredential"
    monkeypatch.delenv("LW_TEST_SECRET")
    with pytest.raises(SessionUnavailable):
        make_credential(s)


def test_the_cloud_reads_its_section_through_its_descriptor() -> None:
    assert CLOUD.settings is settings
    assert isinstance(CLOUD.settings({}, "x.yaml", None), AzureSettings)
