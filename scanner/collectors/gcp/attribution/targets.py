"""Which Admin Activity entries changed a drifted GCP resource, and whose logs to read for it.

:func:`target_for` turns a :class:`~logwarden.scanner.audit_events.Subject` into a :class:`Target`: the
resources whose Admin Activity log is read (``logs``), the services worth reading there, and
the :class:`Rule` s an entry must meet. Per kind:

- ``gcp.audit.effective_config`` of project P: P *and every folder and organization above
  it* (settings are inherited): a ``SetIamPolicy`` on any of them that changed
  ``auditConfigs`` (see :func:`changes_audit_configs`), P's ``MoveProject``, the
  ``MoveFolder`` of a folder above it. A sibling folder is not on the chain, so it never
  matches;
- organization, folder, project: ``SetIamPolicy`` on the node (audit-config changes only
  when its ``AuditConfigs`` changed), its own update/move/delete/undelete when other fields
  changed, projects and folders created in or moved into it when its children changed, the
  ``MoveFolder`` of an ancestor when its ``Path`` changed;
- sinks (``gcp.logging.org_sink``, ``gcp.logging.sink``): ``CreateSink``, ``UpdateSink``,
  ``DeleteSink`` of that sink, in the log of the node that owns it;
- log buckets: ``CreateBucket``, ``UpdateBucket``, ``DeleteBucket``, ``UndeleteBucket`` (and
  their ``*Async`` forms; ``LockBucket`` should Google log one: a lock is an ``UpdateBucket``
  with ``locked: true`` today), in the owner project's log;
- Cloud Storage buckets: ``storage.buckets.create/update/patch/delete``,
  ``storage.setIamPermissions``, ``LockRetentionPolicy``, in the owner project's log;
- any other kind: a mutating call that names the resource, in its tenant's log.

Failed calls (``protoPayload.status`` set) and read-only methods (Get*, List*, ...) never
match. Resource names are compared with project numbers replaced by ids. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from logwarden.scanner.audit_events import Subject
from logwarden.scanner.collectors.gcp.attribution.records import AuditRecord
from logwarden.scanner.collectors.gcp.common import (
    DESTINATION_ACCESS,
    EFFECTIVE_AUDIT,
    FOLDER,
    LOG_BUCKET,
    ORG_SINK,
    ORGANIZATION,
    PROJECT,
    SINK,
    STORAGE_BUCKET,
)

RESOURCE_MANAGER = "cloudresourcemanager.googleapis.com"
LOGGING = "logging.googleapis.com"
STORAGE = "storage.googleapis.com"
ANY_SERVICE = "*"

SET_IAM_POLICY = frozenset({"setiampolicy"})
NODE_VERBS = frozenset(
    f"{verb}{noun}"
    for verb in ("update", "move", "delete", "undelete")
    for noun in ("project", "folder", "organization")
)
CHILD_VERBS = frozenset({"createproject", "createfolder", "moveproject", "movefolder"})
SINK_VERBS = frozenset({"createsink", "updatesink", "deletesink"})
LOG_BUCKET_VERBS = frozenset(
    {
        "createbucket",
        "createbucketasync",
        "updatebucket",
        "updatebucketasync",
        "deletebucket",
        "undeletebucket",
        "lockbucket",
    }
)
STORAGE_VERBS = frozenset(
    {"create", "update", "patch", "delete", "setiampermissions", "lockretentionpolicy"}
)
READ_ONLY = ("get", "list", "search", "testiampermissions", "read", "query", "lookup", "fetch")
IAM_FIELDS = ("AuditConfigs", "IamPolicyEtag", "IamPolicyVersion")
CHILD_FIELDS = ("Folders", "Projects")


@dataclass(frozen=True)
class Hierarchy:
    """What the scan knows of the resource hierarchy (see ``audit_logs.hierarchy_of``)."""

    ancestors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # top first
    numbers: Mapping[str, str] = field(default_factory=dict)  # project number -> id

    def canonical(self, name: str) -> str:
        """``name`` with a leading ``projects/NUMBER`` replaced by ``projects/ID``."""
        if not name.startswith("projects/"):
            return name
        ref, sep, rest = name[len("projects/") :].partition("/")
        return f"projects/{self.numbers.get(ref, ref)}{sep}{rest}"

    def chain(self, node: str) -> tuple[str, ...]:
        """The known ancestors of ``node``, top first (empty when unknown)."""
        return tuple(self.ancestors.get(self.canonical(node), ()))


@dataclass(frozen=True)
class Rule:
    """An entry matches when its service, method and one resource name fit.

    ``on="resource"`` compares ``protoPayload.resourceName``; ``on="parent"`` compares the
    parents the request names (a project or folder created in or moved into a node).
    """

    service: str  # ANY_SERVICE: any
    verbs: frozenset[str]  # lower-case last parts of the method name; empty: any mutation
    names: frozenset[str]  # canonical resource names
    audit_only: bool = False  # a SetIamPolicy must have changed auditConfigs
    on: str = "resource"


@dataclass(frozen=True)
class Target:
    """What to read for one subject, and how to tell its entries."""

    subject: Subject
    logs: tuple[str, ...]  # organizations/N, folders/N, projects/ID: their activity logs
    services: frozenset[str] | None  # the services worth reading there; None: all
    rules: tuple[Rule, ...]

    def matches(self, record: AuditRecord, hierarchy: Hierarchy) -> bool:
        """Whether ``record`` is a successful, mutating call that changed the subject."""
        if not record.succeeded or is_read_only(record.method):
            return False
        return any(_fits(rule, record, hierarchy) for rule in self.rules)


def is_read_only(method: str) -> bool:
    """Get*, List*, Search*, TestIamPermissions, ...: calls that change nothing."""
    return method.rsplit(".", 1)[-1].lower().startswith(READ_ONLY)


def changes_audit_configs(record: AuditRecord) -> bool:
    """Whether a ``SetIamPolicy`` changed the audit configs.

    The logged ``policyDelta`` decides when there is one (``auditConfigDeltas``); else the
    logged request: a policy set without ``auditConfigs`` in its ``updateMask`` leaves them
    alone (IAM's default mask is ``bindings,etag``). When neither is logged the call may
    have changed them: it matches (better a candidate named than a change left unexplained).
    """
    if record.delta is not None:
        return bool(record.delta.get("auditConfigDeltas"))
    if "policy" in record.request:
        mask = record.request.get("updateMask")
        paths = mask.get("paths", []) if isinstance(mask, Mapping) else str(mask or "").split(",")
        return any(str(p).strip() in ("auditConfigs", "audit_configs") for p in paths)
    return True


def parents_named(record: AuditRecord) -> set[str]:
    """The parents a create or move request names, and the resource's original parent."""
    request = record.request
    found: list[Any] = [
        request.get("destinationParent"),
        request.get("parent"),
        *(
            (request.get(key) or {}).get("parent")
            for key in ("project", "folder")
            if isinstance(request.get(key), Mapping)
        ),
        record.original.get("parent"),
    ]
    out: set[str] = set()
    for value in found:
        if isinstance(value, Mapping) and value.get("type") and value.get("id"):
            out.add(f"{value['type']}s/{value['id']}")  # v1: {"type": "folder", "id": "1"}
        elif isinstance(value, str) and value:
            out.add(value)
    return out


def _fits(rule: Rule, record: AuditRecord, hierarchy: Hierarchy) -> bool:
    if rule.service not in (ANY_SERVICE, record.service):
        return False
    verb = record.verb.lower()
    if rule.verbs and verb not in rule.verbs:
        return False
    if rule.on == "parent":
        named = {hierarchy.canonical(p) for p in parents_named(record)}
    else:
        named = {hierarchy.canonical(record.resource)}
    if not named & rule.names:
        return False
    return not (rule.audit_only and verb == "setiampolicy" and not changes_audit_configs(record))


def _strip(resource_id: str) -> str:
    """``//service.googleapis.com/NAME`` -> ``NAME``."""
    if resource_id.startswith("//"):
        return resource_id[2:].partition("/")[2]
    return resource_id


def tenant_log(tenant_id: str) -> str:
    """The resource whose log holds a tenant's calls: ``projects/ID``, or the org / folder."""
    return tenant_id if "/" in tenant_id else f"projects/{tenant_id}"


def _touches(paths: Iterable[str], prefixes: tuple[str, ...]) -> bool:
    return any(p.split(".", 1)[0].split("[", 1)[0] in prefixes for p in paths)


def _node(subject: Subject, hierarchy: Hierarchy) -> Target:
    node = hierarchy.canonical(_strip(subject.resource_id))
    paths = subject.paths
    rules = [
        Rule(RESOURCE_MANAGER, SET_IAM_POLICY, frozenset({node}), _touches(paths, IAM_FIELDS[:1]))
    ]
    others = [p for p in paths if not _touches([p], (*IAM_FIELDS, *CHILD_FIELDS, "Path"))]
    if subject.removed or others:
        rules.append(Rule(RESOURCE_MANAGER, NODE_VERBS, frozenset({node})))
    if subject.removed or _touches(paths, CHILD_FIELDS):
        rules.append(Rule(RESOURCE_MANAGER, CHILD_VERBS, frozenset({node}), on="parent"))
    above = frozenset(a for a in hierarchy.chain(node) if a.startswith("folders/"))
    if above and _touches(paths, ("Path",)):
        rules.append(Rule(RESOURCE_MANAGER, frozenset({"movefolder"}), above))
    return Target(subject, (node,), frozenset({RESOURCE_MANAGER}), tuple(rules))


def _effective(subject: Subject, hierarchy: Hierarchy) -> Target:
    name = _strip(subject.resource_id).removesuffix("/effectiveAuditConfig")
    project = hierarchy.canonical(name)
    chain = hierarchy.chain(project)
    rules = (
        Rule(RESOURCE_MANAGER, SET_IAM_POLICY, frozenset({*chain, project}), audit_only=True),
        Rule(RESOURCE_MANAGER, frozenset({"moveproject"}), frozenset({project})),
        Rule(
            RESOURCE_MANAGER,
            frozenset({"movefolder"}),
            frozenset(n for n in chain if n.startswith("folders/")),
        ),
    )
    return Target(subject, (*chain, project), frozenset({RESOURCE_MANAGER}), rules)


def _named(subject: Subject, hierarchy: Hierarchy, service: str, verbs: frozenset[str]) -> Target:
    """A resource named ``<owner>/<collection>/...`` read in its owner's log."""
    name = hierarchy.canonical(_strip(subject.resource_id))
    collection, _, rest = name.partition("/")
    owner = f"{collection}/{rest.partition('/')[0]}"
    if owner.endswith("/_"):  # Cloud Storage: projects/_/buckets/NAME, owned by the tenant
        owner = tenant_log(subject.tenant_id)
    return Target(
        subject, (owner,), frozenset({service}), (Rule(service, verbs, frozenset({name})),)
    )


def _access(subject: Subject, hierarchy: Hierarchy) -> Target:
    """Who can read a destination bucket: IAM policies of its project and the nodes above it,
    and a Cloud Storage bucket's own policy."""
    project = hierarchy.canonical(tenant_log(subject.tenant_id))
    chain = hierarchy.chain(project)
    rules = [Rule(RESOURCE_MANAGER, SET_IAM_POLICY, frozenset({*chain, project}))]
    services = {RESOURCE_MANAGER}
    bucket = _strip(subject.resource_id).removesuffix("/access")
    if bucket.startswith("projects/_/buckets/"):
        rules.append(Rule(STORAGE, frozenset({"setiampermissions"}), frozenset({bucket})))
        services.add(STORAGE)
    return Target(subject, (*chain, project), frozenset(services), tuple(rules))


def target_for(subject: Subject, hierarchy: Hierarchy) -> Target:
    """The logs to read and the rules to match for one drifted resource."""
    if subject.kind == DESTINATION_ACCESS:
        return _access(subject, hierarchy)
    if subject.kind == EFFECTIVE_AUDIT:
        return _effective(subject, hierarchy)
    if subject.kind in (ORGANIZATION, FOLDER, PROJECT):
        return _node(subject, hierarchy)
    if subject.kind in (ORG_SINK, SINK):
        return _named(subject, hierarchy, LOGGING, SINK_VERBS)
    if subject.kind == LOG_BUCKET:
        return _named(subject, hierarchy, LOGGING, LOG_BUCKET_VERBS)
    if subject.kind == STORAGE_BUCKET:
        return _named(subject, hierarchy, STORAGE, STORAGE_VERBS)
    name = hierarchy.canonical(_strip(subject.resource_id))
    rule = Rule(ANY_SERVICE, frozenset(), frozenset({name}))
    return Target(subject, (tenant_log(subject.tenant_id),), None, (rule,))
