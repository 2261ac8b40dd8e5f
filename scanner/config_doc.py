"""docs/config.md: every key of ``logwarden.yaml``, generated from its JSON Schema
(``python -m logwarden.scanner.config_doc > docs/config.md``; a test checks it is current)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from typing import Any

HEADER = """# logwarden.yaml: every key

Generated from the configuration's JSON Schema (`logwarden schema config`; `make docs`
regenerates this page). Editors that speak the YAML language server validate and complete the
file with the schema: put `# yaml-language-server: $schema=logwarden.schema.json` on the first
line after `logwarden schema config > logwarden.schema.json`. logwarden itself checks more than
the schema says (a mode's required keys, loopback-only emulator endpoints, ...) and names the
line and the fix of every problem.
"""


def _type(node: Mapping[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    items = node.get("items")
    if kind == "array" and isinstance(items, Mapping):
        inner = "mapping" if items.get("type") == "object" else _type(items) or "value"
        if "oneOf" in items:
            inner = " or ".join(_type(o) or "mapping" for o in items["oneOf"])
        return f"list of {inner}"
    return {"object": "mapping"}.get(kind, kind)


def _rows(node: Mapping[str, Any], prefix: str) -> Iterator[str]:
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        extra = []
        if "default" in sub:
            extra.append(f"default `{json.dumps(sub['default'])}`")
        if "minimum" in sub or "maximum" in sub:
            extra.append(f"{sub.get('minimum', '')}..{sub.get('maximum', '')}")
        if "pattern" in sub:
            extra.append(f"pattern `{sub['pattern']}`")
        text = sub.get("description", "")
        if extra:
            text = f"{text} ({'; '.join(extra)})" if text else "; ".join(extra)
        yield f"| `{path}` | {_type(sub)} | {text.replace('|', chr(92) + '|')} |"
        if sub.get("type") == "object" and "properties" in sub:
            yield from _rows(sub, f"{path}.")
        items = sub.get("items")
        if isinstance(items, Mapping) and "properties" in items:
            yield from _rows(items, f"{path}[].")


def document(schema: Mapping[str, Any]) -> str:
    """The page for a config schema (``json_schema.config_schema``)."""
    lines = [HEADER, "| key | type | meaning |", "|---|---|---|", *_rows(schema, "")]
    waivers = schema["properties"]["waivers"]["items"]["oneOf"][0]
    lines += ["", "Each `waivers` entry is a waivers file's path or a mapping:", ""]
    lines += ["| key | type | meaning |", "|---|---|---|", *_rows(waivers, "waivers[].")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the docs generator
    import os

    from logwarden.scanner.json_schema import config_schema
    from logwarden.scanner.plugins import DISABLE_AUTOLOAD_ENV, create_plugin_manager
    from logwarden.scanner.registry import Registry

    os.environ[DISABLE_AUTOLOAD_ENV] = "1"
    sys.stdout.write(document(config_schema(Registry.collect(create_plugin_manager()).clouds)))
