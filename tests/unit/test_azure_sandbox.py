"""The ARM emulator itself: TLS, auth, ARM errors, paging, case, faults, defects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from logwarden_sandbox import azure_defects
from logwarden_sandbox.azure_sandbox import DEMO_DEFECTS, AzureSandbox, start_azure_sandbox
from logwarden_sandbox.azure_server import FaultRule
from logwarden_sandbox.azure_zone import CORP, standard_tenant

API = {"api-version": "2022-12-01"}


@pytest.fixture(scope="module")
def box() -> Iterator[AzureSandbox]:
    sandbox = start_azure_sandbox(landing_zones=2)
    yield sandbox
    sandbox.stop()


def get(box: AzureSandbox, path: str, **params: str) -> requests.Response:
    return requests.get(
        f"{box.server.base_url}{path}",
        params={**API, **params},
        headers={"Authorization": f"Bearer {box.server.token}"},
        verify=box.server.ca_path,
        timeout=10,
    )


def test_tls_is_verified_against_the_throw_away_ca(box: AzureSandbox) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{box.server.base_url}/subscriptions", timeout=10)
    assert get(box, "/subscriptions").status_code == 200


def test_a_missing_or_wrong_token_is_401(box: AzureSandbox) -> None:
    answer = requests.get(
        f"{box.server.base_url}/subscriptions", verify=box.server.ca_path, timeout=10
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_lists_page_through_absolute_next_links(box: AzureSandbox) -> None:
    seen: list[str] = []
    page = get(box, "/subscriptions").json()
    while True:
        seen += [s["displayName"] for s in page["value"]]
        link = page.get("nextLink")
        if not link:
            break
        assert link.startswith(f"{box.server.base_url}/subscriptions?")
        page = requests.get(
            link,
            headers={"Authorization": f"Bearer {box.server.token}"},
            verify=box.server.ca_path,
            timeout=10,
        ).json()
    assert sorted(seen) == sorted(box.world.subscriptions)
    assert len(seen) == 5


def test_paths_are_case_insensitive_and_errors_arm_shaped(box: AzureSandbox) -> None:
    ws = box.world.workspaces["law-central"]
    assert get(box, ws.upper()).json()["name"] == "law-central"
    missing = get(box, ws.replace("law-central", "law-nope"))
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"code", "message"}
    gone = get(box, "/subscriptions/00000000-0000-4000-8000-000000000000/providers/x")
    assert gone.json()["error"]["code"] == "SubscriptionNotFound"


def test_the_emulator_is_read_only_and_never_asks_for_registration(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[CORP]
    answer = requests.put(
        f"{box.server.base_url}/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/x",
        params=API,
        headers={"Authorization": f"Bearer {box.server.token}"},
        json={},
        verify=box.server.ca_path,
        timeout=10,
    )
    assert answer.status_code == 405 and answer.status_code != 409


def test_policy_state_queries_need_a_supported_filter(box: AzureSandbox) -> None:
    sub = box.world.subscriptions[CORP]
    path = f"{box.server.base_url}/subscriptions/{sub}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults"
    auth = {"Authorization": f"Bearer {box.server.token}"}
    good = requests.post(
        path,
        params={**API, "$filter": "policyDefinitionName eq '2465583e-4e78-4c15-b6be-a36cbc7c8b0f'"},
        headers=auth,
        verify=box.server.ca_path,
        timeout=10,
    ).json()
    assert [s["complianceState"] for s in good["value"]] == ["Compliant"]
    bad = requests.post(
        path,
        params={**API, "$filter": "contains(x, 'y')"},
        headers=auth,
        verify=box.server.ca_path,
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidFilterInQueryString"


def test_faults_match_one_subscription_and_run_out(box: AzureSandbox) -> None:
    corp = box.world.subscriptions[CORP]
    rule = box.server.faults.add(FaultRule(429, subscription=corp, times=1, retry_after=3))
    try:
        path = f"/subscriptions/{corp}/providers/microsoft.insights/diagnosticSettings"
        throttled = get(box, path)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
        assert throttled.json()["error"]["code"] == "SubscriptionRequestsThrottled"
        assert get(box, path).status_code == 200 and rule.hits == 1
        assert get(box, "/subscriptions").status_code == 200
    finally:
        box.server.faults.clear()
    with pytest.raises(ValueError):
        box.server.faults.add(FaultRule(418))


def test_defects_are_validated_and_describe_their_rows() -> None:
    with pytest.raises(ValueError, match="unknown Azure defect"):
        standard_tenant(defects=["no_such_defect"])
    with pytest.raises(ValueError, match="hide each other"):
        standard_tenant(defects=["policy_not_assigned", "policy_no_state"])
    for name in azure_defects.DEFECTS:
        tenant = standard_tenant(defects=[name])
        [info] = azure_defects.describe(tenant).values()
        assert info.rows, name
        subs = {s.id for s in tenant.subscriptions}
        scanned_group = "mg-contoso"  # the organization of tenant-wide (Entra ID) rows
        assert all(row.subscription_id in {*subs, scanned_group} for row in info.rows), name


def test_the_demo_sandbox_unpacks_and_expects_its_rows() -> None:
    with start_azure_sandbox(DEMO_DEFECTS, mode="subscriptions-visible") as sandbox:
        server, world, section, env = sandbox
        assert section["arm_endpoint"] == server.base_url and section["ca_bundle"] == server.ca_path
        assert env == {section["token_env"]: server.token}
        assert "management_group_id" not in section
        assert {check for check, _, _ in world.expected()} == {
            "azure.monitor.activity_log_categories",
            "azure.policy.activity_log_policy_assigned",
            "azure.monitor.alert_create_update_nsg",
            "azure.authorization.log_readers_allowed",
        }


def test_a_template_names_one_operation_and_body_faults_break_its_real_answer(
    box: AzureSandbox,
) -> None:
    ws = box.world.workspaces["law-central"]
    template = (
        "/subscriptions/{s}/resourceGroups/{g}/providers/"
        "Microsoft.OperationalInsights/workspaces/{w}"
    )
    real = get(box, ws)
    broken: dict[str, requests.Response] = {}
    try:
        for fault, field in (("truncate", ""), ("garbage", ""), ("non-utf8", ""), ("strip", "id")):
            box.server.faults.clear()
            box.server.faults.add(
                FaultRule(body=fault, field=field, method="GET", template=template)
            )
            broken[fault] = get(box, ws)
            assert get(box, f"{ws}/tables/AzureActivity").json()["name"] == "AzureActivity"
        box.server.faults.clear()
        box.server.faults.add(FaultRule(body="reset", template=template))
        with pytest.raises(requests.exceptions.ConnectionError):
            get(box, ws)
    finally:
        box.server.faults.clear()
    assert all(r.status_code == 200 for r in broken.values())
    assert broken["truncate"].content == real.content[: len(real.content) // 2]
    assert not broken["garbage"].content.startswith(b"{")
    with pytest.raises(UnicodeDecodeError):
        broken["non-utf8"].content.decode("utf-8")
    assert "id" not in broken["strip"].json() and broken["strip"].json()["name"] == "law-central"


def test_fault_rules_are_validated() -> None:
    from logwarden_sandbox.azure_server import FaultInjector

    faults = FaultInjector()
    for bad in (
        FaultRule(),
        FaultRule(500, body="garbage"),
        FaultRule(body="teapot"),
        FaultRule(body="strip"),
        FaultRule(body="garbage", field="id"),
    ):
        with pytest.raises(ValueError):
            faults.add(bad)
