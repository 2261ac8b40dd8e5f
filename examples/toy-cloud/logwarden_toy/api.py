"""The toy cloud's API: a tiny in-process fake of a cloud with workspaces, log sinks and
buckets. A real plugin would call its cloud's SDK here; everything else stays the same."""

from __future__ import annotations

from typing import Any

# One organization; each workspace routes its audit log to a bucket through a sink.
WORLD: dict[str, Any] = {
    "organization": {"id": "toy-org", "name": "Toy Org"},
    "workspaces": {
        "ws-good": {
            "name": "Good workspace",
            "sinks": [{"name": "audit", "destination": "logs-good", "enabled": True}],
            "buckets": [{"name": "logs-good", "locked": True, "retention_days": 400}],
        },
        "ws-bad": {
            "name": "Bad workspace",
            "sinks": [{"name": "audit", "destination": "logs-bad", "enabled": False}],
            "buckets": [{"name": "logs-bad", "locked": False, "retention_days": 7}],
        },
    },
}


class ToyApiError(Exception):
    """What the toy API raises for a call it cannot answer (a denied or unknown workspace)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ToyApi:
    """A client of the toy API: read-only calls, answers as plain JSON."""

    def __init__(self, world: dict[str, Any] | None = None) -> None:
        self.world = world if world is not None else WORLD

    def organization(self) -> dict[str, Any]:
        return dict(self.world["organization"])

    def list_workspaces(self) -> list[dict[str, Any]]:
        return [{"id": wid, "name": ws["name"]} for wid, ws in self.world["workspaces"].items()]

    def list_sinks(self, workspace: str) -> list[dict[str, Any]]:
        return [dict(s) for s in self._workspace(workspace)["sinks"]]

    def list_buckets(self, workspace: str) -> list[dict[str, Any]]:
        return [dict(b) for b in self._workspace(workspace)["buckets"]]

    def _workspace(self, workspace: str) -> dict[str, Any]:
        try:
            return self.world["workspaces"][workspace]
        except KeyError:
            raise ToyApiError("NotFound", f"no workspace {workspace!r}") from None
