"""Build pydantic models without validation, fast: the plan's models (convert/models.py) on its hot path.

(The archive's own models are msgspec Structs
(ARCHITECTURE.md#pydantic-dataclass-or-msgspec-struct-which-one-and-why) and need none of this.)

`Model.model_construct` costs ~6 µs per Tweet when every field is passed and ~600 µs when a
`default_factory` field is left out (pydantic inspects `list`'s signature each time). The reader checks
raw shapes itself, so it builds complete field dicts and installs them directly: the result is the same
object `model_construct` would make (tests/archive/test_construct.py compares them), at ~1 µs.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# One shared "all fields set" marker per class: every instance built here has all its fields set, and
# pydantic only ever adds names that are already in it, so sharing it is safe and saves a set per row.
_FIELDS_SET: dict[type, set[str]] = {}


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` holding `values`, which must name every field of `cls` exactly."""
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", fields_set)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
