"""The clients of the project resources logwarden reads: Compute Engine, Cloud DNS, Cloud SQL.

- **Compute Engine** (``compute``): ``google-cloud-compute`` over REST, the networks,
  subnetworks and backend services of a project. The aggregated lists (every region in one
  paged call) are flattened here; a scope the answer marks as not answered (a warning other
  than ``NO_RESULTS_ON_PAGE``, or an ``unreachables`` entry) makes the whole call fail, so a
  region that could not be read never reads as a region without subnets.
- **Cloud DNS** (``dns``, policies) and **Cloud SQL Admin** (``sqladmin``, instances): Google's
  discovery-based client (``google-api-python-client``, the API documents it ships, no
  discovery call). ``google-cloud-dns`` has no policies, and ``google-cloud-sql`` (0.1, beta)
  serves Cloud SQL Admin v1 over gRPC only; the discovery client serves both over REST with the
  same credentials and endpoint overrides as the other clients. Its errors are turned into
  ``google.api_core`` exceptions (status, ``ErrorInfo`` reason and metadata kept), and a
  connection failure into ``ServiceUnavailable`` / ``DeadlineExceeded``, so they are retried
  and reported like every other Google error.

Each reader returns every page of a listing as one list; ``responses.CheckedClient`` checks it.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions

from logwarden.scanner.collectors.gcp.responses import MalformedResponse

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from logwarden.scanner.collectors.gcp.settings import GcpSettings

RESOURCE_CLIENTS = ("compute", "dns", "sqladmin")
EMPTY_SCOPE = "NO_RESULTS_ON_PAGE"  # a region with nothing on this page: not a failure


class ComputeReader:
    """Networks, subnetworks and backend services of a project (Compute Engine v1, REST)."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self._clients = clients

    def list_networks(self, project: str, **options: Any) -> list[Any]:
        """``networks.list``: every VPC network of ``project``."""
        return list(self._clients["networks"].list(project=project, **options))

    def list_subnetworks(self, project: str, **options: Any) -> list[Any]:
        """``subnetworks.aggregatedList``: every subnetwork of every region."""
        pager = self._clients["subnetworks"].aggregated_list(project=project, **options)
        return _flatten(pager, "subnetworks", "subnetworks.aggregatedList")

    def list_backend_services(self, project: str, **options: Any) -> list[Any]:
        """``backendServices.aggregatedList``: global and regional backend services."""
        pager = self._clients["backend_services"].aggregated_list(project=project, **options)
        return _flatten(pager, "backend_services", "backendServices.aggregatedList")


def _flatten(pager: Any, field: str, operation: str) -> list[Any]:
    """The items of every page of an aggregated list; a scope not answered fails the call."""
    items: list[Any] = []
    for page in pager.pages:
        unreachable = list(getattr(page, "unreachables", ()) or ())
        if unreachable:
            raise exceptions.ServiceUnavailable(
                f"compute {operation} could not read {', '.join(unreachable)}"
            )
        for scope, scoped in page.items.items():
            warning = scoped.warning if "warning" in scoped else None
            if warning is not None and warning.code != EMPTY_SCOPE:
                raise exceptions.ServiceUnavailable(
                    f"compute {operation} did not answer for {scope}: {warning.code}: "
                    f"{warning.message}"
                )
            items.extend(getattr(scoped, field))
    return items


class DiscoveryReader:
    """One REST API through the discovery-based client: listings of every page, errors as
    ``google.api_core`` exceptions. ``httplib2`` is not thread-safe: each thread sends its
    requests through its own HTTP object."""

    def __init__(self, service: Any, credentials: Credentials, timeout: float) -> None:
        self._service = service
        self._credentials = credentials
        self._timeout = timeout
        self._local = threading.local()

    def list_all(
        self, collection: str, items: str, retry: Any = None, timeout: float | None = None,
        **params: Any,
    ) -> list[Any]:  # fmt: skip
        """Every item of ``collection.list(**params)`` over every page (``nextPageToken``).

        ``timeout`` is the HTTP object's (set once from the settings)."""
        resource = getattr(self._service, collection)()
        request = resource.list(**params)
        out: list[Any] = []
        while request is not None:
            page = self._execute(request, retry)
            if not isinstance(page, dict) or not isinstance(page.get(items, []), list):
                raise MalformedResponse(
                    f"{request.methodId} answered with a {type(page).__name__}, "
                    f"not a page of {items}"
                )
            _refuse_partial(page, request.methodId)
            out.extend(page.get(items, []))
            request = resource.list_next(request, page)
        return out

    def _execute(self, request: Any, retry: Any) -> Any:
        call: Callable[[], Any] = lambda: _converted(request, self._http())  # noqa: E731
        return retry(call)() if retry is not None else call()

    def _http(self) -> Any:
        found = getattr(self._local, "http", None)
        if found is None:
            import google_auth_httplib2
            import httplib2

            found = google_auth_httplib2.AuthorizedHttp(
                self._credentials, http=httplib2.Http(timeout=self._timeout)
            )
            self._local.http = found
        return found


class DnsReader(DiscoveryReader):
    """Cloud DNS v1: the DNS server policies of a project."""

    def list_policies(self, project: str, **options: Any) -> list[Any]:
        """``policies.list``."""
        return self.list_all("policies", "policies", project=project, **options)


class SqlAdminReader(DiscoveryReader):
    """Cloud SQL Admin v1: the instances of a project."""

    def list_instances(self, project: str, **options: Any) -> list[Any]:
        """``instances.list``."""
        return self.list_all("instances", "items", project=project, **options)


def _refuse_partial(page: dict[str, Any], method: str) -> None:
    """A page whose ``warnings`` say regions were not read (Cloud SQL Admin's
    ``REGION_UNREACHABLE``) is a failure: the listing may lack what those regions hold."""
    warnings = page.get("warnings") or []
    if not isinstance(warnings, list):
        raise MalformedResponse(f"{method} answered with warnings that are not a list")
    unreachable = [
        str(w.get("region") or w.get("message") or "?")
        for w in warnings
        if not isinstance(w, dict) or w.get("code") == "REGION_UNREACHABLE"
    ]
    if unreachable:
        raise exceptions.ServiceUnavailable(
            f"{method} could not read region(s) {', '.join(unreachable)}"
        )


def _converted(request: Any, transport: Any) -> Any:
    """``request.execute`` with its failures as ``google.api_core`` exceptions."""
    import httplib2
    from googleapiclient.errors import HttpError

    try:
        return request.execute(http=transport)
    except HttpError as exc:
        raise _api_error(exc, request.methodId) from None
    except TimeoutError as exc:
        raise exceptions.DeadlineExceeded(f"{request.methodId}: {exc or 'timed out'}") from None
    except (OSError, http.client.HTTPException, httplib2.HttpLib2Error) as exc:
        detail = str(exc) or type(exc).__name__
        raise exceptions.ServiceUnavailable(f"{request.methodId}: {detail}") from None


def _api_error(exc: Any, method: str) -> exceptions.GoogleAPICallError:
    """A ``GoogleAPICallError`` from the discovery client's ``HttpError`` (Google's JSON error
    body: ``error.message``, ``error.errors``, ``error.details`` with its ``ErrorInfo``)."""
    try:
        body = json.loads(exc.content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    found = error.get("details")
    details: list[Any] = found if isinstance(found, list) else []
    info = next(
        (
            d
            for d in details
            if isinstance(d, dict) and str(d.get("@type", "")).endswith("ErrorInfo")
        ),
        None,
    )
    message = str(error.get("message") or exc.reason or f"HTTP {exc.status_code}")
    return exceptions.from_http_status(
        int(exc.status_code),
        f"{method}: {message}",
        errors=error.get("errors") or (),
        details=details,
        error_info=info,
    )


def make_resource_client(name: str, settings: GcpSettings, credentials: Credentials) -> Any:
    """The reader ``name`` (one of :data:`RESOURCE_CLIENTS`), with the endpoint override of
    the settings (the local sandbox) or Google's."""
    if name == "compute":
        from google.api_core.client_options import ClientOptions
        from google.cloud import compute_v1

        options = ClientOptions(
            api_endpoint=settings.compute_endpoint, quota_project_id=settings.quota_project
        )
        kwargs: dict[str, Any] = {
            "credentials": credentials,
            "transport": "rest",
            "client_options": options,
        }
        return ComputeReader(
            {
                "networks": compute_v1.NetworksClient(**kwargs),
                "subnetworks": compute_v1.SubnetworksClient(**kwargs),
                "backend_services": compute_v1.BackendServicesClient(**kwargs),
            }
        )
    if name in ("dns", "sqladmin"):
        from googleapiclient.discovery import build

        endpoint = settings.dns_endpoint if name == "dns" else settings.sqladmin_endpoint
        base = f"{endpoint}/" if endpoint else None  # replaces the root URL, not the path
        service = build(
            name,
            "v1",
            credentials=credentials,
            client_options={"api_endpoint": base} if base else None,
            static_discovery=True,
            cache_discovery=False,
        )
        reader = DnsReader if name == "dns" else SqlAdminReader
        return reader(service, credentials, settings.timeout)
    raise KeyError(f"unknown GCP client {name!r}")
