"""Validation of the ``clouds.gcp`` configuration section, and the credentials it selects
(no Google call: ``google.auth.default`` is replaced, key files point at 127.0.0.1:9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.scanner.collectors.gcp import CLOUD, parse_settings, settings
from logwarden.scanner.errors import InputError
from logwarden.scanner.inventory import SessionUnavailable
from logwarden.scanner.yamlsrc import loads

SANDBOX = """
clouds:
  gcp:
    credentials: anonymous
    organization: 123
    resource_manager_endpoint: http://127.0.0.1:8080
    logging_endpoint: 127.0.0.1:8085
    storage_endpoint: http://localhost:8080/
    compute_endpoint: http://127.0.0.1:8080
    dns_endpoint: http://127.0.0.1:8080
    sqladmin_endpoint: http://127.0.0.1:8080
"""


def section(text: str) -> dict:
    return loads(text, "logwarden.yaml")["clouds"]["gcp"]


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        parse_settings(section(text), "logwarden.yaml")
    return [(p.line, p.message, p.fix) for p in info.value.problems]


def test_defaults_from_an_empty_section() -> None:
    s = parse_settings({}, "logwarden.yaml")
    assert (s.mode, s.organization, s.credentials, s.timeout, s.retry_deadline) == (
        "organization",
        None,
        "default",
        30.0,
        120.0,
    )
    assert s.scope_root is None  # the one organization the credentials see
    assert s.session.retry() is not None


def test_the_cloud_reads_its_section_through_its_descriptor() -> None:
    assert CLOUD.settings is settings
    assert CLOUD.settings({}, "x", None).scope_root is None


def test_a_full_sandbox_section() -> None:
    s = parse_settings(section(SANDBOX), "logwarden.yaml")
    assert s.organization == "123" and s.scope_root == "organizations/123"
    assert s.storage_endpoint == "http://localhost:8080"
    assert s.logging_endpoint == "127.0.0.1:8085"
    assert (s.compute_endpoint, s.dns_endpoint, s.sqladmin_endpoint) == (
        "http://127.0.0.1:8080",
    ) * 3


def test_folder_and_projects_modes() -> None:
    folder = parse_settings(
        section('clouds:\n  gcp:\n    mode: folder\n    folder: "folders/42"\n'), "x"
    )
    assert folder.scope_root == "folders/42"
    projects = parse_settings(
        section("clouds:\n  gcp:\n    mode: projects\n    projects: [my-project-1, other-proj]\n"),
        "x",
    )
    assert projects.projects == ("my-project-1", "other-proj") and projects.scope_root is None


def test_every_problem_is_reported_with_its_line() -> None:
    got = problems(
        """
clouds:
  gcp:
    mode: everything
    organisation: 12
    folder: abc
    projects: [Bad_Id]
    credentials: magic
    timeout: -1
    retry_deadline: yes
"""
    )
    lines = {line for line, _, _ in got}
    assert {4, 5, 6, 7, 8, 9, 10} <= lines
    text = "\n".join(m + " " + f for _, m, f in got)
    assert "did you mean 'organization'?" in text
    assert "'Bad_Id' is not a project id" in text
    assert "use one of: default, service-account-file, anonymous" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mode: folder", "no folder is named"),
        ("mode: projects", "no projects are listed"),
        ("projects: [abcdef]", "only used with mode: projects"),
        ("mode: projects\n    projects: [abcdef, abcdef]", "listed twice"),
        ("credentials: service-account-file", "service_account_file is not set"),
        ("service_account_file: key.json", "needs credentials: service-account-file"),
        ("credentials: anonymous", "is only for the local sandbox"),
        ("logging_endpoint: logging.googleapis.com:443", "not a loopback address"),
        ("storage_endpoint: https://storage.googleapis.com", "is not valid"),
        ("resource_manager_endpoint: http://10.0.0.1:80", "not a loopback address"),
        ("compute_endpoint: https://compute.googleapis.com", "is not valid"),
        ("sqladmin_endpoint: http://10.0.0.1:80", "not a loopback address"),
        ("logging_endpoint: http://127.0.0.1:1", "is not valid"),
        ("quota_project: Not_A_Project", "is not a project id"),
    ],
)
def test_invalid_sections(text: str, message: str) -> None:
    got = problems(f"clouds:\n  gcp:\n    {text}\n")
    assert any(message in m for _, m, _ in got), got


def test_anonymous_credentials_need_every_endpoint_on_loopback() -> None:
    text = SANDBOX.replace("    storage_endpoint: http://localhost:8080/\n", "")
    got = problems(text)
    assert [m for _, m, _ in got] == [
        "clouds.gcp.credentials 'anonymous' is only for the local sandbox, and "
        "storage_endpoint is not set to a loopback endpoint"
    ]


def _key_file(tmp_path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "key.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "audit-project",
                "private_key_id": "1",
                "private_key": pem,
                "client_email": "logwarden@audit-project.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "http://127.0.0.1:9/token",
            }
        )
    )
    return path


def test_service_account_file_relative_to_the_config(tmp_path: Path) -> None:
    _key_file(tmp_path)
    config = tmp_path / "logwarden.yaml"
    s = parse_settings(
        {
            "credentials": "service-account-file",
            "service_account_file": "key.json",
            "quota_project": "billing-project",
        },
        str(config),
    )
    assert s.service_account_file == str(tmp_path / "key.json")
    creds = s.session.credentials()  # parsed only: no token is fetched
    email = getattr(creds, "service_account_email", None)
    assert email == "logwarden@audit-project.iam.gserviceaccount.com"
    assert creds.quota_project_id == "billing-project"


def test_missing_key_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        parse_settings(
            {"credentials": "service-account-file", "service_account_file": "nope.json"},
            str(tmp_path / "logwarden.yaml"),
        )


def test_unusable_default_credentials_make_the_session_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    def no_default(**_: object) -> None:
        raise DefaultCredentialsError("no Application Default Credentials in this test")

    monkeypatch.setattr(google.auth, "default", no_default)  # the real one would probe the network
    s = parse_settings({}, "x")
    with pytest.raises(SessionUnavailable) as info:
        s.session.credentials()
    assert info.value.code == "DefaultCredentialsError"
    with pytest.raises(SessionUnavailable):  # memoised: asked once
        s.session.credentials()


def test_no_retry_when_the_deadline_is_zero() -> None:
    s = parse_settings({"retry_deadline": 0, "timeout": 2}, "x")
    assert s.session.call_options() == {"retry": None, "timeout": 2.0}
