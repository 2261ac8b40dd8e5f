"""Sessions, AssumeRole, discovery modes and the endpoint override, against moto."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.credentials import RefreshableCredentials
from moto import mock_aws
from moto.core import enable_iam_authentication
from moto.server import ThreadedMotoServer

from logwarden.scanner.collectors.aws import (
    all_kinds,
    discover,
    open_session,
    parse_settings,
    serving,
)
from logwarden.scanner.collectors.aws.session import shared_loader
from logwarden.scanner.inventory import Inventory, SessionUnavailable
from logwarden.scanner.models import Organization, Tenant

MGMT = "123456789012"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def member() -> Iterator[str]:
    """An organization with one member account; yields the member's id."""
    with mock_aws():
        org = boto3.client("organizations")
        org.create_organization(FeatureSet="ALL")
        status = org.create_account(Email="m@example.com", AccountName="member")
        yield status["CreateAccountStatus"]["AccountId"]


def counting(settings: Any) -> Counter[str]:
    calls: Counter[str] = Counter()

    def count(account_id: str, model: Any, **_: Any) -> None:
        calls[f"{account_id or 'base'}:{model.name}"] += 1

    settings.pool.register("before-call", count)
    return calls


def test_member_session_assumes_the_role_once(member: str) -> None:
    settings = parse_settings({"regions": ["us-east-1"], "session_name": "audit-run"})
    calls = counting(settings)
    session = settings.pool.for_account(member)
    assert settings.pool.for_account(member) is session
    assert (session.account_id, session.partition) == (member, "aws")
    identity = session.client("sts").get_caller_identity()
    assert identity["Account"] == member
    assert "OrganizationAccountAccessRole/audit-run" in identity["Arn"]
    creds = session.credentials
    assert isinstance(creds, RefreshableCredentials) and creds.method == "assume-role"
    assert calls[f"{MGMT}:AssumeRole"] == 1


def test_no_assume_role_into_the_base_account(member: str) -> None:
    settings = parse_settings({"regions": ["us-east-1"]})
    calls = counting(settings)
    tenant = Tenant(cloud="aws", id=MGMT, name="management")
    org = Organization(cloud="aws", id="o-1", name="o-1", management_tenant_id=MGMT)
    mgmt = open_session(tenant=tenant, organization=org, settings=settings)
    org_scope = open_session(tenant=None, organization=org, settings=settings)
    assert mgmt is org_scope is settings.pool.base()
    assert calls == Counter({"base:GetCallerIdentity": 1})
    with pytest.raises(SessionUnavailable) as info:
        open_session(tenant=None, organization=Organization("aws", "x", "x"), settings=settings)
    assert info.value.code == "NoManagementAccount"
    # without organization facts the organization kinds are not applicable, not an error
    static = Organization("aws", "aws-accounts", "AWS accounts", facts_available=False)
    inv = Inventory(
        cloud="aws",
        tenant=None,
        organization=static,
        kinds={k.name: k for k in all_kinds()},
        session_factory=lambda: open_session(tenant=None, organization=static, settings=settings),
    )
    assert inv.get("aws.organizations.policy").not_applicable
    assert calls == Counter({"base:GetCallerIdentity": 1})


def test_assume_role_denied_is_session_unavailable(member: str) -> None:
    iam = boto3.client("iam")
    iam.create_user(UserName="auditor")
    allow = {"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}
    iam.put_user_policy(
        UserName="auditor",
        PolicyName="identity-only",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow]}),
    )
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    with pytest.MonkeyPatch.context() as mp, enable_iam_authentication():
        mp.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        mp.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        settings = parse_settings({"regions": ["us-east-1"]})
        tenant = Tenant(cloud="aws", id=member, name="member")
        with pytest.raises(SessionUnavailable) as info:
            open_session(tenant=tenant, organization=None, settings=settings)
        assert info.value.code == "AccessDenied"
        assert f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole" in info.value.message
        # the failure is remembered: every kind of the tenant becomes one ERROR, no retry storm
        kinds = {k.name: k for k in all_kinds()}
        inv = Inventory(
            cloud="aws",
            tenant=tenant,
            organization=None,
            kinds=kinds,
            session_factory=lambda: open_session(
                tenant=tenant, organization=None, settings=settings
            ),
        )
        got = inv.get("aws.config.recorder")
        assert [(e.code, e.tenant_id, e.internal) for e in got.errors] == [
            ("AccessDenied", member, False)
        ]


def test_clients_are_cached_thread_safe_and_share_one_loader(member: str) -> None:
    settings = parse_settings({"regions": ["us-east-1"]})
    session = settings.pool.for_account(member)
    seen: list[Any] = []
    threads = [
        threading.Thread(target=lambda: seen.append(session.client("config", "eu-west-1")))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c.shared) for c in seen}) == 1
    assert session.client("config", "us-east-1").shared is not seen[0].shared
    assert session.client("config").shared is session.client("config", "us-east-1").shared
    assert settings.pool._scan_botocore().get_component("data_loader") is shared_loader()


def _botocore_sessions() -> set[int]:
    gc.collect()
    return {id(o) for o in gc.get_objects() if isinstance(o, botocore.session.Session)}


def test_every_account_is_served_by_one_botocore_session_with_its_own_credentials() -> None:
    # a botocore Session per account (its ~2,600 handlers, its config) made memory grow with
    # the organization; one session makes every account's clients, each signing as its account
    with mock_aws():
        org = boto3.client("organizations")
        org.create_organization(FeatureSet="ALL")
        members = [
            org.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")[
                "CreateAccountStatus"
            ]["AccountId"]
            for i in range(4)
        ]
        settings = parse_settings({"regions": ["us-east-1"]})
        calls = counting(settings)
        before = _botocore_sessions()
        sessions = [settings.pool.for_account(m) for m in members]
        for member, session in zip(members, sessions, strict=True):
            assert session.client("sts").get_caller_identity()["Account"] == member
        assert settings.pool.base().client("sts").get_caller_identity()["Account"] == MGMT
        assert len(_botocore_sessions() - before) == 1
        for session in sessions:  # refreshable: a long scan renews them
            assert isinstance(session.credentials, RefreshableCredentials)
            assert session.credentials.method == "assume-role"
        # the handlers registered on the pool still see each client's account
        assert all(calls[f"{m}:GetCallerIdentity"] == 1 for m in members)
        assert calls[f"{MGMT}:AssumeRole"] == len(members)
        # one client per (service, region) serves every account
        assert len({id(s.client("sts").shared) for s in sessions}) == 1


def test_a_shared_client_cannot_sign_outside_an_account(member: str) -> None:
    # a call that names no account must fail, not borrow the credentials of whoever came last
    session = parse_settings({"regions": ["us-east-1"]}).pool.for_account(member)
    assert session.client("sts").get_caller_identity()["Account"] == member
    with pytest.raises(RuntimeError, match="outside serving"):
        session.client("sts").shared.get_caller_identity()


def test_pages_are_requested_as_the_account_that_iterates_them(member: str) -> None:
    settings = parse_settings({"regions": ["us-east-1"]})
    calls = counting(settings)
    member_pages = settings.pool.for_account(member).client("iam").get_paginator("list_roles")
    base_pages = settings.pool.base().client("iam").get_paginator("list_roles")
    shared = settings.pool.base().client("iam").shared
    assert settings.pool.for_account(member).client("iam").shared is shared
    list(member_pages.paginate())
    base_pages.paginate().build_full_result()
    assert calls[f"{member}:ListRoles"] == 1
    assert calls[f"{MGMT}:ListRoles"] == 1


def test_adaptive_retries_keep_a_client_per_account(member: str) -> None:
    # botocore's adaptive rate limiter belongs to a client; AWS throttles each account apart
    settings = parse_settings({"regions": ["us-east-1"], "retry_mode": "adaptive"})
    mine = settings.pool.for_account(member).client("sts")
    base = settings.pool.base().client("sts")
    assert mine.shared is not base.shared
    assert mine.get_caller_identity()["Account"] == member
    assert base.get_caller_identity()["Account"] == MGMT


def test_one_throttled_account_does_not_spend_the_others_retries(
    member: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore's standard mode stops retrying once a client's retry quota is spent; the client
    # is shared, the quota must not be: the member's throttles leave the base account's retries
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)
    settings = parse_settings({"regions": ["us-east-1"], "max_attempts": 10})
    member_sts, base_sts = _throttled_sts(settings, member)
    for _ in range(11):  # 10 retries x 5 tokens each, 11 times: the member's quota of 500 is spent
        with pytest.raises(botocore.exceptions.ClientError, match="Throttling"):
            member_sts.get_caller_identity()
    with pytest.raises(botocore.exceptions.ClientError) as spent:
        member_sts.get_caller_identity()
    assert spent.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    # the base account's first answer is a throttle too: it is retried, and succeeds
    answer = base_sts.get_caller_identity()
    assert answer["Account"] == MGMT
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1


def test_a_forgotten_account_gets_a_full_retry_quota_again(
    member: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the quotas a shared client keeps are bounded (memory must not grow with the organization):
    # once the member's spent quota is forgotten, its calls are retried again, as by a new client
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)
    monkeypatch.setattr(serving, "RETRY_QUOTAS_KEPT", 1)
    settings = parse_settings({"regions": ["us-east-1"], "max_attempts": 10})
    member_sts, base_sts = _throttled_sts(settings, member)
    for _ in range(11):
        with pytest.raises(botocore.exceptions.ClientError):
            member_sts.get_caller_identity()
    with pytest.raises(botocore.exceptions.ClientError) as spent:
        member_sts.get_caller_identity()
    assert spent.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert base_sts.get_caller_identity()["ResponseMetadata"]["RetryAttempts"] == 1
    with pytest.raises(botocore.exceptions.ClientError) as fresh:  # the member was forgotten
        member_sts.get_caller_identity()
    assert fresh.value.response["ResponseMetadata"]["RetryAttempts"] == 10


def _throttled_sts(settings: Any, member: str) -> tuple[Any, Any]:
    """The STS clients of ``member`` and of the base account: every answer to the member is a
    throttle, and the base account's first answer too."""
    member_sts = settings.pool.for_account(member).client("sts")
    base_sts = settings.pool.base().client("sts")
    member_access_key = settings.pool.for_account(member).credentials.access_key
    base_throttles_left = [1]

    def throttle(request: Any, **_: Any) -> Any:
        if member_access_key not in str(request.headers.get("Authorization", "")):
            if not base_throttles_left:
                return None
            base_throttles_left.pop()
        return AWSResponse(request.url, 400, {}, _Throttled())

    member_sts.meta.events.register_first("before-send.sts", throttle)
    return member_sts, base_sts


class _Throttled:
    """The raw body of an STS throttling answer."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield (
            b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            b"<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
            b"</Error><RequestId>r</RequestId></ErrorResponse>"
        )


def test_memo_runs_once_and_remembers_failures(member: str) -> None:
    session = parse_settings({}).pool.base()
    runs: list[int] = []

    def compute(value: int) -> int:
        runs.append(1)
        return value

    assert session.memo("k", lambda: compute(42)) == 42
    assert session.memo("k", lambda: compute(43)) == 42
    assert runs == [1]

    def boom() -> None:
        runs.append(2)
        raise ValueError("once")

    for _ in range(2):
        with pytest.raises(ValueError):
            session.memo("bad", boom)
    assert runs == [1, 2]


def test_discovery_in_accounts_and_current_modes(member: str) -> None:
    settings = parse_settings({"mode": "accounts", "accounts": [{"id": member, "name": "prod"}]})
    found = discover(settings=settings)
    assert found is not None and found.errors == []
    org = found.organizations[0]
    assert org.facts_available is False and org.id.startswith("o-")
    assert org.management_tenant_id == MGMT
    assert [(t.id, t.name, t.is_management, t.regions) for t in found.tenants] == [
        (member, "prod", False, ())
    ]

    current = discover(settings=parse_settings({"mode": "current"}))
    assert current is not None
    assert [(t.id, t.is_management) for t in current.tenants] == [(MGMT, True)]


def test_enabled_regions_are_resolved_once_per_account(member: str) -> None:
    settings = parse_settings({"mode": "current"})
    calls = counting(settings)
    found = discover(settings=settings)
    assert found is not None
    tenant = found.tenants[0]
    inv = Inventory(
        cloud="aws",
        tenant=tenant,
        organization=found.organizations[0],
        kinds={k.name: k for k in all_kinds()},
        session_factory=lambda: open_session(tenant=tenant, organization=None, settings=settings),
    )
    regions = inv.get("aws.config.regions").resources[0].data["Regions"]
    assert "us-east-1" in regions and regions == sorted(regions)
    inv.get("aws.config.recorder")
    assert calls[f"{MGMT}:DescribeRegions"] == 1
    assert calls[f"{MGMT}:DescribeConfigurationRecorders"] == len(regions)


def test_discovery_reports_unusable_credentials_as_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    found = discover(settings=parse_settings({"profile": "no-such-profile"}))
    assert found is not None and found.tenants == []
    assert [(e.kind, e.code) for e in found.errors] == [("discovery", "ProfileNotFound")]


def test_organization_mode_outside_an_organization() -> None:
    with mock_aws():  # this account is in no organization
        found = discover(settings=parse_settings({}))
    assert found is not None and found.tenants == []
    assert found.errors[0].code == "AWSOrganizationsNotInUseException"
    assert "mode" in found.errors[0].message


def test_endpoint_override_reaches_s3control_on_one_host() -> None:
    """Against a moto server on 127.0.0.1, as the end-to-end tests and the sandbox run."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        org = boto3.client("organizations", endpoint_url=url)
        org.create_organization(FeatureSet="ALL")
        acct = org.create_account(Email="x@example.com", AccountName="x")
        account = acct["CreateAccountStatus"]["AccountId"]
        settings = parse_settings({"endpoint_url": url, "regions": ["us-east-1"]})
        session = settings.pool.for_account(account)
        s3control = session.client("s3control")
        s3control.put_public_access_block(
            AccountId=account,
            PublicAccessBlockConfiguration={"BlockPublicAcls": True},
        )
        got = s3control.get_public_access_block(AccountId=account)
        assert got["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
        assert session.client("sts").get_caller_identity()["Account"] == account
    finally:
        server.stop()


def test_import_has_no_side_effects() -> None:
    code = (
        "import sys, logwarden.scanner.collectors.aws as a, logwarden.scanner.collectors.aws.session as s;"
        "a.all_kinds();"
        "assert s._LOADER is None;"
        "assert not any(m.startswith(('azure', 'google', 'moto')) for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
