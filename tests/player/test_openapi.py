"""The OpenAPI document and the router must describe exactly the same routes."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

IGNORED = {"/static/{filename}"}  # static files are not API routes


def _router_routes(client: TestClient[Any, Any]) -> set[tuple[str, str]]:
    found = set()
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        if route.method in ("HEAD", "OPTIONS") or path is None:
            continue
        if info.get("prefix") == "/static":
            continue
        found.add((route.method.lower(), _strip_regex(path)))
    return found


def _strip_regex(path: str) -> str:
    # aiohttp keeps "{command:play|pause}" as "{command}" in the formatter.
    import re

    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


async def test_document_and_routes_agree(client: TestClient[Any, Any]) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    documented = {
        (method, _strip_regex(path)) for path, ops in doc["paths"].items() for method in ops
    }
    assert documented == _router_routes(client)


async def test_every_body_and_schema_reference_resolves(client: TestClient[Any, Any]) -> None:
    doc = await (await client.get("/api/v1/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"].rsplit("/", 1)[-1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs and all(ref in schemas for ref in refs)
    for name in ["Player", "Queue", "Track", "Album", "Error", "Download", "Network"]:
        assert name in schemas
