"""The type check's configuration keeps up with the code (pyproject.toml [tool.mypy], issue 15).

mypy is strict on every module that does not import Textual; a module added outside tui/ and forgotten in
the strict list would silently be checked at the default strictness only.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "quittex_tui"


def _mypy_config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        config: dict[str, object] = tomllib.load(f)["tool"]["mypy"]
    return config


def _strict_patterns() -> list[str]:
    overrides = _mypy_config()["overrides"]
    assert isinstance(overrides, list)
    strict = [o for o in overrides if o.get("disallow_untyped_defs") is True]
    assert len(strict) == 1, "one override block holds the strict flags"
    modules = strict[0]["module"]
    return [modules] if isinstance(modules, str) else list(modules)


def _matches(module: str, pattern: str) -> bool:
    # mypy's override patterns: "a.b" is that module only, "a.b.*" is a.b and everything under it.
    if pattern.endswith(".*"):
        base = pattern.removesuffix(".*")
        return module == base or module.startswith(base + ".")
    return module == pattern


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_every_module_outside_tui_is_checked_strictly() -> None:
    patterns = _strict_patterns()
    outside_tui = [m for m in _modules() if not _matches(m, "quittex_tui.tui.*")]
    assert len(outside_tui) > 50  # the walk found the package
    loose = [m for m in outside_tui if not any(_matches(m, p) for p in patterns)]
    assert loose == [], f"add these to the strict list in pyproject.toml [tool.mypy]: {loose}"


def test_the_strict_patterns_name_existing_modules() -> None:
    modules = _modules()
    stale = [p for p in _strict_patterns() if not any(_matches(m, p) for m in modules)]
    assert stale == [], f"strict patterns that match no module: {stale}"


def test_mypy_checks_the_whole_package() -> None:
    assert _mypy_config()["files"] == ["src/quittex_tui"]
