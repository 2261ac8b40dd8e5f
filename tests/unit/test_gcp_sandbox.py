"""The GCP sandbox: its declarative organization, defects, faults and the two fakes."""

from __future__ import annotations

import pytest

from logwarden_sandbox import gcp_defects
from logwarden_sandbox.gcp_faults import Faults
from logwarden_sandbox.gcp_state import FakeGcp
from logwarden_sandbox.gcp_zone import DEMO_DEFECTS, SANDBOX_ENV, standard_org, start_gcp_sandbox


def test_standard_org_ids_are_deterministic() -> None:
    world = standard_org()
    org = world.org
    assert world.scope_id == "organizations/1000000001"
    assert [org.folder_name(f.key) for f in org.folders] == [
        "folders/2000000001",
        "folders/2000000002",
    ]
    assert [org.project_number(p) for p in world.project_ids] == [
        "3000000001",
        "3000000002",
        "3000000003",
        "3000000004",
    ]
    assert world.defects == {} and world.expected() == set()


def test_demo_defects_name_their_rows() -> None:
    world = standard_org(DEMO_DEFECTS)
    assert world.expected() == {
        ("gcp.audit.data_access_logs", "lw-app-1", "lw-app-1"),
        ("gcp.audit.data_access_logs", "lw-app-2", "lw-app-2"),
        (
            "gcp.logging.bucket_retention",
            "lw-app-2",
            "//logging.googleapis.com/projects/lw-app-2/locations/global/buckets/app-audit",
        ),
        (
            "gcp.logging.bucket_locked",
            "lw-logging",
            "//logging.googleapis.com/projects/lw-logging/locations/global/buckets/org-audit",
        ),
        # the missing alert policy fails CIS 2.4 for every project; the outside reader, the
        # central log bucket
        *(
            ("gcp.monitoring.project_ownership_changes_alert", project, project)
            for project in ("lw-logging", "lw-shared", "lw-app-1", "lw-app-2")
        ),
        (
            "gcp.logging.log_readers_restricted",
            "lw-logging",
            "//logging.googleapis.com/projects/lw-logging/locations/global/buckets/org-audit/access",
        ),
    }


def test_unknown_and_conflicting_defects_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown GCP defects"):
        standard_org(["nope"])
    with pytest.raises(ValueError, match="cannot be combined"):
        standard_org(["org_sink_to_default_bucket", "log_bucket_unlocked"])


def test_every_defect_applies_alone() -> None:
    for name in gcp_defects.DEFECTS:
        world = standard_org([name])
        assert world.defects[name].rows, name


def test_faults_are_validated_and_matched_by_project_and_api() -> None:
    faults = Faults()
    with pytest.raises(ValueError):
        faults.add("p", "TEAPOT")
    faults.add("lw-app-1", "UNAVAILABLE", "logging")
    assert faults.match("logging", "lw-app-1") is not None
    assert faults.match("storage", "lw-app-1") is None
    assert faults.match("logging", "lw-app-2") is None
    faults.clear()
    assert faults.match("logging", "lw-app-1") is None


def test_built_in_sinks_and_buckets_exist_in_every_project() -> None:
    state = FakeGcp(standard_org().org)
    snap = state.snapshot
    for number in snap.projects:
        names = [s.name for s in snap.sinks[f"projects/{number}"]]
        assert names[:2] == ["_Required", "_Default"]
        default = snap.log_buckets[f"projects/{number}/locations/global/buckets/_Default"]
        assert (default.retention_days, default.locked) == (30, False)
    assert state.project_number("lw-app-1") == "3000000003"
    assert state.project_number("3000000003") == "3000000003"


def test_start_gcp_sandbox_unpacks_and_stops() -> None:
    with start_gcp_sandbox(["log_bucket_unlocked"]) as sandbox:
        servers, world, section, env = sandbox
        assert section["credentials"] == "anonymous"
        assert section["organization"] == world.org.org_number
        for key in ("resource_manager_endpoint", "storage_endpoint"):
            assert section[key].startswith("http://127.0.0.1:")
        assert section["logging_endpoint"].startswith("127.0.0.1:")
        assert env == SANDBOX_ENV
        assert set(world.defects) == {"log_bucket_unlocked"}
        assert servers.faults.active == ()


def test_faults_of_one_operation_match_every_project_and_strip_names_its_field() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="STRIP"):
        faults.add("*", "STRIP", "logging", "GetBucket")
    with pytest.raises(ValueError, match="STRIP"):
        faults.add("*", "GARBAGE", "logging", "GetBucket", "name")
    faults.add("*", "STRIP", "logging", "GetBucket", "retentionDays")
    found = faults.match("logging", "lw-app-1", "GetBucket")
    assert found is not None and found.breaks_answer and found.field == "retentionDays"
    assert faults.match("logging", None, "GetBucket", "organizations/1") is found
    assert faults.match("logging", "lw-app-1", "ListSinks") is None


def test_the_rest_fake_breaks_the_real_answer_or_resets_the_connection() -> None:
    import requests

    with start_gcp_sandbox(()) as sandbox:
        url = f"{sandbox.config_section['resource_manager_endpoint']}/v3/projects/lw-app-1"
        real = requests.get(url, timeout=10)
        answers = {}
        for code in ("TRUNCATE", "GARBAGE", "NON_UTF8", "INTERNAL", "RESOURCE_EXHAUSTED"):
            sandbox.servers.faults.add("*", code, "resourcemanager", "projects.get")
            answers[code] = requests.get(url, timeout=10)
            sandbox.servers.faults.clear()
        sandbox.servers.faults.add("*", "RESET", "resourcemanager", "projects.get")
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(url, timeout=10)
    assert real.json()["projectId"] == "lw-app-1"
    assert answers["TRUNCATE"].content == real.content[: len(real.content) // 2]
    assert answers["GARBAGE"].status_code == 200 and b"projectId" not in answers["GARBAGE"].content
    with pytest.raises(UnicodeDecodeError):
        answers["NON_UTF8"].content.decode("utf-8")
    assert [answers[c].status_code for c in ("INTERNAL", "RESOURCE_EXHAUSTED")] == [500, 429]


@pytest.mark.parametrize("code", ["TRUNCATE", "GARBAGE", "NON_UTF8"])
def test_the_grpc_fake_breaks_messages_so_they_do_not_parse(code: str) -> None:
    from google.cloud.logging_v2.types import logging_config as lc
    from google.protobuf.message import DecodeError

    from logwarden_sandbox.gcp_faults import Fault
    from logwarden_sandbox.gcp_grpc import broken

    state = FakeGcp(standard_org().org)
    answer = lc.ListSinksResponse(sinks=state.snapshot.sinks["organizations/1000000001"])
    with pytest.raises(DecodeError):
        lc.ListSinksResponse.pb().FromString(broken(Fault("*", code), answer))


def test_the_grpc_fake_strips_a_field_from_every_message_of_the_answer() -> None:
    from google.cloud.logging_v2.types import logging_config as lc

    from logwarden_sandbox.gcp_faults import Fault
    from logwarden_sandbox.gcp_grpc import broken

    state = FakeGcp(standard_org().org)
    sinks = state.snapshot.sinks["projects/3000000001"]
    data = broken(Fault("*", "STRIP", field="destination"), lc.ListSinksResponse(sinks=sinks))
    parsed = lc.ListSinksResponse.deserialize(data)
    assert [s.name for s in parsed.sinks] == [s.name for s in sinks]
    assert {s.destination for s in parsed.sinks} == {""}
