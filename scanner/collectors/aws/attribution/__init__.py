"""Who changed a drifted AWS resource, from CloudTrail (docs/attribution-aws.md).

``cloudtrail.attribute`` is the entry point (the cloud's ``attribute``); ``scope`` reads what the
scan collected, ``match`` says which records changed a subject, ``archive`` reads the
organization trail's files in S3 and ``lookup`` the event history.
"""
