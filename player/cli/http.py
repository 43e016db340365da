"""The command-line client's HTTP side: stdlib urllib, credentials, and errors a person can act on."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from player.pairing.store import LOCAL_KEY_HEADER

DEFAULT_URL = "http://127.0.0.1:8080"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class ClientError(Exception):
    """Anything that stops a client command; the message is printed as is."""


def is_local_url(base: str) -> bool:
    """Whether `base` names this machine (where the local admin key may be used)."""
    return (urllib.parse.urlsplit(base).hostname or "") in LOOPBACK_HOSTS


@dataclass(frozen=True, slots=True)
class Connection:
    """Where the service is and how to prove who we are: a bearer token or the device's local key."""

    base: str = DEFAULT_URL
    token: str | None = None
    local_key: str | None = None
    timeout: float = 10.0

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One API request; the decoded JSON answer (None for an empty one)."""
        req = self._request(method, path, body)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as err:
            raise ClientError(_http_error_message(err)) from err
        except urllib.error.URLError as err:
            raise ClientError(self._unreachable(err.reason)) from err
        except TimeoutError as err:
            raise ClientError(self._unreachable(err)) from err
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError as err:
            raise ClientError(f"{self.base} answered something that is not JSON") from err

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None
    ) -> urllib.request.Request:
        data = json.dumps(body).encode() if body is not None else None
        url = f"{self.base.rstrip('/')}/api/v1{path}"
        try:
            req = urllib.request.Request(url, data=data, method=method)
        except ValueError as err:
            raise ClientError(f"not a URL: {self.base!r} (try http://HOST:8080)") from err
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        elif self.local_key:
            req.add_header(LOCAL_KEY_HEADER, self.local_key)
        return req

    def _unreachable(self, reason: object) -> str:
        if isinstance(reason, ConnectionRefusedError):
            return (
                f"the service is not running at {self.base} (connection refused).\n"
                "Start it with `sudo systemctl start tapedeck` (or `tapedeck serve`), "
                "or point --url / $TAPEDECK_URL at the device."
            )
        if isinstance(reason, TimeoutError):
            return f"the service at {self.base} did not answer within {self.timeout:g} s"
        return f"cannot reach tapedeck at {self.base}: {reason}"


def _http_error_message(err: urllib.error.HTTPError) -> str:
    try:
        error = json.loads(err.read().decode() or "{}").get("error", {})
        message = str(error.get("message") or err.reason)
    except (ValueError, AttributeError, OSError):
        message = str(err.reason)
    if err.code == 401:
        return (
            f"{message}\nThis device needs pairing: pass --token or set $TAPEDECK_TOKEN "
            "(get one with `tapedeck pair request NAME`), or run the command as root on the device."
        )
    return f"{message} (HTTP {err.code})"
