"""Pairing: the pure request bookkeeping, the token file, and the flow on an in-process service."""

from __future__ import annotations

import asyncio
import logging
import stat
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from player.app import create_app
from player.engine.fake import FakeEngine
from player.pairing.core import (
    AmbiguousApprovalError,
    NothingToApproveError,
    NotWaitingError,
    PairingRequests,
    PairingState,
    TooManyRequestsError,
    UnknownRequestError,
)
from player.pairing.store import (
    LOCAL_KEY_FILE,
    LOCAL_KEY_HEADER,
    TOKENS_FILE,
    TokenStore,
    mint_secret,
    token_digest,
)
from player.web.auth import is_loopback
from player.web.keys import SERVICES
from tests.player.conftest import AiohttpClient, service_config

Client = TestClient[Any, Any]


class Clock:
    """A hand-driven monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the pure bookkeeping ------------------------------------------------------------------------


def make_requests(clock: Clock, **kw: Any) -> PairingRequests:
    return PairingRequests(clock=clock, **kw)


def test_a_request_waits_for_the_ttl_then_expires() -> None:
    clock = Clock()
    requests = make_requests(clock, ttl=60.0)
    req = requests.open("phone")
    assert requests.state(req.request_id) == PairingState.WAITING
    clock.now += 59.9
    assert requests.state(req.request_id) == PairingState.WAITING
    clock.now += 0.2
    assert requests.state(req.request_id) == PairingState.EXPIRED
    with pytest.raises(NotWaitingError):
        requests.approve(req.request_id)


def test_an_approved_request_is_collected_once_within_the_ttl() -> None:
    clock = Clock()
    requests = make_requests(clock, ttl=60.0)
    first, second = requests.open("a"), requests.open("b")
    requests.approve(first.request_id)
    requests.approve(second.request_id)
    assert requests.collect(first.request_id) is not None
    assert requests.collect(first.request_id) is None  # the token is handed out once
    assert requests.state(first.request_id) == PairingState.APPROVED
    clock.now += 61
    assert requests.collect(second.request_id) is None  # nobody came for it in time
    assert requests.state(second.request_id) == PairingState.EXPIRED
    assert requests.state(first.request_id) == PairingState.APPROVED


def test_approving_without_an_id_needs_exactly_one_waiting_request() -> None:
    requests = make_requests(Clock())
    with pytest.raises(NothingToApproveError):
        requests.approve()
    only = requests.open("phone")
    requests.open("laptop")
    with pytest.raises(AmbiguousApprovalError, match="2 requests are waiting"):
        requests.approve()
    assert requests.approve(only.request_id[:4]).name == "phone"  # a unique prefix is enough
    assert requests.approve().name == "laptop"  # now the only one waiting


def test_prefixes_must_be_long_and_unique() -> None:
    ids = iter(["abcd-1111", "abcd-2222"])
    requests = make_requests(Clock(), new_id=lambda: next(ids))
    requests.open("a")
    requests.open("b")
    with pytest.raises(UnknownRequestError):
        requests.approve("abc")  # too short to be a deliberate choice
    with pytest.raises(AmbiguousApprovalError):
        requests.approve("abcd")
    with pytest.raises(UnknownRequestError):
        requests.approve("zzzz")
    assert requests.approve("abcd-2").name == "b"


def test_the_waiting_room_is_bounded() -> None:
    clock = Clock()
    requests = make_requests(clock, ttl=60.0, max_waiting=3)
    for n in range(3):
        requests.open(f"flood {n}")
        clock.now += 10
    with pytest.raises(TooManyRequestsError) as caught:
        requests.open("one more")
    assert caught.value.retry_after == pytest.approx(30.0)
    clock.now += 31  # the oldest expired: there is room again
    requests.open("one more")


def test_old_requests_are_forgotten() -> None:
    clock = Clock()
    requests = make_requests(clock, ttl=60.0, keep=600.0)
    req = requests.open("phone")
    clock.now += 601
    with pytest.raises(UnknownRequestError):
        requests.state(req.request_id)


def test_request_ids_are_long_and_random() -> None:
    requests = make_requests(Clock(), max_waiting=100)
    ids = {requests.open("x").request_id for _ in range(50)}
    assert len(ids) == 50 and all(len(i) >= 22 for i in ids)


# --- the token file ------------------------------------------------------------------------------


def test_tokens_are_stored_hashed_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / TOKENS_FILE
    store = TokenStore.load(path)
    token = store.add("phone")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert token not in text and token_digest(token) in text
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left nothing behind
    again = TokenStore.load(path)  # a restart
    found = again.verify(token)
    assert found is not None and found.name == "phone"
    assert again.verify(token + "x") is None
    assert again.revoke("phone") == 1 and again.verify(token) is None
    assert TokenStore.load(path).devices() == ()


def test_secrets_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    # A token pasted after `--token` must not read as another option on the command line.
    drawn = iter(["-looks-like-an-option", "--another", "fine-token"])
    monkeypatch.setattr("player.pairing.store.secrets.token_urlsafe", lambda n: next(drawn))
    assert mint_secret() == "fine-token"


def test_a_damaged_token_file_pairs_nobody(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / TOKENS_FILE
    path.write_text("{not json")
    assert TokenStore.load(path).devices() == ()
    assert "pair again" in caplog.text


def test_loopback_addresses() -> None:
    for addr in ("127.0.0.1", "127.8.0.1", "::1", "::ffff:127.0.0.1"):
        assert is_loopback(addr), addr
    for other in ("192.168.1.20", "::ffff:10.0.0.1", "fe80::1%eth0", "", None, "junk"):
        assert not is_loopback(other), other


# --- on the service ------------------------------------------------------------------------------


@pytest.fixture
async def paired(aiohttp_client: AiohttpClient, tmp_path: Path, engine: FakeEngine) -> Client:
    app = create_app(service_config(tmp_path, security={"pairing": True}), engine=engine)
    client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    return client


def local_key(client: Client) -> dict[str, str]:
    pairing = client.app[SERVICES].pairing
    assert pairing is not None
    return {LOCAL_KEY_HEADER: pairing.local_key}


async def pair(client: Client, name: str = "phone") -> str:
    """The whole flow of api.md: ask, approve on the device, poll for the token."""
    resp = await client.post("/api/v1/pairing", json={"name": name})
    assert resp.status == 202, await resp.text()
    request_id = (await resp.json())["request_id"]
    poll = await (await client.get(f"/api/v1/pairing/{request_id}")).json()
    assert poll == {"state": "waiting"}
    resp = await client.post("/api/v1/pairing/local/approve", json={}, headers=local_key(client))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["name"] == name
    resp = await client.get(f"/api/v1/pairing/{request_id}")
    assert resp.headers["Cache-Control"] == "no-store"
    body = await resp.json()
    assert body["state"] == "approved"
    again = await (await client.get(f"/api/v1/pairing/{request_id}")).json()
    assert again == {"state": "approved"}  # shown once
    return str(body["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def assert_unauthorized(resp: Any, error: str | None = None) -> None:
    assert resp.status == 401
    body = await resp.json()
    assert body["error"]["code"] == "unauthorized" and body["error"]["message"]
    challenge = resp.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer") and (error is None or error in challenge)


async def test_the_pairing_flow_end_to_end(
    paired: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await assert_unauthorized(await paired.get("/api/v1/player"))
    token = await pair(paired)
    resp = await paired.get("/api/v1/player", headers=bearer(token))
    assert resp.status == 200
    resp = await paired.post("/api/v1/player/pause", headers=bearer(token))
    assert resp.status == 200
    await assert_unauthorized(
        await paired.get("/api/v1/player", headers=bearer(token[:-2])), "invalid_token"
    )
    path = tmp_path / "state" / TOKENS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token not in path.read_text()
    assert "phone" in caplog.text  # the log tells what happened...
    assert token not in caplog.text  # ...but never the secret
    key = local_key(paired)[LOCAL_KEY_HEADER]
    assert key not in caplog.text


async def test_exempt_routes_answer_without_a_token(paired: Client) -> None:
    for path in ("/", "/api/v1/health", "/static/app.css", "/static/manifest.webmanifest"):
        resp = await paired.get(path)
        assert resp.status == 200, path
    resp = await paired.get("/api/v1/pairing/no-such-request")
    assert resp.status == 404  # reachable, just unknown
    for path in ("/api/v1/openapi.json", "/api/v1/queue", "/api/v1/no/such/route"):
        await assert_unauthorized(await paired.get(path))
    await assert_unauthorized(await paired.post("/api/v1/player/play"))
    await assert_unauthorized(await paired.post("/api/v1/health"))  # only reading is exempt
    await assert_unauthorized(await paired.get("/static/../api/v1/player"))


async def test_the_play_button_approves_the_only_waiting_request(paired: Client) -> None:
    pairing = paired.app[SERVICES].pairing
    assert pairing is not None
    assert pairing.approve_pending() is None  # nothing waits: a harmless press
    ids = []
    for name in ("phone", "tablet"):
        resp = await paired.post("/api/v1/pairing", json={"name": name})
        ids.append((await resp.json())["request_id"])
    assert pairing.approve_pending() is None  # two wait: the button cannot choose
    await paired.post(
        "/api/v1/pairing/local/approve", json={"request_id": ids[1]}, headers=local_key(paired)
    )
    approved = pairing.approve_pending()
    assert approved is not None and approved.name == "phone"
    poll = await (await paired.get(f"/api/v1/pairing/{ids[0]}")).json()
    assert poll["state"] == "approved" and poll["token"]


async def test_a_request_expires_after_the_ttl(paired: Client) -> None:
    pairing = paired.app[SERVICES].pairing
    assert pairing is not None
    clock = Clock()
    pairing.requests = PairingRequests(clock=clock, ttl=60.0)
    resp = await paired.post("/api/v1/pairing", json={"name": "late"})
    body = await resp.json()
    assert body["expires_in"] == 60.0
    clock.now += 61
    poll = await (await paired.get(f"/api/v1/pairing/{body['request_id']}")).json()
    assert poll == {"state": "expired"}
    resp = await paired.post(
        "/api/v1/pairing/local/approve", json={"request_id": body["request_id"]},
        headers=local_key(paired),
    )  # fmt: skip
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "conflict"


async def test_a_flood_of_requests_gets_429(paired: Client) -> None:
    statuses = []
    for n in range(6):
        resp = await paired.post("/api/v1/pairing", json={"name": f"flood {n}"})
        statuses.append(resp.status)
    assert statuses == [202] * 4 + [429] * 2
    assert (await resp.json())["error"]["code"] == "too_many_requests"
    assert int(resp.headers["Retry-After"]) >= 1


async def test_bad_names_are_refused(paired: Client) -> None:
    for body in ({"name": ""}, {"name": "x" * 65}, {"name": "a\x1bb"}, {}, {"name": 3}):
        resp = await paired.post("/api/v1/pairing", json=body)
        assert resp.status == 422, body


async def test_local_routes_need_the_local_key_from_loopback_without_origin(
    paired: Client,
) -> None:
    key = local_key(paired)
    for headers in (
        {},
        {LOCAL_KEY_HEADER: "wrong"},
        {**key, "Origin": "http://localhost"},
        {**key, "X-Forwarded-For": "192.168.1.9"},
    ):
        resp = await paired.get("/api/v1/pairing/local/requests", headers=headers)
        assert resp.status == 403, headers
        assert (await resp.json())["error"]["code"] == "forbidden"
    resp = await paired.get("/api/v1/pairing/local/requests", headers=key)
    assert resp.status == 200 and await resp.json() == {"requests": []}
    # The key also stands in for a token, so `sudo tapedeck status` works on the device.
    assert (await paired.get("/api/v1/player", headers=key)).status == 200


async def test_list_and_revoke(paired: Client) -> None:
    token = await pair(paired, "kitchen tablet")
    devices = await (
        await paired.get("/api/v1/pairing/local/devices", headers=local_key(paired))
    ).json()
    assert [d["name"] for d in devices["devices"]] == ["kitchen tablet"]
    assert "token_sha256" not in devices["devices"][0]
    resp = await paired.post(
        "/api/v1/pairing/local/revoke", json={"name": "kitchen tablet"}, headers=local_key(paired)
    )
    assert await resp.json() == {"revoked": 1}
    await assert_unauthorized(await paired.get("/api/v1/player", headers=bearer(token)))
    resp = await paired.post(
        "/api/v1/pairing/local/revoke", json={"name": "kitchen tablet"}, headers=local_key(paired)
    )
    assert resp.status == 404


async def test_the_events_websocket_takes_the_token_as_a_query_parameter(paired: Client) -> None:
    token = await pair(paired)
    async with paired.ws_connect(f"/api/v1/events?token={token}") as ws:
        first = await asyncio.wait_for(ws.receive_json(), 10)
        assert first["type"] == "snapshot"
    async with paired.ws_connect("/api/v1/events", headers=bearer(token)) as ws:
        assert (await asyncio.wait_for(ws.receive_json(), 10))["type"] == "snapshot"
    resp = await paired.get(
        "/api/v1/events", headers={"Upgrade": "websocket", "Connection": "Upgrade"}
    )
    await assert_unauthorized(resp)
    # The query form is for the WebSocket upgrade only.
    await assert_unauthorized(await paired.get(f"/api/v1/player?token={token}"))


async def test_with_pairing_off_the_routes_are_404_and_nothing_needs_a_token(
    client: Client,
) -> None:
    resp = await client.post("/api/v1/pairing", json={"name": "phone"})
    assert resp.status == 404
    error = (await resp.json())["error"]
    assert error["code"] == "not_found" and "security.pairing" in error["message"]
    assert (await client.get("/api/v1/pairing/abc")).status == 404
    assert (await client.get("/api/v1/player")).status == 200


async def test_the_local_key_file_lives_only_while_the_service_runs(
    tmp_path: Path, engine: FakeEngine
) -> None:
    app = create_app(service_config(tmp_path, security={"pairing": True}), engine=engine)
    key_file = tmp_path / "state" / LOCAL_KEY_FILE
    async with TestClient(TestServer(app)) as client:
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert key_file.read_text().strip() == local_key(client)[LOCAL_KEY_HEADER]
        await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    assert not key_file.exists()


def test_one_client_cannot_fill_the_room_for_another() -> None:
    clock = Clock()
    requests = make_requests(clock, ttl=60.0, max_waiting=4)
    for n in range(4):
        requests.open(f"flood {n}", client="192.168.1.66")
    with pytest.raises(TooManyRequestsError):
        requests.open("flood 5", client="192.168.1.66")
    owner = requests.open("owner's phone", client="192.168.1.20")
    assert owner in requests.waiting()


def test_a_full_room_drops_the_busiest_clients_oldest_request() -> None:
    clock = Clock()
    requests = make_requests(clock, ttl=60.0, max_waiting=4, max_total=6)
    flood = [requests.open(f"f{n}", client=f"10.0.0.{n % 2}") for n in range(6)]
    clock.now += 1
    owner = requests.open("owner", client="192.168.1.20")
    waiting = requests.waiting()
    assert owner in waiting and len(waiting) == 6
    assert flood[0] not in waiting  # 10.0.0.0 and .1 held three each; the oldest went
