"""Does a metric filter, or an EventBridge rule, alert on every event a requirement names?

A filter F *covers* a requirement R when every CloudTrail event matching R's pattern matches F.
Extra terms that only widen F pass; a missing event name, a narrower condition or a construct
logwarden cannot decide fails, and the answer says which.

Decision (sound, for the fragment the requirements use): R is brought to an OR of ANDs of
atomic tests (:func:`event_conditions.alternatives`). F covers R when, for every such AND, F's
and/or tree is guaranteed by it: an atom of F holds when one test of the AND implies it
(:func:`event_conditions.implies`); an ``&&`` of F when all its parts hold, an ``||`` when one
does. Whatever cannot be shown this way is reported as not covered, never the reverse.

EventBridge sees a CloudTrail record wrapped in an envelope: ``detail`` is the record,
``source`` is ``aws.<service>`` and ``detail-type`` follows ``eventType`` ("AWS API Call via
CloudTrail" for ``AwsApiCall``, "AWS Console Sign In via CloudTrail" for ``AwsConsoleSignIn``,
...). A requirement AND that leaves ``eventType`` open is checked once per event type it allows.
A rule in state ``ENABLED`` does not receive read-only management events whose names start with
Get, List or Describe ("Receiving read-only management events from AWS services"); a
requirement that may include them needs ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from logwarden.checks.aws.event_conditions import (
    ENVELOPE,
    AllOf,
    AnyOf,
    Atom,
    Cond,
    Match,
    alternatives,
    describe,
    entailed,
    from_filter,
)
from logwarden.checks.aws.event_pattern import EventPatternError, parse_event_pattern
from logwarden.checks.aws.filter_pattern import OtherForm, ParseError, parse
from logwarden.checks.aws.monitoring_requirements import Requirement
from logwarden.checks.aws.string_sets import Glob, within

ALL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
RULE_STATES = ("ENABLED", ALL_MANAGEMENT_EVENTS, "DISABLED")
DETAIL_TYPES = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
    "AwsConsoleAction": "AWS Console Action via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
}
_SOURCES = ("iam", "cloudtrail", "signin", "kms", "s3", "config", "ec2", "organizations", "sts")
_READ_ONLY_PREFIXES = ("Get", "List", "Describe")
_SHOWN = 6  # missing items written out in the reason


@dataclass(frozen=True)
class Coverage:
    """The answer: ``covered``, a sentence saying why, the requirement's events (written as
    conditions) left without an alert, and the terms that could not be decided."""

    covered: bool
    reason: str
    missing: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()


def covers(filter_pattern: str | None, requirement: Requirement) -> Coverage:
    """Whether the CloudWatch Logs ``filter_pattern`` matches every event ``requirement`` names
    (None, as an absent ``filterPattern``, is the empty pattern)."""
    required = _required(requirement)
    if isinstance(required, str):
        return Coverage(False, required)
    parsed = parse(filter_pattern or "")
    if isinstance(parsed, ParseError):
        return Coverage(False, f"the filter pattern cannot be parsed: {parsed}")
    if isinstance(parsed, OtherForm):
        return Coverage(False, f"the filter pattern is not a JSON pattern: {parsed.reason()}")
    return _judge("the filter pattern", from_filter(parsed), required, requirement)


def rule_covers(
    event_pattern: str | None, requirement: Requirement, state: str = "ENABLED"
) -> Coverage:
    """Whether an EventBridge rule (its event pattern and ``State``) receives and matches every
    CloudTrail event ``requirement`` names."""
    required = _required(requirement)
    if isinstance(required, str):
        return Coverage(False, required)
    if state not in RULE_STATES:
        return Coverage(False, f"the rule's state {state!r} is not one logwarden knows")
    if state == "DISABLED":
        return Coverage(False, "the rule is disabled")
    parsed = parse_event_pattern(event_pattern)
    if isinstance(parsed, EventPatternError):
        return Coverage(False, f"the event pattern cannot be read: {parsed}")
    enveloped, unseen = _enveloped(required)
    if unseen:
        return Coverage(
            False,
            f"EventBridge does not deliver every event of {requirement.name}: nothing arrives "
            f"for {'; '.join(unseen)}",
            tuple(unseen),
        )
    verdict = _judge("the event pattern", parsed, enveloped, requirement)
    if state == "ENABLED" and _may_be_read_only(required):
        return Coverage(
            False,
            f"the rule's state is ENABLED, which does not receive read-only management events "
            f"(Get*, List*, Describe*), and {requirement.name} includes them; set the state to "
            f"{ALL_MANAGEMENT_EVENTS}" + ("" if verdict.covered else f"; also, {verdict.reason}"),
            verdict.missing,
            verdict.undecided,
        )
    return verdict


Conjuncts = tuple[tuple[Atom, ...], ...]


@lru_cache(maxsize=256)
def _required(requirement: Requirement) -> Conjuncts | str:
    """The requirement as an OR of ANDs of atoms, or why its pattern is unusable."""
    parsed = parse(requirement.pattern)
    if not isinstance(parsed, ParseError | OtherForm):
        conjuncts = alternatives(from_filter(parsed))
        if conjuncts is not None:
            return conjuncts
    return f"{requirement.name} has an unusable pattern (a logwarden bug): {parsed}"


def _judge(label: str, cond: Cond, required: Conjuncts, requirement: Requirement) -> Coverage:
    common = set(required[0]).intersection(*required[1:])
    missing: list[str] = []
    narrowing: set[str] = set()
    undecided: set[str] = set()
    for conjunct in required:
        ok, opaque = entailed(cond, conjunct)
        if ok:
            continue
        shown = [atom for atom in conjunct if atom not in common] or list(conjunct)
        missing.append(" && ".join(describe(atom) for atom in shown))
        undecided.update(describe(atom) for atom in opaque)
        if not isinstance(cond, AnyOf):
            parts = cond.items if isinstance(cond, AllOf) else (cond,)
            failed = [part for part in parts if not entailed(part, conjunct)[0]]
            narrowing.update(describe(part) for part in failed if part not in opaque)
    if not missing:
        return Coverage(True, f"{label} matches every event of {requirement.name}")
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    reason = f"{label} misses events of {requirement.name}: {'; '.join(missing[:_SHOWN])}{more}"
    if narrowing:
        reason += f"; excluded by: {'; '.join(_clip(text) for text in sorted(narrowing))}"
    if undecided:
        reason += f"; logwarden cannot decide {'; '.join(sorted(undecided))}"
    return Coverage(False, reason, tuple(missing), tuple(sorted(undecided)))


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _field(conjunct: tuple[Atom, ...], name: str) -> list[Match]:
    return [a for a in conjunct if isinstance(a, Match) and a.path == (name,)]


def _exact(conjunct: tuple[Atom, ...], name: str) -> str | None:
    for atom in _field(conjunct, name):
        if not atom.negated and len(atom.glob.segments) == 1 and not atom.glob.ignore_case:
            return atom.glob.segments[0]
    return None


def _enveloped(required: Conjuncts) -> tuple[Conjuncts, list[str]]:
    """Each AND with the envelope EventBridge gives its events: one copy per ``eventType`` the
    AND allows, with that ``detail-type``, and the ``source`` its ``eventSource`` gives. Also
    the ANDs that allow none of the event types EventBridge delivers."""
    out: list[tuple[Atom, ...]] = []
    unseen: list[str] = []
    for conjunct in required:
        service = (_exact(conjunct, "eventSource") or "").removesuffix(".amazonaws.com")
        source = Glob.exact(f"aws.{service}") if service in _SOURCES else Glob.prefix("aws.")
        source_fact = Match((ENVELOPE, "source"), source)
        copies = 0
        for event_type, detail_type in DETAIL_TYPES.items():
            value = Glob.exact(event_type)
            tests = _field(conjunct, "eventType")
            if all(within(value, test.glob) != test.negated for test in tests):
                facts = (
                    Match(("eventType",), value),
                    Match((ENVELOPE, "detail-type"), Glob.exact(detail_type)),
                    source_fact,
                )
                out.append((*conjunct, *(fact for fact in facts if fact not in conjunct)))
                copies += 1
        if not copies:
            unseen.append(" && ".join(describe(atom) for atom in conjunct))
    return tuple(out), unseen


def _may_be_read_only(required: Conjuncts) -> bool:
    """Whether some event of the requirement may be a Get*/List*/Describe* call."""
    for conjunct in required:
        name = _exact(conjunct, "eventName")
        if name is None or name.startswith(_READ_ONLY_PREFIXES):
            return True
    return False
