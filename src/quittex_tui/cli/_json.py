"""What every `--json` output has in common: a `schema_version` (docs/cli-json.md describes each object).

Each command's object has its own version, starting at 1. It changes only when a field is renamed,
removed or changes meaning — which the CLI contract forbids short of a major release; new fields are
added without a bump, so a reader ignores the fields it does not know.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1


def versioned(obj: dict[str, Any], version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """`obj` with its `schema_version` first (an additive field: every existing key is kept as is)."""
    return {"schema_version": version, **obj}
