"""boto3 clients for seeding the sandbox: explicit fake credentials, explicit endpoint, cached.

One boto3 session (so service models load once) hands out one client per
(credentials, service, region). Clients never read credentials, regions or endpoint overrides
from the environment or config files, so seeding cannot reach a real AWS endpoint or the
instance-metadata address.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

SANDBOX_REGION = "us-east-1"


@dataclass(frozen=True)
class Credentials:
    """An access key triple (fake for the management account, from STS for the others)."""

    access_key: str = "testing"
    secret_key: str = "testing"
    session_token: str | None = "testing"

    @classmethod
    def from_sts(cls, answer: dict[str, Any]) -> Credentials:
        """Build from the ``Credentials`` member of an AssumeRole answer."""
        return cls(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])


FAKE_CREDENTIALS = Credentials()


def _require_mock() -> None:
    """Refuse to build endpoint-less clients unless ``moto.mock_aws`` intercepts botocore."""
    from moto.core.models import botocore_stubber

    if not botocore_stubber.enabled:
        raise RuntimeError(
            "seed_landing_zone(endpoint_url=None) needs an active moto.mock_aws(); "
            "otherwise clients would reach real AWS endpoints"
        )


class ClientCache:
    """Thread-safe cache of boto3 clients keyed by (credentials, service, region)."""

    def __init__(self, endpoint_url: str | None, *, max_attempts: int = 4) -> None:
        if endpoint_url is None:
            _require_mock()
        self.endpoint_url = endpoint_url
        options: dict[str, Any] = {
            "retries": {"max_attempts": max_attempts, "mode": "standard"},
            "connect_timeout": 5,
            "read_timeout": 120,
            "ignore_configured_endpoint_urls": True,  # never AWS_ENDPOINT_URL* / config files
        }
        self._config = Config(**options)
        self._session: Any = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS.access_key,
            aws_secret_access_key=FAKE_CREDENTIALS.secret_key,
            aws_session_token=FAKE_CREDENTIALS.session_token,
            region_name=SANDBOX_REGION,
        )
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}

    def get(self, service: str, region: str, creds: Credentials = FAKE_CREDENTIALS) -> Any:
        """The client for ``service`` in ``region`` acting with ``creds`` (created once)."""
        key = (creds.access_key, service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(
                    service,
                    region_name=region,
                    endpoint_url=self.endpoint_url,
                    aws_access_key_id=creds.access_key,
                    aws_secret_access_key=creds.secret_key,
                    aws_session_token=creds.session_token,
                    config=self._config,
                )
                self._clients[key] = client
            return client

    def __len__(self) -> int:
        with self._lock:
            return len(self._clients)
