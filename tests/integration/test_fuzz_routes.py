"""Fuzz every route of the real service (issue 13 acceptance 2).

Routes come from the service's own OpenAPI document. Hypothesis makes 1,000+ requests of broken
paths, queries, headers (Host, Origin, Authorization...) and bodies (bytes, bad UTF-8/UTF-16, deep nesting, huge and non-finite
numbers, wrong shapes, fields of the right names with wrong values). No answer may be a 500, no
traceback may reach the log, and the service must still answer afterwards.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import deck_with, serving
from tests.integration.service import ServiceProcess

EXAMPLES = {"local": 1200, "jellyfin": 600}  # the acceptance's 1,000 and more on the plain service
UPSTREAM = {502, 503}  # upstream_unavailable: slskd or Jellyfin not configured or down
Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path?query, body, headers


@pytest.fixture(scope="module", params=["local", "jellyfin"])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """The demo library alone, or a (fake) Jellyfin server's library with downloads."""
    root = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "local":
        with ServiceProcess(root) as svc:
            svc.wait_until(lambda: svc.api("GET", "/library/albums")["total"] >= 1, timeout=30)
            yield svc
        return
    fake = FakeJellyfin()
    fake.add_user("kitchen", "secret")
    fake.add_album("Fuzzed Tapes", [150_000, 150_000, 150_000], artists=("The Inputs",))
    with serving(fake) as server, deck_with(root, server, "kitchen", "secret") as svc:
        svc.wait_until(lambda: svc.api("GET", "/library/albums")["total"] >= 1, timeout=20)
        yield svc


@pytest.fixture(scope="module")
def known_ids(service: ServiceProcess) -> list[str]:
    """Real album and track ids, so some requests reach a real row with junk around it."""
    albums = service.api("GET", "/library/albums")["items"]
    tracks = [
        t["id"]
        for a in albums[:2]
        for t in service.api("GET", f"/library/albums/{a['id']}")["tracks"]
    ]
    return [a["id"] for a in albums[:2]] + tracks


@pytest.fixture(scope="module")
def routes(service: ServiceProcess) -> list[tuple[str, str, dict[str, Any]]]:
    document = service.api("GET", "/openapi.json")
    found = [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "101" not in operation["responses"]  # the WebSocket is not for a plain request
    ]
    assert len(found) >= 30, "the document lists far fewer routes than the service has"
    return found


# -- what a hostile client sends -------------------------------------------------------------
JUNK_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
SEGMENTS = st.one_of(
    JUNK_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", ".", "..", "%00", "0", "-1", "1e400", "NaN", "²", "a" * 300, "9" * 40]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([10**400, 1e308, -1e308, 2**53 + 1, -0.0, 5e-324]),
)
JSON_LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, JUNK_TEXT)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JUNK_TEXT, inner, max_size=4),
    max_leaves=12,
)
RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.integers(min_value=1, max_value=20_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(min_value=1, max_value=20_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.sampled_from(
        [b"NaN", b"Infinity", b'{"position": -Infinity}', b"{", b'{"a": 1,}', b"\xef\xbb\xbf{}"]
    ),
    JUNK_TEXT.map(lambda t: t.encode("utf-16")),
    JUNK_TEXT.map(lambda t: json.dumps({"q": t}).encode("utf-16-le")),
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
LOOK_ALIKES = st.sampled_from(["[::1]evil.example", "localhost..", "localhost:abc", "[::1", "a@b"])
# Mostly a good Host, so most requests reach the handlers behind the Host check.
HOSTS = st.integers(0, 9).flatmap(
    lambda n: st.just("localhost") if n < 8 else (LOOK_ALIKES if n == 8 else HEADER_TEXT)
)
EXTRA_HEADERS = st.dictionaries(
    st.sampled_from(
        ["Origin", "Authorization", "Upgrade", "Range", "Accept-Encoding", "X-Forwarded-For"]
    ),
    HEADER_TEXT,
    max_size=3,
)
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/json", "text/plain", "", "application/json; charset=utf-16"]
)


def _field_bodies(operation: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """Objects with the operation's own field names (and a stranger) holding any JSON value."""
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    names = list(schema.get("schema", {}).get("properties", {})) or ["x"]
    keys = st.sampled_from([*names, "unknown"])
    return st.dictionaries(keys, JSON_VALUES, max_size=4).map(
        lambda body: json.dumps(body, allow_nan=True).encode()
    )


@st.composite
def requests(
    draw: st.DrawFn, routes: list[tuple[str, str, dict[str, Any]]], known: list[str]
) -> Request:
    method, template, operation = draw(st.sampled_from(routes))
    segments = SEGMENTS | st.sampled_from(known)
    path = re.sub(r"\{\w+\}", lambda _: quote(draw(segments), safe=""), template)
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    query = draw(st.dictionaries(st.sampled_from([*names, "zz"]), SEGMENTS, max_size=3))
    if query:
        path += "?" + urlencode(query)
    body = draw(st.none() | RAW_BODIES | _field_bodies(operation))
    headers = {"Host": draw(HOSTS), **draw(EXTRA_HEADERS)}
    if content_type := draw(CONTENT_TYPES):
        headers["Content-Type"] = content_type
    return method, path, body, headers


def _send(port: int, request: Request) -> tuple[int, bytes]:
    method, path, body, headers = request
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=body, headers={**headers, "Connection": "close"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_no_route_answers_500(
    service: ServiceProcess, routes: list[tuple[str, str, dict[str, Any]]], known_ids: list[str]
) -> None:
    seen: dict[int, int] = {}

    deployment = "jellyfin" if "jellyfin" in service.extra else "local"

    @settings(max_examples=EXAMPLES[deployment], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(request=requests(routes, known_ids))
    def one_request(request: Request) -> None:
        status, raw = _send(service.port, request)
        seen[status] = seen.get(status, 0) + 1
        assert status < 500 or status in UPSTREAM, (request, raw[:300])
        # The API's contract; the page and its files answer a bad Range with a bare 416.
        if status >= 400 and request[1].startswith("/api/"):
            error = json.loads(raw)["error"]
            assert set(error) == {"code", "message"}, raw[:200]

    one_request()
    print("statuses", sorted(seen.items()))
    assert sum(seen.values()) >= EXAMPLES[deployment]
    assert service.running
    assert service.request("GET", "/api/v1/health")[0] == 200
    log = service.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[log.index("Traceback") - 300 :][:3000]
