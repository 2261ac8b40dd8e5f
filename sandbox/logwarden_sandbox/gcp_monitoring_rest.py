"""The REST side of the monitoring fakes: Service Usage ``services.get``
(``GET /v1/projects/P/services/S``) and Access Approval's settings of an organization
(``GET /v1/organizations/N/accessApprovalSettings``) and Cloud Storage's bucket IAM policies
(``GET /storage/v1/b/B/iam``), served by ``gcp_rest.RestFake`` with its
error and broken-answer handling, as the libraries' own messages in JSON."""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from logwarden_sandbox.gcp_faults import FakeError
from logwarden_sandbox.gcp_state import FakeGcp

SERVICE = re.compile(r"^/v1/projects/(?P<ref>[^/]+)/services/(?P<service>[^/:]+)$")
BUCKET_IAM = re.compile(r"^/storage/v1/b/(?P<bucket>[^/]+)/iam$")
APPROVAL = re.compile(r"^/v1/(?P<node>organizations/[^/]+)/accessApprovalSettings$")


class Handler(Protocol):
    """What a route needs of ``gcp_rest``'s request handler."""

    @property
    def server(self) -> Any: ...

    def _enter(self, api: str, method: str, resource: str, project: str | None) -> None: ...


def route(handler: Handler, method: str, path: str) -> tuple[int, str] | None:
    """The answer to a monitoring request, or None when ``path`` is not one of these APIs."""
    fake: FakeGcp = handler.server.fake
    found = SERVICE.match(path)
    if method == "GET" and found:
        handler._enter("serviceusage", "services.get", path, found["ref"])
        number = fake.project_number(found["ref"])
        service = fake.snapshot.monitoring.services.get(number or "")
        if service is None or not service.name.endswith(f"/{found['service']}"):
            raise FakeError("NOT_FOUND", f"service {found['service']} not found in {found['ref']}")
        return 200, type(service).to_json(service, use_integers_for_enums=False)
    found = BUCKET_IAM.match(path)
    if method == "GET" and found:
        bucket = fake.snapshot.storage.get(found["bucket"])
        number = bucket["projectNumber"] if bucket else None
        handler._enter("storage", "buckets.getIamPolicy", found["bucket"], number)
        if bucket is None:
            raise FakeError("NOT_FOUND", f"The specified bucket does not exist: {found['bucket']}")
        default = {"kind": "storage#policy", "resourceId": f"projects/_/buckets/{found['bucket']}",
                   "version": 1, "etag": "CAE=", "bindings": []}  # fmt: skip
        return 200, json.dumps(fake.snapshot.monitoring.bucket_iam.get(found["bucket"], default))
    found = APPROVAL.match(path)
    if method == "GET" and found:
        handler._enter("accessapproval", "GetAccessApprovalSettings", found["node"], None)
        settings = fake.snapshot.monitoring.access_approval.get(found["node"])
        if settings is None:
            raise FakeError("NOT_FOUND", f"{found['node']} has no Access Approval settings")
        return 200, type(settings).to_json(settings, use_integers_for_enums=False)
    return None
