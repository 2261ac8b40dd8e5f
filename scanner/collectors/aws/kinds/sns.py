"""``aws.sns.topic``: the SNS topics the monitoring alarms notify, with their subscriptions.

Stage 5: each account reads the topics its own alarms (``AlarmActions``) name, one paginated
ListSubscriptionsByTopic per topic, in the topic's region. A topic that does not exist
(``NotFound``) is a document with ``Exists: false``: nobody is notified.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from logwarden.scanner.collectors.aws.alert_docs import ALARM, SNS_TOPIC, is_topic
from logwarden.scanner.collectors.aws.common import (
    AWS_ERRORS,
    NAME,
    Arn,
    failure,
    incomplete,
    resource,
    session_of,
    source_errors,
    viewer_id,
)
from logwarden.scanner.inventory import Inventory
from logwarden.scanner.models import CollectionError, Resource, ResourceKind

#: ``SubscriptionArn`` of a subscription whose endpoint has not confirmed it yet.
PENDING = "PendingConfirmation"
_NOT_FOUND = frozenset({"NotFound", "NotFoundException"})


def referenced_topics(inv: Inventory) -> set[str]:
    """The topics this account's alarms notify."""
    arns = {
        str(a) for alarm in inv.get(ALARM).resources for a in alarm.data.get("AlarmActions") or ()
    }
    return {arn for arn in arns if is_topic(arn)}


def collect_topics(inv: Inventory) -> Iterator[Resource | CollectionError]:
    """Each topic this account's alarms notify, with its subscriptions."""
    me = viewer_id(inv)
    gaps = source_errors(inv, ALARM)
    if gaps:
        yield incomplete(me, SNS_TOPIC, "the topics the alarms notify", gaps)
    session = session_of(inv)
    for arn in sorted(referenced_topics(inv)):
        parsed = Arn.parse(arn)
        assert parsed is not None  # is_topic
        pages = session.client("sns", parsed.region).get_paginator("list_subscriptions_by_topic")
        data: dict[str, Any] = {"TopicArn": arn, "Exists": True}
        try:
            subscriptions = [
                s for page in pages.paginate(TopicArn=arn) for s in page["Subscriptions"]
            ]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _NOT_FOUND:
                yield failure(me, SNS_TOPIC, parsed.region, exc, f"subscriptions of {arn}")
                continue
            subscriptions, data["Exists"] = [], False
        except AWS_ERRORS as exc:
            yield failure(me, SNS_TOPIC, parsed.region, exc, f"subscriptions of {arn}")
            continue
        data["Subscriptions"] = [
            {"SubscriptionArn": s["SubscriptionArn"], "Protocol": s.get("Protocol", "")}
            for s in subscriptions
        ]
        data["ConfirmedSubscriptions"] = sum(
            1 for s in subscriptions if str(s["SubscriptionArn"]).startswith("arn:")
        )
        yield resource(SNS_TOPIC, arn, parsed.account, parsed.region, data)


KINDS = [
    ResourceKind(
        name=SNS_TOPIC,
        reads=(ALARM,),
        cloud=NAME,
        description="SNS topics the monitoring alarms notify, with their subscriptions.",
        collect=collect_topics,
        stage=5,
    ),
]
