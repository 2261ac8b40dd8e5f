"""aws.kms.key_rotation: every customer-managed symmetric KMS key rotates (CIS AWS 4.6).

Keys rotation does not apply to (AWS managed, asymmetric or HMAC, imported or external key
material, scheduled for deletion) are SKIPPED rows with the reason the collector gives.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.scanner.models import CheckContext, Outcome, Status

ACCOUNT_KEY = "aws.kms.account_key"


def key_rotation(ctx: CheckContext) -> Iterator[Outcome]:
    """One row per key of the account: PASS / FAIL where rotation applies, else SKIPPED."""
    for key in ctx.resources(ACCOUNT_KEY):
        data = key.data
        name = data.get("KeyId", key.id)
        evidence = {
            k: data[k]
            for k in ("KeyManager", "KeySpec", "Origin", "KeyState", "KeyRotationEnabled")
            if k in data
        }
        if not data.get("RotationApplies"):
            reason = data.get("RotationExclusion", "rotation does not apply")
            yield Outcome(Status.SKIPPED, f"{name}: {reason}", key.id, key.region, evidence)
        elif data.get("KeyRotationEnabled") is True:
            period = data.get("RotationPeriodInDays")
            every = f" every {period} days" if period else ""
            yield Outcome(
                Status.PASS,
                f"{name}: automatic rotation is on{every}",
                key.id,
                key.region,
                evidence,
            )
        else:
            yield Outcome(
                Status.FAIL,
                f"{name}: customer-managed symmetric key without automatic rotation",
                key.id,
                key.region,
                evidence,
            )
