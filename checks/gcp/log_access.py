"""Who can read the audit logs, and what the sinks that deliver them may do
(``gcp.logging.destination_access``), and whether the log buckets use a customer-managed key.

- ``gcp.logging.log_readers_restricted``: every principal that can read a destination bucket
  (bindings inherited from the organization, folders and project, and the bucket's own IAM
  policy) is listed in the evidence; ``allUsers`` / ``allAuthenticatedUsers``, a principal
  outside the organization's domains (the parameter ``organization_domains``, else the
  organization's own domain), a service account of a project not scanned, and, when the
  parameter ``log_reader_allow_list`` is set, any principal it does not match, FAIL.
- ``gcp.logging.sink_writer_least_privilege``: a sink's writer identity holds no role on its
  destination beyond the one it needs (``roles/logging.bucketWriter`` on a log bucket's project,
  ``roles/storage.objectCreator`` on a Cloud Storage bucket).
- ``gcp.logging.bucket_cmek``: when ``require_log_bucket_cmek`` is true, an audit log bucket has
  a Cloud KMS key (``cmekSettings.kmsKeyName``); otherwise the row is SKIPPED, saying so.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from logwarden.scanner.models import CheckContext, Outcome, Status

ACCESS = "gcp.logging.destination_access"
LOG_BUCKET = "gcp.logging.bucket"
PUBLIC = ("allUsers", "allAuthenticatedUsers")
SHOWN = 3
SA_PROJECT = re.compile(r"^[^@]+@(?P<project>[a-z][a-z0-9-]+)\.iam\.gserviceaccount\.com$")
SA_NUMBER = re.compile(
    r"^(?:service-|service-org-)?(?P<number>\d+)(?:-compute)?@"
    r"(?:gcp-sa-[a-z-]+\.iam|cloudservices|developer|cloudbuild)\.gserviceaccount\.com$"
)
CONVENIENCE = re.compile(r"^project(?:Owner|Editor|Viewer):(?P<project>.+)$")


def outside_reason(
    member: str, domains: Iterable[str], projects: Iterable[str], allowed: list[str]
) -> str:
    """Why ``member`` may not read the logs ("" when it may)."""
    if member in PUBLIC:
        return "public"
    if allowed and not any(fnmatch.fnmatchcase(member, glob) for glob in allowed):
        return "not in log_reader_allow_list"
    if allowed:
        return ""
    kind, _, rest = member.partition(":")
    if kind == "serviceAccount":
        agent = SA_NUMBER.match(rest)
        account = SA_PROJECT.match(rest)
        ref = agent["number"] if agent else account["project"] if account else None
        return "" if ref in set(projects) else "a service account of a project outside the scan"
    found = CONVENIENCE.match(member)
    if found:
        return "" if found["project"] in set(projects) else "a project outside the scan"
    if kind in ("user", "group", "domain"):
        domain = rest.rsplit("@", 1)[-1].lower()
        inside = any(domain == d or domain.endswith(f".{d}") for d in (x.lower() for x in domains))
        return "" if inside else f"outside the organization's domains ({domain})"
    return "not a principal of the organization"


def log_readers_restricted(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per audit destination bucket."""
    allowed = list(ctx.param("log_reader_allow_list") or [])
    configured = list(ctx.param("organization_domains") or [])
    for res in ctx.resources(ACCESS):
        data = res.data
        own = data.get("OrganizationDomain")
        domains = configured or ([own] if own else [])
        readers = list(data.get("Readers") or ())
        evidence: dict[str, Any] = {"readers": readers, "domains": domains, "allow_list": allowed}
        if not domains and not allowed:
            message = (
                "cannot tell which readers are outside the organization: no organization "
                "domain is known; set the parameter organization_domains or log_reader_allow_list"
            )
            yield Outcome(Status.ERROR, message, res.id, res.region, evidence)
            continue
        projects = list(data.get("ScannedProjects") or ())
        bad: dict[str, str] = {}
        for reader in readers:
            why = outside_reason(str(reader.get("member")), domains, projects, allowed)
            if why:
                bad.setdefault(
                    str(reader.get("member")),
                    f"{why}: {reader.get('role')} at {reader.get('grantedAt')}",
                )
        if bad:
            evidence["outside"] = bad
            shown = "; ".join(f"{m} ({w})" for m, w in list(bad.items())[:SHOWN])
            more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
            message = f"{data.get('Bucket')} can be read by {shown}{more}"
            yield Outcome(Status.FAIL, message, res.id, res.region, evidence)
            continue
        members = sorted({str(r.get("member")) for r in readers})
        message = (
            f"{len(members)} principals can read {data.get('Bucket')}, all of the organization"
        )
        yield Outcome(Status.PASS, message, res.id, res.region, evidence)


def _extra_roles(writer: Mapping[str, Any], needed: list[str]) -> list[str]:
    return sorted(
        {
            f"{r.get('role')} at {r.get('grantedAt')}"
            for r in writer.get("Roles") or ()
            if r.get("role") not in needed
        }
    )


def sink_writer_least_privilege(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per audit destination bucket."""
    for res in ctx.resources(ACCESS):
        data = res.data
        needed = list(data.get("NeededWriterRoles") or ())
        writers = [w for w in data.get("Writers") or () if w.get("writerIdentity")]
        evidence = {"writers": writers, "needed": needed}
        extra = {str(w["writerIdentity"]): _extra_roles(w, needed) for w in writers}
        extra = {k: v for k, v in extra.items() if v}
        if extra:
            shown = "; ".join(f"{m} also holds {', '.join(r)}" for m, r in extra.items())
            message = f"sink writer identities on {data.get('Bucket')} hold more than {', '.join(needed)}: {shown}"
            yield Outcome(Status.FAIL, message, res.id, res.region, evidence)
            continue
        message = f"the writer identities of the sinks into {data.get('Bucket')} hold at most {', '.join(needed)}"
        yield Outcome(Status.PASS, message, res.id, res.region, evidence)


def bucket_cmek(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per audit log bucket."""
    required = ctx.param("require_log_bucket_cmek") is True
    for res in ctx.resources(LOG_BUCKET):
        key = (res.data.get("cmekSettings") or {}).get("kmsKeyName")
        evidence = {"cmekSettings": res.data.get("cmekSettings"), "required": required}
        if not required:
            message = "CMEK is not required (set the parameter require_log_bucket_cmek to check it)"
            yield Outcome(Status.SKIPPED, message, res.id, res.region, evidence)
        elif key:
            yield Outcome(
                Status.PASS,
                f"{res.data.get('name')} is encrypted with {key}",
                res.id,
                res.region,
                evidence,
            )
        else:
            message = (
                f"{res.data.get('name')} has no customer-managed key (cmekSettings.kmsKeyName)"
            )
            yield Outcome(Status.FAIL, message, res.id, res.region, evidence)
