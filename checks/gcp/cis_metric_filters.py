"""The log-based metric filters of CIS Google Cloud Platform Foundation Benchmark v3.0.0, 2.4-2.11.

Each filter is the benchmark's text ("Clear any text and add:"), kept as CIS writes it: the
precedence of the Logging query language (``OR`` binds tighter than ``AND``) is what gives
2.4 its meaning, ``(serviceName) AND ((ProjectOwnership OR projectOwnerInvitee) OR (REMOVE AND
owner) OR (ADD AND owner))``. Cross-checked in two independent copies:

- Steampipe's CIS v3.0.0 benchmark documentation, which quotes the CIS remediation text:
  https://github.com/turbot/steampipe-mod-gcp-compliance/blob/main/cis_v300/docs/cis_v300_2_4.md
  (and ``cis_v300_2_5.md``, ``cis_v300_2_6.md``, ``cis_v300_2_7.md``, ``cis_v300_2_11.md``;
  for 2.8 and 2.10, which that copy leaves out, the same repository's ``cis_v200/docs/
  cis_v200_2_8.md`` and ``cis_v200_2_10.md``, identical to Prowler's strings);
- Prowler's GCP checks, which hold the same filters as strings:
  https://github.com/prowler-cloud/prowler/tree/master/prowler/providers/gcp/services/logging
  (``logging_log_metric_filter_and_alert_for_*_enabled.py``);
- for 2.9, whose CIS v2.0.0 text named five exact ``beta.``/``v1.`` method names, the v3.0.0 and
  v4.0.0 text with ``:`` is quoted by Tenable's audit
  https://www.tenable.com/audits/items/CIS_Google_Cloud_Platform_Foundation_v4.0.0_L2.audit:c6716dc45fa703d1aed331e8aa2451d9
  and by Prowler; Steampipe's copy writes the same filter with ``resource.type=gce_network``
  unquoted, which reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricRequirement:
    """One CIS recommendation: a log-based metric with this filter (and an alert on it)."""

    cis_id: str
    title: str
    filter: str


REQUIREMENTS: tuple[MetricRequirement, ...] = (
    MetricRequirement(
        "2.4",
        "project ownership assignments/changes",
        '(protoPayload.serviceName="cloudresourcemanager.googleapis.com")\n'
        "AND (ProjectOwnership OR projectOwnerInvitee)\n"
        'OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="REMOVE"\n'
        'AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")\n'
        'OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD"\n'
        'AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")',
    ),
    MetricRequirement(
        "2.5",
        "audit configuration changes",
        'protoPayload.methodName="SetIamPolicy" AND\n'
        "protoPayload.serviceData.policyDelta.auditConfigDeltas:*",
    ),
    MetricRequirement(
        "2.6",
        "custom role changes",
        'resource.type="iam_role"\n'
        'AND (protoPayload.methodName = "google.iam.admin.v1.CreateRole"\n'
        'OR protoPayload.methodName="google.iam.admin.v1.DeleteRole"\n'
        'OR protoPayload.methodName="google.iam.admin.v1.UpdateRole")',
    ),
    MetricRequirement(
        "2.7",
        "VPC network firewall rule changes",
        'resource.type="gce_firewall_rule"\n'
        'AND (protoPayload.methodName:"compute.firewalls.patch"\n'
        'OR protoPayload.methodName:"compute.firewalls.insert"\n'
        'OR protoPayload.methodName:"compute.firewalls.delete")',
    ),
    MetricRequirement(
        "2.8",
        "VPC network route changes",
        'resource.type="gce_route"\n'
        'AND (protoPayload.methodName:"compute.routes.delete"\n'
        'OR protoPayload.methodName:"compute.routes.insert")',
    ),
    MetricRequirement(
        "2.9",
        "VPC network changes",
        'resource.type="gce_network"\n'
        'AND (protoPayload.methodName:"compute.networks.insert"\n'
        'OR protoPayload.methodName:"compute.networks.patch"\n'
        'OR protoPayload.methodName:"compute.networks.delete"\n'
        'OR protoPayload.methodName:"compute.networks.removePeering"\n'
        'OR protoPayload.methodName:"compute.networks.addPeering")',
    ),
    MetricRequirement(
        "2.10",
        "Cloud Storage IAM permission changes",
        'resource.type="gcs_bucket"\nAND protoPayload.methodName="storage.setIamPermissions"',
    ),
    MetricRequirement(
        "2.11",
        "SQL instance configuration changes",
        'protoPayload.methodName="cloudsql.instances.update"',
    ),
)

BY_CIS_ID: dict[str, MetricRequirement] = {r.cis_id: r for r in REQUIREMENTS}
