"""Every ARM call the Azure collectors make, and what its answer must carry to be read.

:data:`OPERATIONS` is the declared table: one row per call (named after its REST API
operation id), with its method, its ARM path template and the fields the collectors read, with
their types (paths as :mod:`logwarden.scanner.collectors.shape` spells them; ``?``: may be absent). :class:`ResponseCheckPolicy`, the
outermost azure-core policy of every client (see ``session.SessionPool.client_options``),
checks each answer against it before the SDK deserializes it: a 2xx answer whose body is
not UTF-8 JSON, or lacks a declared field (or has it with another type), raises :class:`MalformedResponse`, so what depended
on it becomes an ERROR row instead of data. It also turns the errors the SDK raises for a body
it cannot decode (``UnicodeDecodeError``, azure-core's ``DecodeError``) into that one error.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from azure.core.exceptions import DecodeError
from azure.core.pipeline.policies import HTTPPolicy

from logwarden.scanner.collectors.azure.resource_responses import (
    RESOURCE_CALLS,
    WORKSPACE_SETTING_FIELDS,
)
from logwarden.scanner.collectors.shape import problems, summary

SUB = "/subscriptions/{subscriptionId}"
RG = f"{SUB}/resourceGroups/{{resourceGroupName}}/providers"
MG = "/providers/Microsoft.Management/managementGroups/{groupId}"
WORKSPACE = f"{RG}/Microsoft.OperationalInsights/workspaces/{{workspaceName}}"
ACCOUNT = f"{RG}/Microsoft.Storage/storageAccounts/{{accountName}}"
NAMESPACE = f"{RG}/Microsoft.EventHub/namespaces/{{namespaceName}}"
SET = "providers/Microsoft.Authorization/policySetDefinitions/{policySetDefinitionName}"
EVENTS = "providers/Microsoft.Insights/eventtypes/management/values"
SET_MEMBERS = ("properties.policyDefinitions[].policyDefinitionId:str",)
EVENT_FIELDS = ("value[].eventTimestamp:str", "value[].operationName")
INSIGHTS = f"{RG}/Microsoft.Insights"


@dataclass(frozen=True)
class Operation:
    """One ARM call: ``method`` on ``template`` (``{name}`` is one path segment), and the
    fields of its answer the collectors need."""

    name: str
    method: str
    template: str
    required: tuple[str, ...] = ()

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """The template as a case-insensitive pattern over a request path."""
        parts = re.split(r"\{[^}/]+\}", self.template.lower())
        return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "/?$")

    def matches(self, method: str, path: str) -> bool:
        """Whether ``method path`` (a request path, percent-encoded or not) is this call."""
        return method.upper() == self.method and bool(self.pattern.match(unquote(path).lower()))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "Subscriptions_List",
        "GET",
        "/subscriptions",
        ("value[].subscriptionId:str", "value[].state:str", "value[].tenantId?:str"),
    ),
    Operation("Subscriptions_Get", "GET", SUB, ("subscriptionId:str", "state:str")),
    Operation(
        "ManagementGroups_Get",
        "GET",
        MG,
        (
            "name:str",
            "properties.tenantId:str",
            "properties.details?.managementGroupAncestorsChain[]?.name:str",
        ),
    ),
    Operation(
        "Entities_List",
        "POST",
        "/providers/Microsoft.Management/getEntities",
        (
            "value[].id:str",
            "value[].type:str",
            "value[].name:str",
            "value[].properties:object",
            "value[].properties.parent?.id:str",
            "value[].properties.parentNameChain?:list",
            "nextLink?:str",
        ),
    ),
    Operation(
        "ManagementGroups_GetDescendants",
        "GET",
        f"{MG}/descendants",
        ("value[].name:str", "value[].type:str", "value[].properties.parent.id:str"),
    ),
    Operation(
        "SubscriptionDiagnosticSettings_List",
        "GET",
        f"{SUB}/providers/Microsoft.Insights/diagnosticSettings",
        (
            "value[].name:str",
            "value[].properties.logs[].enabled:bool",
            "value[].properties.logs[].category?:str",
            "value[].properties.logs[].categoryGroup?:str",
            "value[].properties.workspaceId?:str",
            "value[].properties.storageAccountId?:str",
        ),
    ),
    Operation(
        "PolicyAssignments_List",
        "GET",
        f"{SUB}/providers/Microsoft.Authorization/policyAssignments",
        (
            "value[].id:str",
            "value[].properties.policyDefinitionId:str",
            "value[].properties.scope:str",
            "value[].properties.notScopes?:list",
            "value[].properties.enforcementMode?:str",
        ),
    ),
    Operation("PolicySetDefinitions_GetBuiltIn", "GET", f"/{SET}", SET_MEMBERS),
    Operation("PolicySetDefinitions_Get", "GET", f"{SUB}/{SET}", SET_MEMBERS),
    Operation("PolicySetDefinitions_GetAtManagementGroup", "GET", f"{MG}/{SET}", SET_MEMBERS),
    Operation(
        "PolicyStates_ListQueryResultsForSubscription",
        "POST",
        f"{SUB}/providers/Microsoft.PolicyInsights/policyStates/{{policyStatesResource}}"
        "/queryResults",
        ("value[].policyAssignmentId:str", "value[].complianceState:str"),
    ),
    Operation("Workspaces_Get", "GET", WORKSPACE, ("id:str", "properties.retentionInDays:int")),
    Operation(
        "Tables_Get",
        "GET",
        f"{WORKSPACE}/tables/{{tableName}}",
        (
            "properties.retentionInDays:int",
            "properties.totalRetentionInDays:int",
            "properties.retentionInDaysAsDefault?:bool",
        ),
    ),
    Operation(
        "StorageAccounts_GetProperties",
        "GET",
        ACCOUNT,
        (
            "id:str",
            "properties.encryption.keySource:str",
            "properties.allowBlobPublicAccess?:bool",
            "properties.allowSharedKeyAccess?:bool",
            "properties.immutableStorageWithVersioning?:object",
        ),
    ),
    Operation(
        "ManagementPolicies_Get",
        "GET",
        f"{ACCOUNT}/managementPolicies/{{managementPolicyName}}",
        (
            "properties.policy.rules[].name:str",
            "properties.policy.rules[].type:str",
            "properties.policy.rules[].definition:object",
            "properties.policy.rules[].enabled?:bool",
        ),
    ),
    Operation(
        "Namespaces_GetAuthorizationRule",
        "GET",
        f"{NAMESPACE}/authorizationRules/{{authorizationRuleName}}",
        ("id:str",),
    ),
    Operation(
        "BlobContainers_Get",
        "GET",
        f"{ACCOUNT}/blobServices/default/containers/{{containerName}}",
        (
            "id:str",
            "properties:object",
            "properties.immutabilityPolicy?:object",
            "properties.publicAccess?:str",
        ),
    ),
    Operation("ActivityLogs_List", "GET", f"{SUB}/{EVENTS}", EVENT_FIELDS),
    Operation(
        "ActivityLogAlerts_ListBySubscriptionId",
        "GET",
        f"{SUB}/providers/Microsoft.Insights/activityLogAlerts",
        (
            "value[].id:str",
            "value[].properties.scopes:list",
            "value[].properties.condition.allOf:list",
            "value[].properties.enabled?:bool",
            "value[].properties.actions:object",
            "value[].properties.actions.actionGroups[]?.actionGroupId:str",
            "nextLink?:str",
        ),
    ),
    Operation(
        "ActionGroups_Get",
        "GET",
        f"{INSIGHTS}/actionGroups/{{actionGroupName}}",
        (
            "properties.enabled:bool",
            "properties.emailReceivers[]?.status?:str",
            "properties.smsReceivers[]?.status?:str",
        ),
    ),
    Operation("TenantActivityLogs_List", "GET", f"/{EVENTS}", EVENT_FIELDS),
    *(
        Operation(
            f"RoleAssignments_ListForScope_{where}",
            "GET",
            f"{scope}/providers/Microsoft.Authorization/roleAssignments",
            (
                "value[].id:str",
                "value[].properties.principalId:str",
                "value[].properties.roleDefinitionId:str",
                "value[].properties.scope:str",
                "nextLink?:str",
            ),
        )
        for where, scope in (("Workspace", WORKSPACE), ("StorageAccount", ACCOUNT))
    ),
    *(
        Operation(
            f"RoleDefinitions_GetById_{where}",
            "GET",
            f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{{roleDefinitionId}}",
            ("properties.roleName:str", "properties.permissions:list"),
        )
        for where, scope in (("Subscription", SUB), ("Tenant", ""))
    ),
    Operation(
        "VirtualNetworks_ListAll",
        "GET",
        f"{SUB}/providers/Microsoft.Network/virtualNetworks",
        ("value:list", "value[].id:str"),
    ),
    Operation(
        "DnsResolverPolicies_ListByVirtualNetwork",
        "POST",
        f"{RG}/Microsoft.Network/virtualNetworks/{{virtualNetworkName}}/listDnsResolverPolicies",
        ("value:list", "value[].id:str"),
    ),
    Operation(
        "DiagnosticSettings_List_DnsResolverPolicy",
        "GET",
        f"{RG}/Microsoft.Network/dnsResolverPolicies/{{dnsResolverPolicyName}}"
        "/providers/Microsoft.Insights/diagnosticSettings",
        # the DNS kind reads each log's category and category group too: a mistyped one is
        # malformed (ERROR), never a policy that does not log (FAIL)
        ("value:list", *WORKSPACE_SETTING_FIELDS),
    ),
    Operation(
        "AadiamDiagnosticSettings_List",
        "GET",
        "/providers/microsoft.aadiam/diagnosticSettings",
        (
            "value:list",
            "value[].name:str",
            "value[].properties.logs[]?.category:str",
            "value[].properties.logs[]?.enabled:bool",
        ),
    ),
    *(Operation(*call) for call in RESOURCE_CALLS),
)


def operation_for(method: str, path: str) -> Operation | None:
    """The declared operation a request is, if any."""
    return next((op for op in OPERATIONS if op.matches(method, path)), None)


class MalformedResponse(DecodeError):
    """A 2xx answer that cannot be read as what the operation promises (an Azure error:
    it becomes an ERROR row for what depended on it)."""


class ResponseCheckPolicy(HTTPPolicy):
    """Check every answer against :data:`OPERATIONS` before the SDK reads it."""

    def send(self, request: Any) -> Any:
        """Send the request on; raise :class:`MalformedResponse` for an unreadable answer."""
        http = request.http_request
        path = urlsplit(http.url).path
        op = operation_for(http.method, path)
        what = f"{op.name} ({http.method} {path})" if op else f"{http.method} {path}"
        try:
            response = self.next.send(request)
        except (UnicodeDecodeError, DecodeError) as exc:  # raised while azure-core decoded it
            answer = getattr(exc, "response", None)
            status = f" {answer.status_code}" if answer is not None else ""
            raise MalformedResponse(
                f"{what} answered{status} with a body that cannot be decoded: {_first_line(exc)}",
                response=answer,
            ) from exc
        answer = response.http_response
        if 200 <= answer.status_code < 300:
            _check(answer, what, op.required if op else ())
        return response


def _check(answer: Any, what: str, required: tuple[str, ...]) -> None:
    body = answer.body()
    status = answer.status_code
    if not body and not required:
        return
    try:
        doc = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedResponse(
            f"{what} answered {status} with a body that is not UTF-8 ({exc.reason} at byte "
            f"{exc.start})",
            response=answer,
        ) from exc
    except ValueError as exc:
        raise MalformedResponse(
            f"{what} answered {status} with a body that is not valid JSON ({exc})",
            response=answer,
        ) from exc
    found = problems(doc, required)
    if found:
        raise MalformedResponse(
            f"{what} answered {status} without the fields logwarden reads: {summary(found)}",
            response=answer,
        )


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return str(text).splitlines()[0] if str(text) else type(exc).__name__
