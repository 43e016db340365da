"""Routes declared once, with their bodies: the same declaration validates requests and writes OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from player.web.errors import ApiError, bad_request, unprocessable
from player.web.jsonbody import DEFAULT_BODY_BYTES, BodyLimits, read_json
from player.web.server import LIMITS, ServerLimits

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JSON_TYPES = {"string": str, "boolean": bool, "object": dict, "array": list}
MAX_BODY = DEFAULT_BODY_BYTES
MAX_ROW_ID = 2**63 - 1  # SQLite INTEGER
_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() would take '²' and other digits


@dataclass(frozen=True, slots=True)
class Field:
    """One body field, in JSON-Schema terms."""

    name: str
    type: str  # string | integer | number | boolean | array | object
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    items: str | None = None  # element type of an array
    description: str = ""
    max_length: int = 1024  # of a string
    max_items: int = 1000  # of an array

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.enum:
            out["enum"] = list(self.enum)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.items:
            out["items"] = {"type": self.items}
        if self.type == "string":
            out["maxLength"] = self.max_length
        if self.type == "array":
            out["maxItems"] = self.max_items
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class Param:
    """A path or query parameter."""

    name: str
    where: str = "query"  # query | path
    type: str = "string"
    description: str = ""


@dataclass(frozen=True, slots=True)
class RouteSpec:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: tuple[Field, ...] | None = None
    params: tuple[Param, ...] = ()
    response: str | None = None  # a component schema name, or None for no JSON body
    status: int = 200
    websocket: bool = False


@dataclass
class RouteTable:
    """Collects RouteSpecs with decorators; `install` hands them to aiohttp."""

    specs: list[RouteSpec] = field(default_factory=list)

    def route(
        self, method: str, path: str, summary: str, tag: str, **kw: Any
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.specs.append(RouteSpec(method, path, handler, summary, tag, **kw))
            return handler

        return register

    def install(self, app: web.Application) -> None:
        for spec in self.specs:
            app.router.add_route(spec.method, spec.path, spec.handler)


async def read_body(
    request: web.Request, fields: tuple[Field, ...], max_bytes: int = MAX_BODY
) -> dict[str, Any]:
    """Parse and validate a JSON object body against `fields` (415/413/408/400/422 on failure)."""
    server_limits = request.app.get(LIMITS) or ServerLimits()
    limits = BodyLimits(max_bytes=max_bytes, timeout=server_limits.body_timeout)
    raw = await read_json(request, limits)
    if not isinstance(raw, dict):
        raise unprocessable("the body must be a JSON object")
    return validate(raw, fields)


def validate(raw: Mapping[str, Any], fields: tuple[Field, ...]) -> dict[str, Any]:
    known = {f.name: f for f in fields}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise unprocessable(f"unknown field(s): {', '.join(unknown)}; expected {', '.join(known)}")
    for f in fields:
        if f.required and f.name not in raw:
            raise unprocessable(f"'{f.name}' is required")
    for name, value in raw.items():
        _check_value(known[name], value)
    return dict(raw)


def _check_value(f: Field, value: Any) -> None:
    if value is None and not f.required:
        return
    if not _is_type(f.type, value):
        raise unprocessable(f"'{f.name}' must be of type {f.type}")
    if f.enum and value not in f.enum:
        raise unprocessable(f"'{f.name}' must be one of {', '.join(f.enum)}")
    if f.minimum is not None and value < f.minimum:
        raise unprocessable(f"'{f.name}' must be at least {f.minimum:g}")
    if f.maximum is not None and value > f.maximum:
        raise unprocessable(f"'{f.name}' must be at most {f.maximum:g}")
    if isinstance(value, str) and len(value) > f.max_length:
        raise unprocessable(f"'{f.name}' must be at most {f.max_length} characters")
    if isinstance(value, list) and len(value) > f.max_items:
        raise unprocessable(f"'{f.name}' must have at most {f.max_items} elements")
    if f.items and not all(_is_type(f.items, v) for v in value):
        raise unprocessable(f"every element of '{f.name}' must be of type {f.items}")


def _is_type(kind: str, value: Any) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, JSON_TYPES[kind])


def query_int(request: web.Request, name: str, default: int, lo: int = 0, hi: int = 10_000) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if len(raw) > 20:
        raise bad_request(f"query parameter '{name}' must be from {lo} to {hi}")
    try:
        value = int(raw)
    except ValueError as err:
        raise bad_request(f"query parameter '{name}' must be an integer") from err
    if not lo <= value <= hi:
        raise bad_request(f"query parameter '{name}' must be from {lo} to {hi}")
    return value


def path_int(request: web.Request, name: str, noun: str) -> int:
    """A whole-number path parameter: 400 when it is not one, 404 past what SQLite can hold."""
    raw = request.match_info[name]
    if not _DIGITS.fullmatch(raw):
        raise bad_request(f"a {noun} id is a whole number")
    value = int(raw)
    if value > MAX_ROW_ID:
        raise ApiError(404, f"there is no {noun} {raw[:24]}")
    return value
