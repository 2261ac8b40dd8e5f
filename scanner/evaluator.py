"""Evaluate one check for one tenant (or organization) into result rows.

Collection errors of the kinds a check declares become ERROR rows here, before the check
runs, so no check can ever turn missing data into a PASS. A kind that does not apply gives
one SKIPPED row with the reason.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

from logwarden.scanner.declarative import subject_id
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import (
    Check,
    CheckContext,
    CheckResult,
    CollectionError,
    Organization,
    Outcome,
    Scope,
    Status,
    Tenant,
)


@dataclass
class Evaluation:
    """Rows produced for one (check, subject), and any internal failure of the check itself."""

    results: list[CheckResult] = field(default_factory=list)
    internal_errors: list[CollectionError] = field(default_factory=list)


def evaluate(
    check: Check,
    *,
    tenant: Tenant | None,
    organization: Organization | None,
    inventory: Inventory,
    parameters: dict[str, Any],
) -> Evaluation:
    """Run ``check`` against one tenant (or, with ``tenant=None``, the organization)."""
    params = {**parameters, **check.parameters}
    check = replace(
        check,
        remediation=replace(
            check.remediation, text=fill_parameters(check.remediation.text, params)
        ),
    )
    ctx = CheckContext(
        check=check,
        tenant=tenant,
        organization=organization,
        inventory=inventory,
        parameters=params,
    )
    out = Evaluation()

    def row(outcome: Outcome) -> CheckResult:
        return _result(check, tenant, organization, outcome)

    subject = subject_id(ctx)
    errors: list[CollectionError] = []
    for kind in check.kinds:
        collection = inventory.view(kind)
        if collection.not_applicable:
            out.results.append(
                row(
                    Outcome(Status.SKIPPED, f"not applicable: {collection.not_applicable}", subject)
                )
            )
            return out
        errors.extend(collection.errors)
    if errors and check.scope is not Scope.RESOURCE:
        message = "could not be evaluated: " + "; ".join(_describe(e) for e in errors)
        out.results.append(
            row(
                Outcome(
                    Status.ERROR,
                    message,
                    subject,
                    evidence={"errors": [_error_doc(e) for e in errors]},
                )
            )
        )
        return out
    for error in errors:
        resource_id = f"{error.kind}@{error.region}" if error.region else error.kind
        out.results.append(
            row(
                Outcome(
                    Status.ERROR,
                    f"could not be evaluated: {_describe(error)}",
                    resource_id,
                    error.region,
                    {"errors": [_error_doc(error)]},
                )
            )
        )
    assert check.run is not None
    try:
        for outcome in check.run(ctx):
            out.results.append(row(outcome))
    except Exception as exc:  # a bug in a check: an ERROR row and exit code 4, never a PASS
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        out.results.append(
            row(Outcome(Status.ERROR, f"internal error in check: {detail}", subject))
        )
        out.internal_errors.append(
            CollectionError(
                check.cloud,
                subject,
                f"check:{check.id}",
                "",
                "InternalError",
                "".join(traceback.format_exception(exc)),
                internal=True,
            )
        )
    return out


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def fill_parameters(text: str, params: dict[str, Any]) -> str:
    """Replace ``{name}`` with the effective parameter value; other braces stay as they are."""
    return _PLACEHOLDER.sub(
        lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), text
    )


def _describe(error: CollectionError) -> str:
    where = f" in {error.region}" if error.region else ""
    return f"{error.kind}{where}: {error.code}: {error.message}"


def _error_doc(error: CollectionError) -> dict[str, str]:
    return {
        "kind": error.kind,
        "region": error.region,
        "code": error.code,
        "message": error.message,
    }


def _result(
    check: Check, tenant: Tenant | None, organization: Organization | None, outcome: Outcome
) -> CheckResult:
    if tenant is not None:
        tenant_id, tenant_name = tenant.id, tenant.name
    elif organization is not None:
        tenant_id, tenant_name = organization.id, organization.name
    else:
        tenant_id = tenant_name = ""
    return CheckResult(
        check_id=check.id,
        status=outcome.status,
        severity=check.severity,
        cloud=check.cloud,
        tenant_id=tenant_id,
        tenant_name=tenant_name,
        region=outcome.region,
        resource_id=outcome.resource_id,
        message=outcome.message,
        remediation=check.remediation,
        title=check.title,
        evidence=dict(outcome.evidence),
    )
