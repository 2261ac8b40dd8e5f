"""Fault injection of the GCP fakes: which calls fail, and how.

A :class:`Fault` names calls by API and operation (``logging`` ``ListSinks``,
``resourcemanager`` ``projects.get``) and by the project, folder or organization they are about
(``*``: any). It either refuses them with an error (:data:`CODES`, raised as a
:class:`FakeError` that each fake answers in its own protocol) or lets the fake answer and
breaks that answer (:data:`BODY_FAULTS`; see ``gcp_rest`` and ``gcp_grpc``).
"""

from __future__ import annotations

from dataclasses import dataclass

from logwarden_sandbox.gcp_monitoring_faults import GRPC_APIS, MONITORING_APIS

# Errors a faulted call answers with (SERVICE_DISABLED: PERMISSION_DENIED with that reason).
CODES = (
    "PERMISSION_DENIED",
    "UNAVAILABLE",
    "SERVICE_DISABLED",
    "INTERNAL",
    "RESOURCE_EXHAUSTED",
)
# Ways to break the real answer of a call instead: cut it short, replace it with bytes that are
# not a message (REST: not JSON), make it not UTF-8, drop one field wherever it occurs, give it
# another JSON type (REST only: gRPC messages are typed), or reset the connection (REST; gRPC
# answers UNAVAILABLE).
BODY_FAULTS = ("TRUNCATE", "GARBAGE", "NON_UTF8", "STRIP", "MISTYPE", "RESET")
APIS = (
    "resourcemanager",
    "logging",
    "storage",
    *MONITORING_APIS,
    "compute",
    "dns",
    "sqladmin",
    "*",
)


class FakeError(Exception):
    """An API error the fakes answer with: a canonical code, a message, an optional reason."""

    def __init__(self, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Fault:
    """Every call of ``api`` (and ``method``: ``*`` for all) about ``project`` fails with
    ``code`` (one of :data:`CODES` or :data:`BODY_FAULTS`). ``project`` is a project id, the
    resource name of a folder or organization (``folders/N``: calls about that node, e.g.
    reading its audit log), or ``*`` (every call of the operation). ``field``: what ``STRIP``
    removes (a JSON key over REST, a proto field name over gRPC) or ``MISTYPE`` retypes."""

    project: str
    code: str
    api: str = "*"
    method: str = "*"
    field: str = ""

    @property
    def breaks_answer(self) -> bool:
        """Whether the call is answered, broken, rather than refused with an error."""
        return self.code in BODY_FAULTS


@dataclass
class Faults:
    """The faults in force (thread-safe enough: replaced, never mutated in place)."""

    active: tuple[Fault, ...] = ()

    def add(
        self, project: str, code: str, api: str = "*", method: str = "*", field: str = ""
    ) -> None:
        """Make calls of ``api`` (``*``: every API) about ``project`` (``*``: any) fail with
        ``code``; ``method`` narrows the fault to one operation (``ListLogEntries``,
        ``projects.get``); ``field`` is what a ``STRIP`` fault removes."""
        if code not in (*CODES, *BODY_FAULTS) or api not in APIS:
            raise ValueError(f"code must be one of {CODES + BODY_FAULTS} and api one of {APIS}")
        if (code in ("STRIP", "MISTYPE")) != bool(field):
            raise ValueError("a STRIP or MISTYPE fault names its field, and only they do")
        if code == "MISTYPE" and api in (*GRPC_APIS, "*"):
            raise ValueError("MISTYPE breaks REST answers: name the API (gRPC messages are typed)")
        self.active = (*self.active, Fault(project, code, api, method, field))

    def clear(self) -> None:
        """Remove every fault."""
        self.active = ()

    def match(
        self, api: str, project: str | None, method: str = "", resource: str = ""
    ) -> Fault | None:
        """The first fault for a call of ``api``.``method`` about ``project`` (an id) or
        ``resource`` (the resource name the call is about)."""
        for fault in self.active:
            if fault.project not in ("*", project, resource or None):
                continue
            if fault.api in ("*", api) and fault.method in ("*", method):
                return fault
        return None
