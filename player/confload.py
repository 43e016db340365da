"""Turning a TOML mapping into frozen dataclasses, collecting every error with its key path.

A section is a frozen dataclass. Its room may own it (`player/mpd/settings.py`, the buttons'
`GpioConfig`, cache/'s `CacheConfig`) and give it either of two hooks:

- `problems(self) -> list[ConfigProblem]`: range and cross-key checks, keys relative to the
  section (`"port"`), run after the generic build;
- `from_table(cls, data, path) -> Self` raising `ConfigError`: a parser of its own, used instead
  of the generic build (its problems carry full paths).

Every problem of every section ends in one `ConfigError` (cache.errors), the one error type.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from cache.errors import ConfigError, ConfigProblem

T = TypeVar("T")
__all__ = ["ConfigError", "ConfigProblem", "build"]


def build(cls: type[T], data: Mapping[str, Any], path: str, problems: list[ConfigProblem]) -> T:
    """Build dataclass `cls` from `data`; problems are appended, defaults fill the gaps."""
    parse = getattr(cls, "from_table", None)
    if parse is not None:
        try:
            built: T = parse(data, path)
        except ConfigError as err:
            problems.extend(err.problems)
            return cls()
        return built
    made = _build_fields(cls, data, path, problems)
    check = getattr(made, "problems", None)
    if callable(check):
        problems.extend(p.under(path) if path else p for p in check())
    return made


def _build_fields(
    cls: type[T], data: Mapping[str, Any], path: str, problems: list[ConfigProblem]
) -> T:
    hints = typing.get_type_hints(cls)
    fields = {
        f.name: f
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if not f.metadata.get("internal")
    }
    values: dict[str, Any] = {}
    for key, raw in data.items():
        where = f"{path}.{key}" if path else key
        if key not in fields:
            problems.append(ConfigProblem(where, _unknown(key, list(fields))))
            continue
        ok, value = _convert(hints[key], raw, where, problems)
        if ok:
            values[key] = value
    return cls(**values)


def _unknown(key: str, known: list[str]) -> str:
    import difflib  # here: only a config with a mistake needs it

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
    return f"unknown key{hint}"


def _convert(tp: Any, raw: Any, where: str, problems: list[ConfigProblem]) -> tuple[bool, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if raw is None:
            return True, None
        return _convert(options[0], raw, where, problems)
    if origin is Literal:
        if raw in get_args(tp):
            return True, raw
        choices = " | ".join(repr(a) for a in get_args(tp))
        return _fail(problems, where, f"expected one of {choices}, got {raw!r}")
    if origin in (tuple, list):
        return _convert_sequence(tp, raw, where, problems)
    if dataclasses.is_dataclass(tp):
        if not isinstance(raw, Mapping):
            return _fail(problems, where, f"expected a table, got {type(raw).__name__}")
        return True, build(tp, raw, where, problems)  # type: ignore[arg-type]
    return _convert_scalar(tp, raw, where, problems)


def _convert_sequence(
    tp: Any, raw: Any, where: str, problems: list[ConfigProblem]
) -> tuple[bool, Any]:
    if not isinstance(raw, list):
        return _fail(problems, where, f"expected an array, got {type(raw).__name__}")
    item_type = get_args(tp)[0]
    items = []
    ok = True
    for i, item in enumerate(raw):
        good, value = _convert(item_type, item, f"{where}[{i}]", problems)
        ok = ok and good
        items.append(value)
    return ok, tuple(items)


def _convert_scalar(
    tp: Any, raw: Any, where: str, problems: list[ConfigProblem]
) -> tuple[bool, Any]:
    if tp is float and isinstance(raw, int) and not isinstance(raw, bool):
        return True, float(raw)
    if tp is float and isinstance(raw, float) and not math.isfinite(raw):
        return _fail(problems, where, f"expected a finite number, got {raw!r}")  # TOML has inf
    if tp is bool and not isinstance(raw, bool):
        return _fail(problems, where, f"expected true or false, got {raw!r}")
    if tp is int and (isinstance(raw, bool) or not isinstance(raw, int)):
        return _fail(problems, where, f"expected an integer, got {raw!r}")
    if isinstance(tp, type) and not isinstance(raw, tp):
        names = {str: "a string", float: "a number", int: "an integer"}
        return _fail(problems, where, f"expected {names.get(tp, tp.__name__)}, got {raw!r}")
    return True, raw


def _fail(problems: list[ConfigProblem], where: str, message: str) -> tuple[bool, Any]:
    problems.append(ConfigProblem(where, message))
    return False, None
