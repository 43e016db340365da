"""The API's error object and the exceptions handlers raise to produce it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    502: "upstream_unavailable",
    503: "upstream_unavailable",
}


class ApiError(Exception):
    """Raised by handlers; the error middleware turns it into `{"error": {code, message}}`."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES_BY_STATUS.get(status, "internal")
        self.message = message


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, message: str, code: str | None = None) -> web.Response:
    code = code or CODES_BY_STATUS.get(status, "internal")
    return web.json_response(error_body(code, message), status=status)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def unprocessable(message: str) -> ApiError:
    return ApiError(422, message)


def conflict(message: str) -> ApiError:
    return ApiError(409, message)


def unavailable(message: str) -> ApiError:
    return ApiError(503, message)
