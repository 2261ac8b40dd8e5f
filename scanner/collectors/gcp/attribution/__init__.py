"""Who changed a drifted GCP resource, from Cloud Audit Logs (docs/attribution-gcp.md).

``audit_logs.attribute`` is the entry point (the cloud's ``attribute``); ``targets`` says whose
logs to read for a subject and which entries changed it, ``records`` reads one entry.
"""
