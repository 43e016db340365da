"""Pairing routes (only when `security.pairing = true`; 404 otherwise).

api.md's two routes let a client ask and poll. The `/api/v1/pairing/local/...` routes are this
service's extension for `tapedeck pair` on the device: they answer only a local administrator
(see `player.web.auth` for how a request proves that).
"""

from __future__ import annotations

from aiohttp import web

from player.pairing.core import (
    Pairing,
    PairingError,
    PairingRequest,
    TooManyRequestsError,
)
from player.web.auth import is_local_admin
from player.web.errors import ApiError, error_body, not_found, unprocessable
from player.web.keys import services
from player.web.server import client_key
from player.web.spec import Field, Param, RouteTable, read_body

routes = RouteTable()
TAG = "pairing"
JSON = "binary:application/json"  # plain JSON objects, described in each summary
MAX_NAME = 64
NAME_BODY = (
    Field("name", "string", required=True, description="what the client calls itself, 1-64 chars"),
)
APPROVE_BODY = (
    Field(
        "request_id",
        "string",
        description="the request's id or a unique prefix; omit to approve the only waiting one",
    ),
)
REVOKE_BODY = (Field("name", "string", required=True, description="the paired client's name"),)


def _pairing(request: web.Request) -> Pairing:
    pairing = services(request).pairing
    if pairing is None:
        raise not_found(
            "pairing is turned off on this device (set security.pairing = true in its config)"
        )
    return pairing


def _local_admin(request: web.Request) -> Pairing:
    pairing = _pairing(request)
    if not is_local_admin(request, pairing):
        raise ApiError(
            403, "only an administrator on the device can do this: run `sudo tapedeck pair` there"
        )
    return pairing


def _api_error(err: PairingError) -> ApiError:
    return ApiError(err.status, str(err), err.code)


def _too_many(err: TooManyRequestsError) -> web.Response:
    headers = {"Retry-After": str(round(err.retry_after))}
    return web.json_response(error_body(err.code, str(err)), status=429, headers=headers)


def _checked_name(raw: str) -> str:
    name = raw.strip()
    if not 1 <= len(name) <= MAX_NAME or not name.isprintable():
        raise unprocessable(f"'name' must be 1 to {MAX_NAME} printable characters")
    return name


@routes.route(
    "POST",
    "/api/v1/pairing",
    "Ask to pair: 202 {request_id, expires_in}; approve on the device within 60 s",
    TAG,
    body=NAME_BODY,
    response=JSON,
    status=202,
)
async def open_request(request: web.Request) -> web.Response:
    pairing = _pairing(request)
    name = _checked_name((await read_body(request, NAME_BODY))["name"])
    try:
        opened = pairing.open_request(name, client_key(request.remote or ""))
    except TooManyRequestsError as err:
        return _too_many(err)
    body = {"request_id": opened.request_id, "expires_in": pairing.requests.ttl}
    return web.json_response(body, status=202)


@routes.route(
    "GET",
    "/api/v1/pairing/{request_id}",
    "Poll a request: {state: waiting|approved|expired, token?}; the token is given once",
    TAG,
    params=(Param("request_id", "path"),),
    response=JSON,
)
async def poll_request(request: web.Request) -> web.Response:
    pairing = _pairing(request)
    try:
        state, token = await pairing.collect_token(request.match_info["request_id"])
    except PairingError as err:
        raise _api_error(err) from err
    body: dict[str, str] = {"state": state}
    if token is not None:
        body["token"] = token
    return web.json_response(body, headers={"Cache-Control": "no-store"})


@routes.route(
    "GET",
    "/api/v1/pairing/local/requests",
    "Device only: the waiting requests {requests: [{request_id, name, expires_in}]}",
    TAG,
    response=JSON,
)
async def list_requests(request: web.Request) -> web.Response:
    pairing = _local_admin(request)
    waiting = pairing.requests.waiting()
    return web.json_response({"requests": [_request_json(pairing, r) for r in waiting]})


def _request_json(pairing: Pairing, req: PairingRequest) -> dict[str, object]:
    left = req.opened + pairing.requests.ttl - pairing.requests.now()
    return {"request_id": req.request_id, "name": req.name, "expires_in": round(max(left, 0), 1)}


@routes.route(
    "POST",
    "/api/v1/pairing/local/approve",
    "Device only: approve a request (or the only waiting one) -> {request_id, name}",
    TAG,
    body=APPROVE_BODY,
    response=JSON,
)
async def approve_request(request: web.Request) -> web.Response:
    pairing = _local_admin(request)
    body = await read_body(request, APPROVE_BODY)
    try:
        approved = pairing.approve(body.get("request_id"))
    except PairingError as err:
        raise _api_error(err) from err
    return web.json_response({"request_id": approved.request_id, "name": approved.name})


@routes.route(
    "GET",
    "/api/v1/pairing/local/devices",
    "Device only: the paired clients {devices: [{name, created_at}]}",
    TAG,
    response=JSON,
)
async def list_devices(request: web.Request) -> web.Response:
    pairing = _local_admin(request)
    return web.json_response({"devices": [d.public() for d in pairing.tokens.devices()]})


@routes.route(
    "POST",
    "/api/v1/pairing/local/revoke",
    "Device only: revoke every token paired under a name -> {revoked: int}",
    TAG,
    body=REVOKE_BODY,
    response=JSON,
)
async def revoke_device(request: web.Request) -> web.Response:
    pairing = _local_admin(request)
    name = (await read_body(request, REVOKE_BODY))["name"]
    revoked = await pairing.revoke(name)
    if not revoked:
        raise not_found(f"no paired client is called '{name}'")
    return web.json_response({"revoked": revoked})
