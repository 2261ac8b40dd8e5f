"""Who changed a drifted Azure resource, from the Activity Log (docs/attribution-azure.md).

``activity_log.attribute`` is the entry point (the cloud's ``attribute``).
"""
