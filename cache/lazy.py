"""Packages whose names load on first use (PEP 562): importing one light submodule of a package
(an event type, a config section) does not load the package's heavy parts with it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, where: Mapping[str, str], space: dict[str, Any]
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name in `where` comes from the submodule named
    there, imported when the name is first asked for, then kept in the package's namespace."""

    def load(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        space[name] = value
        return value

    return load
